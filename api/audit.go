package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/models"
)

// AuditView is one audit-trail row.
type AuditView struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	EntityType string    `json:"entity_type"`
	EntityID   string    `json:"entity_id"`
	Before     string    `json:"before,omitempty"`
	After      string    `json:"after,omitempty"`
	RequestID  string    `json:"request_id,omitempty"`
}

// listAudit answers GET /audit?entity_type=&entity_id=&actor= for admins
// and the secretariat, newest first.
func listAudit(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := principal(c).Require(models.RoleAdmin, models.RoleSecretariat); err != nil {
			return err
		}
		q := d.DB.WithContext(c.UserContext()).Model(&models.AuditEvent{})
		for _, f := range []string{"entity_type", "entity_id", "actor"} {
			if v := c.Query(f); v != "" {
				q = q.Where(f+" = ?", v)
			}
		}
		limit, offset, err := limitOffset(c, 100, 1000)
		if err != nil {
			return err
		}
		var total int64
		if err := q.Count(&total).Error; err != nil {
			return err
		}
		var rows []models.AuditEvent
		if err := q.Order("id DESC").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
			return err
		}
		out := page[AuditView]{Items: make([]AuditView, 0, len(rows)), Total: total}
		for _, r := range rows {
			out.Items = append(out.Items, AuditView(r))
		}
		return c.JSON(out)
	}
}
