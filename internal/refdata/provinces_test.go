package refdata

import (
	"testing"
)

func TestProvinceInvariants(t *testing.T) {
	if len(Provinces) != 77 {
		t.Errorf("len(Provinces) = %d, want 77", len(Provinces))
	}
	seen := map[string]bool{}
	for i, p := range Provinces {
		if seen[p.Code] {
			t.Errorf("duplicate code %s", p.Code)
		}
		seen[p.Code] = true
		if i > 0 && Provinces[i-1].Code >= p.Code {
			t.Errorf("Provinces not ordered by code at %s", p.Code)
		}
		if p.ISO != "TH-"+p.Code {
			t.Errorf("%s: ISO %s, want TH-%s", p.Code, p.ISO, p.Code)
		}
		if p.Region < 0 || p.Region > 18 || (p.Region == 0) != (p.Code == "10") {
			t.Errorf("%s: region %d out of range (only Bangkok is 0)", p.Code, p.Region)
		}
	}
}

func TestProvinceLookups(t *testing.T) {
	for _, p := range Provinces {
		if got, ok := ProvinceByCode(p.Code); !ok || got != p {
			t.Errorf("ProvinceByCode(%q) = %+v, %v", p.Code, got, ok)
		}
		if got, ok := ProvinceByName(p.NameTH); !ok || got != p {
			t.Errorf("ProvinceByName(%q) = %+v, %v", p.NameTH, got, ok)
		}
		if got, ok := ProvinceByName(p.NameEN); !ok || got != p {
			t.Errorf("ProvinceByName(%q) = %+v, %v", p.NameEN, got, ok)
		}
	}
	for name, code := range map[string]string{
		"  chiang mai ": "50",
		"จังหวัดบุรีรัมย์": "31",
		"Buriram":    "31",
		"กทม.":       "10",
		"Phang-Nga":  "82",
		"จ.เชียงราย": "57",
		"SI SA KET":  "33",
	} {
		got, ok := ProvinceByName(name)
		if !ok || got.Code != code {
			t.Errorf("ProvinceByName(%q) = %q, %v; want %q", name, got.Code, ok, code)
		}
	}
	for _, bad := range []string{"", "Atlantis", "99", "จังหวัด"} {
		if got, ok := ProvinceByName(bad); ok {
			t.Errorf("ProvinceByName(%q) = %+v, want not found", bad, got)
		}
	}
	if _, ok := ProvinceByCode("99"); ok {
		t.Error(`ProvinceByCode("99") found a province`)
	}
}
