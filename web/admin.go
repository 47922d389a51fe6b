package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// accountRoles are the roles an admin may give, in form order.
var accountRoles = []string{string(models.RoleProvince), string(models.RoleDistrict), string(models.RoleInspector),
	string(models.RoleSecretariat), string(models.RoleObserver), string(models.RoleAdmin)}

// accountsPage is the data of the accounts page: the list (filtered by
// Query and Role) and the creation form's values.
type accountsPage struct {
	Items []auth.AccountView
	Total int64
	Query string
	Role  string
	Roles []string
	Form  map[string]string
	Done  string
}

// accountPage is the data of one account's page.
type accountPage struct {
	A     auth.AccountView
	Roles []string
	Done  string
}

// RegionList is the account's regions as typed in the form ("8, 15").
func (a accountPage) RegionList() string {
	parts := make([]string, len(a.A.Regions))
	for i, r := range a.A.Regions {
		parts[i] = strconv.Itoa(r)
	}
	return strings.Join(parts, ", ")
}

// parseRegions reads inspection regions typed as "8, 15" (Thai digits
// accepted); field names the form field for errors.
func parseRegions(field, s string) ([]int, error) {
	var out []int
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := thaidate.ParseInt(part)
		if err != nil {
			return nil, apperr.Field(field, "เขตตรวจราชการต้องเป็นตัวเลข 1–18 คั่นด้วยจุลภาค (regions are numbers 1–18, comma-separated)")
		}
		out = append(out, n)
	}
	return out, nil
}

// Accounts lists the accounts (GET /admin/accounts, ?q= and ?role=) with
// the form that creates one. Admins only.
func (w *Pages) Accounts(c *fiber.Ctx) error {
	return w.showAccounts(c, fiber.StatusOK, accountsPage{Query: c.Query("q"), Role: c.Query("role"), Done: c.Query("done")}, nil)
}

func (w *Pages) showAccounts(c *fiber.Ctx, status int, data accountsPage, errs map[string]string) error {
	if len(data.Query) > 100 {
		data.Query = data.Query[:100]
	}
	page, err := w.d.Auth.ListAccounts(c.UserContext(), principal(c), auth.AccountFilter{Query: data.Query,
		Role: models.Role(data.Role), Window: listing.Window{Limit: 200}})
	if err != nil {
		if fe, ok := fieldErrors(w.localizer(c), err, "filter_"); ok {
			data.Role = ""
			return w.renderForm(c, fiber.StatusUnprocessableEntity, "accounts", "nav_accounts", data, fe)
		}
		return w.fail(c, err)
	}
	data.Items, data.Total, data.Roles = page.Items, page.Total, accountRoles
	return w.renderForm(c, status, "accounts", "nav_accounts", data, errs)
}

// CreateAccount creates an account from the form (POST /admin/accounts:
// username, password, role, unit_code, regions, display_name, email,
// position). Errors come back next to their fields with the values kept
// (never the password).
func (w *Pages) CreateAccount(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range []string{"username", "role", "unit_code", "regions", "display_name", "email", "position"} {
		form[k] = strings.TrimSpace(formbody.Value(c, k))
	}
	l := w.localizer(c)
	regions, err := parseRegions("regions", form["regions"])
	if err == nil {
		_, err = w.d.Auth.AddAccount(c.UserContext(), principal(c), auth.NewAccount{Username: form["username"],
			Password: formbody.Value(c, "password"), Role: models.Role(form["role"]), UnitCode: form["unit_code"], Regions: regions,
			DisplayName: form["display_name"], Email: form["email"], Position: form["position"]})
	}
	if err != nil {
		if fe, ok := fieldErrors(l, err, ""); ok {
			return w.showAccounts(c, fiber.StatusUnprocessableEntity, accountsPage{Form: form}, fe)
		}
		if e := apperr.As(err); e != nil && e.Code == apperr.Conflict {
			return w.showAccounts(c, fiber.StatusConflict, accountsPage{Form: form}, map[string]string{"username": messageIn(l, e.Message)})
		}
		return w.fail(c, err)
	}
	return c.Redirect("/admin/accounts?done=created&q="+form["username"], fiber.StatusSeeOther)
}

// accountID reads the :id of an account path; anything else is NotFound.
func accountID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "not found")
	}
	return id, nil
}

// Account shows one account (GET /admin/accounts/:id) with the form that
// changes it and the one that resets its password. Admins only.
func (w *Pages) Account(c *fiber.Ctx) error {
	return w.showAccount(c, fiber.StatusOK, c.Query("done"), nil)
}

func (w *Pages) showAccount(c *fiber.Ctx, status int, done string, errs map[string]string) error {
	id, err := accountID(c)
	if err != nil {
		return w.fail(c, err)
	}
	a, err := w.d.Auth.GetAccount(c.UserContext(), principal(c), id)
	if err != nil {
		return w.fail(c, err)
	}
	return w.renderForm(c, status, "account", "nav_accounts", accountPage{A: a, Roles: accountRoles, Done: done}, errs)
}

// UpdateAccount changes an account from the form (POST
// /admin/accounts/:id: role, unit_code, regions, display_name, email,
// position, disabled). Disabling ends its sessions and tokens at once.
func (w *Pages) UpdateAccount(c *fiber.Ctx) error {
	id, err := accountID(c)
	if err != nil {
		return w.fail(c, err)
	}
	l := w.localizer(c)
	str := func(k string) *string { v := strings.TrimSpace(formbody.Value(c, k)); return &v }
	role := models.Role(formbody.Value(c, "role"))
	disabled := formbody.Value(c, "disabled") == "on"
	u := auth.AccountUpdate{Role: &role, UnitCode: str("unit_code"), DisplayName: str("display_name"),
		Email: str("email"), Position: str("position"), Disabled: &disabled}
	regions, err := parseRegions("regions", formbody.Value(c, "regions"))
	if err == nil {
		if regions == nil {
			regions = []int{}
		}
		u.Regions = &regions
		_, err = w.d.Auth.UpdateAccount(c.UserContext(), principal(c), id, u)
	}
	if err != nil {
		if fe, ok := fieldErrors(l, err, ""); ok {
			return w.showAccount(c, fiber.StatusUnprocessableEntity, "", fe)
		}
		if e := apperr.As(err); e != nil && e.Code == apperr.Conflict {
			return w.showAccount(c, fiber.StatusConflict, "", map[string]string{"disabled": messageIn(l, e.Message)})
		}
		return w.fail(c, err)
	}
	return c.Redirect("/admin/accounts/"+strconv.FormatInt(id, 10)+"?done=saved", fiber.StatusSeeOther)
}

// ResetAccountPassword sets a new password typed by the admin (POST
// /admin/accounts/:id/password with new_password); the account's sessions
// end.
func (w *Pages) ResetAccountPassword(c *fiber.Ctx) error {
	id, err := accountID(c)
	if err != nil {
		return w.fail(c, err)
	}
	if err := w.d.Auth.ResetPassword(c.UserContext(), principal(c), id, formbody.Value(c, "new_password")); err != nil {
		if fe, ok := fieldErrors(w.localizer(c), err, ""); ok {
			return w.showAccount(c, fiber.StatusUnprocessableEntity, "", fe)
		}
		return w.fail(c, err)
	}
	return c.Redirect("/admin/accounts/"+strconv.FormatInt(id, 10)+"?done=password", fiber.StatusSeeOther)
}
