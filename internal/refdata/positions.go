package refdata

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"strconv"
)

// PositionsFile is the embedded file of the provinces' capital positions.
const PositionsFile = "province_positions.csv"

//go:embed data/province_positions.csv
var positionsCSV []byte

// ProvincePosition is where a province's capital (อำเภอเมือง; Bangkok's
// city hall) lies, within about 0.2°, and the province's customary Thai
// abbreviation (อักษรย่อจังหวัด, e.g. ชม for Chiang Mai, กทม for Bangkok).
// It places provinces on schematic maps (internal/tilemap); it is not for
// measuring distances.
type ProvincePosition struct {
	// Code is the DOPA province code, as in Provinces.
	Code string
	// Lat and Lon are degrees north and east (WGS 84).
	Lat, Lon float64
	// AbbrTH is the Thai abbreviation.
	AbbrTH string
}

// ProvincePositions lists the positions of all 77 provinces ordered by
// Code, read from the embedded data/province_positions.csv (see
// data/SOURCES.md) when the package is initialised. Callers must treat it
// as read-only.
var ProvincePositions = mustParsePositions()

func mustParsePositions() []ProvincePosition {
	recs, err := csv.NewReader(bytes.NewReader(positionsCSV)).ReadAll()
	if err != nil || len(recs) < 2 {
		panic("refdata: bad " + PositionsFile + ": " + strconv.Quote(err.Error()))
	}
	out := make([]ProvincePosition, 0, len(recs)-1)
	for _, r := range recs[1:] {
		lat, err1 := strconv.ParseFloat(r[1], 64)
		lon, err2 := strconv.ParseFloat(r[2], 64)
		if err1 != nil || err2 != nil || len(r) != 4 {
			panic("refdata: bad row in " + PositionsFile + ": " + r[0])
		}
		out = append(out, ProvincePosition{Code: r[0], Lat: lat, Lon: lon, AbbrTH: r[3]})
	}
	return out
}
