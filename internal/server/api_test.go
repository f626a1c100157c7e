package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lamin-go/lamin/internal/cli"
)

func TestFilterParametersSelectTheRecordsLikeTheCLI(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"key__startswith=raw/", []string{f.raw.UID, f.plates.UID}},
		{"key__startswith=raw/&created_by__handle=testuser1&suffix=.csv", []string{f.raw.UID}},
		{"key__startswith=raw/&order=-id&limit=1", []string{f.plates.UID}},
		{"description__icontains=SCRIPT", []string{f.note.UID}},
		{"expr=key__startswith%3Dresults/", []string{f.hits.UID}},
	} {
		t.Run(c.query, func(t *testing.T) {
			if got := f.getOK("/api/artifacts?" + c.query).uids(t); !slices.Equal(got, c.want) {
				t.Errorf("uids %v, want %v", got, c.want)
			}
		})
	}
}

func TestFilterAnswersWhatLaminFilterPrintsAsJSON(t *testing.T) {
	f := newFixture(t)
	api := f.getOK("/api/artifact?key__startswith=raw/&columns=uid,key,size")
	var out, errOut bytes.Buffer
	app := &cli.App{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(k string) string {
		switch k {
		case "LAMIN_SETTINGS_DIR":
			return f.opts.SettingsDir
		case "LAMIN_CACHE_DIR":
			return f.opts.CacheDir
		}
		return ""
	}}
	if code := app.Run(t.Context(), []string{"filter", "artifact", "key__startswith=raw/", "--columns", "uid,key,size", "--format", "json"}); code != 0 {
		t.Fatalf("lamin filter: exit %d: %s", code, errOut.String())
	}
	if api.body != out.String() {
		t.Errorf("API body differs from `lamin filter --format json`:\n%s\nvs\n%s", api.body, out.String())
	}
	if ct := api.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var rows []map[string]any
	api.decode(t, &rows)
	if len(rows) != 2 || len(rows[0]) != 4 || rows[0]["key"] != "raw/screen.csv" {
		t.Errorf("rows %v: want id, uid, key and size of two artifacts", rows)
	}
}

func TestSearchRanksTheBestMatchFirst(t *testing.T) {
	f := newFixture(t)
	got := f.getOK("/api/artifacts/search?q=raw+screen&limit=5").uids(t)
	if len(got) == 0 || got[0] != f.raw.UID {
		t.Errorf("search uids %v, want %s first", got, f.raw.UID)
	}
	if got := f.getOK("/api/transform/search?q=hits").uids(t); len(got) != 1 || got[0] != f.run.Transform.UID {
		t.Errorf("transform search %v", got)
	}
	if res := f.get("/api/artifacts/search"); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.errorMessage(t), "?q=") {
		t.Errorf("search without q: %s %s", res.Status, res.body)
	}
}

func TestDescribeReturnsTheCardsOfArtifactsRunsAndTransforms(t *testing.T) {
	f := newFixture(t)
	var art struct {
		Artifact struct {
			UID         string `json:"uid"`
			Description string `json:"description"`
		} `json:"artifact"`
		InputOfRuns []string `json:"input_of_runs"`
		CreatedBy   string   `json:"created_by"`
	}
	f.getOK("/api/artifacts/"+f.raw.UID[:16]).decode(t, &art)
	if art.Artifact.UID != f.raw.UID || art.Artifact.Description != "raw screen" || art.CreatedBy != "testuser1" ||
		!slices.Equal(art.InputOfRuns, []string{f.run.UID}) {
		t.Errorf("artifact card %+v", art)
	}
	var hits struct {
		RunUID       string `json:"run_uid"`
		TransformKey string `json:"transform_key"`
	}
	f.getOK("/api/artifact/"+f.hits.UID).decode(t, &hits)
	if hits.RunUID != f.run.UID || hits.TransformKey != "analysis.ipynb" {
		t.Errorf("output card %+v", hits)
	}
	var run struct {
		Status    string `json:"status"`
		Transform struct {
			Key string `json:"key"`
		} `json:"transform"`
		Inputs  []struct{ UID string } `json:"inputs"`
		Outputs []struct{ UID string } `json:"outputs"`
	}
	f.getOK("/api/runs/"+f.run.UID).decode(t, &run)
	if run.Status != "completed" || run.Transform.Key != "analysis.ipynb" || len(run.Inputs) != 1 || run.Inputs[0].UID != f.raw.UID ||
		len(run.Outputs) != 1 || run.Outputs[0].UID != f.hits.UID {
		t.Errorf("run card %+v", run)
	}
	var tr struct {
		Runs []struct {
			UID     string `json:"uid"`
			Inputs  int    `json:"n_inputs"`
			Outputs int    `json:"n_outputs"`
		} `json:"runs"`
	}
	f.getOK("/api/transforms/"+f.run.Transform.UID).decode(t, &tr)
	if len(tr.Runs) != 1 || tr.Runs[0].UID != f.run.UID || tr.Runs[0].Inputs != 1 || tr.Runs[0].Outputs != 1 {
		t.Errorf("transform card %+v", tr)
	}
}

