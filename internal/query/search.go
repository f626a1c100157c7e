package query

import (
	"container/heap"
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/lamin-go/lamin/internal/meta"
)

// Search defaults.
const (
	// DefaultSearchLimit is how many hits Search returns by default.
	DefaultSearchLimit = 20
	// DefaultSimilarityThreshold is the minimum trigram similarity of the fallback.
	DefaultSimilarityThreshold = 0.3
	// DefaultScanLimit bounds the rows the similarity fallback reads.
	DefaultScanLimit = 100_000
)

// SearchOptions tunes Search. The zero value gives LaminDB's defaults.
type SearchOptions struct {
	// Limit is the number of hits; 0 means DefaultSearchLimit, < 0 no limit.
	Limit int
	// CaseSensitive makes matching case-sensitive.
	CaseSensitive bool
	// Branch and AllBranches scope the candidates as in Query.
	Branch int64
	// AllBranches searches trash and archive too.
	AllBranches bool
	// ScanLimit bounds the rows read by the similarity fallback (in id
	// order); 0 means DefaultScanLimit, < 0 no bound.
	ScanLimit int
	// Threshold is the fallback's minimum similarity; 0 means
	// DefaultSimilarityThreshold.
	Threshold float64
	// NoFallback disables the similarity fallback.
	NoFallback bool
	// SimilarOnly skips the search for containing records and goes
	// straight to the similarity fallback (for a caller that has already
	// found that none contains the text).
	SimilarOnly bool
}

// limit is the number of hits to keep (< 0: no limit).
func (o SearchOptions) limit() int {
	if o.Limit == 0 {
		return DefaultSearchLimit
	}
	return o.Limit
}

// SearchHit is one matching row.
type SearchHit struct {
	// ID is the row id.
	ID int64
	// Rank is LaminDB's search rank (0 for fallback hits).
	Rank int
	// Similarity is the best trigram similarity of a field (fallback hits only).
	Similarity float64
}

// SearchResult is what Search found.
type SearchResult struct {
	// Query is the searched string after trimming.
	Query string
	// Hits are ordered best first.
	Hits []SearchHit
	// Similar is true when nothing matched and Hits come from the trigram
	// similarity fallback.
	Similar bool
}

// Hint is the message to print when the hits come from the fallback, else "".
func (r *SearchResult) Hint() string {
	if !r.Similar {
		return ""
	}
	return fmt.Sprintf("no exact matches for '%s', showing similar records", r.Query)
}

// Search implements LaminDB's registry search over every text column of reg,
// within the default scope (unlike LaminDB, which ignores it). Candidates
// containing the trimmed string are selected in SQL and ranked here with
// Rank; ties are broken by ascending id. When nothing contains the string,
// rows are scored by trigram similarity (see Similarity): the best field
// counts, rows at or above the threshold are kept, best first, ties by id.
func Search(ctx context.Context, q meta.Querier, reg *Registry, text string, opts SearchOptions) (*SearchResult, error) {
	res := &SearchResult{Query: strings.TrimSpace(text)}
	if checkText(res.Query) != nil {
		// No stored text contains a NUL byte or invalid UTF-8.
		return res, nil
	}
	limit := opts.limit()
	fields := reg.TextColumns()
	if !opts.SimilarOnly {
		if err := contained(ctx, q, reg, res, opts); err != nil {
			return nil, err
		}
	}
	if len(res.Hits) > 0 || res.Query == "" || opts.NoFallback {
		return res, nil
	}
	threshold := opts.Threshold
	if threshold == 0 {
		threshold = DefaultSimilarityThreshold
	}
	scan := &Query{Registry: reg, Branch: opts.Branch, AllBranches: opts.AllBranches, Limit: opts.ScanLimit}
	if scan.Limit == 0 {
		scan.Limit = DefaultScanLimit
	} else if scan.Limit < 0 {
		scan.Limit = 0
	}
	tq, scratch := trigramsOf(res.Query), trigramSet{}
	sim := newTopK(limit, func(a, b SearchHit) bool {
		if a.Similarity != b.Similarity {
			return a.Similarity > b.Similarity
		}
		return a.ID < b.ID
	})
	err := scanFields(ctx, q, scan, fields, func(id int64, vals []string) {
		best := 0.0
		for _, v := range vals {
			if s := boundedSimilarity(tq, v, threshold, scratch); s > best {
				best = s
			}
		}
		if float32(best) >= float32(threshold) {
			sim.push(SearchHit{ID: id, Similarity: best})
		}
	})
	if err != nil {
		return nil, err
	}
	res.Hits = sim.sorted()
	res.Similar = len(res.Hits) > 0
	return res, nil
}

