package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/notify"
)

// deliveriesPage is the data of the deliveries page.
type deliveriesPage struct {
	Items    []notify.DeliveryView
	Total    int64
	Status   string
	Statuses []string
	// Done is "retried" after a delivery was queued to send again.
	Done string
}

// Deliveries lists the deliveries of notifications, newest first (GET
// /admin/deliveries, ?status=pending|sent|failed|skipped): where each
// e-mail or webhook stands, with its attempts and last error. Admins only;
// the admins' notice about a failed delivery links here.
func (w *Pages) Deliveries(c *fiber.Ctx) error {
	data := deliveriesPage{Status: c.Query("status"), Done: c.Query("done"), Statuses: []string{"pending", "sent", "failed", "skipped"}}
	page, err := w.d.Notifications.Deliveries(c.UserContext(), principal(c), notify.DeliveryFilter{Status: data.Status,
		Window: listing.Window{Limit: notify.MaxDeliveryLimit}})
	if err != nil {
		if errs, ok := fieldErrors(w.localizer(c), err, ""); ok {
			data.Status = ""
			return w.renderForm(c, fiber.StatusUnprocessableEntity, "deliveries", "nav_deliveries", data, errs)
		}
		return w.fail(c, err)
	}
	data.Items, data.Total = page.Items, page.Total
	return w.render(c, fiber.StatusOK, "deliveries", "nav_deliveries", data)
}

// RetryDelivery sends a failed delivery again (POST /admin/deliveries/retry,
// form field id) through notify.Service.RetryDelivery, then shows the
// deliveries page with a confirmation, keeping the status filter (field
// status). Admins only; a delivery that has not failed, or whose
// notification is still being delivered, gets the calm conflict page.
func (w *Pages) RetryDelivery(c *fiber.Ctx) error {
	if _, err := w.d.Notifications.RetryDelivery(c.UserContext(), principal(c), formbody.Value(c, "id")); err != nil {
		return w.fail(c, err)
	}
	q := url.Values{"done": {"retried"}}
	if st := formbody.Value(c, "status"); st != "" {
		q.Set("status", st)
	}
	return c.Redirect("/admin/deliveries?"+q.Encode(), fiber.StatusSeeOther)
}
