package query

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/testenv"
)

// FuzzParseFilter checks that no expression panics, that for every
// expression that compiles the SQL text carries no user value (values only
// travel as arguments, and every string argument derives from the typed
// value), and that the database accepts the SQL of every dialect it runs.
func FuzzParseFilter(f *testing.F) {
	seeds := []string{
		"key=a'b",
		"key__icontains='; DROP TABLE lamindb_artifact; --",
		"description__contains=100%",
		"key__startswith=50%_off",
		"key__endswith=\\%_",
		"key__in=a,b;c,'d'",
		"key__iexact=ÜBER straße",
		"key__startswith=fastq/",
		"key__startswith=\xff\xff",
		"key__range=a,b",
		"created_by__handle=x';--",
		"transform=qCJPkOuZ",
		"transform__key__icontains=%",
		"input_of_runs__transform__key=a\"b",
		"run__transform__created_by__handle__in=a,b",
		"size__gt=1",
		"created_at__gte=2024-01-01",
		"branch_id=-1",
		"uid__in=",
		"_aux__isnull=true",
		"kind=__lamindb_run__",
		"runs__input_artifacts__key__contains=日本語",
		"key=" + strings.Repeat("x'%;", 2500),
	}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	// The SQL of both dialects is always checked; it runs on SQLite, and on
	// PostgreSQL too when LAMIN_TEST_POSTGRES names a server.
	stores := map[string]*meta.Store{"sqlite": openFixture(f)}
	if os.Getenv(testenv.PostgresEnv) != "" {
		stores["postgres"] = openPostgresFixture(f)
	} else {
		testenv.Missing(f, testenv.NeedPostgres)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, r uint8, expr string) {
		regs := Registries()
		reg := regs[int(r)%len(regs)]
		c, err := ParseFilter(reg, expr)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T (%v) is not a *FieldError", err, err)
			}
			return
		}
		_, value, _ := strings.Cut(expr, "=")
		queries := []*Query{
			New(reg).Filter(c),
			New(reg).Exclude(c),
			New(reg).Or([]Condition{c}, []Condition{c}),
		}
		for _, d := range dialects {
			st := stores[d.Name()]
			for _, q := range queries {
				text, args, err := q.SQL(d, "t.id")
				if err != nil {
					t.Fatalf("SQL(%q): %v", expr, err)
				}
				checkSQL(t, expr, value, text, args)
				count, cargs, err := q.CountSQL(d)
				if err != nil {
					t.Fatalf("CountSQL(%q): %v", expr, err)
				}
				checkSQL(t, expr, value, count, cargs)
				if st == nil {
					continue
				}
				rows, err := st.Query(ctx, text, args...)
				if err == nil {
					rows.Close()
					err = st.QueryRow(ctx, count, cargs...).Scan(new(int64))
				}
				if err != nil {
					if issue := knownPostgresIssue(err); issue != "" && d.Name() == "postgres" {
						t.Skipf("known PostgreSQL issue (%s): %q: %v", issue, expr, err)
					}
					t.Fatalf("%s: %q: %v\n%s %v", d.Name(), expr, err, text, args)
				}
			}
		}
	})
}

func checkSQL(t *testing.T, expr, value, text string, args []any) {
	t.Helper()
	if strings.ContainsAny(text, "'\";%") {
		t.Fatalf("SQL text of %q has a quote, semicolon or percent sign: %s", expr, text)
	}
	if strings.ContainsAny(value, "'\";%") && strings.Contains(text, value) {
		t.Fatalf("SQL text contains the value of %q: %s", expr, text)
	}
	if n := strings.Count(text, "?"); n != len(args) {
		t.Fatalf("%q: %d placeholders, %d args: %s", expr, n, len(args), text)
	}
	for _, a := range args {
		switch v := a.(type) {
		case int64, bool, time.Time:
		case string:
			if !fromValue(v, value) {
				t.Fatalf("%q: argument %q does not come from the value", expr, v)
			}
		default:
			t.Fatalf("%q: unexpected argument type %T", expr, a)
		}
	}
}

// fromValue reports whether arg is value-derived: a part of the value, a
// LIKE pattern of it (contains or prefix), a prefix upper bound of it, a timestamp the value was
// parsed into, or the run-artifact kind of the default scope.
func fromValue(arg, value string) bool {
	if arg == RunArtifactKind || strings.Contains(value, arg) {
		return true
	}
	if arg == "%"+escapeLike(value)+"%" {
		return true
	}
	if upper, ok := prefixUpperBound(arg); ok && upper == arg {
		return true
	}
	for _, part := range append(strings.Split(value, ","), value) {
		if upper, ok := prefixUpperBound(part); ok && upper == arg {
			return true
		}
		if arg == escapeLike(part)+"%" { // a PostgreSQL prefix pattern
			return true
		}
	}
	if _, err := time.Parse(meta.TimeLayout, arg); err == nil {
		return true
	}
	return false
}

// FuzzSimilarity checks that trigram similarity is symmetric, bounded, 1 for
// a string with itself, and that Rank is positive exactly when the query is
// contained.
func FuzzSimilarity(f *testing.F) {
	for _, s := range [][2]string{{"word", "two words"}, {"GWS CRISPRa", "GWS CRIPSRa"}, {"", "x"}, {"a|b", "b"}, {"ÄÖ", "äö"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		s1, s2 := Similarity(a, b), Similarity(b, a)
		if s1 != s2 || s1 < 0 || s1 > 1 {
			t.Fatalf("Similarity(%q, %q) = %v, reversed %v", a, b, s1, s2)
		}
		if len(Trigrams(a)) > 0 && Similarity(a, a) != 1 {
			t.Fatalf("Similarity(%q, itself) = %v", a, Similarity(a, a))
		}
		q := strings.TrimSpace(b)
		contained := strings.Contains(strings.ToLower(a), strings.ToLower(q))
		if r := Rank([]string{a}, b, false); (r > 0) != contained {
			t.Fatalf("Rank(%q, %q) = %d, contained %v", a, b, r, contained)
		}
	})
}
