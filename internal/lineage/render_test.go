package lineage

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/lamin-go/lamin/record"
)

func render(t *testing.T, g *Graph, format string) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, g, format); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return b.String()
}

func TestDOTUsesLaminDBsStyling(t *testing.T) {
	f := newFixture(t)
	s := f.schmidt()
	if _, err := f.store.Exec(f.ctx, `UPDATE lamindb_artifact SET description = ? WHERE id = ?`, "counts & <cells>", s.h5ad.ID); err != nil {
		t.Fatal(err)
	}
	g := f.build(s.umap.UID, Options{})
	dot := render(t, g, "dot")
	lines := strings.Split(dot, "\n")
	tests := []struct {
		name string
		want string
	}{
		{"the graph is named after the queried record", "digraph artifact_" + s.umap.UID + " {"},
		{"nodes default to honeydew with a dark green outline", "\tnode [fillcolor=honeydew color=\"#065f46\" fontname=Helvetica fontsize=10]"},
		{"edges have small arrowheads", "\tedge [arrowsize=0.5]"},
		{"runs are rounded gainsboro boxes labelled with transform, type, user and start",
			"\trun_" + s.post.UID + ` [label=<📝 postprocess_cellranger.py<BR/><FONT COLOR="GREY" POINT-SIZE="10" FACE="Monospace">uid=` +
				g.Node("run_"+s.post.UID).Transform.UID + `<BR/>type=script, user=Test User<BR/>run=` + FormatTime(s.post.StartedAt) + `</FONT>> shape=box style="rounded,filled" fillcolor=gainsboro]`},
		{"artifacts are honeydew with uid and suffix, and '&' is escaped",
			"\tartifact_" + s.h5ad.UID + ` [label=<📄 counts &amp; &lt;cells&gt;<BR/><FONT COLOR="GREY" POINT-SIZE="10" FACE="Monospace">uid=` + s.h5ad.UID + `<BR/>suffix=.csv</FONT>> shape=box style="rounded,filled" fillcolor=honeydew]`},
		{"the queried node is bright green", "\tartifact_" + s.umap.UID + ` [label=<📄 umap figure<BR/><FONT COLOR="GREY" POINT-SIZE="10" FACE="Monospace">uid=` + s.umap.UID + `<BR/>suffix=.csv</FONT>> shape=box style="rounded,filled" fillcolor="#10b981"]`},
		{"edges are dim grey", "\tartifact_" + s.hits.UID + " -> run_" + s.integrated.UID + " [color=dimgrey]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, l := range lines {
				if l == tt.want {
					return
				}
			}
			t.Fatalf("no line\n%s\nin\n%s", tt.want, dot)
		})
	}
}

func TestSVGIsValidXMLNamingEveryNode(t *testing.T) {
	f := newFixture(t)
	s := f.schmidt()
	g := f.build(s.umap.UID, Options{})
	svg := render(t, g, "svg")
	dec := xml.NewDecoder(strings.NewReader(svg))
	var titles, texts []string
	var in string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("invalid XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			in = el.Name.Local
		case xml.EndElement:
			in = ""
		case xml.CharData:
			switch in {
			case "title":
				titles = append(titles, string(el))
			case "text":
				texts = append(texts, string(el))
			}
		}
	}
	all := strings.Join(texts, "\n")
	for _, n := range g.Nodes {
		if !strings.Contains(strings.Join(titles, "\n"), n.ID) || !strings.Contains(all, n.Emoji()+" "+n.Title()) {
			t.Errorf("node %s (%s) is not named in the SVG", n.ID, n.Title())
		}
	}
}

