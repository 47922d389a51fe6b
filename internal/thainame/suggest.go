package thainame

import (
	"slices"
	"strings"
)

// DefaultSuggestions is how many names Suggest offers when asked for
// fewer than one.
const DefaultSuggestions = 3

// Names are candidate names prepared once for many comparisons (the 77
// provinces, the 928 districts).
type Names struct {
	names []string
	keys  []key
}

// NewNames prepares candidates, skipping blanks and repeats; their order
// breaks ties.
func NewNames(candidates []string) *Names {
	ns := &Names{}
	seen := map[string]bool{}
	for _, c := range candidates {
		if strings.TrimSpace(c) == "" || seen[c] {
			continue
		}
		seen[c] = true
		ns.names = append(ns.names, c)
		ns.keys = append(ns.keys, keyOf(c))
	}
	return ns
}

// Len is the number of candidates.
func (ns *Names) Len() int { return len(ns.names) }

// Suggest returns the n candidates most similar to name (Similarity),
// best first; ties keep the candidates' order. The answer is never empty
// when there is a candidate: a name however garbled gets the closest
// names there are, so a person always has something to choose from.
// n < 1 means DefaultSuggestions.
func (ns *Names) Suggest(name string, n int) []string {
	if n < 1 {
		n = DefaultSuggestions
	}
	k := keyOf(name)
	order := make([]int, len(ns.names))
	scores := make([]float64, len(ns.names))
	for i := range ns.names {
		order[i], scores[i] = i, similarity(k, ns.keys[i])
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return a - b
	})
	out := make([]string, 0, min(n, len(order)))
	for _, i := range order[:min(n, len(order))] {
		out = append(out, ns.names[i])
	}
	return out
}

// Best returns the candidate most similar to name and its Similarity; ok
// is false when there are no candidates.
func (ns *Names) Best(name string) (best string, score float64, ok bool) {
	k := keyOf(name)
	for i := range ns.names {
		if s := similarity(k, ns.keys[i]); !ok || s > score {
			best, score, ok = ns.names[i], s, true
		}
	}
	return best, score, ok
}

// Suggest is NewNames(candidates).Suggest(name, n): the n candidates most
// similar to name, best first, never none while there is a candidate.
// Candidates are compared normalised (Normalize) and returned as given.
func Suggest(name string, candidates []string, n int) []string {
	return NewNames(candidates).Suggest(name, n)
}
