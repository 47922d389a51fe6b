package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/notify"
)

// deliveriesPage is the data of the deliveries page.
type deliveriesPage struct {
	Items    []notify.DeliveryView
	Total    int64
	Status   string
	Statuses []string
}

// Deliveries lists the deliveries of notifications, newest first (GET
// /admin/deliveries, ?status=pending|sent|failed|skipped): where each
// e-mail or webhook stands, with its attempts and last error. Admins only;
// the admins' notice about a failed delivery links here.
func (w *Pages) Deliveries(c *fiber.Ctx) error {
	data := deliveriesPage{Status: c.Query("status"), Statuses: []string{"pending", "sent", "failed", "skipped"}}
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
