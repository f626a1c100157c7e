package query

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lamin-go/lamin/internal/meta"
)

func TestRankScoresEachRuleOncePerField(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		query  string
		want   int
	}{
		// exact 200 + synonym 200 + sub-phrase 10 + prefix 8 + left 2 + right 2 + contains 1.
		{"an exact match scores every rule", []string{"abc"}, "abc", 423},
		{"a synonym between pipes", []string{"x|abc|y"}, "abc", 223},
		{"a whole word in a phrase", []string{"foo abc bar"}, "abc", 15},
		{"a word followed by a space is no prefix", []string{"abc def"}, "abc", 15},
		{"a prefix of a single token", []string{"abcdef"}, "abc", 11},
		{"a prefix of a pipe item", []string{"x|abcdef|y z"}, "abc", 11},
		{"a prefix whose item runs into a space", []string{"abcdef ghi"}, "abc", 3},
		{"right-bounded only", []string{"xabc"}, "abc", 3},
		{"a dot bounds a sub-phrase but not the left side", []string{"x.abc"}, "abc", 13},
		{"contained only", []string{"xabcx"}, "abc", 1},
		{"no match", []string{"xyz"}, "abc", 0},
		{"NULL fields count as empty", []string{""}, "abc", 0},
		{"case is ignored", []string{"ABC"}, "abc", 423},
		{"the query is trimmed", []string{"abc"}, "  abc ", 423},
		{"fields add up", []string{"abc", "foo abc", "nothing"}, "abc", 423 + 15},
		{"several occurrences combine their rules", []string{"xabc abcz"}, "abc", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rank(tt.values, tt.query, false); got != tt.want {
				t.Errorf("Rank(%q, %q) = %d, want %d", tt.values, tt.query, got, tt.want)
			}
		})
	}
	t.Run("case-sensitive ranking respects case", func(t *testing.T) {
		if got := Rank([]string{"ABC"}, "abc", true); got != 0 {
			t.Errorf("got %d, want 0", got)
		}
	})
}

