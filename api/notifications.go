package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/notify"
)

// The notification handlers bind the request into the input types of
// package internal/notify, call Deps.Notifications, which decides who may
// do what, and render its answer. Rules and errors are documented on
// notify.Service.

// listInbox answers GET /inbox?unread=true&limit=&offset=: the caller's
// own items, newest first.
func listInbox(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		unread, _, err := queryBool(c, "unread")
		if err != nil {
			return err
		}
		limit, offset, err := limitOffset(c, notify.DefaultInboxLimit, notify.MaxInboxLimit)
		if err != nil {
			return err
		}
		out, err := d.Notifications.Inbox(c.UserContext(), principal(c),
			notify.InboxFilter{Unread: unread, Window: listing.Window{Limit: limit, Offset: offset}})
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// readInboxItem answers POST /inbox/{id}/read with the item.
func readInboxItem(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		item, err := d.Notifications.MarkRead(c.UserContext(), principal(c), c.Params("id"))
		if err != nil {
			return err
		}
		return c.JSON(item)
	}
}

// readAllInbox answers POST /inbox/read-all with {"updated": n}.
func readAllInbox(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		n, err := d.Notifications.MarkAllRead(c.UserContext(), principal(c))
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"updated": n})
	}
}

// listDeliveries answers GET /deliveries?status=&notification_id=&limit=&offset=.
func listDeliveries(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		limit, offset, err := limitOffset(c, notify.DefaultDeliveryLimit, notify.MaxDeliveryLimit)
		if err != nil {
			return err
		}
		out, err := d.Notifications.Deliveries(c.UserContext(), principal(c), notify.DeliveryFilter{
			Status: c.Query("status"), NotificationID: c.Query("notification_id"), Window: listing.Window{Limit: limit, Offset: offset}})
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// retryDelivery answers POST /deliveries/retry {"id"} with the delivery,
// pending again, in a new delivery round.
func retryDelivery(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in notify.RetryRequest
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		out, err := d.Notifications.RetryDelivery(c.UserContext(), principal(c), in.ID)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// listDevMailbox answers GET /dev-mailbox?raw=true&limit=&offset=.
func listDevMailbox(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		raw, _, err := queryBool(c, "raw")
		if err != nil {
			return err
		}
		limit, offset, err := limitOffset(c, notify.DefaultDevMailLimit, notify.MaxDevMailLimit)
		if err != nil {
			return err
		}
		out, err := d.Notifications.DevMailbox(c.UserContext(), principal(c),
			notify.DevMailFilter{Raw: raw, Window: listing.Window{Limit: limit, Offset: offset}})
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// listWebhooks answers GET /webhooks.
func listWebhooks(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := d.Notifications.Webhooks(c.UserContext(), principal(c))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// createWebhook answers POST /webhooks (201, with the secret this once).
func createWebhook(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in notify.WebhookInput
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		w, err := d.Notifications.CreateWebhook(c.UserContext(), principal(c), in)
		if err != nil {
			return err
		}
		// The signing secret is answered once: an Idempotency-Key replay
		// gets the answer without it.
		c.Locals(secretFieldsKey, []string{"secret"})
		return c.Status(fiber.StatusCreated).JSON(w)
	}
}

// deleteWebhook answers DELETE /webhooks/{id} (204). An ID that is not a
// number is passed as 0, which the service rejects after its role check.
func deleteWebhook(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := c.ParamsInt("id")
		if err != nil {
			id = 0
		}
		if err := d.Notifications.DeleteWebhook(c.UserContext(), principal(c), int64(id)); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
