package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// page gets an HTML page with the token and checks what every page must be.
func (f *fixture) page(path string, status int) string {
	f.t.Helper()
	res := f.get(path)
	if res.StatusCode != status {
		f.t.Fatalf("GET %s: %s, want %d:\n%s", path, res.Status, status, res.body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		f.t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		f.t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
	}
	if strings.Contains(res.body, hostile) || strings.Contains(res.body, "<script") {
		f.t.Errorf("GET %s: the page holds a script:\n%s", path, res.body)
	}
	return res.body
}

func TestTheOverviewListsEveryRegistryWithLinkedUIDs(t *testing.T) {
	f := newFixture(t)
	body := f.page("/", http.StatusOK)
	for _, want := range []string{
		`<a href="/ui/artifacts/` + f.raw.UID + `">` + f.raw.UID + `</a>`,
		`<a href="/ui/runs/` + f.run.UID + `">`,
		`<a href="/ui/transforms/` + f.run.Transform.UID + `">`,
		">Artifact<", ">Run<", ">Transform<", ">Storage<",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		`<form class="search" action="/ui/search"`,
		"testuser1/mydata",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %s", want)
		}
	}
}

func TestTheFilterPageShowsTheMatchingRecordsAndItsForm(t *testing.T) {
	f := newFixture(t)
	body := f.page("/ui/artifacts?key__startswith=raw/", http.StatusOK)
	if !strings.Contains(body, f.raw.UID) || !strings.Contains(body, f.plates.UID) || strings.Contains(body, f.hits.UID) {
		t.Errorf("filter page shows the wrong records:\n%s", body)
	}
	if !strings.Contains(body, `<textarea name="expr" rows="3">key__startswith=raw/</textarea>`) {
		t.Errorf("the form does not hold the filter:\n%s", body)
	}
	if strings.Index(body, f.plates.UID) > strings.Index(body, f.raw.UID) {
		t.Error("the newest record is not first")
	}
	form := f.page("/ui/artifacts?expr=suffix%3D.csv%0D%0Akey__startswith%3Draw/", http.StatusOK)
	if !strings.Contains(form, f.raw.UID) || strings.Contains(form, f.plates.UID) || strings.Contains(form, f.hits.UID) {
		t.Errorf("the form's expressions were not all applied:\n%s", form)
	}
	bad := f.page("/ui/artifacts?colour=red", http.StatusBadRequest)
	if !strings.Contains(bad, `class="error"`) || !strings.Contains(bad, "colour") || !strings.Contains(bad, `name="expr"`) {
		t.Errorf("a bad filter does not show its message with the form:\n%s", bad)
	}
}

func TestTheSearchPageShowsTheHits(t *testing.T) {
	f := newFixture(t)
	body := f.page("/ui/search?registry=artifact&q=screen", http.StatusOK)
	if !strings.Contains(body, f.raw.UID) || !strings.Contains(body, `value="screen"`) {
		t.Errorf("search page:\n%s", body)
	}
}

func TestRecordPagesShowTheCardLinksAndLineage(t *testing.T) {
	f := newFixture(t)
	art := f.page("/ui/artifacts/"+f.hits.UID, http.StatusOK)
	for _, want := range []string{
		f.hits.UID, "results/hits.csv",
		`<a href="/ui/runs/` + f.run.UID + `">`,
		`href="/api/artifacts/` + f.hits.UID + `/content"`,
		"<svg", "run_" + f.run.UID,
	} {
		if !strings.Contains(art, want) {
			t.Errorf("artifact page lacks %s", want)
		}
	}
	if strings.Contains(art, "<?xml") {
		t.Error("the inline SVG keeps its XML declaration")
	}
	run := f.page("/ui/runs/"+f.run.UID, http.StatusOK)
	for _, want := range []string{"analysis.ipynb", "completed", `<a href="/ui/artifacts/` + f.raw.UID + `">`,
		`<a href="/ui/artifacts/` + f.hits.UID + `">`, `<a href="/ui/transforms/` + f.run.Transform.UID + `">`, "<svg"} {
		if !strings.Contains(run, want) {
			t.Errorf("run page lacks %s", want)
		}
	}
	tr := f.page("/ui/transforms/"+f.run.Transform.UID, http.StatusOK)
	if !strings.Contains(tr, `<a href="/ui/runs/`+f.run.UID+`">`) || !strings.Contains(tr, "find hits") {
		t.Errorf("transform page:\n%s", tr)
	}
	note := f.page("/ui/artifacts/"+f.note.UID, http.StatusOK)
	if !strings.Contains(note, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the hostile description is not shown as text:\n%s", note)
	}
	folder := f.page("/ui/artifacts/"+f.plates.UID, http.StatusOK)
	if strings.Contains(folder, "/content") {
		t.Error("a folder offers a download")
	}
	missing := f.page("/ui/artifacts/zzzzzzzzzzzzzzzzzzzz", http.StatusNotFound)
	if !strings.Contains(missing, "No record found") {
		t.Errorf("missing artifact page:\n%s", missing)
	}
}

func TestTheStyleSheetIsServed(t *testing.T) {
	f := newFixture(t)
	res := f.getOK("/static/style.css")
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(res.body, "table") {
		t.Errorf("style sheet %s: %.100s", res.Header.Get("Content-Type"), res.body)
	}
}
