package dashboard

// GeoRegions are the geographic regions a dashboard can be narrowed to, in
// display order. A province's region follows the first digit of its code
// (the Thai standard province codes, TIS 1099, are grouped that way): 1
// central, 2 east, 3 and 4 northeast, 5 and 6 north, 7 west, 8 and 9
// south.
var GeoRegions = []string{"north", "northeast", "central", "east", "west", "south"}

// GeoRegionOf returns the geographic region of the province with code
// (see GeoRegions), "" for a code that is not a province's.
func GeoRegionOf(code string) string {
	if len(code) != 2 {
		return ""
	}
	switch code[0] {
	case '1':
		return "central"
	case '2':
		return "east"
	case '3', '4':
		return "northeast"
	case '5', '6':
		return "north"
	case '7':
		return "west"
	case '8', '9':
		return "south"
	}
	return ""
}

func validGeoRegion(r string) bool {
	for _, g := range GeoRegions {
		if g == r {
			return true
		}
	}
	return false
}
