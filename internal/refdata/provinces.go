package refdata

import (
	"strconv"
	"strings"
)

// Province is one of Thailand's 77 provinces (76 จังหวัด plus Bangkok).
type Province struct {
	// Code is the DOPA 2-digit province code, "10" (Bangkok) … "96".
	Code string
	// ISO is the ISO 3166-2 subdivision code, always "TH-" + Code.
	ISO string
	// NameTH is the Thai name without the word "จังหวัด".
	NameTH string
	// NameEN is the ISO 3166-2 (RTGS) English name, except that Bangkok is
	// "Bangkok" rather than "Krung Thep Maha Nakhon".
	NameEN string
	// Region is the MOI inspection region (เขตตรวจราชการ) 1–18, or 0 for
	// Bangkok (ส่วนกลาง).
	Region int
}

// Provinces lists all 77 provinces ordered by Code, read from the embedded
// data/provinces.csv when the package is initialised. Callers must treat it
// as read-only.
var Provinces = mustParseProvinces()

// byCode and byName index Provinces once; the table never changes at run
// time.
var (
	byCode = map[string]int{}
	byName = map[string]int{}
)

// nameAliases are other spellings people type for a province, keyed by
// province code. They are looked up after the same normalisation as the
// official names.
var nameAliases = map[string][]string{
	"10": {"กรุงเทพฯ", "กรุงเทพ", "กทม.", "Krung Thep Maha Nakhon"},
	"16": {"Lopburi"},
	"31": {"Buriram"},
	"33": {"Sisaket"},
	"82": {"Phang Nga"},
}

func init() {
	for i, p := range Provinces {
		byCode[p.Code] = i
		byName[nameKey(p.NameTH)] = i
		byName[nameKey(p.NameEN)] = i
	}
	for code, names := range nameAliases {
		for _, n := range names {
			byName[nameKey(n)] = byCode[code]
		}
	}
}

// ProvinceByCode returns the province with the given DOPA code ("50"), or
// false when there is none. Surrounding spaces are ignored.
func ProvinceByCode(code string) (Province, bool) {
	i, ok := byCode[strings.TrimSpace(code)]
	if !ok {
		return Province{}, false
	}
	return Provinces[i], true
}

// ProvinceByName returns the province whose Thai or English name is name,
// or false when there is none. Matching ignores case, spaces, hyphens and
// dots, and a leading "จังหวัด" or "จ.", so "Buri Ram", "buriram" and
// "จังหวัดบุรีรัมย์" all find Buri Ram; a few common other spellings
// (e.g. "กทม.", "Lopburi") are accepted too.
func ProvinceByName(name string) (Province, bool) {
	i, ok := byName[nameKey(name)]
	if !ok {
		return Province{}, false
	}
	return Provinces[i], true
}

// nameKey folds a province name to the form used as a lookup key.
func nameKey(name string) string {
	name = strings.TrimSpace(name)
	name = strings.TrimPrefix(name, "จังหวัด")
	name = strings.TrimPrefix(name, "จ.")
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch r {
		case ' ', '-', '.', '\t':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mustParseProvinces reads the embedded provinces.csv
// (code,iso,name_th,name_en,inspection_region). The file ships inside the
// binary, so a malformed one is a build defect: it panics, and the
// package's tests catch it before any release.
func mustParseProvinces() []Province {
	rows := mustRows(ProvincesFile, "code", "iso", "name_th", "name_en", "inspection_region")
	out := make([]Province, 0, len(rows))
	for _, r := range rows {
		region, err := strconv.Atoi(r[4])
		if err != nil {
			panic("refdata: provinces.csv: inspection_region " + strconv.Quote(r[4]))
		}
		out = append(out, Province{Code: r[0], ISO: r[1], NameTH: r[2], NameEN: r[3], Region: region})
	}
	return out
}
