package query

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestCompleteFilterOffersFieldsLookupsAndRelatedFields(t *testing.T) {
	for _, tc := range []struct {
		reg     *Registry
		partial string
		want    []string // all of these must be offered
		not     []string // none of these
	}{
		{Artifact, "ke", []string{"key=", "key__"}, []string{"kind="}},
		{Artifact, "", []string{"uid=", "created_by__", "transform__", "run__", "size__"}, []string{"_aux=", "_real_key="}},
		{Artifact, "_re", []string{"_real_key="}, nil},
		{Artifact, "key__st", []string{"key__startswith="}, []string{"key__endswith="}},
		{Artifact, "size__", []string{"size__gt=", "size__in=", "size__range="}, []string{"size__contains="}},
		{Artifact, "created_by__ha", []string{"created_by__handle=", "created_by__handle__"}, nil},
		{Artifact, "created_by__handle__i", []string{"created_by__handle__icontains=", "created_by__handle__in=", "created_by__handle__isnull="}, nil},
		{Artifact, "transform__ty", []string{"transform__type="}, nil},
		{Artifact, "run__transform__k", []string{"run__transform__key="}, nil},
		{Transform, "", []string{"type=", "runs__", "predecessors__"}, nil},
		{Run, "is_locked__", []string{"is_locked__exact=", "is_locked__isnull="}, []string{"is_locked__gt="}},
		{User, "ha", []string{"handle="}, nil},
		{Artifact, "key=fig", nil, []string{"key="}},
		{Artifact, "nosuch__", nil, []string{"nosuch__="}},
	} {
		got := CompleteFilter(tc.reg, tc.partial)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s %q: %q missing from %q", tc.reg.Name, tc.partial, w, got)
			}
		}
		for _, n := range tc.not {
			if slices.Contains(got, n) {
				t.Errorf("%s %q: %q offered in %q", tc.reg.Name, tc.partial, n, got)
			}
		}
		if !slices.IsSorted(got) {
			t.Errorf("%s %q: not sorted: %q", tc.reg.Name, tc.partial, got)
		}
	}
}

// Every completion of a whole expression parses: what the shell offers is
// the language the filter understands.
func TestCompletedExpressionsParse(t *testing.T) {
	for _, reg := range Registries() {
		for _, partial := range []string{"", "created_by__", "key__", "size__", "run__", "transform__"} {
			for _, c := range CompleteFilter(reg, partial) {
				if !strings.HasSuffix(c, "=") {
					continue
				}
				parsed := false
				var err error
				for _, v := range []string{"1", "true", "2025-01-01", "1,2", "2025-01-01,2025-02-01"} {
					if _, err = ParseFilter(reg, c+v); err == nil {
						parsed = true
						break
					}
				}
				if !parsed {
					t.Errorf("%s: offered %q, which parses with no value: %v", reg.Name, c, err)
				}
			}
		}
	}
}

// TestUIDPrefixWalksTheUIDIndexOnPostgres checks that completion's uid
// lookup reads the pattern-ops uid index in order and stops at the limit:
// an index scan under a Limit, with no Sort of all matches.
func TestUIDPrefixWalksTheUIDIndexOnPostgres(t *testing.T) {
	st := openPostgresFixture(t)
	ctx := context.Background()
	for _, s := range growSQL {
		if _, err := st.Exec(ctx, s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	if _, err := st.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	for _, reg := range []*Registry{Artifact, Transform} {
		text, args := UIDPrefixSQL(st.Dialect(), reg, "Bulk", 50)
		rows, err := st.Query(ctx, "EXPLAIN "+text, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		rows.Close()
		all := strings.Join(plan, "\n")
		if !strings.Contains(all, "Limit") || !strings.Contains(all, "Index Only Scan using "+reg.Table+"_uid_pattern_idx") || strings.Contains(all, "Sort") {
			t.Errorf("%s: the uid prefix lookup does not walk the uid index:\n%s\n%s", reg.Name, all, text)
		}
	}
}
