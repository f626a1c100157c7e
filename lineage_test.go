package lamin_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/cli"
	"github.com/lamin-go/lamin/internal/lineage"
	"github.com/parquet-go/parquet-go"
)

var update = flag.Bool("update", false, "rewrite the golden files in internal/cli/testdata/golden")

// project is a Schmidt22-like instance made through the SDK: raw screen
// data → hit identification → hits; upload → Cell Ranger → three matrix
// files → post-processing → h5ad; h5ad and hits → integrated analysis → two
// figures; a review notebook reads the matrixplot figure.
type project struct {
	*env
	raw, hits, fastq1, fastq2, h5ad, umap, matrixplot    *lamin.Artifact
	matrix                                               []*lamin.Artifact
	hitRun, upload, cellranger, post, integrated, review *lamin.Run
}

// as opens the instance as handle, like a separate program run by that user.
func (p *project) as(handle string) *lamin.Instance {
	p.t.Helper()
	if _, err := lamin.Login(handle, "", p.opts); err != nil {
		p.t.Fatal(err)
	}
	in, err := lamin.Open(p.ctx, "", p.opts)
	if err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { in.Close() })
	return in
}

func (p *project) track(in *lamin.Instance, spec lamin.TransformSpec) *lamin.Run {
	p.t.Helper()
	r, err := in.Track(p.ctx, lamin.TrackOptions{TransformSpec: spec})
	if err != nil {
		p.t.Fatalf("track %s: %v", spec.Key, err)
	}
	return r
}

func (p *project) read(in *lamin.Instance, arts ...*lamin.Artifact) {
	p.t.Helper()
	for _, a := range arts {
		own, err := in.GetArtifact(p.ctx, a.UID)
		if err != nil {
			p.t.Fatal(err)
		}
		if _, err := in.Cache(p.ctx, own, lamin.CacheOptions{}); err != nil {
			p.t.Fatal(err)
		}
	}
}

func (p *project) saveAs(in *lamin.Instance, path string, o lamin.ArtifactOptions) *lamin.Artifact {
	p.t.Helper()
	a, err := in.NewArtifact(p.ctx, path, o)
	if err != nil {
		p.t.Fatalf("new artifact %s: %v", path, err)
	}
	if err := a.Save(p.ctx); err != nil {
		p.t.Fatalf("save %s: %v", path, err)
	}
	return a
}