// contained sets res.Hits to the records containing res.Query, ranked.
func contained(ctx context.Context, q meta.Querier, reg *Registry, res *SearchResult, opts SearchOptions) error {
	limit := opts.limit()
	fields := reg.TextColumns()
	base := candidates(q.Dialect(), reg, res.Query, opts)
	top := newTopK(limit, func(a, b SearchHit) bool {
		if a.Rank != b.Rank {
			return a.Rank > b.Rank
		}
		return a.ID < b.ID
	})
	needle := res.Query
	if !opts.CaseSensitive {
		needle = strings.ToLower(needle)
	}
	err := scanFields(ctx, q, base, fields, func(id int64, vals []string) {
		r := 0
		for _, v := range vals {
			if !opts.CaseSensitive {
				v = strings.ToLower(v)
			}
			r += rankField(v, needle)
		}
		// SQL's case folding may be ASCII-only; keep only real matches.
		if r > 0 {
			top.push(SearchHit{ID: id, Rank: r})
		}
	})
	if err != nil {
		return err
	}
	res.Hits = top.sorted()
	return nil
}

// candidates selects the rows of reg with a text column containing text
// (all rows when text is empty).
func candidates(d meta.Dialect, reg *Registry, text string, opts SearchOptions) *Query {
	base := &Query{Registry: reg, Branch: opts.Branch, AllBranches: opts.AllBranches}
	if text == "" {
		return base
	}
	b := newBuilder(d)
	var ors []string
	for _, f := range reg.TextColumns() {
		x := "t." + f.SQL
		switch {
		case !opts.CaseSensitive:
			ors = append(ors, b.containsFolded(x, text))
		case b.pg:
			ors = append(ors, "strpos("+x+", "+b.ph(text)+") > 0")
		default:
			ors = append(ors, "instr("+x+", "+b.ph(text)+") > 0")
		}
	}
	base.raw = append(base.raw, rawCond{sql: strings.Join(ors, " OR "), args: b.args})
	return base
}

// scanFields streams id and the given columns (NULL as "") of q's rows.
func scanFields(ctx context.Context, db meta.Querier, q *Query, fields []Column, fn func(id int64, vals []string)) error {
	sel := "t.id"
	for _, f := range fields {
		sel += ", t." + f.SQL
	}
	text, args, err := q.SQL(db.Dialect(), sel)
	if err != nil {
		return err
	}
	rows, err := db.Query(ctx, text, args...)
	if err != nil {
		return fmt.Errorf("search %s: %w", q.Registry.Name, err)
	}
	defer rows.Close()
	var id int64
	ns := make([]sql.NullString, len(fields))
	dest := make([]any, 0, len(fields)+1)
	dest = append(dest, &id)
	for i := range ns {
		dest = append(dest, &ns[i])
	}
	vals := make([]string, len(fields))
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("search %s: %w", q.Registry.Name, err)
		}
		for i, n := range ns {
			vals[i] = n.String
		}
		fn(id, vals)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search %s: %w", q.Registry.Name, err)
	}
	return nil
}

