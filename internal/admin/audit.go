package admin

import (
	"context"
	"time"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/models"
)

// AuditView is one audit event: who did what to which entity, with the
// entity's JSON before and after.
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

// AuditFilter selects audit events; empty fields do not filter.
type AuditFilter struct {
	EntityType, EntityID, Actor string
	listing.Window
}

func (s *service) Audit(ctx context.Context, p *auth.Principal, f AuditFilter) (listing.Page[AuditView], error) {
	var out listing.Page[AuditView]
	if err := requireEditor(p); err != nil {
		return out, err
	}
	q := s.db(ctx).Model(&models.AuditEvent{})
	for col, v := range map[string]string{"entity_type": f.EntityType, "entity_id": f.EntityID, "actor": f.Actor} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if err := q.Count(&out.Total).Error; err != nil {
		return out, err
	}
	var rows []models.AuditEvent
	if err := q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return out, err
	}
	out.Items = make([]AuditView, 0, len(rows))
	for _, r := range rows {
		out.Items = append(out.Items, AuditView(r))
	}
	return out, nil
}
