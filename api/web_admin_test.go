package api_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/notify/notifytest"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestWebAdminAccounts drives the accounts pages in Chromium at both
// sizes: an admin creates an inspector for regions 8 and 15 (a short
// password is refused next to its field first), the inspector signs in;
// the admin resets the password and then disables the account, which ends
// the inspector's session at once.
func TestWebAdminAccounts(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	base := serveHTTP(h)
	for _, size := range browsertest.Sizes {
		t.Run(size.Name, func(t *testing.T) {
			user := "insp-" + size.Name
			admin := browsertest.New(t, base).Tab(t, size)
			admin.Open(t, "/admin/accounts")
			signIn(t, admin, "admin", adminPassword)
			admin.Shot(t, "accounts")
			admin.Run(t, chromedp.SendKeys(chromedp.CSS("#username"), user), chromedp.SendKeys(chromedp.CSS("#password"), "short"),
				chromedp.SetValue(chromedp.CSS("#role"), "inspector"), chromedp.SendKeys(chromedp.CSS("#regions"), "๘, 15"),
				chromedp.SetValue(chromedp.CSS("#display_name"), "นายตรวจ ราชการ"))
			admin.Expect("status of 422")
			admin.Click(t, "#create-account")
			if msg := admin.Text(t, "#new-account"); !strings.Contains(msg, "12") {
				t.Errorf("short password: no error next to the field: %q", msg)
			}
			if got := admin.Value(t, "#username"); got != user {
				t.Errorf("the form lost its values: username %q", got)
			}
			admin.Shot(t, "account-refused")
			admin.Run(t, chromedp.SendKeys(chromedp.CSS("#password"), "inspector-password-1"))
			admin.Click(t, "#create-account")
			if got := admin.Text(t, "#flash"); !strings.Contains(got, "สร้างบัญชีแล้ว") {
				t.Fatalf("no confirmation: %q", got)
			}
			var acc models.Account
			if err := db.Preload("Regions").First(&acc, "username = ?", user).Error; err != nil || acc.Role != models.RoleInspector || len(acc.Regions) != 2 {
				t.Fatalf("account stored as %+v (%v)", acc, err)
			}

			insp := browsertest.New(t, base).Tab(t, size)
			insp.Open(t, "/inspector")
			signIn(t, insp, user, "inspector-password-1")
			if who := insp.Text(t, "#who"); !strings.Contains(who, "นายตรวจ ราชการ") {
				t.Errorf("the new inspector's header: %q", who)
			}

			admin.Click(t, "#accounts a[href$='/"+strconv.FormatInt(acc.ID, 10)+"']")
			admin.Shot(t, "account")
			admin.Run(t, chromedp.SendKeys(chromedp.CSS("#new_password"), "inspector-password-2"))
			admin.Click(t, "#reset-password")
			if got := admin.Text(t, "#flash"); !strings.Contains(got, "ตั้งรหัสผ่านใหม่แล้ว") {
				t.Fatalf("no confirmation of the reset: %q", got)
			}
			admin.Click(t, "#disabled")
			admin.Click(t, "#save-account")
			db.First(&acc, "id = ?", acc.ID)
			if !acc.Disabled {
				t.Fatal("the account is not disabled")
			}
			admin.Shot(t, "account-disabled")
			insp.Open(t, "/inspector")
			if loc := insp.Location(t); !strings.HasPrefix(loc, "/login") {
				t.Errorf("a disabled account's session still opens pages: at %s", loc)
			}
			// The admins' notice of a failed delivery links to this page.
			admin.Open(t, "/admin/deliveries")
			if got := admin.Text(t, "h1"); got != "การส่งแจ้งเตือน" {
				t.Errorf("deliveries page: h1 %q", got)
			}
			admin.Shot(t, "deliveries")

			// Units from a CSV file: a wrong row stops the whole file and is
			// named by its line; the corrected file is imported.
			dir := t.TempDir()
			bad, good := filepath.Join(dir, "bad.csv"), filepath.Join(dir, "districts.csv")
			code := map[string]string{"phone": "2098", "desktop": "2099"}[size.Name]
			if err := os.WriteFile(bad, []byte("code,province_code,name_th,name_en\n"+code+",20,ทดสอบ,Test\n2199,20,ผิดจังหวัด,Wrong\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(good, []byte("code,province_code,name_th,name_en\n"+code+",20,ทดสอบ,Test\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			admin.Open(t, "/admin/units")
			admin.Run(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{bad}))
			admin.Click(t, "#units-import")
			if got := admin.Text(t, "#import-errors"); !strings.Contains(got, "บรรทัด ๓") && !strings.Contains(got, "บรรทัด 3") {
				t.Errorf("the wrong row is not named by its line: %q", got)
			}
			if n := count(t, db, &models.Unit{}, "code = ?", code); n != 0 {
				t.Fatal("a refused file imported a row")
			}
			admin.Shot(t, "units-refused")
			admin.Run(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{good}))
			admin.Click(t, "#units-import")
			if got := admin.Text(t, "#flash"); !strings.Contains(got, "นำเข้าแล้ว") {
				t.Errorf("import: %q", got)
			}
			if n := count(t, db, &models.Unit{}, "code = ? AND parent_code = ?", code, "20"); n != 1 {
				t.Errorf("unit %s not imported", code)
			}

			// An API token for an integration: shown once, then revoked.
			admin.Open(t, "/tokens")
			admin.Run(t, chromedp.SetValue(chromedp.CSS("#name"), "NISPA sync "+size.Name), chromedp.SetValue(chromedp.CSS("#expires_in_days"), "30"))
			admin.Click(t, "#token-create")
			if secret := admin.Value(t, "#token-secret"); !strings.HasPrefix(secret, auth.TokenPrefix) {
				t.Fatalf("the new token's secret is not shown: %q", secret)
			}
			admin.Shot(t, "token-created")
			var tok models.APIToken
			if err := db.First(&tok, "name = ?", "NISPA sync "+size.Name).Error; err != nil || tok.Scope != auth.ScopeReadOnly {
				t.Fatalf("token stored as %+v (%v)", tok, err)
			}
			admin.Click(t, "#revoke-"+strconv.FormatInt(tok.ID, 10))
			db.First(&tok, "id = ?", tok.ID)
			if tok.RevokedAt == nil {
				t.Error("the token is not revoked")
			}
			// The admin's pages in English.
			if size.Name == browsertest.Desktop.Name {
				admin.Open(t, "/admin/accounts?lang=en")
				for _, page := range []string{"/admin/accounts", "/admin/accounts/" + strconv.FormatInt(acc.ID, 10),
					"/admin/units", "/admin/deliveries", "/tokens", "/audit", "/holidays", "/target-sets"} {
					admin.Open(t, page)
					assertEnglish(t, admin)
					admin.Shot(t, "english"+strings.ReplaceAll(page, "/", "-"))
				}
				admin.Open(t, "/admin/accounts?lang=th")
			}
			admin.AssertClean(t)
			insp.AssertClean(t)
		})
	}
}

