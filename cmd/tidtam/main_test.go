package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/refdata"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

func runCmd(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return out.String() + errOut.String(), err
}

// TestImportCommand runs `tidtam import` as a user would, on SQLite and on
// PostgreSQL: the shipped districts and holidays are already there from the
// first start, so importing the same files changes nothing; a corrected
// file updates just the corrected row; a bad file is rejected whole with its
// line number.
func TestImportCommand(t *testing.T) {
	dbs := map[string]string{
		"sqlite":   "sqlite:" + filepath.Join(t.TempDir(), "tidtam.db"),
		"postgres": storetest.PostgresURL(t),
	}
	for name, url := range dbs {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"TIDTAM_DATABASE_URL": url, "TIDTAM_DATA_DIR": t.TempDir(), "TIDTAM_ADMIN_PASSWORD": "admin-password-1"}
			dir := t.TempDir()
			districts := writeFile(t, dir, "districts.csv", refdata.File(refdata.DistrictsFile))
			out, err := runCmd(t, env, "import", "units", districts)
			if err != nil {
				t.Fatalf("import units: %v\n%s", err, out)
			}
			if !strings.Contains(out, "units: 928/928") || !strings.Contains(out, "เพิ่ม 0, ปรับปรุง 0, ไม่เปลี่ยนแปลง 928") {
				t.Fatalf("progress or counts missing (the shipped districts are seeded at start):\n%s", out)
			}
			corrected := strings.Replace(string(refdata.File(refdata.DistrictsFile)), "5002,50,จอมทอง,Chom Thong", "5002,50,จอมทอง,Chomthong", 1)
			out, err = runCmd(t, env, "import", "units", writeFile(t, dir, "corrected.csv", []byte(corrected)))
			if err != nil || !strings.Contains(out, "เพิ่ม 0, ปรับปรุง 1, ไม่เปลี่ยนแปลง 927") {
				t.Fatalf("a corrected row should update one unit: %v\n%s", err, out)
			}
			out, err = runCmd(t, env, "import", "holidays", writeFile(t, dir, "holidays.csv", refdata.File(refdata.HolidaysFile)))
			if err != nil || !strings.Contains(out, "ไม่เปลี่ยนแปลง 69") {
				t.Fatalf("import holidays: %v\n%s", err, out)
			}

			bad := filepath.Join(t.TempDir(), "bad.csv")
			content := "code,province_code,name_th,name_en\n9901,99,ทดสอบ,Test\n5099,50,,Nameless\n"
			if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err = runCmd(t, env, "import", "units", bad)
			if err == nil || !strings.Contains(out, "บรรทัด 2") || !strings.Contains(out, "บรรทัด 3") || !strings.Contains(out, "nothing was imported") {
				t.Fatalf("bad file: err=%v\n%s", err, out)
			}
			db, err := store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			db.Model(&models.Unit{}).Where("code IN ?", []string{"9901", "5099"}).Count(&n)
			if n != 0 {
				t.Fatalf("bad file wrote %d rows", n)
			}
			sqlDB, _ := db.DB()
			sqlDB.Close()
		})
	}
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigErrorNamesVariable(t *testing.T) {
	_, err := runCmd(t, map[string]string{"TIDTAM_HTTP_ADDR": "eighty"}, "migrate")
	if err == nil || !strings.Contains(err.Error(), "TIDTAM_HTTP_ADDR") {
		t.Fatalf("err = %v", err)
	}
	if _, err := runCmd(t, nil, "frobnicate"); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("unknown command: %v", err)
	}
	if _, err := runCmd(t, map[string]string{}, "api"); err == nil || !strings.Contains(err.Error(), "TEMPORAL_ADDRESS") {
		t.Fatalf("api without Temporal: %v", err)
	}
}

// TestBuildChecksumNamesTheBuild: workers identify their build with the
// version (and VCS revision when known) instead of the SDK hashing the
// whole executable at start-up.
func TestBuildChecksumNamesTheBuild(t *testing.T) {
	got := buildChecksum()
	if !strings.HasPrefix(got, "tidtam/"+version) || len(got) > 128 {
		t.Fatalf("buildChecksum() = %q, want tidtam/%s[/revision]", got, version)
	}
}
