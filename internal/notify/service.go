package notify

import (
	"context"
	"time"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/models"
)

// Service is the notifications domain as people and the HTTP interface see
// it: each account's in-app inbox, the delivery log, the development
// mailbox and the webhooks. (Delivering notifications is the Deliverer's
// and the delivery workflow's job; this is what callers read and manage.)
// Each method decides who may call it from the *auth.Principal it is
// given; a nil principal is "not signed in" (apperr.Unauthorized). Errors
// other than *apperr.Error (an unreachable database) are returned as they
// are. Implementations: NewService; handler tests substitute fakes.
type Service interface {
	// Inbox returns a page of the caller's own inbox items, newest first
	// (then by ID), only unread ones when f.Unread; Total counts the items
	// matching f, Unread the caller's unread items whatever f says. Any
	// signed-in caller. f.Limit 0 means DefaultInboxLimit; it is capped at
	// MaxInboxLimit.
	Inbox(ctx context.Context, p *auth.Principal, f InboxFilter) (InboxPage, error)

	// MarkRead marks the caller's inbox item id read, keeping the first
	// reading time, and returns it. Any signed-in caller; someone else's
	// item is NotFound like a missing one, so IDs reveal nothing.
	MarkRead(ctx context.Context, p *auth.Principal, id string) (InboxItemView, error)

	// MarkAllRead marks every unread item of the caller read and returns
	// how many it marked. Any signed-in caller; other accounts' items are
	// never touched.
	MarkAllRead(ctx context.Context, p *auth.Principal) (int64, error)

	// Deliveries returns a page of deliveries (one e-mail address or
	// webhook of one notification), newest first, with the number matching
	// f. Admins only (Forbidden). Invalid "status" unless f.Status is
	// empty, pending, sent, failed or skipped. f.Limit 0 means
	// DefaultDeliveryLimit; it is capped at MaxDeliveryLimit.
	Deliveries(ctx context.Context, p *auth.Principal, f DeliveryFilter) (listing.Page[DeliveryView], error)

	// DevMailbox returns a page of the development mailbox (mail kept
	// instead of sent when no SMTP server is configured), newest first, with
	// its size; the raw message only when f.Raw. Admins only (Forbidden).
	// f.Limit 0 means DefaultDevMailLimit; it is capped at MaxDevMailLimit.
	DevMailbox(ctx context.Context, p *auth.Principal, f DevMailFilter) (listing.Page[DevMailView], error)

	// Webhooks lists every webhook by ID, without secrets. Admins and the
	// secretariat (Forbidden).
	Webhooks(ctx context.Context, p *auth.Principal) (listing.Page[WebhookView], error)

	// CreateWebhook registers a webhook for in.UnitCode's notifications
	// (empty: every notification), active unless in.Active is false, with a
	// new random signing secret (64 hex digits) that the answer carries,
	// this once. The audit event records the webhook, never its secret.
	// Admins and the secretariat (Forbidden). Invalid "url" for a URL of
	// more than 2,000 characters or one the webhook policy (Deps.Webhooks,
	// see WebhookPolicy) refuses: not https (plain http only to hosts an
	// admin allowed), user information, a host that is tidtam itself, a
	// local or numeric name, a name that does not resolve, or any resolved
	// address that is not public (loopback, private, link-local,
	// unique-local, multicast, metadata…) unless allowed; Invalid
	// "unit_code" for an unknown unit.
	CreateWebhook(ctx context.Context, p *auth.Principal, in WebhookInput) (WebhookView, error)

	// DeleteWebhook deletes webhook id and audits it; deliveries still
	// pending to it are skipped. Admins and the secretariat (Forbidden),
	// checked first; Invalid "id" when id is not positive (the caller
	// passes 0 for an ID that is not a number); NotFound when there is no
	// such webhook.
	DeleteWebhook(ctx context.Context, p *auth.Principal, id int64) error

	// RetryDelivery sends failed delivery id again: it becomes pending
	// (its attempts kept, its last error cleared), and its notification
	// goes back to the outbox in its next round (models.Notification.Round),
	// which the Dispatcher hands to a new delivery workflow; deliveries
	// already sent are never sent again. The retry is audited
	// ("delivery.retry") and the delivery returned as it now stands.
	// Admins only (Forbidden), checked first; NotFound when there is no
	// such delivery; Conflict when the delivery has not failed, or when its
	// notification is still being delivered (a retry already under way).
	RetryDelivery(ctx context.Context, p *auth.Principal, id string) (DeliveryView, error)
}