// TestWebAdminRetriesFailedDelivery: a province's mail server refuses a
// notice (550, mailbox full), so its delivery fails; the admin finds it on
// the deliveries page (in English, then in Thai), the mailbox is emptied,
// and "send again" delivers it through a new delivery round of the real
// notification chain, exactly once. A second retry of the now-sent
// delivery is refused through the API.
func TestWebAdminRetriesFailedDelivery(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	var full atomic.Bool
	full.Store(true)
	smtpSrv := notifytest.Start(t, notifytest.Options{Users: map[string]string{"tidtam": "smtp-pass"},
		Rcpt: func(string) error {
			if full.Load() {
				return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "mailbox full"}
			}
			return nil
		}})
	h.withNotifyEngine(smtpSrv, "tidtam", "smtp-pass")
	base := serveHTTP(h)
	if err := db.Model(&models.Unit{}).Where("code = ?", "20").Update("email", "saraban@chonburi.go.th").Error; err != nil {
		t.Fatal(err)
	}
	const id = "assignment/D9/20/seq/1"
	if err := db.Create(&models.Notification{ID: id, Kind: notify.KindAssigned, Template: notify.KindAssigned, Language: "th",
		Recipients: `{"unit_codes":["20"]}`, Status: models.NotificationPending, CreatedAt: time.Now().UTC(),
		Data: `{"assignment_id":"assignment/D9/20","unit_code":"20","subject":"เร่งรัดการตรวจค้น","ack_due_at":"2025-01-16T09:30:00Z"}`}).Error; err != nil {
		t.Fatal(err)
	}
	deliveryID := notify.DeliveryID(id, models.ChannelEmail, "saraban@chonburi.go.th")
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	state := func() (string, string) {
		var d models.Delivery
		var n models.Notification
		db.Where("id = ?", deliveryID).Take(&d)
		db.Where("id = ?", id).Take(&n)
		return string(d.Status), n.Status
	}
	waitFor("the refused delivery to fail", func() bool { d, n := state(); return d == "failed" && n == models.NotificationFailed })

	admin := browsertest.New(t, base).Tab(t, browsertest.Sizes[1])
	admin.Open(t, "/admin/deliveries?status=failed&lang=en")
	signIn(t, admin, "admin", adminPassword)
	if got := admin.Text(t, "#deliveries tbody"); !strings.Contains(got, "saraban@chonburi.go.th") || !strings.Contains(got, "Failed") ||
		!strings.Contains(got, "mailbox full") {
		t.Fatalf("the failed delivery is not listed in English: %q", got)
	}
	admin.Shot(t, "deliveries-failed-en")
	admin.Open(t, "/admin/deliveries?status=failed&lang=th")
	full.Store(false)
	admin.Click(t, "#deliveries button.retry")
	if got := admin.Text(t, "#flash"); !strings.Contains(got, "ส่งใหม่แล้ว") {
		t.Fatalf("no confirmation of the retry: %q", got)
	}
	waitFor("the retried delivery to be sent", func() bool { d, n := state(); return d == "sent" && n == models.NotificationDelivered })
	if msgs := smtpSrv.Messages(); len(msgs) != 1 || msgs[0].To[0] != "saraban@chonburi.go.th" {
		t.Errorf("the mail server received %d messages, want the one retried", len(msgs))
	}
	var n models.Notification
	db.Where("id = ?", id).Take(&n)
	if n.Round != 1 {
		t.Errorf("notification round %d after one retry, want 1", n.Round)
	}
	if c := count(t, db, &models.AuditEvent{}, "action = ? AND entity_id = ?", "delivery.retry", deliveryID); c != 1 {
		t.Errorf("%d audit events of the retry, want 1", c)
	}
	admin.Open(t, "/admin/deliveries")
	if admin.Exists(t, "#deliveries button.retry") {
		t.Error("a sent delivery still offers a retry")
	}
	admin.Shot(t, "deliveries-retried")
	admin.AssertClean(t)
	errorOf(t, h.do("POST", "/api/v1/deliveries/retry", h.login("admin", adminPassword), map[string]any{"id": deliveryID}), 409, "conflict", "")
}
