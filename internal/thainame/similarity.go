package thainame

import (
	"slices"
	"strings"
	"unicode"
)

// Marks are the Thai signs a typist most often drops, doubles or swaps
// and that change no letter of a name's skeleton: the tone marks ่ ้ ๊ ๋,
// the thanthakhat ์, the maitaikhu ็, the nikhahit ํ, the yamakkan ๎ and the
// mai han-akat ั.
const Marks = "\u0E48\u0E49\u0E4A\u0E4B\u0E4C\u0E47\u0E4D\u0E4E\u0E31"

// Contained is the least Similarity of a name whose skeleton holds the
// other's whole (a short form: "อยุธยา" in "พระนครศรีอยุธยา").
const Contained = 0.85

// Skeleton is s normalised (Normalize) without its Marks, spaces and
// punctuation: "ตรัง" → "ตรง", "เชียงใหม่" → "เชียงใหม".
func Skeleton(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(Marks, r) || unicode.IsSpace(r) || unicode.IsPunct(r) {
			return -1
		}
		return r
	}, Normalize(s))
}

// key is a name prepared for comparison: its skeleton, the skeleton's
// runes sorted (the multiset of the first pass) and its consonants (the
// skeleton without vowels, whose start the prefix weight compares).
type key struct {
	skel, sorted, cons []rune
	text               string
}

func keyOf(s string) key {
	k := key{text: Skeleton(s)}
	k.skel = []rune(k.text)
	k.sorted = slices.Clone(k.skel)
	slices.Sort(k.sorted)
	for _, r := range k.skel {
		if !isThaiVowel(r) {
			k.cons = append(k.cons, r)
		}
	}
	return k
}

// isThaiVowel: the vowel signs and ะ า ำ, the leading vowels เ แ โ ใ ไ, ฯ
// and ๅ.
func isThaiVowel(r rune) bool {
	return r == 'ฯ' || (r >= 0x0E30 && r <= 0x0E3A) || (r >= 0x0E40 && r <= 0x0E45)
}

// Similarity scores how alike two names are, from 0 (nothing shared) to
// 1 (the same skeleton in the same order). It is built for Thai script
// and works on Latin letters too:
//
//   - first pass, half the score: the letters shared by both skeletons
//     counted as multisets (Dice coefficient), so tone marks, the marks
//     above and the order of vowels do not matter;
//   - a quarter: the shared prefix of the consonants (a name's first
//     syllables are the ones typed right), over the shorter name;
//   - a quarter: one minus the edit distance between the skeletons over
//     the longer one.
//
// A skeleton of three letters or more found whole inside the other
// scores at least Contained.
func Similarity(a, b string) float64 { return similarity(keyOf(a), keyOf(b)) }

func similarity(a, b key) float64 {
	if len(a.skel) == 0 || len(b.skel) == 0 {
		return 0
	}
	prefix := 0
	for prefix < len(a.cons) && prefix < len(b.cons) && a.cons[prefix] == b.cons[prefix] {
		prefix++
	}
	prefixScore := 0.0
	if n := min(len(a.cons), len(b.cons)); n > 0 {
		prefixScore = float64(prefix) / float64(n)
	}
	edit := 1 - float64(editDistance(a.skel, b.skel))/float64(max(len(a.skel), len(b.skel)))
	score := 0.5*dice(a.sorted, b.sorted) + 0.25*prefixScore + 0.25*edit
	short, long := a, b
	if len(a.skel) > len(b.skel) {
		short, long = b, a
	}
	if len(short.skel) >= 3 && strings.Contains(long.text, short.text) {
		score = max(score, Contained)
	}
	return score
}

// dice is the Dice coefficient of two sorted multisets of runes.
func dice(a, b []rune) float64 {
	shared, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			shared++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(shared) / float64(len(a)+len(b))
}

// EditDistance is the Levenshtein distance between a and b counted in
// runes (Thai names are compared character by character, not byte by
// byte).
func EditDistance(a, b string) int { return editDistance([]rune(a), []rune(b)) }

func editDistance(ra, rb []rune) int {
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