// Page sizes of the lists of Service: the default and the largest limit.
// The HTTP layer rejects a larger limit; the service applies the default
// to a zero limit and caps a larger one, for callers that do not check.
const (
	DefaultInboxLimit    = 50
	MaxInboxLimit        = 500
	DefaultDeliveryLimit = 100
	MaxDeliveryLimit     = 1000
	DefaultDevMailLimit  = 50
	MaxDevMailLimit      = 500
)

// InboxFilter selects a page of the caller's inbox: unread items only when
// Unread; the Window pages it.
type InboxFilter struct {
	Unread bool
	listing.Window
}

// DeliveryFilter selects deliveries: by Status (empty: any) and
// NotificationID (empty: any); the Window pages them.
type DeliveryFilter struct {
	Status         string
	NotificationID string
	listing.Window
}

// DevMailFilter pages the development mailbox; Raw includes each whole
// message.
type DevMailFilter struct {
	Raw bool
	listing.Window
}

// InboxItemView is one item of the caller's in-app inbox.
type InboxItemView struct {
	ID             string     `json:"id"`
	NotificationID string     `json:"notification_id"`
	Kind           string     `json:"kind"`
	Title          string     `json:"title"`
	Body           string     `json:"body"`
	Link           string     `json:"link,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	ReadAt         *time.Time `json:"read_at,omitempty"`
}

// InboxPage is the answer to Inbox: a page of items, the number of items
// matching the filter, and the caller's unread count (whatever the filter,
// for a badge).
type InboxPage struct {
	Items  []InboxItemView `json:"items"`
	Total  int64           `json:"total"`
	Unread int64           `json:"unread"`
}

// DeliveryView is one delivery of a notification (admin view).
type DeliveryView struct {
	ID             string                `json:"id"`
	NotificationID string                `json:"notification_id"`
	Channel        string                `json:"channel"`
	Recipient      string                `json:"recipient"`
	Status         models.DeliveryStatus `json:"status"`
	Attempts       int                   `json:"attempts"`
	LastError      string                `json:"last_error,omitempty"`
	SentAt         *time.Time            `json:"sent_at,omitempty"`
	MessageID      string                `json:"message_id,omitempty"`
	CreatedAt      time.Time             `json:"created_at"`
	UpdatedAt      time.Time             `json:"updated_at"`
}

// DevMailView is one message of the development mailbox. Raw (the whole
// message as it would have been sent) is included only when asked for.
type DevMailView struct {
	ID        string    `json:"id"`
	MessageID string    `json:"message_id"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	Text      string    `json:"text"`
	HTML      string    `json:"html"`
	Raw       string    `json:"raw,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// WebhookView is a webhook as listed; the secret is never shown again
// after creation.
type WebhookView struct {
	ID        int64     `json:"id"`
	UnitCode  string    `json:"unit_code,omitempty"`
	URL       string    `json:"url" validate:"max=2048,httpurl"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	// Secret is set only in the answer to CreateWebhook.
	Secret string `json:"secret,omitempty"`
}

// RetryRequest is the body of POST /deliveries/retry (RetryDelivery): the
// failed delivery's ID, which holds slashes and so travels in the body.
type RetryRequest struct {
	ID string `json:"id" validate:"required,max=700,singleline"`
}

// WebhookInput is the body of POST /webhooks (CreateWebhook). UnitCode
// empty makes the webhook organisation-wide; Active defaults to true.
type WebhookInput struct {
	URL      string `json:"url"`
	UnitCode string `json:"unit_code" validate:"max=32,singleline"`
	Active   *bool  `json:"active"`
}