func newProject(t *testing.T) *project {
	t.Helper()
	p := &project{env: newEnv(t)}
	inRoot := func(rel, content string) string {
		path := filepath.Join(p.root(), filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}

	// testuser1 uploads the screen results without a run.
	p.raw = p.save(inRoot("schmidt22-crispra-gws-IFNG.csv", "gene,pos|fdr\nIFNG,0.001\nIL2,0.2\nCD4,0.004\n"),
		lamin.ArtifactOptions{Description: "Raw data of schmidt22 crispra GWS"})

	in := p.as("testuser2")
	p.hitRun = p.track(in, lamin.TransformSpec{UID: "T0T28btuB0PG0000", Key: "hit-identification.ipynb",
		Type: lamin.TypeNotebook, Description: "GWS CRIPSRa analysis"})
	p.read(in, p.raw)
	type hit struct {
		Gene string  `parquet:"gene"`
		FDR  float64 `parquet:"fdr"`
	}
	hitsPath := filepath.Join(p.dir, "hits.parquet")
	if err := parquet.WriteFile(hitsPath, []hit{{"IFNG", 0.001}, {"CD4", 0.004}}); err != nil {
		t.Fatal(err)
	}
	p.hits = p.saveAs(in, hitsPath, lamin.ArtifactOptions{Description: "hits from schmidt22 crispra GWS", Kind: "dataset"})

	in = p.as("testuser1")
	uploadScript := p.write("chromium_10x_upload.py", "# writes the sequencer output into the storage root\n")
	p.upload = p.track(in, lamin.TransformSpec{UID: "qCJPkOuZAi9q0000", Path: uploadScript})
	p.fastq1 = p.saveAs(in, inRoot("fastq/perturbseq_R1_001.fastq.gz", "Rk9xQ1"), lamin.ArtifactOptions{})
	p.fastq2 = p.saveAs(in, inRoot("fastq/perturbseq_R2_001.fastq.gz", "zT8pLw"), lamin.ArtifactOptions{})
	if err := p.upload.Finish(p.ctx, nil); err != nil {
		t.Fatal(err)
	}

	in = p.as("testuser2")
	p.cellranger = p.track(in, lamin.TransformSpec{Key: "Cell Ranger", Type: lamin.TypePipeline, Version: "7.2.0",
		Reference: "https://www.10xgenomics.com/support/software/cell-ranger/latest", ReferenceType: "url"})
	p.read(in, p.fastq1, p.fastq2)
	for i, name := range []string{"barcodes.tsv.gz", "features.tsv.gz", "matrix.mtx.gz"} {
		inRoot("perturbseq/filtered_feature_bc_matrix/"+name, fmt.Sprintf("m%d4xQ", i))
	}
	matrix, err := in.ArtifactsFromDir(p.ctx, filepath.Join(p.root(), "perturbseq", "filtered_feature_bc_matrix"), lamin.ArtifactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.SaveAll(p.ctx, matrix); err != nil {
		t.Fatal(err)
	}
	p.matrix = matrix

	in = p.as("testuser2")
	postScript := p.write("postprocess_cellranger.py", "# turns the Cell Ranger matrix into an h5ad\n")
	p.post = p.track(in, lamin.TransformSpec{UID: "YqmbO6oMXjRj0000", Path: postScript})
	p.read(in, p.matrix...)
	p.h5ad = p.saveAs(in, inRoot("schmidt22_perturbseq.h5ad", "not really HDF5"), lamin.ArtifactOptions{Description: "perturbseq counts"})

	in = p.as("testuser2")
	p.integrated = p.track(in, lamin.TransformSpec{UID: "lB3IyPLQSmvt0000", Key: "integrated-analysis.ipynb",
		Type: lamin.TypeNotebook, Description: "Perform single cell analysis, integrate with CRISPRa screen"})
	p.read(in, p.h5ad, p.hits)
	p.umap = p.saveAs(in, p.write("umap.png", "png 1"), lamin.ArtifactOptions{Key: "figures/umap_fig1_score-wgs-hits.png"})
	p.matrixplot = p.saveAs(in, p.write("matrixplot.png", "png 2"), lamin.ArtifactOptions{Key: "figures/matrixplot_fig2_score-wgs-hits-per-cluster.png"})

	in = p.as("testuser1")
	p.review = p.track(in, lamin.TransformSpec{UID: "1LCd8kco9lZU0000", Key: "schmidt22.ipynb", Type: lamin.TypeNotebook,
		Description: "Trace data & code in a project: Schmidt _et al._ (2022)"})
	p.read(in, p.matrixplot)
	return p
}

// cli runs a lamin command line in-process against the project.
func (p *project) cli(args ...string) (string, error) {
	var out, errOut bytes.Buffer
	app := p.app(&out, &errOut)
	if code := app.Run(p.ctx, args); code != 0 {
		return out.String(), fmt.Errorf("lamin %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String(), nil
}

func (p *project) app(out, errOut io.Writer) *cli.App {
	return &cli.App{In: strings.NewReader(""), Out: out, Err: errOut, Getenv: func(k string) string {
		switch k {
		case "LAMIN_SETTINGS_DIR":
			return p.opts.SettingsDir
		case "LAMIN_CACHE_DIR":
			return p.opts.CacheDir
		case "LAMIN_INSTANCE":
			return p.root()
		}
		return ""
	}}
}

func (p *project) lineage(uid string, o lamin.LineageOptions) *lamin.Graph {
	p.t.Helper()
	g, err := p.in.Lineage(p.ctx, uid, o)
	if err != nil {
		p.t.Fatalf("lineage of %s: %v", uid, err)
	}
	return g
}

func TestLineageOfAFigureShowsTheWholeChainAndTheReviewBelow(t *testing.T) {
	p := newProject(t)
	var b bytes.Buffer
	if err := p.lineage(p.umap.UID, lamin.LineageOptions{}).Render(&b, "text"); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	lines := strings.Split(text, "\n")
	find := func(s string) (int, string) {
		for i, l := range lines {
			if strings.Contains(l, s) {
				return i, l
			}
		}
		t.Fatalf("%q not in\n%s", s, text)
		return 0, ""
	}
	for _, s := range []string{"📄 Raw data of schmidt22 crispra GWS", "📔 GWS CRIPSRa analysis", "📄 hits from schmidt22 crispra GWS",
		"📝 chromium_10x_upload.py", "📄 fastq/perturbseq_R1_001.fastq.gz", "📄 fastq/perturbseq_R2_001.fastq.gz", "🧩 Cell Ranger",
		"📄 perturbseq/filtered_feature_bc_matrix/barcodes.tsv.gz", "📄 perturbseq/filtered_feature_bc_matrix/features.tsv.gz",
		"📄 perturbseq/filtered_feature_bc_matrix/matrix.mtx.gz", "📝 postprocess_cellranger.py", "📄 perturbseq counts",
		"📔 Perform single cell analysis, integrate with CRISPRa screen", "📄 figures/matrixplot_fig2_score-wgs-hits-per-cluster.png",
		"📔 Trace data & code in a project: Schmidt _et al._ (2022)"} {
		find(s)
	}
	figure, figLine := find("📄 figures/umap_fig1_score-wgs-hits.png")
	plot, plotLine := find("📄 figures/matrixplot_fig2")
	review, reviewLine := find("📔 Trace data & code")
	if !strings.HasSuffix(figLine, " ◀") {
		t.Errorf("the queried figure is not marked: %q", figLine)
	}
	indent := func(l string) int { return len([]rune(l)) - len([]rune(strings.TrimLeft(l, " │├└─"))) }
	if !(figure < review && plot < review && indent(reviewLine) > indent(plotLine)) {
		t.Errorf("the review run is not drawn below the matrixplot figure:\n%s", text)
	}
}

func TestLineageDOTMatchesTheGoldenFile(t *testing.T) {
	p := newProject(t)
	dot, err := p.cli("lineage", p.umap.UID, "--format", "dot")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, p, "lineage_schmidt22.dot", dot)
}

func TestDescribeCardsMatchTheGoldenFiles(t *testing.T) {
	p := newProject(t)
	tests := []struct {
		name, uid, file string
	}{
		{"a finished script's transform card lists its run", "qCJPkOuZAi9q0000", "describe_transform_script.txt"},
		{"a pipeline's transform card shows version and reference", p.cellranger.Transform.UID, "describe_transform_pipeline.txt"},
		{"a run card lists inputs and outputs", p.post.UID, "describe_run_postprocess.txt"},
		{"a finished run card shows status and duration", p.upload.UID, "describe_run_upload.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := p.app(&out, &errOut).Describe(p.ctx, tt.uid); err != nil {
				t.Fatalf("describe %s: %v", tt.uid, err)
			}
			golden(t, p, tt.file, out.String())
		})
	}
}

var (
	uidRE      = regexp.MustCompile(`([0-9A-Za-z]{8,20})( {2,})?`)
	timeRE     = regexp.MustCompile(`(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: UTC|Z|[+-]\d{2}:\d{2})?)( {2,})?`)
	durationRE = regexp.MustCompile(`(duration: [0-9.]+(?:ns|µs|ms|s|m|h)\S*)( {2,})?`)
)

// replaceAligned replaces group 1 of every match of re by what with(group
// 1) returns, keeping columns aligned: padding that follows (group 2) is
// lengthened or shortened by the difference, leaving at least two spaces.
func replaceAligned(s string, re *regexp.Regexp, with func(string) string) string {
	return re.ReplaceAllStringFunc(s, func(m string) string {
		sub := re.FindStringSubmatch(m)
		rep := with(sub[1])
		if sub[2] == "" {
			return rep
		}
		width := len([]rune(sub[1])) + len(sub[2])
		return rep + strings.Repeat(" ", max(2, width-len([]rune(rep))))
	})
}

// golden compares got with internal/cli/testdata/golden/name after
// replacing uids that differ between runs by <kind-N> (numbered in order
// of appearance) and times by <time>; -update rewrites the file.
func golden(t *testing.T, p *project, name, got string) {
	t.Helper()
	got = p.placeholders(got)
	path := filepath.Join("internal", "cli", "testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; create it with `go test -run %s -update`", err, strings.Split(t.Name(), "/")[0])
	}
	if got != string(want) {
		t.Fatalf("%s differs from the golden file (rerun with -update if the change is intended):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// placeholders replaces the uids of every record made with random uids
// (artifacts, runs, users, transforms without a seed uid) and all times.
func (p *project) placeholders(s string) string {
	kinds := map[string]string{}
	for _, q := range []struct{ kind, sql string }{
		{"artifact", `SELECT uid FROM lamindb_artifact`},
		{"run", `SELECT uid FROM lamindb_run`},
		{"user", `SELECT uid FROM lamindb_user`},
		{"transform", `SELECT uid FROM lamindb_transform WHERE uid NOT IN ('T0T28btuB0PG0000', 'qCJPkOuZAi9q0000', 'YqmbO6oMXjRj0000', 'lB3IyPLQSmvt0000', '1LCd8kco9lZU0000')`},
	} {
		rows, err := lamin.StoreOf(p.in).Query(p.ctx, q.sql)
		if err != nil {
			p.t.Fatal(err)
		}
		for rows.Next() {
			var u string
			rows.Scan(&u)
			kinds[u] = q.kind
		}
		rows.Close()
	}
	seen := map[string]string{}
	n := map[string]int{}
	s = replaceAligned(s, uidRE, func(m string) string {
		kind, ok := kinds[m]
		if !ok {
			return m
		}
		if ph, ok := seen[m]; ok {
			return ph
		}
		n[kind]++
		seen[m] = fmt.Sprintf("<%s-%d>", kind, n[kind])
		return seen[m]
	})
	s = replaceAligned(s, durationRE, func(string) string { return "duration: <duration>" })
	return replaceAligned(s, timeRE, func(string) string { return "<time>" })
}

func TestLineageSVGIsValidXMLNamingEveryNode(t *testing.T) {
	p := newProject(t)
	out := filepath.Join(p.dir, "lineage.svg")
	if _, err := p.cli("lineage", p.umap.UID, "--format", "svg", "-o", out); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	dec := xml.NewDecoder(bytes.NewReader(svg))
	inText := false
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
			inText = el.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(el))
			}
		}
	}
	g := p.lineage(p.umap.UID, lamin.LineageOptions{})
	for _, n := range g.Nodes() {
		if !slices.Contains(texts, n.Emoji()+" "+n.Title()) {
			t.Errorf("the SVG does not name %s %q", n.ID, n.Title())
		}
	}
	if len(g.Nodes()) != 16 {
		t.Errorf("%d nodes, want 16 (10 artifacts and 6 runs)", len(g.Nodes()))
	}
}

