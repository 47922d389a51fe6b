package refdata

import "testing"

// TestProvincePositions: one position per province, in the same order,
// inside Thailand's bounding box, abbreviations unique.
func TestProvincePositions(t *testing.T) {
	if len(ProvincePositions) != len(Provinces) || len(Provinces) != 77 {
		t.Fatalf("%d positions for %d provinces", len(ProvincePositions), len(Provinces))
	}
	abbr := map[string]string{}
	for i, p := range ProvincePositions {
		if p.Code != Provinces[i].Code {
			t.Errorf("row %d: code %s, want %s", i, p.Code, Provinces[i].Code)
		}
		if p.Lat < 5.6 || p.Lat > 20.5 || p.Lon < 97.3 || p.Lon > 105.7 {
			t.Errorf("%s (%s) outside Thailand: %v, %v", p.Code, Provinces[i].NameEN, p.Lat, p.Lon)
		}
		if o, dup := abbr[p.AbbrTH]; dup || p.AbbrTH == "" {
			t.Errorf("abbreviation %q of %s repeats %s", p.AbbrTH, p.Code, o)
		}
		abbr[p.AbbrTH] = p.Code
	}
	// Spot checks: Chiang Rai is the northernmost capital, Narathiwat the
	// southernmost, Ubon Ratchathani the easternmost, Mae Hong Son the
	// westernmost.
	ext := map[string]string{}
	for _, p := range ProvincePositions {
		for k, better := range map[string]func(ProvincePosition) bool{
			"n": func(q ProvincePosition) bool { return p.Lat > q.Lat }, "s": func(q ProvincePosition) bool { return p.Lat < q.Lat },
			"e": func(q ProvincePosition) bool { return p.Lon > q.Lon }, "w": func(q ProvincePosition) bool { return p.Lon < q.Lon },
		} {
			if cur, ok := ext[k]; !ok || better(positionOf(cur)) {
				ext[k] = p.Code
			}
		}
	}
	if ext["n"] != "57" || ext["s"] != "96" || ext["e"] != "34" || ext["w"] != "58" {
		t.Errorf("extremes = %v", ext)
	}
}

func positionOf(code string) ProvincePosition {
	for _, p := range ProvincePositions {
		if p.Code == code {
			return p
		}
	}
	return ProvincePosition{}
}
