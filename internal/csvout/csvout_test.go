package csvout_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/csvout"
)

func TestNeutralize(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"สมชาย":                    "สมชาย",
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+66 2 123 4567":           "'+66 2 123 4567",
		"-2+3+cmd|' /C calc'!A0":   "'-2+3+cmd|' /C calc'!A0",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\t=1+1":                   "'\t=1+1",
		"\r=1+1":                   "'\r=1+1",
		"a=b":                      "a=b",
		" =1":                      " =1",
	} {
		if got := csvout.Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriter: BOM, CRLF, quoting, neutralised cells, and what a CSV
// reader gets back.
func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := csvout.NewWriter(&buf)
	rows := [][]string{{"ผู้ดำเนินการ", "การดำเนินการ"}, {"=cmd", "a,\"b\"\nc"}, {"-1", "@x"}}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\ufeffผู้ดำเนินการ,การดำเนินการ\r\n") {
		t.Fatalf("no BOM or CRLF: %q", out)
	}
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, csvout.BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"ผู้ดำเนินการ", "การดำเนินการ"}, {"'=cmd", "a,\"b\"\nc"}, {"'-1", "'@x"}}
	if len(got) != len(want) {
		t.Fatalf("rows = %q", got)
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("cell %d,%d = %q, want %q", i, j, got[i][j], want[i][j])
			}
		}
	}
	for _, row := range got {
		for _, c := range row {
			if csvout.FormulaLike(c) {
				t.Errorf("cell %q still formula-like", c)
			}
		}
	}
}
