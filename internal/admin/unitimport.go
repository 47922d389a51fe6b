package admin

import (
	"context"
	"io"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// ImportUnits implements Service.
func (s *service) ImportUnits(ctx context.Context, p *auth.Principal, r io.Reader, name string) (store.ImportResult, error) {
	if err := p.Require(models.RoleAdmin); err != nil {
		return store.ImportResult{}, err
	}
	res, err := store.ImportUnits(ctx, s.db(ctx), r, nil)
	if err != nil {
		return res, err
	}
	return res, store.RecordAudit(s.db(ctx), models.AuditEvent{Actor: p.Username, Action: "units.import", EntityType: "unit",
		EntityID: name, After: store.JSONText(res), RequestID: reqctx.RequestID(ctx)})
}
