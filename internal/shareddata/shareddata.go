// Package shareddata locates the project's reference data files (provinces,
// districts, holidays) that live in the shared/ folder beside the repository
// checkout, for tests and benchmarks. The files are never copied into the
// repository; the product imports them with `tidtam import`.
package shareddata

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// EnvDir names the variable that overrides where the data folder is.
const EnvDir = "TIDTAM_SHARED_DATA"

// Dir returns the reference data folder: $TIDTAM_SHARED_DATA when set,
// otherwise the first shared/data found walking up from the working
// directory (a test runs in its package folder, so this finds the folder
// beside the checkout).
func Dir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "data")
		if st, err := os.Stat(filepath.Join(cand, "provinces.csv")); err == nil && !st.IsDir() {
			return cand, nil
		}
		if filepath.Dir(dir) == dir {
			return "", errors.New("shared/data not found above " + wd + "; set " + EnvDir)
		}
	}
}

// Path returns the path of one reference file, failing the test when the
// folder cannot be found: tests that need reference data must not pass
// without it.
func Path(t testing.TB, name string) string {
	t.Helper()
	d, err := Dir()
	if err != nil {
		t.Fatalf("reference data: %v", err)
	}
	p := filepath.Join(d, name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("reference data: %v", err)
	}
	return p
}
