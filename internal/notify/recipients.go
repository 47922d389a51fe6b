package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/models"
)

// HeadPositions are the positions that make an account a head of its
// province (ผู้ว่าราชการจังหวัด, รองผู้ว่าราชการจังหวัด, ปลัดจังหวัด).
var HeadPositions = []string{"governor", "vice_governor", "palad"}

// RecipientSpec says who receives a notification or an escalation: it is
// the JSON of notifications.recipients and escalations.recipients, written
// by the workflows through the activities (NotificationInput,
// OpenEscalation) and resolved here (ResolveRecipients):
//
//   - UnitCodes: the accounts of those units, and the units' own e-mail
//     addresses and webhooks.
//   - AccountIDs: those accounts.
//   - UnitPositions: the accounts of UnitCode holding one of Positions;
//     when none does, every account of that unit instead, so an
//     escalation never goes nowhere. The unit's webhooks too.
//   - HeadOfUnits: UnitPositions with HeadPositions for each unit.
//   - RoleRegions: the accounts with Role; with Region set, inspectors
//     assigned that region, or for other roles accounts whose unit (or its
//     province) lies in it.
//
// Disabled accounts never receive anything.
type RecipientSpec struct {
	UnitCodes     []string        `json:"unit_codes,omitempty"`
	AccountIDs    []int64         `json:"account_ids,omitempty"`
	UnitPositions []UnitPositions `json:"unit_positions,omitempty"`
	HeadOfUnits   []string        `json:"head_of_units,omitempty"`
	RoleRegions   []RoleRegion    `json:"role_regions,omitempty"`
}

// UnitPositions selects the accounts of UnitCode holding one of Positions.
type UnitPositions struct {
	UnitCode  string   `json:"unit_code"`
	Positions []string `json:"positions"`
}

// RoleRegion selects the accounts with Role, in inspection region Region
// when it is not nil.
type RoleRegion struct {
	Role   models.Role `json:"role"`
	Region *int        `json:"region,omitempty"`
}

// ParseRecipientSpec decodes notifications.recipients; empty text is an
// empty spec.
func ParseRecipientSpec(raw string) (RecipientSpec, error) {
	var spec RecipientSpec
	if strings.TrimSpace(raw) == "" {
		return spec, nil
	}
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		return spec, fmt.Errorf("notify: recipient spec is not valid JSON: %w", err)
	}
	return spec, nil
}

// Recipients is a resolved RecipientSpec. Accounts are ordered by ID;
// Emails are unique (compared case-insensitively) in the order found:
// account addresses, then unit addresses; Webhooks are the active webhooks
// of the units concerned plus every active organisation-wide one, ordered
// by ID.
type Recipients struct {
	Accounts []models.Account
	Emails   []mail.Address
	Webhooks []models.Webhook
}

// ResolveRecipients resolves spec against the accounts, units and webhooks
// tables. Malformed e-mail addresses are left out (the account still gets
// its inbox item).
func ResolveRecipients(ctx context.Context, db *gorm.DB, spec RecipientSpec) (Recipients, error) {
	db = db.WithContext(ctx)
	accounts := map[int64]models.Account{}
	add := func(q *gorm.DB) error {
		var found []models.Account
		if err := q.Where("accounts.disabled = ?", false).Find(&found).Error; err != nil {
			return fmt.Errorf("notify: resolve recipients: %w", err)
		}
		for _, a := range found {
			accounts[a.ID] = a
		}
		return nil
	}
	webhookUnits := slices.Clone(spec.UnitCodes)

	if len(spec.UnitCodes) > 0 {
		if err := add(db.Model(&models.Account{}).Where("unit_code IN ?", spec.UnitCodes)); err != nil {
			return Recipients{}, err
		}
	}
	if len(spec.AccountIDs) > 0 {
		if err := add(db.Model(&models.Account{}).Where("id IN ?", spec.AccountIDs)); err != nil {
			return Recipients{}, err
		}
	}
	positions := slices.Clone(spec.UnitPositions)
	for _, code := range spec.HeadOfUnits {
		positions = append(positions, UnitPositions{UnitCode: code, Positions: HeadPositions})
	}
	for _, up := range positions {
		webhookUnits = append(webhookUnits, up.UnitCode)
		var n int64
		holders := db.Model(&models.Account{}).Where("unit_code = ? AND position IN ? AND disabled = ?", up.UnitCode, up.Positions, false)
		if err := holders.Count(&n).Error; err != nil {
			return Recipients{}, fmt.Errorf("notify: resolve recipients: %w", err)
		}
		q := db.Model(&models.Account{}).Where("unit_code = ?", up.UnitCode)
		if n > 0 {
			q = q.Where("position IN ?", up.Positions)
		}
		if err := add(q); err != nil {
			return Recipients{}, err
		}
	}
	for _, rr := range spec.RoleRegions {
		q := db.Model(&models.Account{}).Where("accounts.role = ?", rr.Role)
		if rr.Region != nil {
			if rr.Role == models.RoleInspector {
				q = q.Where("accounts.id IN (SELECT account_id FROM account_regions WHERE region = ?)", *rr.Region)
			} else {
				// A district's region is its province's.
				q = q.Where(`accounts.unit_code IN (
  SELECT u.code FROM units u LEFT JOIN units p ON p.code = u.parent_code
  WHERE u.inspection_region = ? OR (u.inspection_region IS NULL AND p.inspection_region = ?))`, *rr.Region, *rr.Region)
			}
		}
		if err := add(q); err != nil {
			return Recipients{}, err
		}
	}

	var out Recipients
	ids := make([]int64, 0, len(accounts))
	for id := range accounts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	seen := map[string]bool{}
	addEmail := func(name, address string) {
		address = strings.TrimSpace(address)
		if address == "" {
			return
		}
		parsed, err := mail.ParseAddress(address)
		if err != nil {
			return
		}
		key := strings.ToLower(parsed.Address)
		if seen[key] {
			return
		}
		seen[key] = true
		out.Emails = append(out.Emails, mail.Address{Name: name, Address: parsed.Address})
	}
	for _, id := range ids {
		a := accounts[id]
		out.Accounts = append(out.Accounts, a)
		addEmail(a.DisplayName, a.Email)
	}
	if len(spec.UnitCodes) > 0 {
		var units []models.Unit
		if err := db.Where("code IN ?", spec.UnitCodes).Order("code").Find(&units).Error; err != nil {
			return Recipients{}, fmt.Errorf("notify: resolve recipients: %w", err)
		}
		for _, u := range units {
			addEmail(UnitDisplayName(u, LangThai), u.Email)
		}
	}

	q := db.Where("active = ?", true)
	if len(webhookUnits) > 0 {
		q = q.Where("unit_code IS NULL OR unit_code IN ?", webhookUnits)
	} else {
		q = q.Where("unit_code IS NULL")
	}
	if err := q.Order("id").Find(&out.Webhooks).Error; err != nil {
		return Recipients{}, fmt.Errorf("notify: resolve webhooks: %w", err)
	}
	return out, nil
}
