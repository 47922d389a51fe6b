// Package refdata holds the reference data tidtam ships inside its binary:
// the 77 provinces with their MOI inspection regions, the 928 district rows
// (878 อำเภอ and Bangkok's 50 เขต) and the government holiday calendar. The
// CSV files under data/ are embedded with go:embed; data/SOURCES.md records
// where each came from, its licence and its caveats. The product seeds its
// database from them at first start (store.SeedReference) and needs no file
// outside the repository; `tidtam import` applies later corrections.
package refdata

import (
	"bytes"
	"embed"
	"encoding/csv"
	"slices"
	"strings"
)

// The names of the embedded reference files, as accepted by File.
const (
	ProvincesFile = "provinces.csv"
	DistrictsFile = "districts.csv"
	HolidaysFile  = "holidays.csv"
)

//go:embed data/provinces.csv data/districts.csv data/holidays.csv data/SOURCES.md
var files embed.FS

// File returns the bytes of the embedded reference file name (one of the
// *File constants, or "SOURCES.md"), exactly as shipped, header row
// included: the form `tidtam import` reads. It panics on any other name,
// which is a programming error.
func File(name string) []byte {
	b, err := files.ReadFile("data/" + name)
	if err != nil {
		panic("refdata: no embedded file " + name)
	}
	return b
}

// District is one district centre's district: an อำเภอ, or a เขต of Bangkok
// (ProvinceCode "10").
type District struct {
	// Code is the 4-digit DOPA code; its first two digits are ProvinceCode.
	Code string
	// ProvinceCode is the DOPA code of the province the district lies in.
	ProvinceCode string
	// NameTH and NameEN are the names without the อำเภอ/เขต prefix.
	NameTH, NameEN string
}

// Districts returns the 928 districts of the embedded districts.csv in file
// order (by code). Each call returns a new slice.
func Districts() []District {
	rows := mustRows(DistrictsFile, "code", "province_code", "name_th", "name_en")
	out := make([]District, 0, len(rows))
	for _, r := range rows {
		out = append(out, District{Code: r[0], ProvinceCode: r[1], NameTH: r[2], NameEN: r[3]})
	}
	return out
}

// Holiday is one government holiday (วันหยุดราชการ) of the embedded calendar.
type Holiday struct {
	// Date is the Gregorian date, YYYY-MM-DD.
	Date string
	// NameTH and NameEN name the holiday.
	NameTH, NameEN string
}

// Holidays returns the embedded government holidays (2025–2027) in date
// order. Each call returns a new slice.
func Holidays() []Holiday {
	rows := mustRows(HolidaysFile, "date", "name_th", "name_en")
	out := make([]Holiday, 0, len(rows))
	for _, r := range rows {
		out = append(out, Holiday{Date: r[0], NameTH: r[1], NameEN: r[2]})
	}
	return out
}

// mustRows parses an embedded CSV file whose header must be exactly header
// and returns its data rows, each with len(header) trimmed fields. A
// malformed embedded file is a build defect, so it panics.
func mustRows(name string, header ...string) [][]string {
	r := csv.NewReader(bytes.NewReader(File(name)))
	r.FieldsPerRecord = len(header)
	records, err := r.ReadAll()
	if err != nil {
		panic("refdata: " + name + ": " + err.Error())
	}
	if len(records) == 0 || !slices.Equal(records[0], header) {
		panic("refdata: " + name + ": unexpected header")
	}
	rows := records[1:]
	for _, row := range rows {
		for i := range row {
			row[i] = strings.TrimSpace(row[i])
		}
	}
	return rows
}
