package workflows

import "testing"

// FuzzNormalizeDocNumber: normalising never panics and is idempotent, so
// a stored normalised number matches itself typed again.
func FuzzNormalizeDocNumber(f *testing.F) {
	for _, s := range []string{"ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗", "ที่ มท 0311.3/ว 1757", "  สข 0017.3/17839 ", "", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeDocNumber(s)
		if again := NormalizeDocNumber(n); again != n {
			t.Fatalf("NormalizeDocNumber not idempotent: %q → %q → %q", s, n, again)
		}
	})
}

// FuzzParseSpan: working days or ISO-8601 durations; never panics, and an
// accepted span is not negative.
func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"5", "PT30S", "P1DT2H", "PT0S", "-5", "P", "PT99999999999999999999S", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := ParseSpan(s)
		if err != nil {
			return
		}
		if sp.WorkingDays < 0 || sp.Duration < 0 {
			t.Fatalf("ParseSpan(%q) = %+v, negative", s, sp)
		}
	})
}
