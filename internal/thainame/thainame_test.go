package thainame_test

import (
	"slices"
	"testing"

	"github.com/tidtam/tidtam/internal/refdata"
	"github.com/tidtam/tidtam/internal/thainame"
)

func provinces() []string {
	var out []string
	for _, p := range refdata.Provinces {
		out = append(out, p.NameTH)
	}
	return out
}

// TestSuggestProvinceTypos: misspellings seen in letters, and the usual
// ways of getting Thai wrong (a tone mark dropped or added, a vowel or a
// final consonant swapped, letters typed in another order, a short
// form), get the province meant first.
func TestSuggestProvinceTypos(t *testing.T) {
	names := thainame.NewNames(provinces())
	for _, tc := range []struct{ typo, want string }{
		{"ตระหง่าน", "ตรัง"}, // the seed letter's garbled name
		{"เชียงใหมา", "เชียงใหม่"},
		{"นครพนน", "นครพนม"},
		{"แม่ฮองสอน", "แม่ฮ่องสอน"},
		{"หนองคลาย", "หนองคาย"},
		{"อุบลราชธานิ", "อุบลราชธานี"},
		{"ศรีสระเกษ", "ศรีสะเกษ"},
		{"กาฬสินธ์", "กาฬสินธุ์"},
		{"ประจวบคีรีขันท์", "ประจวบคีรีขันธ์"},
		{"สุราษฏร์ธานี", "สุราษฎร์ธานี"},
		{"นครศรีธรรมราด", "นครศรีธรรมราช"},
		{"พิศณุโลก", "พิษณุโลก"},
		{"หนองบัวลำพู", "หนองบัวลำภู"},
		{"ไชยภูมิ", "ชัยภูมิ"},
		{"บุรีรำย์", "บุรีรัมย์"},
		{"เชีงยใหม่", "เชียงใหม่"}, // letters typed out of order
		{"ลพบูรี", "ลพบุรี"},
		{"ภูเก็ด", "ภูเก็ต"},
		{"อยุธยา", "พระนครศรีอยุธยา"}, // short forms
		{"กรุงเทพ", "กรุงเทพมหานคร"},
		{"จังหวัดเชียงใหมา", "เชียงใหม่"}, // the prefix is not part of the name
		{"จ.๑๐", "กรุงเทพมหานคร"},         // nothing alike: still an answer
	} {
		got := names.Suggest(tc.typo, 3)
		if len(got) != 3 || (tc.typo != "จ.๑๐" && got[0] != tc.want) {
			t.Errorf("Suggest(%q) = %v, want %s first", tc.typo, got, tc.want)
		}
		if c := slices.Sorted(slices.Values(got)); len(slices.Compact(c)) != len(got) {
			t.Errorf("Suggest(%q) = %v: repeats", tc.typo, got)
		}
	}
}

// TestSuggestNeverEmpty: whatever the name, there are suggestions while
// there are candidates, at most n, best first; none without candidates.
func TestSuggestNeverEmpty(t *testing.T) {
	for _, name := range []string{"", " ", "x", "🙂", "่่่", "ํ", "Chiang Mia", "๑๒๓", string([]byte{0xff})} {
		if got := thainame.Suggest(name, provinces(), 0); len(got) != thainame.DefaultSuggestions {
			t.Errorf("Suggest(%q) = %v, want %d names", name, got, thainame.DefaultSuggestions)
		}
	}
	if got := thainame.Suggest("ตรัง", []string{"ตรัง"}, 5); !slices.Equal(got, []string{"ตรัง"}) {
		t.Errorf("one candidate: %v", got)
	}
	if got := thainame.Suggest("ตรัง", nil, 3); len(got) != 0 {
		t.Errorf("no candidates: %v", got)
	}
	if got := thainame.Suggest("Chiang Mia", []string{"Chiang Rai", "Chiang Mai", "Trang"}, 1); got[0] != "Chiang Mai" {
		t.Errorf("Latin: %v", got)
	}
}

// TestSimilarity: the first pass ignores marks and vowel order; equal
// skeletons score 1; the score is symmetric and within [0, 1].
func TestSimilarity(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		min  float64
		max  float64
	}{
		{"ตรัง", "ตรัง", 1, 1},
		{"เชียงใหม่", "เชียงใหม", 1, 1},       // tone mark dropped
		{"บุรีรัมย์", "บุรีรมย", 1, 1},        // mai han-akat and thanthakhat dropped
		{"เชียงใหม่", "เชียงใหม่่", 1, 1},     // tone mark doubled
		{"เชีงยใหม่", "เชียงใหม่", 0.7, 0.99}, // order changed: same multiset, edit distance 2
		{"ตระหง่าน", "ตรัง", 0.5, 0.8},
		{"ตระหง่าน", "ตราด", 0, 0.6},
		{"ดำเนินการ", "ตรัง", 0, 0.3},
		{"", "ตรัง", 0, 0},
	} {
		ab, ba := thainame.Similarity(tc.a, tc.b), thainame.Similarity(tc.b, tc.a)
		if ab != ba || ab < tc.min || ab > tc.max {
			t.Errorf("Similarity(%q, %q) = %.3f (reverse %.3f), want %.2f–%.2f", tc.a, tc.b, ab, ba, tc.min, tc.max)
		}
	}
	if thainame.Skeleton("จังหวัด ตรัง") != "ตรง" || thainame.Normalize(" จ.เชียงใหม่ ") != "เชียงใหม่" || thainame.Normalize("ศอ.ปส.จ.๑๐") != "10" {
		t.Errorf("Skeleton/Normalize: %q %q %q", thainame.Skeleton("จังหวัด ตรัง"), thainame.Normalize(" จ.เชียงใหม่ "), thainame.Normalize("ศอ.ปส.จ.๑๐"))
	}
	if thainame.EditDistance("ตรัง", "ตราด") != 2 {
		t.Errorf("EditDistance = %d", thainame.EditDistance("ตรัง", "ตราด"))
	}
}
