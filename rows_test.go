package lamin_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lamin-go/lamin"
)

// queryEnv is a small Schmidt22-like instance for the query API:
//
//	artifact 1  raw.csv (in place, testuser1, no run)
//	transform 1 hit-identification.ipynb (testuser2), run 1 reads artifact 1
//	            and writes artifact 2 (hits.parquet-like csv)
//	transform 2 Cell Ranger 7.2.0 (testuser2), run 2 with an environment
//	            (hidden run artifact 3) writes artifacts 4 and 5 (fastq/…)
//	transform 3 schmidt22.ipynb (testuser1), run 3 reads artifact 5
//	artifact 6  trashed/old.csv (testuser1), moved to the trash
type queryEnv struct {
	t     *testing.T
	ctx   context.Context
	dir   string
	in    *lamin.Instance // as testuser1
	in2   *lamin.Instance // as testuser2
	tuid  string          // uid of hit-identification.ipynb
	order []int64         // artifact ids in save order (visible ones)
}

func newQueryEnv(t *testing.T) *queryEnv {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"),
		Getenv: func(string) string { return "" }}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	write := func(rel, content string) string {
		p := filepath.Join(dir, rel)
		must(os.MkdirAll(filepath.Dir(p), 0o755))
		must(os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	save := func(in *lamin.Instance, path string, o lamin.ArtifactOptions) *lamin.Artifact {
		t.Helper()
		a, err := in.NewArtifact(ctx, path, o)
		must(err)
		must(a.Save(ctx))
		return a
	}
	_, err := lamin.Login("testuser1", "", opts)
	must(err)
	in, err := lamin.Init(ctx, filepath.Join(dir, "mydata"), lamin.InitOptions{Options: opts})
	must(err)
	t.Cleanup(func() { in.Close() })
	e := &queryEnv{t: t, ctx: ctx, dir: dir, in: in}

	raw := save(in, write("mydata/schmidt22-crispra-gws-IFNG.csv", "id,fdr\na,0.001\nb,0.5\n"),
		lamin.ArtifactOptions{Description: "Raw data of schmidt22 crispra GWS"})

	_, err = lamin.Login("testuser2", "", opts)
	must(err)
	in2, err := lamin.Open(ctx, "", opts)
	must(err)
	t.Cleanup(func() { in2.Close() })
	e.in2 = in2
	yes := true
	r1, err := in2.Track(ctx, lamin.TrackOptions{TransformSpec: lamin.TransformSpec{
		Key: "hit-identification.ipynb", Type: lamin.TypeNotebook, Description: "GWS CRIPSRa analysis"}})
	must(err)
	e.tuid = r1.Transform.UID
	must(in2.TrackInputs(ctx, []*lamin.Artifact{raw}, lamin.CacheOptions{IsRunInput: &yes, Run: r1}))
	hits := save(in2, write("hits.csv", "id,fdr\na,0.001\n"), lamin.ArtifactOptions{Description: "hits from schmidt22 crispra GWS", Run: r1})
	must(r1.Finish(ctx, nil))

	r2, err := in2.Track(ctx, lamin.TrackOptions{TransformSpec: lamin.TransformSpec{
		Key: "Cell Ranger", Type: lamin.TypePipeline, Version: "7.2.0"}, EnvFile: write("requirements.txt", "cellranger==7.2.0\n")})
	must(err)
	r1fq := save(in2, write("R1.fastq.gz", "aB3dE6"), lamin.ArtifactOptions{Key: "fastq/perturbseq_R1_001.fastq.gz", Run: r2})
	r2fq := save(in2, write("R2.fastq.gz", "xY9zQ2"), lamin.ArtifactOptions{Key: "fastq/perturbseq_R2_001.fastq.gz", Run: r2})
	must(r2.Finish(ctx, nil))

	r3, err := in.Track(ctx, lamin.TrackOptions{TransformSpec: lamin.TransformSpec{
		Key: "schmidt22.ipynb", Type: lamin.TypeNotebook, Description: "Trace data & code in a project: Schmidt et al. (2022)"}})
	must(err)
	must(in.TrackInputs(ctx, []*lamin.Artifact{r2fq}, lamin.CacheOptions{IsRunInput: &yes, Run: r3}))
	must(r3.Finish(ctx, nil))

	old := save(in, write("old.csv", "x\n1\n"), lamin.ArtifactOptions{Key: "trashed/old.csv", NoRun: true})
	must(in.Delete(ctx, old))
	e.order = []int64{raw.ID, hits.ID, r1fq.ID, r2fq.ID}
	return e
}

func (e *queryEnv) filter(registry string, exprs []string, o lamin.FilterOptions) *lamin.Rows {
	e.t.Helper()
	rows, err := e.in.Filter(e.ctx, registry, exprs, o)
	if err != nil {
		e.t.Fatalf("filter %s %v: %v", registry, exprs, err)
	}
	return rows
}

// column returns the values of one column.
func column(t *testing.T, rows *lamin.Rows, name string) []any {
	t.Helper()
	for j, c := range rows.Columns {
		if c == name {
			out := make([]any, rows.Len())
			for i := range rows.Values {
				out[i] = rows.Values[i][j]
			}
			return out
		}
	}
	t.Fatalf("no column %s in %v", name, rows.Columns)
	return nil
}

func ids(t *testing.T, rows *lamin.Rows) []int64 {
	t.Helper()
	var out []int64
	for _, v := range column(t, rows, "id") {
		out = append(out, v.(int64))
	}
	return out
}

func TestFilterColumnsFollowLaminDBsFrameOrder(t *testing.T) {
	e := newQueryEnv(t)
	tests := []struct {
		registry string
		want     string
	}{
		{"artifact", "id uid key description suffix kind otype size hash n_files n_observations _hash_type _key_is_virtual _overwrite_versions space_id storage_id schema_id version is_latest is_locked run_id created_at created_by_id _aux _real_key branch_id"},
		{"transform", "id uid key description type source_code hash reference reference_type space_id _template_id version is_latest is_locked created_at created_by_id _aux branch_id"},
		{"run", "id uid name started_at finished_at reference reference_type _is_consecutive _status_code space_id transform_id report_id _logfile_id environment_id initiated_by_run_id is_locked created_at created_by_id _aux branch_id"},
		{"storage", "id uid root description type region instance_uid space_id is_locked run_id created_at created_by_id _aux branch_id"},
	}
	for _, tt := range tests {
		t.Run(tt.registry+" lists id first, then its to_dataframe columns", func(t *testing.T) {
			rows := e.filter(tt.registry, nil, lamin.FilterOptions{})
			if diff := cmp.Diff(strings.Fields(tt.want), rows.Columns); diff != "" {
				t.Error(diff)
			}
			for i, row := range rows.Values {
				if len(row) != len(rows.Columns) {
					t.Errorf("row %d has %d values for %d columns", i, len(row), len(rows.Columns))
				}
			}
		})
	}
}

func TestFilterSelectsAndOrdersLikeLaminDB(t *testing.T) {
	e := newQueryEnv(t)
	raw, hits, r1fq, r2fq := e.order[0], e.order[1], e.order[2], e.order[3]
	tests := []struct {
		name     string
		registry string
		exprs    []string
		opts     lamin.FilterOptions
		want     []int64
	}{
		{"a registry-level listing is newest first by updated_at", "artifact", nil, lamin.FilterOptions{}, []int64{r2fq, r1fq, hits, raw}},
		{"a registry-level listing honours a limit", "artifact", nil, lamin.FilterOptions{Limit: 2}, []int64{r2fq, r1fq}},
		{"runs have no updated_at and are listed by ascending id", "run", nil, lamin.FilterOptions{}, []int64{1, 2, 3}},
		{"a query keeps ascending id order", "artifact", []string{"created_by__handle=testuser2"}, lamin.FilterOptions{}, []int64{hits, r1fq, r2fq}},
		{"transform reaches through the run", "artifact", []string{"transform__uid=" + e.tuid}, lamin.FilterOptions{}, []int64{hits}},
		{"a transform uid matches the relation directly", "artifact", []string{"transform=" + e.tuid}, lamin.FilterOptions{}, []int64{hits}},
		{"several filters must all hold", "transform", []string{"created_by__handle=testuser1", "type=notebook"}, lamin.FilterOptions{}, []int64{3}},
		{"an order overrides id order", "artifact", []string{"key__startswith=fastq/"}, lamin.FilterOptions{Order: []string{"-key"}}, []int64{r2fq, r1fq}},
		{"an order through a relation works", "run", []string{"id__gte=1"}, lamin.FilterOptions{Order: []string{"transform__key"}}, []int64{2, 1, 3}},
		{"limit and offset page through a query", "artifact", []string{"size__gte=0"}, lamin.FilterOptions{Limit: 2, Offset: 1}, []int64{hits, r1fq}},
		{"exclude drops matching rows", "artifact", []string{"key__startswith=fastq/"}, lamin.FilterOptions{Exclude: []string{"key__endswith=R2_001.fastq.gz"}}, []int64{r1fq}},
		{"exclude alone is a query", "transform", nil, lamin.FilterOptions{Exclude: []string{"type=notebook"}}, []int64{2}},
		{"run inputs can be traversed", "artifact", []string{"input_of_runs__transform__key=schmidt22.ipynb"}, lamin.FilterOptions{}, []int64{r2fq}},
		{"the trash is hidden by default", "artifact", []string{"key__startswith=trashed/"}, lamin.FilterOptions{}, nil},
		{"all branches include the trash", "artifact", []string{"key__startswith=trashed/"}, lamin.FilterOptions{AllBranches: true}, []int64{6}},
		{"branch_id=None lifts the branch scope", "artifact", []string{"key__startswith=trashed/", "branch_id=None"}, lamin.FilterOptions{}, []int64{6}},
		{"run artifacts are hidden unless kind is named", "artifact", []string{"kind=__lamindb_run__"}, lamin.FilterOptions{}, []int64{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(t, e.filter(tt.registry, tt.exprs, tt.opts))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestARegistryLevelListingStopsAtOneHundred(t *testing.T) {
	e := newQueryEnv(t)
	for i := 0; i < 105; i++ {
		ts := time.Date(2025, 1, 1, 0, 0, i, 0, time.UTC).Format("2006-01-02 15:04:05.000000-07:00")
		if _, err := lamin.StoreOf(e.in).Exec(e.ctx, `INSERT INTO lamindb_user (uid, handle, created_at, updated_at) VALUES (?, ?, ?, ?)`,
			fmt.Sprintf("u%07d", i), fmt.Sprintf("member-%03d", i), ts, ts); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		exprs []string
		opts  lamin.FilterOptions
		want  int
	}{
		{"without a limit the newest 100 are listed", nil, lamin.FilterOptions{}, 100},
		{"a negative limit lists everything", nil, lamin.FilterOptions{Limit: -1}, 107},
		{"a query has no implicit limit", []string{"handle__startswith=member-"}, lamin.FilterOptions{}, 105},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.filter("user", tt.exprs, tt.opts).Len(); got != tt.want {
				t.Errorf("got %d rows, want %d", got, tt.want)
			}
		})
	}
	n, err := e.in.Count(e.ctx, "users", []string{"handle__startswith=member-"})
	if err != nil || n != 105 {
		t.Errorf("count = %d, %v; want 105", n, err)
	}
}

func TestFilterValuesHaveGoTypes(t *testing.T) {
	e := newQueryEnv(t)
	rows := e.filter("artifact", []string{"description=hits from schmidt22 crispra GWS"}, lamin.FilterOptions{})
	if rows.Len() != 1 {
		t.Fatalf("%d rows", rows.Len())
	}
	rec := rows.Map(0)
	checks := []struct {
		field string
		ok    func(any) bool
	}{
		{"id", func(v any) bool { return v == e.order[1] }},
		{"uid", func(v any) bool { s, ok := v.(string); return ok && len(s) == 20 }},
		{"key", func(v any) bool { return v == nil }},
		{"size", func(v any) bool { _, ok := v.(int64); return ok }},
		{"is_latest", func(v any) bool { return v == true }},
		{"_key_is_virtual", func(v any) bool { return v == true }},
		{"created_at", func(v any) bool { tm, ok := v.(time.Time); return ok && tm.Location() == time.UTC && !tm.IsZero() }},
		{"_aux", func(v any) bool { return v == `{"af":{"0":true}}` }},
		{"branch_id", func(v any) bool { return v == int64(1) }},
		{"run_id", func(v any) bool { return v == int64(1) }},
	}
	for _, c := range checks {
		t.Run(c.field+" has its Go type", func(t *testing.T) {
			if !c.ok(rec[c.field]) {
				t.Errorf("%s = %#v", c.field, rec[c.field])
			}
		})
	}
	runs := e.filter("run", []string{"transform__key=Cell Ranger"}, lamin.FilterOptions{}).Map(0)
	if _, ok := runs["finished_at"].(time.Time); !ok || runs["_status_code"] != int64(0) || runs["environment_id"] != int64(3) {
		t.Errorf("run %v", runs)
	}
}

func TestIncludeAddsRelatedFields(t *testing.T) {
	e := newQueryEnv(t)
	tests := []struct {
		name    string
		include string
		want    []any // per visible artifact in id order
	}{
		{"a creator's handle", "created_by__handle", []any{"testuser1", "testuser2", "testuser2", "testuser2"}},
		{"a field two relations away", "run__transform__key", []any{nil, "hit-identification.ipynb", "Cell Ranger", "Cell Ranger"}},
		{"the transform alias", "transform__version", []any{nil, nil, "7.2.0", "7.2.0"}},
		{"a relation itself gives its id", "run__transform", []any{nil, int64(1), int64(2), int64(2)}},
		{"a timestamp through a relation", "run__finished_at", nil},
		{"a plain hidden column", "updated_at", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := e.filter("artifact", []string{"id__gte=1"}, lamin.FilterOptions{Include: []string{tt.include}})
			if last := rows.Columns[len(rows.Columns)-1]; last != tt.include {
				t.Fatalf("last column %s", last)
			}
			got := column(t, rows, tt.include)
			if tt.want == nil {
				for i, v := range got {
					if _, ok := v.(time.Time); !ok && !(v == nil && i == 0) {
						t.Errorf("row %d: %#v is not a time", i, v)
					}
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
	errs := []struct {
		name, include, msg string
	}{
		{"a to-many relation is refused", "input_of_runs__uid", "'input_of_runs' is a to-many relation"},
		{"an unknown field names the available ones", "creator__handle", "Unknown field 'creator'. Available fields: "},
		{"a lookup is not a field", "created_by__handle__startswith", "'handle' is a field of User, not a relation"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.in.Filter(e.ctx, "artifact", nil, lamin.FilterOptions{Include: []string{tt.include}})
			if !errors.Is(err, lamin.ErrInvalid) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v", err)
			}
		})
	}
}

func TestFilterErrorsAreInvalidWithLaminDBsWording(t *testing.T) {
	e := newQueryEnv(t)
	tests := []struct {
		name     string
		registry string
		exprs    []string
		opts     lamin.FilterOptions
		msg      string
	}{
		{"an unknown registry", "widgets", nil, lamin.FilterOptions{}, "unknown registry 'widgets'"},
		{"an unknown field", "artifact", []string{"nonsense=1"}, lamin.FilterOptions{}, "Unknown field 'nonsense'. Available fields: branch, branch_id, collections,"},
		{"an unknown lookup", "artifact", []string{"key__near=x"}, lamin.FilterOptions{}, "Unsupported lookup 'near' for key"},
		{"a bad value", "artifact", []string{"size__gt=big"}, lamin.FilterOptions{}, "invalid value 'big' for size: expected an integer"},
		{"a name on a relation", "transform", []string{"created_by=testuser1"}, lamin.FilterOptions{}, "Invalid lookup 'testuser1' for created_by. Did you mean created_by__handle?"},
		{"an expression without '='", "artifact", []string{"key"}, lamin.FilterOptions{}, "expected field=value"},
		{"a bad exclude", "artifact", []string{"id__gte=1"}, lamin.FilterOptions{Exclude: []string{"nope=1"}}, "Unknown field 'nope'"},
		{"a bad order", "artifact", nil, lamin.FilterOptions{Order: []string{"-nope"}}, "Unknown field 'nope'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.in.Filter(e.ctx, tt.registry, tt.exprs, tt.opts)
			if !errors.Is(err, lamin.ErrInvalid) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want ErrInvalid containing %q", err, tt.msg)
			}
		})
	}
	if _, err := e.in.Count(e.ctx, "artifact", []string{"nonsense=1"}); !errors.Is(err, lamin.ErrInvalid) {
		t.Errorf("count: %v", err)
	}
}

func TestCountMatchesFilter(t *testing.T) {
	e := newQueryEnv(t)
	tests := []struct {
		name     string
		registry string
		exprs    []string
		want     int64
	}{
		{"every visible artifact", "artifact", nil, 4},
		{"artifacts of one creator", "artifact", []string{"created_by__handle=testuser2"}, 3},
		{"trash counts when named", "artifact", []string{"branch_id=-1"}, 1},
		{"notebooks", "transforms", []string{"type=notebook"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := e.in.Count(e.ctx, tt.registry, tt.exprs)
			if err != nil || n != tt.want {
				t.Errorf("count = %d, %v; want %d", n, err, tt.want)
			}
		})
	}
}

func TestSearchRanksAndFallsBackToSimilarRecords(t *testing.T) {
	e := newQueryEnv(t)
	tests := []struct {
		name     string
		registry string
		text     string
		limit    int
		wantKeys []any
		hint     string
	}{
		{"the reference query matches the title exactly", "transform", "GWS CRIPSRa analysis", 0, []any{"hit-identification.ipynb"}, ""},
		{"a corrected spelling finds it by similarity", "transform", "GWS CRISPRa analysis", 1, []any{"hit-identification.ipynb"},
			"no exact matches for 'GWS CRISPRa analysis', showing similar records"},
		{"equal ranks are ordered by id", "transform", "notebook", 0, []any{"hit-identification.ipynb", "schmidt22.ipynb"}, ""},
		{"artifacts are searched by key", "artifact", "perturbseq", 0, []any{"fastq/perturbseq_R1_001.fastq.gz", "fastq/perturbseq_R2_001.fastq.gz"}, ""},
		{"the limit caps the hits", "artifact", "fastq", 1, []any{"fastq/perturbseq_R1_001.fastq.gz"}, ""},
		{"nothing similar gives no rows", "transform", "zzzz qqqq", 0, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, hint, err := e.in.Search(e.ctx, tt.registry, tt.text, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var keys []any
			if rows.Len() > 0 {
				keys = column(t, rows, "key")
			}
			if diff := cmp.Diff(tt.wantKeys, keys); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if hint != tt.hint {
				t.Errorf("hint %q, want %q", hint, tt.hint)
			}
		})
	}
}

func TestLookupNamesRecordsByAField(t *testing.T) {
	e := newQueryEnv(t)
	tests := []struct {
		name     string
		registry string
		field    string
		want     map[string]int64 // attribute → id
	}{
		{"users by handle", "user", "", map[string]int64{"testuser1": 1, "testuser2": 2}},
		{"transforms by key", "transform", "", map[string]int64{"hit_identification_ipynb": 1, "cell_ranger": 2, "schmidt22_ipynb": 3}},
		{"duplicates keep the first record", "transform", "type", map[string]int64{"notebook": 1, "pipeline": 2}},
		{"NULL values are left out and names get ln_", "transform", "version", map[string]int64{"ln_7_2_0": 2}},
		{"storage by root", "storage", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.in.Lookup(e.ctx, tt.registry, tt.field)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]int64{}
			for k, v := range got {
				ids[k] = v.(map[string]any)["id"].(int64)
			}
			if tt.want == nil {
				// The root is a temporary path: one record, named after it.
				if len(ids) != 1 {
					t.Errorf("storage lookup %v", ids)
				}
				return
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Error(diff)
			}
		})
	}
	users, _ := e.in.Lookup(e.ctx, "user", "")
	if u := users["testuser1"].(map[string]any); u["handle"] != "testuser1" || u["uid"] == nil {
		t.Errorf("testuser1 record %v", u)
	}
	if _, err := e.in.Lookup(e.ctx, "user", "nickname"); !errors.Is(err, lamin.ErrInvalid) || !strings.Contains(err.Error(), "Unknown field 'nickname'") {
		t.Errorf("unknown field: %v", err)
	}
}

func TestViewShowsTheNewestRecordsOfEachRegistry(t *testing.T) {
	e := newQueryEnv(t)
	all, err := e.in.View(e.ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	got := map[string][]int64{}
	for _, rows := range all {
		titles = append(titles, rows.Registry.Title)
		got[rows.Registry.Title] = ids(t, rows)
	}
	if diff := cmp.Diff([]string{"Artifact", "Run", "Storage", "Transform"}, titles); diff != "" {
		t.Errorf("registries (-want +got):\n%s", diff)
	}
	want := map[string][]int64{
		"Artifact":  {e.order[3], e.order[2]},
		"Run":       {1, 2},
		"Storage":   {1},
		"Transform": {3, 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	def, err := e.in.View(e.ctx, 0)
	if err != nil || def[0].Len() != 4 || def[1].Len() != 3 {
		t.Errorf("default limit: %v", err)
	}
}

func TestSelectKeepsTheIndexAndNamedColumns(t *testing.T) {
	e := newQueryEnv(t)
	rows := e.filter("transform", []string{"type=notebook"}, lamin.FilterOptions{Include: []string{"created_by__handle"}})
	sel, err := rows.Select("created_by__handle", "key")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{int64(1), "testuser2", "hit-identification.ipynb"}, {int64(3), "testuser1", "schmidt22.ipynb"}}
	if diff := cmp.Diff([]string{"id", "created_by__handle", "key"}, sel.Columns); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff(want, sel.Values); diff != "" {
		t.Error(diff)
	}
	if _, err := rows.Select("nope"); !errors.Is(err, lamin.ErrInvalid) {
		t.Errorf("unknown column: %v", err)
	}
}