func TestContentSendsTheArtifactsBytesAsAnAttachment(t *testing.T) {
	f := newFixture(t)
	res := f.getOK("/api/artifacts/" + f.raw.UID + "/content")
	if res.body != f.rawBytes {
		t.Errorf("body %q, want %q", res.body, f.rawBytes)
	}
	for name, want := range map[string]string{
		"Content-Type":        "text/csv; charset=utf-8",
		"Content-Length":      strconv.Itoa(len(f.rawBytes)),
		"Content-Disposition": "attachment; filename=screen.csv",
	} {
		if got := res.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	note := f.getOK("/api/artifacts/" + f.note.UID + "/content")
	if cd := note.Header.Get("Content-Disposition"); cd != "attachment; filename="+f.note.UID+".txt" {
		t.Errorf("an artifact without a key downloads as %q", cd)
	}
	folder := f.get("/api/artifacts/" + f.plates.UID + "/content")
	if folder.StatusCode != http.StatusBadRequest || !strings.Contains(folder.errorMessage(t), "is a folder") {
		t.Errorf("folder content: %s %s", folder.Status, folder.body)
	}
	var cnt struct {
		InputOfRuns []string `json:"input_of_runs"`
	}
	f.getOK("/api/artifacts/"+f.note.UID).decode(t, &cnt)
	if len(cnt.InputOfRuns) != 0 {
		t.Errorf("a download was recorded as a run input: %v", cnt.InputOfRuns)
	}
}

func TestLineageDrawsTheRunBetweenInputAndOutput(t *testing.T) {
	f := newFixture(t)
	var g struct {
		Nodes []struct {
			ID string `json:"id"`
		} `json:"nodes"`
		Edges []struct {
			Source string `json:"source"`
			Target string `json:"target"`
		} `json:"edges"`
	}
	f.getOK("/api/lineage/"+f.hits.UID+"?format=json").decode(t, &g)
	raw, run, hits := "artifact_"+f.raw.UID, "run_"+f.run.UID, "artifact_"+f.hits.UID
	var nodes, edges []string
	for _, n := range g.Nodes {
		nodes = append(nodes, n.ID)
	}
	for _, e := range g.Edges {
		edges = append(edges, e.Source+"->"+e.Target)
	}
	slices.Sort(nodes)
	want := []string{raw, hits, run}
	slices.Sort(want)
	if !slices.Equal(nodes, want) {
		t.Errorf("nodes %v, want %v", nodes, want)
	}
	if !slices.Contains(edges, raw+"->"+run) || !slices.Contains(edges, run+"->"+hits) || len(edges) != 2 {
		t.Errorf("edges %v", edges)
	}

	svg := f.getOK("/api/lineage/" + f.hits.UID + "?format=svg")
	body := strings.TrimSpace(svg.body)
	if _, rest, ok := strings.Cut(body, "?>"); ok && strings.HasPrefix(body, "<?xml") {
		body = strings.TrimSpace(rest)
	}
	if !strings.HasPrefix(body, "<svg") || !strings.Contains(body, run) || svg.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("svg (%s):\n%.300s", svg.Header.Get("Content-Type"), svg.body)
	}
	up := f.getOK("/api/lineage/" + f.hits.UID + "?format=mermaid&up=1&depth=1")
	if !strings.Contains(up.body, "flowchart") && !strings.Contains(up.body, "graph") {
		t.Errorf("mermaid:\n%s", up.body)
	}
	if res := f.get("/api/lineage/" + f.hits.UID + "?format=png"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("format=png: %s %s", res.Status, res.body)
	}
}

func TestErrorsHaveTheStatusOfTheirCategory(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name, method, path string
		status             int
		says               string
	}{
		{"an unknown artifact uid", "GET", "/api/artifacts/zzzzzzzzzzzzzzzzzzzz", 404, "No record found"},
		{"an unknown run uid", "GET", "/api/runs/zzzzzzzzzzzzzzzz", 404, "no run"},
		{"an unknown lineage uid", "GET", "/api/lineage/zzzzzzzzzzzzzzzzzzzz", 404, "No record found"},
		{"an unknown field", "GET", "/api/artifacts?colour=red", 400, "colour"},
		{"a bad lookup", "GET", "/api/artifacts?size__near=3", 400, "near"},
		{"a bad limit", "GET", "/api/artifacts?limit=many", 400, "limit=many"},
		{"an unknown registry", "GET", "/api/dragons", 400, "unknown registry"},
		{"an unknown registry for a uid", "GET", "/api/dragons/abc", 400, "unknown registry"},
		{"a registry without cards", "GET", "/api/users/abc", 404, "not described"},
		{"a POST", "POST", "/api/artifacts", 405, "read-only"},
		{"a DELETE", "DELETE", "/api/artifacts/" + "x", 405, "read-only"},
		{"an unknown path", "GET", "/api/artifacts/a/b/c", 404, "no page or endpoint"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := f.do(c.method, c.path, "Authorization: Bearer "+testToken)
			if res.StatusCode != c.status {
				t.Fatalf("status %s, want %d: %s", res.Status, c.status, res.body)
			}
			msg := res.errorMessage(t)
			if !strings.Contains(msg, c.says) || strings.Contains(msg, "\n") {
				t.Errorf("message %q does not say %q on one line", msg, c.says)
			}
			if c.status == 405 && res.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q", res.Header.Get("Allow"))
			}
		})
	}
}

// TestConcurrentRequestsShareOneInstance sends many requests at once, as
// browsers and scripts do: every answer is complete and the same as alone
// (run with -race, this also checks the shared instance for data races).
func TestConcurrentRequestsShareOneInstance(t *testing.T) {
	f := newFixture(t)
	paths := []string{
		"/api/artifact?key__startswith=raw/",
		"/api/transform/search?q=analysis",
		"/api/artifacts/" + f.hits.UID,
		"/api/artifacts/" + f.raw.UID + "/content",
		"/api/lineage/" + f.hits.UID + "?format=json",
		"/ui/artifacts/" + f.hits.UID,
		"/",
	}
	want := map[string]string{}
	for _, p := range paths {
		want[p] = f.getOK(p).body
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(paths))
	for i := 0; i < 8; i++ {
		for _, p := range paths {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := f.get(p)
				if r.StatusCode != http.StatusOK || r.body != want[p] {
					errs <- fmt.Sprintf("%s: %d, body differs: %v", p, r.StatusCode, r.body != want[p])
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