func TestTrigramsAndSimilarityMatchPgTrgm(t *testing.T) {
	t.Run("trigrams pad each word with two spaces before and one after", func(t *testing.T) {
		got := keys(Trigrams("Word"))
		want := []string{"  w", " wo", "ord", "rd ", "wor"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("words are runs of letters and digits", func(t *testing.T) {
		got := keys(Trigrams("a-b1"))
		want := []string{"  a", "  b", " a ", " b1", "b1 "}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Error(diff)
		}
	})
	tests := []struct {
		name string
		a, b string
		want float32
	}{
		// Postgres documents the trigrams of "word" and "two words"; they
		// share "  w", " wo", "wor", "ord" out of 11 distinct: 4/11.
		{"the pg_trgm documentation example", "word", "two words", 0.36363637},
		{"identical strings", "hello", "HELLO", 1},
		{"no trigrams at all", "", "!!", 0},
		{"disjoint words", "abc", "xyz", 0},
		// gws(4) crispra(8) analysis(9) vs cripsra: 17 shared of 25.
		{"the reference typo", "GWS CRISPRa analysis", "GWS CRIPSRa analysis", 0.68},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Similarity(tt.a, tt.b); float32(got) != tt.want {
				t.Errorf("Similarity(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
	t.Run("the bounded form agrees above the threshold", func(t *testing.T) {
		q, scratch := trigramsOf("GWS CRISPRa analysis"), trigramSet{}
		if got := boundedSimilarity(q, "GWS CRIPSRa analysis", 0.3, scratch); float32(got) != 0.68 {
			t.Errorf("got %v", got)
		}
		var sb strings.Builder
		for i := range 1000 {
			fmt.Fprintf(&sb, "w%d analysis ", i)
		}
		if got := boundedSimilarity(q, sb.String(), 0.3, scratch); got != 0 {
			t.Errorf("long text scored %v", got)
		}
	})
}

func keys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestSearchRanksAndFallsBack(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		reg     *Registry
		query   string
		opts    SearchOptions
		want    []SearchHit
		similar bool
	}{
		// An exact match is the 200 tier; with the other rules that also
		// hold for an exact match (synonym 200, sub-phrase 10, prefix 8,
		// left 2, right 2, contains 1) LaminDB's sum is 423.
		{"the typo in the title matches exactly", Transform, "GWS CRIPSRa analysis", SearchOptions{},
			[]SearchHit{{ID: 1, Rank: 423}}, false},
		{"ranking order with ties by id", Artifact, "perturbseq", SearchOptions{},
			[]SearchHit{{ID: 7, Rank: 18}, {ID: 6, Rank: 11}, {ID: 4, Rank: 1}, {ID: 5, Rank: 1}}, false},
		{"the limit keeps the best", Artifact, "perturbseq", SearchOptions{Limit: 2},
			[]SearchHit{{ID: 7, Rank: 18}, {ID: 6, Rank: 11}}, false},
		{"matching ignores case", Transform, "cell ranger", SearchOptions{},
			[]SearchHit{{ID: 3, Rank: 423}}, false},
		{"case-sensitive search", Transform, "cell ranger", SearchOptions{CaseSensitive: true, NoFallback: true},
			[]SearchHit{}, false},
		{"trashed rows are not searched", Transform, "old.py", SearchOptions{NoFallback: true}, []SearchHit{}, false},
		{"all branches searches the trash", Transform, "old.py", SearchOptions{AllBranches: true},
			[]SearchHit{{ID: 6, Rank: 423}}, false},
		{"run artifacts are not searched", Artifact, "requirements.txt", SearchOptions{NoFallback: true}, []SearchHit{}, false},
		{"the correct spelling falls back to similar records", Transform, "GWS CRISPRa analysis", SearchOptions{},
			[]SearchHit{{ID: 1, Similarity: float64(float32(17) / float32(25))}}, true},
		{"a wildcard is searched literally", Artifact, "%", SearchOptions{NoFallback: true}, []SearchHit{}, false},
		{"nothing similar returns nothing", User, "zzzzqqqq", SearchOptions{}, []SearchHit{}, false},
	}
	forEachDialect(t, func(t *testing.T, st *meta.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := Search(ctx, st, tt.reg, tt.query, tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				got := append([]SearchHit{}, res.Hits...)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("hits (-want +got):\n%s", diff)
				}
				if res.Similar != tt.similar {
					t.Errorf("Similar = %v, want %v", res.Similar, tt.similar)
				}
			})
		}
		t.Run("the fallback hint names the query", func(t *testing.T) {
			res, err := Search(ctx, st, Transform, " GWS CRISPRa analysis ", SearchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if want := "no exact matches for 'GWS CRISPRa analysis', showing similar records"; res.Hint() != want {
				t.Errorf("Hint() = %q, want %q", res.Hint(), want)
			}
		})
		t.Run("the scan limit bounds the fallback", func(t *testing.T) {
			res, err := Search(ctx, st, Transform, "integrated analysis", SearchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || res.Hits[0].ID != 5 || !res.Similar {
				t.Fatalf("without a scan limit: %+v", res)
			}
			res, err = Search(ctx, st, Transform, "integrated analysis", SearchOptions{ScanLimit: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				if h.ID != 1 {
					t.Errorf("row %d beyond the scan limit was scored", h.ID)
				}
			}
		})
	})
}

func TestTopKKeepsTheBestInOrder(t *testing.T) {
	tests := []struct {
		name string
		k    int
		want []int64
	}{
		{"a bound keeps the k best", 3, []int64{9, 8, 7}},
		{"no bound keeps all", -1, []int64{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top := newTopK(tt.k, func(a, b SearchHit) bool { return a.Rank > b.Rank })
			for _, i := range []int{3, 9, 0, 5, 7, 1, 8, 2, 6, 4} {
				top.push(SearchHit{ID: int64(i), Rank: i})
			}
			var got []int64
			for _, h := range top.sorted() {
				got = append(got, h.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func ExampleRank() {
	fmt.Println(Rank([]string{"GWS CRIPSRa analysis", "hit-identification.ipynb"}, "GWS CRIPSRa analysis", false))
	// Output: 423
}