func TestACycleRendersAndTerminates(t *testing.T) {
	e := newEnv(t)
	yes := true
	run := func(key string) *lamin.Run {
		tr, _, err := e.in.ResolveTransform(e.ctx, lamin.TransformSpec{Key: key, Type: lamin.TypeScript})
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.in.NewRun(e.ctx, tr)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	reads := func(r *lamin.Run, a *lamin.Artifact) {
		if err := e.in.TrackInputs(e.ctx, []*lamin.Artifact{a}, lamin.CacheOptions{Run: r, IsRunInput: &yes}); err != nil {
			t.Fatal(err)
		}
	}
	// Three runs feeding each other: a → x → b → y → c → z → a.
	a, b, c := run("a.py"), run("b.py"), run("c.py")
	x := e.save(e.write("x.csv", "x\n1\n"), lamin.ArtifactOptions{Key: "x.csv", Run: a})
	y := e.save(e.write("y.csv", "y\n2\n"), lamin.ArtifactOptions{Key: "y.csv", Run: b})
	z := e.save(e.write("z.csv", "z\n3\n"), lamin.ArtifactOptions{Key: "z.csv", Run: c})
	reads(b, x)
	reads(c, y)
	reads(a, z)
	tests := []struct {
		name  string
		o     lamin.LineageOptions
		nodes []string
	}{
		{"the whole cycle is drawn once", lamin.LineageOptions{}, []string{"a.py", "b.py", "c.py", "x.csv", "y.csv", "z.csv"}},
		{"the walk up terminates", lamin.LineageOptions{Up: true}, []string{"a.py", "b.py", "c.py", "x.csv", "y.csv", "z.csv"}},
		{"the walk down terminates", lamin.LineageOptions{Down: true}, []string{"a.py", "b.py", "c.py", "x.csv", "y.csv", "z.csv"}},
		{"a depth of one shows only the direct neighbours", lamin.LineageOptions{Depth: 1}, []string{"a.py", "b.py", "x.csv", "y.csv", "z.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := e.in.Lineage(e.ctx, x.UID, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range g.Nodes() {
				got = append(got, n.Title())
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.nodes) {
				t.Fatalf("nodes %v, want %v", got, tt.nodes)
			}
			for _, f := range lineage.Formats {
				if err := g.Render(io.Discard, f); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
			}
		})
	}
}

