package query

import (
	"strings"
	"unicode"
)

// Trigrams returns the trigram set of s the way PostgreSQL's pg_trgm builds
// it: lower-case s, split it into words (runs of letters and digits), pad
// each word with two spaces in front and one behind, and collect every
// three-character window. "word" gives "  w", " wo", "wor", "ord", "rd ".
func Trigrams(s string) map[string]struct{} {
	set := map[string]struct{}{}
	addTrigrams(set, s, -1)
	return set
}

// addTrigrams adds the trigrams of s to set and reports false as soon as set
// holds more than limit entries (limit < 0: no limit).
func addTrigrams(set map[string]struct{}, s string, limit int) bool {
	word := make([]rune, 0, 32)
	flush := func() bool {
		if len(word) == 0 {
			return true
		}
		padded := make([]rune, 0, len(word)+3)
		padded = append(padded, ' ', ' ')
		padded = append(padded, word...)
		padded = append(padded, ' ')
		for i := 0; i+3 <= len(padded); i++ {
			set[string(padded[i:i+3])] = struct{}{}
			if limit >= 0 && len(set) > limit {
				return false
			}
		}
		word = word[:0]
		return true
	}
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			word = append(word, r)
			continue
		}
		if !flush() {
			return false
		}
	}
	return flush()
}

// Similarity is pg_trgm's similarity(a, b): the number of shared trigrams
// divided by the number of distinct trigrams of both, computed in single
// precision as PostgreSQL does (similarity('word', 'two words') = 4/11 =
// 0.36363637). Strings without trigrams have similarity 0.
func Similarity(a, b string) float64 {
	return similarity(Trigrams(a), Trigrams(b))
}

func similarity(ta, tb map[string]struct{}) float64 {
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	shared := 0
	for g := range ta {
		if _, ok := tb[g]; ok {
			shared++
		}
	}
	return float64(float32(shared) / float32(len(ta)+len(tb)-shared))
}

// boundedSimilarity is Similarity(q, s) for a precomputed query trigram set,
// returning 0 early when s has so many trigrams that the similarity must
// stay below threshold (shared ≤ |q| and union ≥ |s|, so similarity ≤ |q|/|s|).
func boundedSimilarity(tq map[string]struct{}, s string, threshold float64) float64 {
	if len(tq) == 0 {
		return 0
	}
	limit := -1
	if threshold > 0 {
		limit = int(float64(len(tq))/threshold) + 1
	}
	ts := make(map[string]struct{}, 16)
	if !addTrigrams(ts, s, limit) {
		return 0
	}
	return similarity(tq, ts)
}
