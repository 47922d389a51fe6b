package lint

import (
	"testing"
	"time"
)

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

// TestFuzzTargetsBriefly runs each fuzz target for a few seconds with the
// native fuzzer; a crasher fails CI and is written under the package's
// testdata/fuzz for a regression test.
func TestFuzzTargetsBriefly(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: skipped with -short")
	}
	fuzzTime := 3 * time.Second
	for _, ft := range fuzzTargets {
		t.Run(ft.name, func(t *testing.T) {
			run(t, "go", "test", "-run", "^$", "-fuzz", "^"+ft.name+"$", "-fuzztime", fuzzTime.String(), "-parallel", "1", ft.pkg)
		})
	}
}