func TestDerivedFromTheRawDataListsWhatFollowed(t *testing.T) {
	p := newProject(t)
	derived, err := p.in.Derived(p.ctx, p.raw.UID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range derived {
		got = append(got, string(n.Kind)+" "+n.UID)
	}
	want := []string{"run " + p.hitRun.UID, "artifact " + p.hits.UID, "run " + p.integrated.UID,
		"artifact " + p.umap.UID, "artifact " + p.matrixplot.UID, "run " + p.review.UID}
	if !slices.Equal(got, want) {
		t.Fatalf("derived %v, want %v (hits, figures and the runs in between; not the h5ad)", got, want)
	}
}

func TestLineageRefusesWhatItCannotDraw(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		uid  string
		o    lamin.LineageOptions
		cat  error
	}{
		{"an unknown uid is not found", "AAAAAAAAAAAAAAAAAAAA", lamin.LineageOptions{}, lamin.ErrNotFound},
		{"a malformed uid is invalid", "not/a/uid", lamin.LineageOptions{}, lamin.ErrInvalid},
		{"a negative depth is invalid", "AAAAAAAAAAAAAAAAAAAA", lamin.LineageOptions{Depth: -1}, lamin.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.in.Lineage(e.ctx, tt.uid, tt.o); !errors.Is(err, tt.cat) {
				t.Fatalf("got %v, want %v", err, tt.cat)
			}
		})
	}
}
