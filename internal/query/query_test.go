package query

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/meta/postgres"
	"github.com/lamin-go/lamin/internal/meta/sqlite"
)

func TestFilterReturnsTheMatchingRows(t *testing.T) {
	tests := []struct {
		name  string
		reg   *Registry
		exprs []string
		want  []int64
	}{
		// Lookups.
		{"exact matches equal values", Artifact, []string{"suffix=.csv"}, []int64{1}},
		{"explicit exact is the same as bare", Artifact, []string{"suffix__exact=.csv"}, []int64{1}},
		{"iexact ignores case", Artifact, []string{"key__iexact=SCHMIDT22_PERTURBSEQ.H5AD"}, []int64{7}},
		{"contains matches substrings", Artifact, []string{"key__contains=perturbseq_R"}, []int64{4, 5}},
		{"contains is case-sensitive", Artifact, []string{"key__contains=PERTURBSEQ"}, []int64{}},
		{"icontains ignores case", Artifact, []string{"description__icontains=PERTURBSEQ"}, []int64{7}},
		{"icontains treats underscore literally", Artifact, []string{"key__icontains=_"}, []int64{4, 5, 6, 7, 8}},
		{"icontains treats percent literally", Artifact, []string{"key__icontains=%"}, []int64{}},
		{"startswith matches prefixes", Artifact, []string{"key__startswith=fastq/"}, []int64{4, 5}},
		{"startswith with a longer prefix", Artifact, []string{"key__startswith=fastq/perturbseq_R2"}, []int64{5}},
		{"startswith is case-sensitive", Artifact, []string{"key__startswith=FASTQ/"}, []int64{}},
		{"endswith matches suffixes", Artifact, []string{"key__endswith=.gz"}, []int64{4, 5, 6}},
		{"in matches any listed value", Artifact, []string{"suffix__in=.csv,.h5ad"}, []int64{1, 7}},
		{"in with an empty list matches nothing", Artifact, []string{"suffix__in="}, []int64{}},
		{"gt compares numbers", Artifact, []string{"size__gt=6"}, []int64{2, 7, 8}},
		{"gte includes the bound", Artifact, []string{"size__gte=6"}, []int64{2, 4, 5, 6, 7, 8}},
		{"lt compares numbers", Artifact, []string{"size__lt=17075"}, []int64{4, 5, 6}},
		{"lte includes the bound", Artifact, []string{"size__lte=17075"}, []int64{2, 4, 5, 6}},
		{"range includes both bounds", Artifact, []string{"size__range=6,20000"}, []int64{2, 4, 5, 6}},
		{"isnull true finds NULLs", Artifact, []string{"size__isnull=true"}, []int64{1}},
		{"isnull false finds values", Artifact, []string{"description__isnull=false"}, []int64{1, 2, 7}},
		{"bools accept true", Artifact, []string{"is_latest=true"}, []int64{1, 2, 4, 5, 6, 7, 8}},
		{"bools accept 1", Artifact, []string{"_key_is_virtual=1"}, []int64{2, 8}},
		{"timestamps accept a date", Artifact, []string{"created_at__gte=2000-01-01"}, []int64{1, 2, 4, 5, 6, 7, 8}},
		{"timestamps accept RFC3339", Artifact, []string{"created_at__lt=2000-01-01T00:00:00Z"}, []int64{}},
		{"time range on runs", Run, []string{"started_at__range=2024-01-02,2024-01-04"}, []int64{2, 3}},
		{"several conditions all hold", Artifact, []string{"size=6", "key__contains=R1"}, []int64{4}},

		// Traversal.
		{"two hops through forward keys", Artifact, []string{"run__transform__key=chromium_10x_upload.py"}, []int64{4, 5}},
		{"many-to-many then forward key", Artifact, []string{"input_of_runs__transform__type=pipeline"}, []int64{4, 5}},
		{"many-to-many with a lookup at the end", Artifact, []string{"input_of_runs__transform__key__endswith=.ipynb"}, []int64{1, 2, 7}},
		{"created_by handle", Artifact, []string{"created_by__handle=testuser1"}, []int64{1, 4, 5}},
		{"three hops", Artifact, []string{"run__transform__created_by__handle=testuser1"}, []int64{4, 5}},
		{"a later hop compared on a time", Artifact, []string{"run__started_at__gt=2024-01-03"}, []int64{6, 7, 8}},
		{"isnull through a missing row acts like a left join", Artifact, []string{"run__name__isnull=true"}, []int64{1, 2, 6, 7, 8}},
		{"bare foreign key with an id", Artifact, []string{"run=2"}, []int64{4, 5}},
		{"bare foreign key isnull", Artifact, []string{"run__isnull=true"}, []int64{1}},
		{"bare to-many relation with an id", Artifact, []string{"input_of_runs=3"}, []int64{4, 5}},
		{"bare to-many relation with ids", Artifact, []string{"input_of_runs__in=1,5"}, []int64{1, 2, 7}},
		{"bare to-many relation isnull", Artifact, []string{"input_of_runs__isnull=true"}, []int64{8}},
		{"recreating runs", Artifact, []string{"_subsequent_runs=6"}, []int64{4}},
		{"collections of an artifact", Artifact, []string{"collections__key=perturbseq-collection"}, []int64{6, 7}},
		{"storage root", Artifact, []string{"storage__root=/data/mydata"}, []int64{1, 2, 4, 5, 6, 7, 8}},
		{"transform alias with an id", Artifact, []string{"transform=3"}, []int64{6}},
		{"transform alias with a full uid", Artifact, []string{"transform=qCJPkOuZAi9q0000"}, []int64{4, 5}},
		{"transform alias with a uid prefix", Artifact, []string{"transform=qCJPkOuZ"}, []int64{4, 5}},
		{"transform alias with a field", Artifact, []string{"transform__key=Cell Ranger"}, []int64{6}},
		{"transform created_by id", Transform, []string{"created_by=2"}, []int64{1, 3, 4, 5}},
		{"transform runs reversed", Transform, []string{"runs__created_by__handle=testuser1"}, []int64{2}},
		{"transform runs then inputs", Transform, []string{"runs__input_artifacts__key__startswith=fastq/"}, []int64{3}},
		{"run transform type", Run, []string{"transform__type=notebook"}, []int64{1, 5}},
		{"run input artifacts", Run, []string{"input_artifacts__key__startswith=fastq/"}, []int64{3}},
		{"run output artifacts", Run, []string{"output_artifacts__suffix=.h5ad"}, []int64{4}},
		{"run recreated artifacts", Run, []string{"_recreated_artifacts=4"}, []int64{6}},
		{"run finished", Run, []string{"finished_at__isnull=false"}, []int64{2}},
		{"run private status", Run, []string{"_status_code=0"}, []int64{2}},
		{"run report isnull", Run, []string{"report__isnull=true"}, []int64{1, 2, 3, 4, 5, 6}},
		{"users have no branch scope", User, []string{"handle=testuser1"}, []int64{1}},
		{"user name isnull", User, []string{"name__isnull=true"}, []int64{2}},
		{"storage root prefix", Storage, []string{"root__startswith=/data"}, []int64{1}},
		{"storage artifacts", Storage, []string{"artifacts__suffix=.csv"}, []int64{1}},
		{"collection artifacts", Collection, []string{"artifacts__key=schmidt22_perturbseq.h5ad"}, []int64{1}},
		{"collection transform alias", Collection, []string{"transform=4"}, []int64{1}},
		{"collection transform alias with a field", Collection, []string{"transform__key=postprocess_cellranger.py"}, []int64{1}},

		// Default scope.
		{"trashed rows are hidden", Transform, []string{"key=old.py"}, []int64{}},
		{"uid lifts the branch scope", Transform, []string{"uid=Trsh0ld000000000"}, []int64{6}},
		{"uid prefix keeps the branch scope", Transform, []string{"uid__startswith=Trsh"}, []int64{}},
		{"branch_id lifts the branch scope", Transform, []string{"branch_id=-1"}, []int64{6}},
		{"branch traversal lifts the branch scope", Transform, []string{"branch__name=trash"}, []int64{6}},
		{"visibility is branch_id", Transform, []string{"visibility=-1"}, []int64{6}},
		{"id__in lifts the branch scope", Artifact, []string{"id__in=9,10"}, []int64{9, 10}},
		{"archived rows are hidden", Artifact, []string{"key=old/archived.csv"}, []int64{}},
		{"run artifacts are hidden", Artifact, []string{"description=requirements.txt"}, []int64{}},
		{"run artifacts stay hidden for an id", Artifact, []string{"id=3"}, []int64{}},
		{"run artifacts show when kind is mentioned", Artifact, []string{"kind=__lamindb_run__"}, []int64{3}},
		{"kind isnull keeps NULL kinds", Artifact, []string{"kind__isnull=true"}, []int64{1, 4, 5, 6, 7, 8}},
	}
	forEachDialect(t, func(t *testing.T, st *meta.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				q := New(tt.reg).Filter(mustParse(t, tt.reg, tt.exprs...)...)
				got := queryIDs(t, st, q)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					sql, args, _ := q.SQL(st.Dialect(), "t.id")
					t.Errorf("ids (-want +got):\n%s\n%s %v", diff, sql, args)
				}
			})
		}
	})
}

