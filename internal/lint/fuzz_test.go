package lint

import "testing"

// fuzzTargets are the fuzz targets CI runs for a few seconds each, beyond
// their seed corpus (which every `go test` runs): the Thai date parser,
// the document-number normaliser, the span (ISO-8601 duration) parser, the
// CSV imports, the directive JSON binding and the upload content checks
// (PDF, images, CSV).
var fuzzTargets = []struct{ pkg, name string }{
	{"./internal/thaidate/", "FuzzParse"},
	{"./workflows/", "FuzzNormalizeDocNumber"},
	{"./workflows/", "FuzzParseSpan"},
	{"./internal/store/", "FuzzImportHolidays"},
	{"./internal/store/", "FuzzImportUnits"},
	{"./internal/directives/", "FuzzDirectiveBinding"},
	{"./internal/directives/", "FuzzUploadChecks"},
}

// TestFuzzTargetsBriefly runs each fuzz target for a fixed number of
// executions with the native fuzzer; a crasher fails CI and is written under
// the package's testdata/fuzz for a regression test. The budget is a count,
// not a duration: with a duration, Go's fuzz coordinator can report its own
// deadline ("context deadline exceeded") as a failure when the time runs out
// while a worker is mid-input, which failed CI once with no crasher.
func TestFuzzTargetsBriefly(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: skipped with -short")
	}
	const fuzzExecs = "3000x"
	for _, ft := range fuzzTargets {
		t.Run(ft.name, func(t *testing.T) {
			run(t, "go", "test", "-run", "^$", "-fuzz", "^"+ft.name+"$", "-fuzztime", fuzzExecs, "-parallel", "1", ft.pkg)
		})
	}
}
