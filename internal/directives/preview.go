package directives

import (
	"context"
	"fmt"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/models"
)

// TargetCount is how many units one item's targets reach, by level, and
// the names among them that match no unit (each with the closest real
// names, as Issue reports them).
type TargetCount struct {
	Provinces int             `json:"provinces"`
	Districts int             `json:"districts"`
	Others    int             `json:"others"`
	Total     int             `json:"total"`
	Unknown   []UnknownTarget `json:"unknown,omitempty"`
}

// CountTargets implements Service.
func (s *service) CountTargets(ctx context.Context, p *auth.Principal, items []TargetsRequest) ([]TargetCount, error) {
	if err := requireIssuer(p); err != nil {
		return nil, err
	}
	ix, err := loadUnitIndex(ctx, s.db(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]TargetCount, len(items))
	for i, t := range items {
		codes, unknown := ix.resolveItemTargets(fmt.Sprintf("items[%d].targets", i), t)
		c := TargetCount{Unknown: unknown, Total: len(codes)}
		for _, code := range codes {
			switch ix.byCode[code].Type {
			case models.UnitProvince:
				c.Provinces++
			case models.UnitDistrict:
				c.Districts++
			default:
				c.Others++
			}
		}
		out[i] = c
	}
	return out, nil
}
