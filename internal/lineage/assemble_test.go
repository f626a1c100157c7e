package lineage

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lamin-go/lamin/internal/meta"
)

// titles lists a graph's node titles in graph order.
func titles(g *Graph) []string {
	var out []string
	for _, n := range g.Nodes {
		out = append(out, n.Title())
	}
	return out
}

func edgeTitles(g *Graph) []string {
	var out []string
	for _, e := range g.Edges {
		out = append(out, g.Node(e.From).Title()+" -> "+g.Node(e.To).Title())
	}
	return out
}

func TestTraversalFollowsLaminDBsWalks(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		s := f.schmidt()
		all := []string{"Raw data of schmidt22 crispra GWS", "hit-identification.ipynb", "hits from schmidt22 crispra GWS",
			"chromium_10x_upload.py", "fastq/perturbseq_R1_001.fastq.gz", "fastq/perturbseq_R2_001.fastq.gz", "Cell Ranger",
			"barcodes.tsv.gz", "matrix.mtx.gz", "features.tsv.gz", "postprocess_cellranger.py", "perturbseq counts",
			"integrated-analysis.ipynb", "umap figure", "matrixplot figure", "schmidt22.ipynb"}
		tests := []struct {
			name string
			uid  string
			o    Options
			want []string
		}{
			{"a figure's graph holds its whole ancestry and the review run below it", s.umap.UID, Options{}, all},
			{"up only leaves out the runs that read the outputs", s.umap.UID, Options{Up: true}, all[:len(all)-1]},
			{"a depth of one keeps the figure's run and the runs that read its outputs", s.umap.UID, Options{Depth: 1},
				[]string{"hits from schmidt22 crispra GWS", "perturbseq counts", "integrated-analysis.ipynb", "umap figure", "matrixplot figure", "schmidt22.ipynb"}},
			{"a depth of two reaches one run further up", s.umap.UID, Options{Up: true, Depth: 2},
				[]string{"Raw data of schmidt22 crispra GWS", "hit-identification.ipynb", "hits from schmidt22 crispra GWS",
					"barcodes.tsv.gz", "matrix.mtx.gz", "features.tsv.gz", "postprocess_cellranger.py", "perturbseq counts",
					"integrated-analysis.ipynb", "umap figure", "matrixplot figure"}},
			{"raw data without a run starts its descendants at the runs that read it", s.raw.UID, Options{Down: true},
				[]string{"Raw data of schmidt22 crispra GWS", "hit-identification.ipynb", "hits from schmidt22 crispra GWS",
					"perturbseq counts", "integrated-analysis.ipynb", "umap figure", "matrixplot figure", "schmidt22.ipynb"}},
			{"raw data has no ancestors", s.raw.UID, Options{Up: true}, []string{"Raw data of schmidt22 crispra GWS"}},
			{"a run's graph walks from the run itself", s.cellranger.UID, Options{Depth: 1},
				[]string{"chromium_10x_upload.py", "fastq/perturbseq_R1_001.fastq.gz", "fastq/perturbseq_R2_001.fastq.gz", "Cell Ranger",
					"barcodes.tsv.gz", "matrix.mtx.gz", "features.tsv.gz", "postprocess_cellranger.py", "perturbseq counts"}},
			{"down only from a middle artifact shows its run, its siblings and what followed", s.m2.UID, Options{Down: true},
				[]string{"fastq/perturbseq_R1_001.fastq.gz", "fastq/perturbseq_R2_001.fastq.gz", "Cell Ranger",
					"barcodes.tsv.gz", "matrix.mtx.gz", "features.tsv.gz", "postprocess_cellranger.py", "perturbseq counts",
					"integrated-analysis.ipynb", "hits from schmidt22 crispra GWS", "umap figure", "matrixplot figure", "schmidt22.ipynb"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				g := f.build(tt.uid, tt.o)
				got := titles(g)
				want := slices.Clone(tt.want)
				slices.Sort(got)
				slices.Sort(want)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("nodes (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestTheQueriedRecordIsMarked(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		s := f.schmidt()
		g := f.build(s.matrixplot.UID, Options{})
		q := g.Queried()
		if len(q) != 1 || q[0].UID != s.matrixplot.UID || q[0].ID != "artifact_"+s.matrixplot.UID {
			t.Fatalf("queried %v", q)
		}
		if g.Root.Kind != KindArtifact || g.Root.RunID == nil || *g.Root.RunID != s.integrated.ID {
			t.Fatalf("root %+v", g.Root)
		}
	})
}

func TestEdgesPointFromInputsToRunsToOutputs(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		s := f.schmidt()
		g := f.build(s.hits.UID, Options{Up: true})
		want := []string{
			"Raw data of schmidt22 crispra GWS -> hit-identification.ipynb",
			"hit-identification.ipynb -> hits from schmidt22 crispra GWS",
		}
		if diff := cmp.Diff(want, edgeTitles(g)); diff != "" {
			t.Fatalf("edges (-want +got):\n%s", diff)
		}
	})
}

