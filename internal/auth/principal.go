package auth

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/models"
)

// Principal is the authenticated caller of a request, as returned by
// Service.Authenticate. A nil *Principal stands for "not signed in": every
// method treats it as having no role and seeing nothing.
type Principal struct {
	AccountID int64
	Username  string
	Role      models.Role
	// UnitCode is the account's unit, empty when it has none. It defines the
	// scope of province and district accounts.
	UnitCode string
	// Regions are the inspection regions (0–18) of an inspector account,
	// ascending; empty for other roles.
	Regions []int
	// TokenID is the api_tokens row of the bearer token the request came
	// with (0 for a principal not built by Authenticate).
	TokenID int64
	// TokenKind is KindSession or KindAPI, the kind of that token ("" for a
	// principal not built by Authenticate, which counts as a session).
	TokenKind string
	// ReadOnly is set for a read-only API token: it may read what its
	// account may read and change nothing (RequireWritable).
	ReadOnly bool
}

var errReadOnlyToken = apperr.New(apperr.Forbidden,
	"โทเค็นนี้อ่านข้อมูลได้อย่างเดียว (this API token is read-only: only GET and HEAD requests are allowed)")

// RequireWritable returns nil when the principal's credential may change
// things, and Forbidden for a read-only API token (Unauthorized for a nil
// principal). Role and scope rules still apply on top; the HTTP layer calls
// it before every request that is not GET or HEAD.
func (p *Principal) RequireWritable() error {
	if p == nil {
		return errSignInRequired
	}
	if p.ReadOnly {
		return errReadOnlyToken
	}
	return nil
}

// ViaAPIToken reports whether the request came with an API token rather
// than a sign-in session.
func (p *Principal) ViaAPIToken() bool { return p != nil && p.TokenKind == KindAPI }

// HasRole reports whether the principal has one of roles.
func (p *Principal) HasRole(roles ...models.Role) bool {
	if p == nil {
		return false
	}
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

// CanWrite reports whether the principal may change anything at all;
// observers, read-only API tokens and the unauthenticated may not. Scope
// still applies on top.
func (p *Principal) CanWrite() bool {
	return p != nil && !p.ReadOnly && p.Role != models.RoleObserver && ValidRole(p.Role)
}

// Require returns nil when the principal has one of roles, otherwise an
// apperr Forbidden error naming the roles needed (Unauthorized for a nil
// principal). The error's Details holds {"required_roles": roles}.
func (p *Principal) Require(roles ...models.Role) error {
	if p == nil {
		return errSignInRequired
	}
	if p.HasRole(roles...) {
		return nil
	}
	th := make([]string, len(roles))
	en := make([]string, len(roles))
	for i, r := range roles {
		th[i] = fmt.Sprintf("%s (%s)", roleLabels[r], r)
		en[i] = string(r)
	}
	return apperr.New(apperr.Forbidden,
		"การดำเนินการนี้ต้องใช้บทบาท %s (this action requires role %s)",
		strings.Join(th, " หรือ "), strings.Join(en, " or ")).
		WithDetails(map[string]any{"required_roles": roles})
}

// roleLabels names each role in Thai for messages; a role missing here is
// not a valid role.
var roleLabels = map[models.Role]string{
	models.RoleAdmin:       "ผู้ดูแลระบบ",
	models.RoleSecretariat: "ฝ่ายเลขานุการ",
	models.RoleProvince:    "ศอ.ปส.จ.",
	models.RoleDistrict:    "ศป.ปส.อ.",
	models.RoleInspector:   "ผู้ตรวจราชการ",
	models.RoleObserver:    "ผู้สังเกตการณ์",
}

// ValidRole reports whether r is one of the six account roles.
func ValidRole(r models.Role) bool { return roleLabels[r] != "" }

// seesAllUnits reports whether the role's scope is the whole organisation.
func (p *Principal) seesAllUnits() bool {
	return p.HasRole(models.RoleAdmin, models.RoleSecretariat, models.RoleObserver)
}

// ScopeUnits restricts db, a query on the units table, to the units the
// principal may see: everything for admin, secretariat and observer; the
// own unit and all its descendants at any depth for province and district;
// for inspector, every province whose inspection_region is in Regions plus
// all their descendants. Anything else (nil principal, unknown role, missing
// unit or regions) sees nothing, so a misconfigured account fails closed.
//
// The condition is on "units.code", so db may join other tables as long as
// units is not aliased.
func (p *Principal) ScopeUnits(db *gorm.DB) *gorm.DB {
	if p.seesAllUnits() {
		return db
	}
	roots, args, ok := p.scopeRoots()
	if !ok {
		return db.Where("1 = 0")
	}
	// UNION rather than UNION ALL makes the recursion stop even if bad data
	// ever forms a parent cycle. Both SQLite and PostgreSQL accept a WITH
	// RECURSIVE inside an IN subquery.
	sql := "units.code IN (WITH RECURSIVE scope_units(code) AS (" + roots +
		" UNION SELECT child.code FROM units child JOIN scope_units parent ON child.parent_code = parent.code" +
		") SELECT code FROM scope_units)"
	return db.Where(clause.Expr{SQL: sql, Vars: args})
}

// scopeRoots returns the SELECT of the unit codes at the top of the
// principal's scope, its arguments, and false when the scope is empty.
func (p *Principal) scopeRoots() (string, []any, bool) {
	switch {
	case p.HasRole(models.RoleProvince, models.RoleDistrict):
		if p.UnitCode == "" {
			return "", nil, false
		}
		return "SELECT code FROM units WHERE code = ?", []any{p.UnitCode}, true
	case p.HasRole(models.RoleInspector):
		if len(p.Regions) == 0 {
			return "", nil, false
		}
		return "SELECT code FROM units WHERE type = ? AND inspection_region IN ?",
			[]any{string(models.UnitProvince), p.Regions}, true
	default:
		return "", nil, false
	}
}

// CanSeeUnit reports whether the unit with code exists and lies within the
// principal's scope, by the same rule as ScopeUnits.
func (p *Principal) CanSeeUnit(ctx context.Context, db *gorm.DB, code string) (bool, error) {
	var n int64
	err := p.ScopeUnits(db.WithContext(ctx).Model(&models.Unit{})).
		Where("units.code = ?", code).Count(&n).Error
	if err != nil {
		return false, apperr.Wrap(apperr.Internal, err,
			"ไม่สามารถตรวจสอบสิทธิ์เข้าถึงหน่วยงานได้ (could not check unit access)")
	}
	return n > 0, nil
}

// SeesAll reports whether the principal's read scope is the whole
// organisation (admin, secretariat, observer), so that list queries need no
// unit condition.
func (p *Principal) SeesAll() bool { return p.seesAllUnits() }

// UnitCodes returns a subquery selecting the codes of the units within the
// principal's scope (ScopeUnits), for use as "x.unit_code IN (?)". db is
// any handle on the right database; the subquery starts a new session.
func (p *Principal) UnitCodes(db *gorm.DB) *gorm.DB {
	return p.ScopeUnits(db.Session(&gorm.Session{NewDB: true}).Model(&models.Unit{})).Select("units.code")
}
