package api_test

import (
	"context"
	"testing"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/notify"
)

// fakeNotifications is a notify.Service that records its calls. Methods a
// test does not use panic (nil embedded interface).
type fakeNotifications struct {
	notify.Service
	principal *auth.Principal
	inbox     notify.InboxFilter
	itemID    string
	webhookID int64
	err       error
}

func (f *fakeNotifications) Inbox(_ context.Context, p *auth.Principal, flt notify.InboxFilter) (notify.InboxPage, error) {
	f.principal, f.inbox = p, flt
	return notify.InboxPage{Items: []notify.InboxItemView{{ID: "i1", Title: "t"}}, Total: 7, Unread: 3}, f.err
}

func (f *fakeNotifications) MarkRead(_ context.Context, p *auth.Principal, id string) (notify.InboxItemView, error) {
	f.principal, f.itemID = p, id
	return notify.InboxItemView{ID: id}, f.err
}

func (f *fakeNotifications) MarkAllRead(_ context.Context, p *auth.Principal) (int64, error) {
	f.principal = p
	return 4, f.err
}

func (f *fakeNotifications) DeleteWebhook(_ context.Context, p *auth.Principal, id int64) error {
	f.principal, f.webhookID = p, id
	if id <= 0 {
		return apperr.Field("id", "not a number")
	}
	return f.err
}

// TestNotificationHandlersWithFakeService: the notification handlers parse
// query and path parameters into the domain's input, render its answers
// with the usual status codes, and map its errors, with no notification
// data and no Temporal server.
func TestNotificationHandlersWithFakeService(t *testing.T) {
	fake := &fakeNotifications{}
	app, tok := fakeApp(t, func(d *api.Deps) { d.Notifications = fake })

	status, _, body := fakeCall(t, app, "GET", "/api/v1/inbox?unread=TRUE&limit=%E0%B9%95&offset=10", tok, "")
	if status != 200 || body["total"] != float64(7) || body["unread"] != float64(3) || len(body["items"].([]any)) != 1 {
		t.Fatalf("inbox: %d %v", status, body)
	}
	if fake.inbox != (notify.InboxFilter{Unread: true, Window: listing.Window{Limit: 5, Offset: 10}}) || fake.principal == nil || fake.principal.Username != "admin" {
		t.Fatalf("service called with %+v by %+v", fake.inbox, fake.principal)
	}
	if fakeCall(t, app, "GET", "/api/v1/inbox", tok, ""); fake.inbox != (notify.InboxFilter{Window: listing.Window{Limit: notify.DefaultInboxLimit}}) {
		t.Fatalf("default filter %+v", fake.inbox)
	}
	if status, _, body := fakeCall(t, app, "GET", "/api/v1/inbox?unread=maybe", tok, ""); status != 422 || fakeError(body)["field"] != "unread" {
		t.Fatalf("bad unread: %d %v", status, body)
	}

	if status, _, body := fakeCall(t, app, "POST", "/api/v1/inbox/read-all", tok, ""); status != 200 || body["updated"] != float64(4) {
		t.Fatalf("read-all: %d %v", status, body)
	}
	fake.err = apperr.New(apperr.NotFound, "no such item")
	if status, _, _ := fakeCall(t, app, "POST", "/api/v1/inbox/abc/read", tok, ""); status != 404 || fake.itemID != "abc" {
		t.Fatalf("read: %d, service saw %q", status, fake.itemID)
	}
	fake.err = nil

	if status, _, _ := fakeCall(t, app, "DELETE", "/api/v1/webhooks/12", tok, ""); status != 204 || fake.webhookID != 12 {
		t.Fatalf("delete: %d, service saw %d", status, fake.webhookID)
	}
	// An ID that is not a number reaches the service as 0, which rejects it.
	if status, _, body := fakeCall(t, app, "DELETE", "/api/v1/webhooks/abc", tok, ""); status != 422 || fakeError(body)["field"] != "id" || fake.webhookID != 0 {
		t.Fatalf("delete abc: %d %v, service saw %d", status, body, fake.webhookID)
	}
}
