package refdata

import (
	"strings"
	"testing"
	"time"
)

// TestProvincesSpotChecks pins rows that SOURCES.md cross-checked against
// three sources, so an accidental edit of the embedded file shows.
func TestProvincesSpotChecks(t *testing.T) {
	for _, want := range []Province{
		{Code: "10", ISO: "TH-10", NameTH: "กรุงเทพมหานคร", NameEN: "Bangkok", Region: 0},
		{Code: "38", ISO: "TH-38", NameTH: "บึงกาฬ", NameEN: "Bueng Kan", Region: 10},
		{Code: "50", ISO: "TH-50", NameTH: "เชียงใหม่", NameEN: "Chiang Mai", Region: 15},
		{Code: "90", ISO: "TH-90", NameTH: "สงขลา", NameEN: "Songkhla", Region: 5},
		{Code: "96", ISO: "TH-96", NameTH: "นราธิวาส", NameEN: "Narathiwat", Region: 7},
	} {
		if got, ok := ProvinceByCode(want.Code); !ok || got != want {
			t.Errorf("province %s = %+v, want %+v", want.Code, got, want)
		}
	}
}

// TestDistricts checks the embedded district table: 928 rows, 878 of them
// outside Bangkok (the national count of ศป.ปส.อ.), unique 4-digit codes
// that start with an existing province's code.
func TestDistricts(t *testing.T) {
	ds := Districts()
	if len(ds) != 928 {
		t.Fatalf("len(Districts()) = %d, want 928", len(ds))
	}
	seen := map[string]bool{}
	outside := 0
	for _, d := range ds {
		if seen[d.Code] {
			t.Errorf("duplicate district %s", d.Code)
		}
		seen[d.Code] = true
		if len(d.Code) != 4 || !strings.HasPrefix(d.Code, d.ProvinceCode) {
			t.Errorf("district %s: code does not start with province %s", d.Code, d.ProvinceCode)
		}
		if _, ok := ProvinceByCode(d.ProvinceCode); !ok {
			t.Errorf("district %s: unknown province %s", d.Code, d.ProvinceCode)
		}
		if d.NameTH == "" || d.NameEN == "" || strings.HasPrefix(d.NameTH, "อำเภอ") || strings.HasPrefix(d.NameTH, "เขต") {
			t.Errorf("district %s: names %q / %q (want both, without prefix)", d.Code, d.NameTH, d.NameEN)
		}
		if d.ProvinceCode != "10" {
			outside++
		}
	}
	if outside != 878 {
		t.Errorf("%d districts outside Bangkok, want 878", outside)
	}
	if d := ds[len(ds)-1]; d.Code != "9613" {
		t.Errorf("last district %+v, want 9613 (files are in code order)", d)
	}
	for _, code := range []string{"1001", "4405", "5001", "5025", "8419", "9603"} {
		if !seen[code] {
			t.Errorf("district %s missing", code)
		}
	}
}

// TestHolidays checks the embedded calendar: valid dates in order, 2025 to
// 2027, none on a day twice, and a few known dates.
func TestHolidays(t *testing.T) {
	hs := Holidays()
	if len(hs) != 69 {
		t.Errorf("len(Holidays()) = %d, want 69", len(hs))
	}
	var prev string
	for _, h := range hs {
		d, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			t.Errorf("holiday %q: %v", h.Date, err)
			continue
		}
		if y := d.Year(); y < 2025 || y > 2027 {
			t.Errorf("holiday %s outside 2025–2027", h.Date)
		}
		if h.Date <= prev {
			t.Errorf("holiday %s not after %s", h.Date, prev)
		}
		prev = h.Date
		if h.NameTH == "" || h.NameEN == "" {
			t.Errorf("holiday %s without a name", h.Date)
		}
	}
	dates := map[string]bool{}
	for _, h := range hs {
		dates[h.Date] = true
	}
	for _, want := range []string{"2025-01-01", "2026-01-02", "2026-03-03", "2027-02-22"} {
		if !dates[want] {
			t.Errorf("holiday %s missing", want)
		}
	}
	if dates["2026-05-01"] {
		t.Error("Labour Day is not a government holiday")
	}
}

// TestFile returns the files as shipped, header first.
func TestFile(t *testing.T) {
	for name, header := range map[string]string{
		ProvincesFile: "code,iso,name_th,name_en,inspection_region\n",
		DistrictsFile: "code,province_code,name_th,name_en\n",
		HolidaysFile:  "date,name_th,name_en\n",
	} {
		if got := string(File(name)); !strings.HasPrefix(got, header) {
			t.Errorf("File(%s) starts %q, want %q", name, got[:min(len(got), 40)], header)
		}
	}
	if !strings.Contains(string(File("SOURCES.md")), "districts.csv") {
		t.Error("SOURCES.md not embedded")
	}
}