// Rank is LaminDB's search rank of a row whose text fields are values (NULL
// as "") for the trimmed query string. Per field it adds: 200 for an exact
// match; 200 when the string equals one '|'-separated synonym; 10 for a
// whole sub-phrase (bounded on both sides by start/end, space or one of
// "|.,;:"); 8 when a '|'-item starts with it and continues with non-space
// characters only; 2 when left-bounded (start, space or '|' before); 2 when
// right-bounded (end, space or one of "|.,;:" after); 1 when it is contained.
// Each rule counts once per field, on any occurrence.
func Rank(values []string, query string, caseSensitive bool) int {
	query = strings.TrimSpace(query)
	if !caseSensitive {
		query = strings.ToLower(query)
	}
	r := 0
	for _, v := range values {
		if !caseSensitive {
			v = strings.ToLower(v)
		}
		r += rankField(v, query)
	}
	return r
}

func isPhraseSep(c byte) bool {
	switch c {
	case ' ', '|', '.', ',', ';', ':':
		return true
	}
	return false
}

// rankField ranks one (already case-folded) field value f for string s.
func rankField(f, s string) int {
	var exact, synonym, sub, starts, left, right, contains bool
	exact = f == s
	for from := 0; from <= len(f); {
		i := strings.Index(f[from:], s)
		if i < 0 {
			break
		}
		p := from + i
		end := p + len(s)
		contains = true
		pipeBefore := p == 0 || f[p-1] == '|'
		pipeAfter := end == len(f) || f[end] == '|'
		sepBefore := p == 0 || isPhraseSep(f[p-1])
		sepAfter := end == len(f) || isPhraseSep(f[end])
		if pipeBefore && pipeAfter {
			synonym = true
		}
		if sepBefore && sepAfter {
			sub = true
		}
		if pipeBefore && itemTailHasNoSpace(f, end) {
			starts = true
		}
		if p == 0 || f[p-1] == ' ' || f[p-1] == '|' {
			left = true
		}
		if sepAfter {
			right = true
		}
		from = p + 1
	}
	r := 0
	for _, x := range []struct {
		ok bool
		w  int
	}{{exact, 200}, {synonym, 200}, {sub, 10}, {starts, 8}, {left, 2}, {right, 2}, {contains, 1}} {
		if x.ok {
			r += x.w
		}
	}
	return r
}

// itemTailHasNoSpace reports whether, from position i, non-space characters
// lead to the end of f or to a '|'.
func itemTailHasNoSpace(f string, i int) bool {
	for ; i < len(f); i++ {
		switch f[i] {
		case '|':
			return true
		case ' ':
			return false
		}
	}
	return true
}

// topK keeps the best k hits under less (k < 0: all).
type topK struct {
	k    int
	less func(a, b SearchHit) bool
	h    hitHeap
}

func newTopK(k int, less func(a, b SearchHit) bool) *topK {
	return &topK{k: k, less: less, h: hitHeap{less: less}}
}

func (t *topK) push(x SearchHit) {
	if t.k < 0 {
		t.h.items = append(t.h.items, x)
		return
	}
	if len(t.h.items) < t.k {
		heap.Push(&t.h, x)
		return
	}
	// The heap's root is the worst kept hit.
	if t.less(x, t.h.items[0]) {
		t.h.items[0] = x
		heap.Fix(&t.h, 0)
	}
}

func (t *topK) sorted() []SearchHit {
	out := append([]SearchHit(nil), t.h.items...)
	sort.Slice(out, func(i, j int) bool { return t.less(out[i], out[j]) })
	return out
}

// hitHeap is a heap whose root is the worst hit.
type hitHeap struct {
	items []SearchHit
	less  func(a, b SearchHit) bool
}

func (h hitHeap) Len() int           { return len(h.items) }
func (h hitHeap) Less(i, j int) bool { return h.less(h.items[j], h.items[i]) }
func (h hitHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *hitHeap) Push(x any)        { h.items = append(h.items, x.(SearchHit)) }
func (h *hitHeap) Pop() any {
	n := len(h.items)
	x := h.items[n-1]
	h.items = h.items[:n-1]
	return x
}