func TestDrawnItemsAreOnTheMainOrArchiveBranch(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		tr := f.transform("clean.py", "script")
		raw := f.artifact("raw", nil)
		old := f.artifact("old input", nil)
		r := f.run(tr, raw, old)
		out := f.artifact("clean", r)
		gone := f.artifact("deleted output", r)
		f.trash(old)
		f.trash(gone)
		if _, err := f.store.Exec(f.ctx, `UPDATE lamindb_artifact SET _branch_code = 0 WHERE id = ?`, raw.ID); err != nil {
			t.Fatal(err)
		}
		got := titles(f.build(out.UID, Options{}))
		if diff := cmp.Diff([]string{"raw", "clean.py", "clean"}, got); diff != "" {
			t.Fatalf("nodes (-want +got):\n%s", diff)
		}
	})
}

func TestAnItemReadAndWrittenByOneRunIsDrawnAsItsOutput(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		r := f.run(f.transform("loop.py", "script"))
		a := f.artifact("self", r)
		f.input(a, r) // the SDK refuses this link; older data may have it
		g := f.build(a.UID, Options{})
		if diff := cmp.Diff([]string{"loop.py -> self"}, edgeTitles(g)); diff != "" {
			t.Fatalf("edges (-want +got):\n%s", diff)
		}
	})
}

func TestCyclesTerminateInBothDirections(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		ta, tb := f.transform("a.py", "script"), f.transform("b.py", "script")
		ra := f.run(ta)
		x := f.artifact("x", ra)
		rb := f.run(tb, x)
		y := f.artifact("y", rb)
		f.input(y, ra) // ra reads what rb made from ra's output
		for _, o := range []Options{{}, {Up: true}, {Down: true}, {Depth: 1}, {Depth: 5}} {
			g := f.build(x.UID, o)
			got := titles(g)
			slices.Sort(got)
			if diff := cmp.Diff([]string{"a.py", "b.py", "x", "y"}, got); diff != "" {
				t.Errorf("options %+v: nodes (-want +got):\n%s", o, diff)
			}
			var text strings.Builder
			if err := WriteText(&text, g); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), "(see above)") {
				t.Errorf("options %+v: a cycle prints a repeat marker:\n%s", o, text.String())
			}
		}
	})
}

func TestATransformsGraphIsTheUnionOfItsRuns(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		tr := f.transform("nightly.py", "script")
		a1 := f.artifact("night 1", f.run(tr))
		a2 := f.artifact("night 2", f.run(tr))
		v2 := f.version(tr)
		a3 := f.artifact("night 3", f.run(v2))
		_ = a1
		_ = a2
		tests := []struct {
			name string
			uid  string
			o    Options
			want []string
		}{
			{"one version's runs", tr.UID, Options{}, []string{"nightly.py", "night 1", "nightly.py", "night 2"}},
			{"every version of the family", tr.UID, Options{Versions: true}, []string{"nightly.py", "night 1", "nightly.py", "night 2", "nightly.py", "night 3"}},
			{"a stem names the latest version", tr.UID[:12], Options{}, []string{"nightly.py", "night 3"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				g := f.build(tt.uid, tt.o)
				if diff := cmp.Diff(tt.want, titles(g)); diff != "" {
					t.Fatalf("nodes (-want +got):\n%s", diff)
				}
				for _, n := range g.Nodes {
					if n.Queried != (n.Kind == KindRun) {
						t.Errorf("%s queried=%v", n.ID, n.Queried)
					}
				}
			})
		}
		_ = a3
	})
}