func TestQueryCombinesFilterExcludeAndOr(t *testing.T) {
	p := func(exprs ...string) []Condition { return mustParse(t, Artifact, exprs...) }
	tests := []struct {
		name string
		q    *Query
		want []int64
	}{
		{"no conditions list the default scope", New(Artifact), []int64{1, 2, 4, 5, 6, 7, 8}},
		{"all branches include trash and archive", &Query{Registry: Artifact, AllBranches: true}, []int64{1, 2, 4, 5, 6, 7, 8, 9, 10}},
		{"a current branch adds its rows to main", &Query{Registry: Artifact, Branch: -1}, []int64{1, 2, 4, 5, 6, 7, 8, 9}},
		{"exclude keeps NULL columns", New(Artifact).Exclude(p("key__startswith=fastq/")...), []int64{1, 2, 6, 7, 8}},
		{"exclude through a relation keeps missing rows", New(Artifact).Exclude(p("run__transform__type=script")...), []int64{1, 2, 6, 8}},
		{"exclude through a to-many relation", New(Artifact).Exclude(p("input_of_runs__created_by__handle=testuser1")...), []int64{1, 2, 4, 5, 6, 8}},
		{"or of groups", New(Artifact).Or(p("suffix=.csv"), p("suffix=.h5ad", "size__gt=100")), []int64{1, 7}},
		{"or with a filter", New(Artifact).Filter(p("size__isnull=false")...).Or(p("key__startswith=fastq/"), p("otype=AnnData")), []int64{4, 5, 7}},
		{"or without groups matches nothing", New(Artifact).Or(), []int64{}},
		{"one filter call shares a to-many row", New(Artifact).Filter(p("input_of_runs__transform=5", "input_of_runs__created_by=1")...), []int64{}},
		{"separate filter calls do not share it", New(Artifact).Filter(p("input_of_runs__transform=5")...).Filter(p("input_of_runs__created_by=1")...), []int64{7}},
	}
	forEachDialect(t, func(t *testing.T, st *meta.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if diff := cmp.Diff(tt.want, queryIDs(t, st, tt.q)); diff != "" {
					sql, args, _ := tt.q.SQL(st.Dialect(), "t.id")
					t.Errorf("ids (-want +got):\n%s\n%s %v", diff, sql, args)
				}
			})
		}
	})
}

