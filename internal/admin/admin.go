// Package admin is the administration domain: organisation units, the
// government holiday calendar, named target sets (e.g. the 10 pilot
// provinces) and the audit trail. Accounts and tokens are internal/auth's
// Service.
//
// Service is the contract the JSON handlers and the web pages share.
// Authorization is part of every method (p is the signed-in caller); errors
// are *apperr.Error values: Invalid with Field for bad input, NotFound,
// Forbidden, Unavailable when the database cannot be reached.
package admin

import (
	"context"
	"io"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// Service is what callers may do with the reference tables and the audit
// trail.
type Service interface {
	// ListUnits returns the units within p's scope (national roles: all;
	// province: itself and its districts; district: itself; inspector: the
	// provinces of its regions and their districts), ordered by code. An
	// unknown unit type is Invalid.
	ListUnits(ctx context.Context, p *auth.Principal, f UnitFilter) (listing.Page[UnitView], error)
	// Unit returns one unit within p's scope; NotFound otherwise (a unit
	// outside the scope is not confirmed to exist).
	Unit(ctx context.Context, p *auth.Principal, code string) (UnitView, error)
	// ImportUnits imports units from the CSV file r (named name, for the
	// audit trail) as store.ImportUnits does: all rows or none, every wrong
	// row reported with its line (Invalid, Details []store.RowError).
	// Admins only; audited as units.import with the counts.
	ImportUnits(ctx context.Context, p *auth.Principal, r io.Reader, name string) (store.ImportResult, error)

	// ListHolidays returns the holidays of one year (Buddhist or Christian
	// era; 0 means all), by date. Any signed-in account may read them.
	ListHolidays(ctx context.Context, p *auth.Principal, year int) (listing.Page[HolidayView], error)
	// PutHoliday creates or renames the holiday on date (admin,
	// secretariat; audited). Running workflows keep the calendar they
	// recorded; new deadlines use the change.
	PutHoliday(ctx context.Context, p *auth.Principal, date string, req HolidayRequest) (HolidayView, error)
	// DeleteHoliday removes the holiday on date (admin, secretariat;
	// audited); NotFound when there is none.
	DeleteHoliday(ctx context.Context, p *auth.Principal, date string) error

	// ListTargetSets and TargetSet read the named target sets; any
	// signed-in account may.
	ListTargetSets(ctx context.Context, p *auth.Principal) (listing.Page[TargetSetView], error)
	TargetSet(ctx context.Context, p *auth.Principal, code string) (TargetSetView, error)
	// PutTargetSet creates or replaces a set (secretariat, admin; audited).
	// Members are provinces by name or unit codes; every unknown name is
	// reported at once with its closest real name. Directives already
	// issued keep the units they were resolved to.
	PutTargetSet(ctx context.Context, p *auth.Principal, code string, req TargetSetRequest) (TargetSetView, error)
	// DeleteTargetSet removes a set (secretariat, admin; audited).
	DeleteTargetSet(ctx context.Context, p *auth.Principal, code string) error

	// Audit returns audit events, newest first (admin, secretariat).
	Audit(ctx context.Context, p *auth.Principal, f AuditFilter) (listing.Page[AuditView], error)
	// ExportAudit returns the audit events of f's period (Bangkok days,
	// both included; no bound where a date is empty), oldest first, as a
	// sequence read in batches while it is consumed, so any period can be
	// streamed (admin, secretariat: Forbidden otherwise). Invalid "from" or
	// "to" for a date that does not parse or a period that ends before it
	// starts; Invalid "format" for anything but csv. The export itself is
	// audited (audit.export) before the sequence is returned.
	ExportAudit(ctx context.Context, p *auth.Principal, f AuditExportFilter) (AuditExport, error)
}

// Deps are what the admin service needs.
type Deps struct {
	DB *gorm.DB
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// NewService returns the Service over d.DB.
func NewService(d Deps) Service { return &service{Deps: d} }

// service implements Service.
type service struct{ Deps }

func (s *service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *service) db(ctx context.Context) *gorm.DB { return s.DB.WithContext(ctx) }

// requireEditor allows the roles that edit reference tables.
func requireEditor(p *auth.Principal) error {
	return p.Require(models.RoleAdmin, models.RoleSecretariat)
}
