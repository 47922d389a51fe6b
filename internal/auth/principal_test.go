package auth

import (
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/models"
)

func TestPrincipalRoles(t *testing.T) {
	obs := &Principal{Role: models.RoleObserver}
	prov := &Principal{Role: models.RoleProvince, UnitCode: "10"}
	var anon *Principal

	if !prov.HasRole(models.RoleAdmin, models.RoleProvince) || prov.HasRole(models.RoleAdmin) || prov.HasRole() {
		t.Error("HasRole does not match the principal's role exactly")
	}
	if anon.HasRole(models.RoleAdmin) {
		t.Error("nil principal has a role")
	}
	for _, r := range []models.Role{models.RoleAdmin, models.RoleSecretariat, models.RoleProvince, models.RoleDistrict, models.RoleInspector} {
		if !(&Principal{Role: r}).CanWrite() {
			t.Errorf("%s cannot write", r)
		}
	}
	if obs.CanWrite() || anon.CanWrite() || (&Principal{Role: "root"}).CanWrite() {
		t.Error("observer, nil or unknown role can write")
	}
}

func TestPrincipalRequire(t *testing.T) {
	prov := &Principal{Role: models.RoleProvince}
	if err := prov.Require(models.RoleSecretariat, models.RoleProvince); err != nil {
		t.Fatalf("Require with own role: %v", err)
	}
	err := prov.Require(models.RoleAdmin, models.RoleSecretariat)
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Forbidden {
		t.Fatalf("got %v, want Forbidden", err)
	}
	for _, want := range []string{"ผู้ดูแลระบบ (admin)", "ฝ่ายเลขานุการ (secretariat)", "requires role admin or secretariat"} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message %q does not contain %q", e.Message, want)
		}
	}
	if !strings.HasPrefix(e.Message, "การดำเนินการ") {
		t.Errorf("message %q is not Thai first", e.Message)
	}
	var anon *Principal
	if c := apperr.CodeOf(anon.Require(models.RoleObserver)); c != apperr.Unauthorized {
		t.Errorf("nil principal Require: code %s, want unauthorized", c)
	}
}