func TestOrderByLimitAndOffset(t *testing.T) {
	p := func(exprs ...string) []Condition { return mustParse(t, Artifact, exprs...) }
	tests := []struct {
		name string
		q    *Query
		want []int64
	}{
		{"descending on a column, ties by id", New(Artifact).Filter(p("size__isnull=false")...).OrderBy("-size"), []int64{7, 8, 2, 4, 5, 6}},
		{"ascending on a traversed field", New(Artifact).Filter(p("run__isnull=false")...).OrderBy("run__transform__key"), []int64{6, 4, 5, 2, 8, 7}},
		{"descending on a traversed field", New(Artifact).Filter(p("run__isnull=false")...).OrderBy("-run__transform__key"), []int64{7, 8, 2, 4, 5, 6}},
		{"the transform alias orders too", New(Artifact).Filter(p("run__isnull=false")...).OrderBy("-transform__key"), []int64{7, 8, 2, 4, 5, 6}},
		{"several keys", New(Artifact).OrderBy("created_by__handle", "-id"), []int64{5, 4, 1, 8, 7, 6, 2}},
		{"a time through a relation", New(Artifact).Filter(p("run__isnull=false")...).OrderBy("-run__started_at", "id"), []int64{8, 7, 6, 4, 5, 2}},
		{"limit", &Query{Registry: Artifact, Limit: 3}, []int64{1, 2, 4}},
		{"limit and offset", (&Query{Registry: Artifact, Limit: 2, Offset: 1}).OrderBy("id"), []int64{2, 4}},
		{"offset alone", &Query{Registry: Artifact, Offset: 5}, []int64{7, 8}},
	}
	forEachDialect(t, func(t *testing.T, st *meta.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if diff := cmp.Diff(tt.want, queryIDs(t, st, tt.q)); diff != "" {
					sql, args, _ := tt.q.SQL(st.Dialect(), "t.id")
					t.Errorf("ids (-want +got):\n%s\n%s %v", diff, sql, args)
				}
			})
		}
	})
}

