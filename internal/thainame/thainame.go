// Package thainame compares names written in Thai script (provinces,
// districts, target sets) and finds the known names closest to one that
// names nothing, as typed in real letters: a tone mark left out or
// doubled, vowels typed in another order, a syllable garbled. It is pure
// and has no state; the directive service (unknown targets of POST
// /api/v1/directives and of target sets) and the letter parser
// (internal/letters) suggest with the same function, Suggest.
package thainame

import (
	"strings"

	"github.com/tidtam/tidtam/internal/thaidate"
)

// Normalize folds the ways a province is written so that equal names
// compare equal: Thai digits to Arabic, lower case, surrounding and
// repeated spaces, and the prefixes ศอ.ปส.จ. / จังหวัด / จ. ("จังหวัด
// เชียงใหม่", "จ.เชียงใหม่" and "เชียงใหม่" normalise alike).
func Normalize(s string) string {
	s = strings.ToLower(strings.TrimSpace(thaidate.NormalizeDigits(s)))
	for _, p := range []string{"ศอ.ปส.จ.", "จังหวัด", "จ."} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	return strings.Join(strings.Fields(s), " ")
}