func TestTextShowsTheChainTopDown(t *testing.T) {
	f := newFixture(t)
	s := f.schmidt()
	g := f.build(s.umap.UID, Options{})
	got := render(t, g, "text")
	rn := func(r string) string { return " [run " + r }
	at := func(r *record.Run) string { return FormatTime(r.StartedAt) + "]" }
	want := strings.Join([]string{
		"📄 Raw data of schmidt22 crispra GWS [" + s.raw.UID + " .csv]",
		"└── 📔 hit-identification.ipynb" + rn(s.hitRun.UID) + " · notebook · Test User · " + at(s.hitRun),
		"    └── 📄 hits from schmidt22 crispra GWS [" + s.hits.UID + " .csv]",
		"        └── 📔 integrated-analysis.ipynb" + rn(s.integrated.UID) + " · notebook · Test User · " + at(s.integrated),
		"            ├── 📄 umap figure [" + s.umap.UID + " .csv] ◀",
		"            └── 📄 matrixplot figure [" + s.matrixplot.UID + " .csv]",
		"                └── 📔 schmidt22.ipynb" + rn(s.review.UID) + " · notebook · Test User · " + at(s.review),
		"📝 chromium_10x_upload.py" + rn(s.upload.UID) + " · script · Test User · " + at(s.upload),
		"├── 📄 fastq/perturbseq_R1_001.fastq.gz [" + s.fastq1.UID + " .csv]",
		"│   └── 🧩 Cell Ranger" + rn(s.cellranger.UID) + " · pipeline · Test User · " + at(s.cellranger),
		"│       ├── 📄 barcodes.tsv.gz [" + s.m1.UID + " .csv]",
		"│       │   └── 📝 postprocess_cellranger.py" + rn(s.post.UID) + " · script · Test User · " + at(s.post),
		"│       │       └── 📄 perturbseq counts [" + s.h5ad.UID + " .csv]",
		"│       │           └── 📔 integrated-analysis.ipynb" + rn(s.integrated.UID) + " · notebook · Test User · " + at(s.integrated) + " (see above)",
		"│       ├── 📄 matrix.mtx.gz [" + s.m2.UID + " .csv]",
		"│       │   └── 📝 postprocess_cellranger.py" + rn(s.post.UID) + " · script · Test User · " + at(s.post) + " (see above)",
		"│       └── 📄 features.tsv.gz [" + s.m3.UID + " .csv]",
		"│           └── 📝 postprocess_cellranger.py" + rn(s.post.UID) + " · script · Test User · " + at(s.post) + " (see above)",
		"└── 📄 fastq/perturbseq_R2_001.fastq.gz [" + s.fastq2.UID + " .csv]",
		"    └── 🧩 Cell Ranger" + rn(s.cellranger.UID) + " · pipeline · Test User · " + at(s.cellranger) + " (see above)",
		"",
	}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestMermaidAndJSONCarryEveryNodeAndEdge(t *testing.T) {
	f := newFixture(t)
	s := f.schmidt()
	if _, err := f.store.Exec(f.ctx, `UPDATE lamindb_artifact SET description = ? WHERE id = ?`, `the "raw" file`, s.raw.ID); err != nil {
		t.Fatal(err)
	}
	g := f.build(s.umap.UID, Options{})
	t.Run("mermaid is a top-down flowchart with classes", func(t *testing.T) {
		m := render(t, g, "mermaid")
		for _, want := range []string{"flowchart TD\n", `artifact_` + s.raw.UID + `["📄 the #quot;raw#quot; file<br/>`,
			"run_" + s.post.UID + `("📝 postprocess_cellranger.py`, "    artifact_" + s.hits.UID + " --> run_" + s.integrated.UID + "\n",
			"class artifact_" + s.umap.UID + " queried\n", "classDef run fill:gainsboro"} {
			if !strings.Contains(m, want) {
				t.Errorf("mermaid lacks %q:\n%s", want, m)
			}
		}
		if n := strings.Count(m, " --> "); n != len(g.Edges) {
			t.Errorf("%d edges drawn, want %d", n, len(g.Edges))
		}
	})
	t.Run("json holds the records with LaminDB field names", func(t *testing.T) {
		var doc struct {
			Root  map[string]string `json:"root"`
			Nodes []map[string]any  `json:"nodes"`
			Edges []map[string]string
		}
		if err := json.Unmarshal([]byte(render(t, g, "json")), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Root["kind"] != "artifact" || doc.Root["uid"] != s.umap.UID || len(doc.Nodes) != len(g.Nodes) || len(doc.Edges) != len(g.Edges) {
			t.Fatalf("root %v, %d nodes, %d edges", doc.Root, len(doc.Nodes), len(doc.Edges))
		}
		for _, n := range doc.Nodes {
			switch n["kind"] {
			case "artifact":
				a := n["artifact"].(map[string]any)
				if a["uid"] != n["uid"] || a["suffix"] != ".csv" || n["storage_root"] != "/data/mydata" {
					t.Errorf("artifact node %v", n)
				}
			case "run":
				r, tr, u := n["run"].(map[string]any), n["transform"].(map[string]any), n["created_by"].(map[string]any)
				if r["uid"] != n["uid"] || r["started_at"] == nil || tr["key"] == nil || u["handle"] != "testuser1" {
					t.Errorf("run node %v", n)
				}
			}
		}
	})
}

func TestUnknownFormatsAreRefused(t *testing.T) {
	err := Render(io.Discard, &Graph{}, "png")
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v", err)
	}
}