func TestCountSQLCountsTheRows(t *testing.T) {
	tests := []struct {
		name string
		q    *Query
		want int
	}{
		{"default scope", New(Artifact), 7},
		{"with a filter", New(Artifact).Filter(mustParse(t, Artifact, "key__startswith=fastq/")...), 2},
		{"with a limit", &Query{Registry: Artifact, Limit: 3}, 3},
		{"with an offset", &Query{Registry: Artifact, Offset: 5}, 2},
		{"ordering does not matter", New(Transform).OrderBy("-created_by__handle"), 5},
	}
	forEachDialect(t, func(t *testing.T, st *meta.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				text, args, err := tt.q.CountSQL(st.Dialect())
				if err != nil {
					t.Fatal(err)
				}
				var n int
				if err := st.QueryRow(context.Background(), text, args...).Scan(&n); err != nil {
					t.Fatalf("%v\n%s", err, text)
				}
				if n != tt.want {
					t.Errorf("count = %d, want %d", n, tt.want)
				}
			})
		}
	})
}

func TestErrorsNameTheProblem(t *testing.T) {
	tests := []struct {
		name string
		reg  *Registry
		expr string
		want string
	}{
		{"unknown field lists the available fields", User, "foo=1",
			"Unknown field 'foo'. Available fields: created_at, handle, id, name, uid, updated_at"},
		{"unknown artifact field lists relations and the transform alias", Artifact, "nope=1",
			"Unknown field 'nope'. Available fields: branch, branch_id, collections, created_at, created_by, created_by_id, " +
				"description, hash, id, input_of_runs, is_latest, is_locked, key, kind, n_files, n_observations, otype, run, " +
				"run_id, schema_id, size, space, space_id, storage, storage_id, suffix, transform, uid, updated_at, version"},
		{"unknown field after a hop names that registry's fields", Artifact, "created_by__nope=1",
			"Unknown field 'nope'. Available fields: created_at, handle, id, name, uid, updated_at"},
		{"a name on a foreign key suggests the display field", Transform, "created_by=testuser1",
			"Invalid lookup 'testuser1' for created_by. Did you mean created_by__handle?"},
		{"a word on a foreign key without display field suggests name", Artifact, "run=hello",
			"Invalid lookup 'hello' for run. Did you mean run__name?"},
		{"a path on the transform alias suggests key", Artifact, "transform=hit-identification.ipynb",
			"Invalid lookup 'hit-identification.ipynb' for transform. Did you mean transform__key?"},
		{"an unsupported lookup", Artifact, "key__foo=1",
			"Unsupported lookup 'foo' for key; use one of exact, iexact, contains, icontains, startswith, endswith, in, gt, gte, lt, lte, isnull, range"},
		{"a text lookup on a number", Artifact, "size__contains=1",
			"Unsupported lookup 'contains' for size (a int field); use one of exact, in, gt, gte, lt, lte, isnull, range"},
		{"a bad integer", Artifact, "size=abc", "invalid value 'abc' for size: expected an integer"},
		{"a bad integer in a list", Artifact, "size__in=1,x", "invalid value 'x' for size: expected an integer"},
		{"a bad bool", Artifact, "is_latest=maybe", "invalid value 'maybe' for is_latest: expected true or false"},
		{"a bad timestamp", Artifact, "created_at__gt=yesterday",
			"invalid value 'yesterday' for created_at: expected a timestamp (RFC3339 or YYYY-MM-DD[ HH:MM:SS])"},
		{"a bad isnull", Artifact, "key__isnull=maybe", "invalid value 'maybe' for key__isnull: expected true or false"},
		{"a range needs two values", Artifact, "size__range=1", "invalid value '1' for size__range: expected two values separated by a comma"},
		{"an expression needs an equals sign", Artifact, "key", "invalid filter 'key': expected field=value"},
		{"json supports only isnull", Artifact, "_aux=1", "Unsupported lookup 'exact' for _aux (a json field); use isnull"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFilter(tt.reg, tt.expr)
			if err == nil {
				t.Fatal("no error")
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FieldError", err)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestOrderByErrors(t *testing.T) {
	tests := []struct {
		name  string
		field string
		want  string
	}{
		{"to-many relations cannot order", "input_of_runs__started_at", "cannot order by to-many relation 'input_of_runs' in 'input_of_runs__started_at'"},
		{"unknown fields are reported", "-nope", "Unknown field 'nope'."},
		{"lookups cannot order", "key__startswith", "cannot order by lookup 'startswith' in 'key__startswith'"},
		{"an empty name", "-", "invalid order field '-'"},
	}
	for _, d := range dialects {
		for _, tt := range tests {
			t.Run(d.Name()+"/"+tt.name, func(t *testing.T) {
				_, _, err := New(Artifact).OrderBy(tt.field).SQL(d, "t.id")
				if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
					t.Errorf("error = %v, want prefix %q", err, tt.want)
				}
				_, _, err = New(Artifact).OrderBy(tt.field).CountSQL(d)
				if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
					t.Errorf("CountSQL error = %v, want prefix %q", err, tt.want)
				}
			})
		}
	}
}

func TestConditionsMustMatchTheQueryRegistry(t *testing.T) {
	c := mustParse(t, Transform, "key=x")
	for _, d := range dialects {
		if _, _, err := New(Artifact).Filter(c...).SQL(d, "t.id"); err == nil {
			t.Errorf("%s: a transform condition compiled on artifact", d.Name())
		}
	}
}

func TestSQLKeepsValuesOutOfTheText(t *testing.T) {
	value := `x'); DROP TABLE lamindb_artifact; --%_`
	tests := []struct {
		name    string
		dialect meta.Dialect
		field   string
	}{
		{"sqlite exact", sqlite.Dialect{}, "key"},
		{"sqlite icontains", sqlite.Dialect{}, "key__icontains"},
		{"sqlite startswith", sqlite.Dialect{}, "key__startswith"},
		{"postgres endswith", postgres.Dialect{}, "key__endswith"},
		{"postgres iexact", postgres.Dialect{}, "description__iexact"},
		{"postgres contains", postgres.Dialect{}, "run__transform__key__contains"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCondition(Artifact, tt.field, value)
			if err != nil {
				t.Fatal(err)
			}
			text, _, err := New(Artifact).Filter(c).SQL(tt.dialect, "t.id")
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{"'", ";", "%", "DROP"} {
				if strings.Contains(text, bad) {
					t.Errorf("SQL contains %q: %s", bad, text)
				}
			}
		})
	}
}

