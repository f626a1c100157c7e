package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/server"
)

// testToken is the token every fixture server expects.
const testToken = "test-token-4f9c2e7a1b"

// hostile is a description a page must show as text, never run.
const hostile = "<script>alert(1)</script>"

// fixture is a fresh instance with a small lineage, served by httptest:
// testuser1 registers a raw screen table (key raw/screen.csv), a folder of
// plates (raw/plates) and a note with a hostile description; the notebook
// analysis.ipynb reads the screen and writes results/hits.csv.
type fixture struct {
	t                       *testing.T
	dir                     string
	opts                    lamin.Options
	in                      *lamin.Instance
	srv                     *httptest.Server
	raw, plates, note, hits *lamin.Artifact
	run                     *lamin.Run
	rawBytes                string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	f := &fixture{t: t, dir: dir, rawBytes: "gene,score\nIFNG,0.9\nCD4,0.4\n",
		opts: lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"),
			Getenv: func(string) string { return "" }}}
	if _, err := lamin.Login("testuser1", "", f.opts); err != nil {
		t.Fatal(err)
	}
	in, err := lamin.Init(ctx, filepath.Join(dir, "mydata"), lamin.InitOptions{Options: f.opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	f.in = in
	f.raw = f.save("screen.csv", f.rawBytes, lamin.ArtifactOptions{Key: "raw/screen.csv", Description: "raw screen"})
	f.write("plates/p1.csv", "well,value\nA1,1\n")
	f.write("plates/p2.csv", "well,value\nA1,2\n")
	f.plates = f.saveAt(filepath.Join(dir, "plates"), lamin.ArtifactOptions{Key: "raw/plates"})
	f.note = f.save("note.txt", "remember the controls\n", lamin.ArtifactOptions{Description: hostile})

	if f.run, err = in.Track(ctx, lamin.TrackOptions{TransformSpec: lamin.TransformSpec{
		Key: "analysis.ipynb", Type: lamin.TypeNotebook, Description: "find hits"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Cache(ctx, f.raw, lamin.CacheOptions{}); err != nil {
		t.Fatal(err)
	}
	f.hits = f.save("hits.csv", "gene\nIFNG\n", lamin.ArtifactOptions{Key: "results/hits.csv"})
	if err := f.run.Finish(ctx, nil); err != nil {
		t.Fatal(err)
	}

	srv, err := server.New(in, server.Config{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(srv)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) write(rel, content string) string {
	f.t.Helper()
	p := filepath.Join(f.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) save(rel, content string, o lamin.ArtifactOptions) *lamin.Artifact {
	f.t.Helper()
	return f.saveAt(f.write(rel, content), o)
}

func (f *fixture) saveAt(path string, o lamin.ArtifactOptions) *lamin.Artifact {
	f.t.Helper()
	a, err := f.in.NewArtifact(f.t.Context(), path, o)
	if err != nil {
		f.t.Fatalf("new artifact %s: %v", path, err)
	}
	if err := a.Save(f.t.Context()); err != nil {
		f.t.Fatalf("save %s: %v", path, err)
	}
	return a
}

// response is what a request got back, body read.
type response struct {
	*http.Response
	body string
}

// do sends a request (method GET unless given) to path with the header
// lines given as "Name: value". Redirects are returned, not followed.
func (f *fixture) do(method, path string, header ...string) response {
	f.t.Helper()
	req, err := http.NewRequestWithContext(f.t.Context(), method, f.srv.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, h := range header {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Add(name, value)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{res, string(b)}
}

// get sends an authorized GET.
func (f *fixture) get(path string) response {
	f.t.Helper()
	return f.do(http.MethodGet, path, "Authorization: Bearer "+testToken)
}

// getOK sends an authorized GET and fails the test unless it answers 200.
func (f *fixture) getOK(path string) response {
	f.t.Helper()
	res := f.get(path)
	if res.StatusCode != http.StatusOK {
		f.t.Fatalf("GET %s: %s: %s", path, res.Status, res.body)
	}
	return res
}

// decode parses a JSON body into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("response is not JSON (%v):\n%s", err, r.body)
	}
}

// errorMessage is the message of a JSON error body.
func (r response) errorMessage(t *testing.T) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	r.decode(t, &e)
	if e.Error == "" {
		t.Fatalf("no error message in %s", r.body)
	}
	return e.Error
}

// uids lists the uid of each object of a JSON array body.
func (r response) uids(t *testing.T) []string {
	t.Helper()
	var rows []map[string]any
	r.decode(t, &rows)
	var out []string
	for _, row := range rows {
		u, _ := row["uid"].(string)
		out = append(out, u)
	}
	return out
}
