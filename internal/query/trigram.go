package query

import (
	"unicode"
)

// Trigrams returns the trigram set of s the way PostgreSQL's pg_trgm builds
// it: lower-case s, split it into words (runs of letters and digits), pad
// each word with two spaces in front and one behind, and collect every
// three-character window. "word" gives "  w", " wo", "wor", "ord", "rd ".
func Trigrams(s string) map[string]struct{} {
	set := trigramsOf(s)
	out := make(map[string]struct{}, len(set))
	for t := range set {
		out[t.String()] = struct{}{}
	}
	return out
}

// trigram is three runes (21 bits each) packed into one comparable value.
type trigram uint64

func pack(a, b, c rune) trigram { return trigram(a)<<42 | trigram(b)<<21 | trigram(c) }

func (t trigram) String() string {
	return string([]rune{rune(t >> 42), rune(t >> 21 & 0x1fffff), rune(t & 0x1fffff)})
}

// trigramSet is a set of distinct trigrams.
type trigramSet map[trigram]struct{}

func trigramsOf(s string) trigramSet {
	set := trigramSet{}
	set.add(s, -1)
	return set
}

// add adds the trigrams of s and reports false as soon as the set holds
// more than limit entries (limit < 0: no limit). It slides a window over
// each padded word instead of building it, so long texts cost no
// allocations beyond the set.
func (set trigramSet) add(s string, limit int) bool {
	p1, p2 := ' ', ' ' // the two runes before the window's last
	inWord := false
	emit := func(c rune) bool {
		set[pack(p1, p2, c)] = struct{}{}
		p1, p2 = p2, c
		return limit < 0 || len(set) <= limit
	}
	for _, r := range s {
		r = unicode.ToLower(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if !inWord {
				p1, p2, inWord = ' ', ' ', true
			}
			if !emit(r) {
				return false
			}
			continue
		}
		if inWord {
			inWord = false
			if !emit(' ') {
				return false
			}
		}
	}
	return !inWord || emit(' ')
}

// Similarity is pg_trgm's similarity(a, b): the number of shared trigrams
// divided by the number of distinct trigrams of both, computed in single
// precision as PostgreSQL does (similarity('word', 'two words') = 4/11 =
// 0.36363637). Strings without trigrams have similarity 0.
func Similarity(a, b string) float64 {
	return similarity(trigramsOf(a), trigramsOf(b))
}

func similarity(ta, tb trigramSet) float64 {
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
// scratch is a set to reuse; its contents are replaced.
func boundedSimilarity(tq trigramSet, s string, threshold float64, scratch trigramSet) float64 {
	if len(tq) == 0 {
		return 0
	}
	limit := -1
	if threshold > 0 {
		limit = int(float64(len(tq))/threshold) + 1
	}
	clear(scratch)
	if !scratch.add(s, limit) {
		return 0
	}
	return similarity(tq, scratch)
}