func TestPostgresSQLShape(t *testing.T) {
	tests := []struct {
		name string
		q    *Query
		want string
	}{
		{"startswith uses an escaped LIKE prefix", New(Artifact).Filter(mustParse(t, Artifact, "key__startswith=a")...),
			"SELECT t.id FROM lamindb_artifact t WHERE t._branch_code IN (?) AND (t.kind IS NULL OR t.kind <> ?) AND t.key LIKE CAST(? AS TEXT) ESCAPE chr(92) ORDER BY t.id ASC"},
		{"contains uses LIKE, which trigram indexes serve", New(User).Filter(mustParse(t, User, "handle__contains=a")...),
			"SELECT t.id FROM lamindb_user t WHERE t.handle LIKE CAST(? AS TEXT) ESCAPE chr(92) ORDER BY t.id ASC"},
		{"offset without limit", &Query{Registry: User, Offset: 2},
			"SELECT t.id FROM lamindb_user t ORDER BY t.id ASC OFFSET ?"},
		{"exclude coalesces to false", New(User).Exclude(mustParse(t, User, "name__icontains=a")...),
			"SELECT t.id FROM lamindb_user t WHERE NOT COALESCE((t.name ILIKE CAST(? AS TEXT) ESCAPE chr(92)), FALSE) ORDER BY t.id ASC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := tt.q.SQL(postgres.Dialect{}, "t.id")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("SQL:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