func TestCollectionsAreDrawnAndFollowed(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		r1 := f.run(f.transform("bundle.py", "script"))
		r2 := f.run(f.transform("train.py", "script"))
		_, cuid := f.collection("datasets/train", r1, r2)
		model := f.artifact("model", r2)
		g := f.build(model.UID, Options{})
		want := []string{"bundle.py -> train", "train -> train.py", "train.py -> model"}
		got := edgeTitles(g)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("edges (-want +got):\n%s", diff)
		}
		c := g.Node("collection_" + cuid)
		if c == nil || c.Emoji() != "🍱" || c.Collection.Key != "datasets/train" {
			t.Fatalf("collection node %+v", c)
		}
		cg := f.build(cuid, Options{})
		if q := cg.Queried(); len(q) != 1 || q[0].Kind != KindCollection || len(cg.Nodes) != 4 {
			t.Fatalf("collection graph %v", titles(cg))
		}
	})
}

func TestDownstreamListsOnlyWhatWasDerived(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		s := f.schmidt()
		g := f.build(s.raw.UID, Options{Down: true})
		var got []string
		for _, n := range g.Downstream(g.Queried()[0].ID) {
			got = append(got, n.Title())
		}
		want := []string{"hit-identification.ipynb", "hits from schmidt22 crispra GWS", "integrated-analysis.ipynb",
			"umap figure", "matrixplot figure", "schmidt22.ipynb"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("downstream (-want +got):\n%s", diff)
		}
	})
}

func TestResolveFindsRecordsByUIDAndPrefix(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		s := f.schmidt()
		tr := f.transform("twin.py", "script")
		v2 := f.version(tr)
		tests := []struct {
			name string
			uid  string
			kind Kind
			id   int64
			err  error
		}{
			{"a full artifact uid", s.hits.UID, KindArtifact, s.hits.ID, nil},
			{"an artifact's 16-character stem", s.hits.UID[:16], KindArtifact, s.hits.ID, nil},
			{"a run uid", s.post.UID, KindRun, s.post.ID, nil},
			{"a full transform uid", tr.UID, KindTransform, tr.ID, nil},
			{"a transform stem names its latest version", tr.UID[:12], KindTransform, v2.ID, nil},
			{"an unknown uid", "zzzzzzzzzzzzzzzzzzzz", "", 0, ErrNotFound},
			{"a malformed uid", "not-a-uid", "", 0, ErrInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				root, err := Resolve(f.ctx, f.store, tt.uid)
				if tt.err != nil {
					if !errors.Is(err, tt.err) {
						t.Fatalf("got %v, want %v", err, tt.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if tt.kind != "" && (root.Kind != tt.kind || root.ID != tt.id) {
					t.Fatalf("got %+v, want %s %d", root, tt.kind, tt.id)
				}
			})
		}
		// Two versions of one artifact family differ only after the stem.
		a := s.hits
		v := *a
		v.ID, v.UID = 0, a.UID[:16]+"0001"
		h := "otherhash0000000000000"
		v.Hash = &h
		if err := meta.InsertArtifact(f.ctx, f.store, &v); err != nil {
			t.Fatal(err)
		}
		if _, err := Resolve(f.ctx, f.store, a.UID[:17]); !errors.Is(err, ErrAmbiguous) {
			t.Fatalf("17-character prefix of two versions: got %v", err)
		}
	})
}

func TestStatementsPerLineageCallStayConstant(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		counts := map[int]int64{}
		for _, n := range []int{1, 10, 200} {
			last := f.chain(n) // a separate chain each time, in the same instance
			c := NewCounter(f.store)
			g, err := Build(f.ctx, c, last.UID, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if want := 2*n + 1; len(g.Nodes) != want {
				t.Fatalf("chain of %d: %d nodes, want %d", n, len(g.Nodes), want)
			}
			counts[n] = c.Statements()
		}
		if counts[1] != 2 || counts[10] != 2 || counts[200] != 2 {
			t.Fatalf("statements per call by chain length: %v; want 2 each (resolve + graph)", counts)
		}
	})
}
