package h5ad

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lamin-go/lamin/internal/dataformat"
	"github.com/lamin-go/lamin/internal/testenv"
)

// pythonPackagesHint names the Debian packages the read-back tests use.
const pythonPackagesHint = "install the Debian packages python3-anndata and python3-h5py to check files with AnnData"

var (
	pythonMu    sync.Mutex
	pythonFound = map[string]string{}
)

// pythonWith returns a Python interpreter that can import module, or "".
// Both the first python3 on PATH and the system one are tried, since a
// version manager's python3 may shadow the one Debian's packages serve.
func pythonWith(module string) string {
	pythonMu.Lock()
	defer pythonMu.Unlock()
	if p, ok := pythonFound[module]; ok {
		return p
	}
	found := ""
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		if exec.Command(p, "-c", "import "+module).Run() == nil {
			found = p
			break
		}
	}
	pythonFound[module] = found
	return found
}

// runPython runs script with the file path as its argument and returns
// what it printed.
func runPython(t *testing.T, python, script, path string) []byte {
	t.Helper()
	cmd := exec.Command(python, "-c", script, path)
	cmd.Dir = t.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s failed: %v\n%s", python, err, stderr.String())
	}
	return out
}

// demoData builds the perturbseq-like data set of the demo: integer counts
// for nObs cells and nVars genes, a repeated cell type per cell and the
// total count per cell.
func demoData(nObs, nVars int) (Matrix, Frame, Frame) {
	rng := rand.New(rand.NewPCG(22, 7))
	x := Matrix{NObs: nObs, NVars: nVars, Data: make([]float32, nObs*nVars)}
	cellTypes := []string{"T cell", "B cell", "NK cell", "monocyte"}
	obs := Frame{Index: make([]string, nObs), Columns: []Column{
		{Name: "cell_type", Strings: make([]string, nObs)},
		{Name: "n_counts", Floats: make([]float64, nObs)},
	}}
	for i := range nObs {
		obs.Index[i] = fmt.Sprintf("cell_%04d", i)
		obs.Columns[0].Strings[i] = cellTypes[rng.IntN(len(cellTypes))]
		total := 0.0
		for j := range nVars {
			v := float32(rng.IntN(12))
			x.Data[i*nVars+j] = v
			total += float64(v)
		}
		obs.Columns[1].Floats[i] = total
	}
	vars := Frame{Index: make([]string, nVars), Columns: []Column{{Name: "gene_ids", Strings: make([]string, nVars)}}}
	for j := range nVars {
		vars.Index[j] = fmt.Sprintf("GENE%d", j+1)
		vars.Columns[0].Strings[j] = fmt.Sprintf("ENSG%011d", j+1)
	}
	return x, obs, vars
}

// reasonIf returns reason when missing is true and "" otherwise.
func reasonIf(missing bool, reason string) string {
	if missing {
		return reason
	}
	return ""
}

func sum(x Matrix) float64 {
	s := 0.0
	for _, v := range x.Data {
		s += float64(v)
	}
	return s
}

// anndataSummary prints what the brief asks AnnData to show, as JSON.
const anndataSummary = `
import json, sys, anndata
ad = anndata.read_h5ad(sys.argv[1])
print(json.dumps({
    "shape": list(ad.shape),
    "obs_columns": list(ad.obs.columns),
    "obs_names": list(ad.obs_names[:3]),
    "gene_ids": list(ad.var["gene_ids"][:2]),
    "x_sum": float(ad.X.sum()),
    "x_dtype": str(ad.X.dtype),
    "title": ad.uns["title"],
    "cell_type_dtype": str(ad.obs["cell_type"].dtype),
}))
`

// h5pyStructure prints every object of the file with its kind, encoding
// attributes and shape, as JSON.
const h5pyStructure = `
import json, sys, h5py
out = {}
def describe(name, obj):
    d = {"kind": "group" if isinstance(obj, h5py.Group) else "dataset",
         "encoding": obj.attrs.get("encoding-type", ""),
         "version": obj.attrs.get("encoding-version", "")}
    if isinstance(obj, h5py.Dataset):
        d["shape"] = list(obj.shape)
        d["dtype"] = str(obj.dtype)
    out[name] = d
with h5py.File(sys.argv[1], "r") as f:
    describe("/", f)
    f.visititems(describe)
    out["/"]["obs_column_order"] = list(f["obs"].attrs["column-order"])
    out["/"]["obs_names"] = list(f["obs/_index"].asstr()[:3])
    out["/"]["x_sum"] = float(f["X"][()].sum())
print(json.dumps(out))
`

type h5Object struct {
	Kind     string `json:"kind"`
	Encoding string `json:"encoding"`
	Version  string `json:"version"`
	Shape    []int  `json:"shape"`
	Dtype    string `json:"dtype"`
}

func TestDemoFileReadsBack(t *testing.T) {
	x, obs, vars := demoData(300, 50)
	path := filepath.Join(t.TempDir(), "schmidt22_perturbseq.h5ad")
	if err := Write(path, x, obs, vars, map[string]string{"title": "perturbseq counts"}); err != nil {
		t.Fatal(err)
	}
	anndataPy, h5pyPy := pythonWith("anndata"), pythonWith("h5py")
	_, h5dumpErr := exec.LookPath("h5dump")

	tests := []struct {
		name  string
		skip  string
		need  testenv.Need
		check func(t *testing.T)
	}{
		{
			name: "AnnData reads the shape, columns, names, X and uns",
			skip: reasonIf(anndataPy == "", "anndata is not importable; "+pythonPackagesHint), need: testenv.NeedAnnData,
			check: func(t *testing.T) {
				out := runPython(t, anndataPy, anndataSummary, path)
				t.Logf("anndata printed: %s", out)
				var got struct {
					Shape         []int    `json:"shape"`
					ObsColumns    []string `json:"obs_columns"`
					ObsNames      []string `json:"obs_names"`
					GeneIDs       []string `json:"gene_ids"`
					XSum          float64  `json:"x_sum"`
					XDtype        string   `json:"x_dtype"`
					Title         string   `json:"title"`
					CellTypeDtype string   `json:"cell_type_dtype"`
				}
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatalf("decode %q: %v", out, err)
				}
				checkEqual(t, "shape", got.Shape, []int{300, 50})
				checkEqual(t, "obs columns", got.ObsColumns, []string{"cell_type", "n_counts"})
				checkEqual(t, "obs names", got.ObsNames, []string{"cell_0000", "cell_0001", "cell_0002"})
				checkEqual(t, "gene ids", got.GeneIDs, []string{"ENSG00000000001", "ENSG00000000002"})
				checkEqual(t, "X sum", got.XSum, sum(x))
				checkEqual(t, "X dtype", got.XDtype, "float32")
				checkEqual(t, "title", got.Title, "perturbseq counts")
				checkEqual(t, "cell_type dtype", got.CellTypeDtype, "category")
			},
		},
		{
			name: "h5py sees the AnnData layout with its encoding attributes",
			skip: reasonIf(h5pyPy == "", "h5py is not importable; "+pythonPackagesHint), need: testenv.NeedAnnData,
			check: func(t *testing.T) {
				out := runPython(t, h5pyPy, h5pyStructure, path)
				var got map[string]json.RawMessage
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatalf("decode %q: %v", out, err)
				}
				want := map[string]h5Object{
					"X":                        {"dataset", "array", "0.2.0", []int{300, 50}, "float32"},
					"obs":                      {"group", "dataframe", "0.2.0", nil, ""},
					"obs/_index":               {"dataset", "string-array", "0.2.0", []int{300}, "object"},
					"obs/cell_type":            {"group", "categorical", "0.2.0", nil, ""},
					"obs/cell_type/codes":      {"dataset", "array", "0.2.0", []int{300}, "int8"},
					"obs/cell_type/categories": {"dataset", "string-array", "0.2.0", []int{4}, "object"},
					"obs/n_counts":             {"dataset", "array", "0.2.0", []int{300}, "float64"},
					"var":                      {"group", "dataframe", "0.2.0", nil, ""},
					"var/_index":               {"dataset", "string-array", "0.2.0", []int{50}, "object"},
					"var/gene_ids":             {"dataset", "string-array", "0.2.0", []int{50}, "object"},
					"obsm":                     {"group", "dict", "0.1.0", nil, ""},
					"varm":                     {"group", "dict", "0.1.0", nil, ""},
					"obsp":                     {"group", "dict", "0.1.0", nil, ""},
					"varp":                     {"group", "dict", "0.1.0", nil, ""},
					"layers":                   {"group", "dict", "0.1.0", nil, ""},
					"uns":                      {"group", "dict", "0.1.0", nil, ""},
					"uns/title":                {"dataset", "string", "0.2.0", []int{}, "object"},
				}
				for name, w := range want {
					var g h5Object
					if err := json.Unmarshal(got[name], &g); err != nil {
						t.Errorf("%s: missing or unreadable (%s): %v", name, got[name], err)
						continue
					}
					checkEqual(t, name, g, w)
				}
				if len(got) != len(want)+1 {
					t.Errorf("file holds %d objects besides the root, want %d: %s", len(got)-1, len(want), out)
				}
				var root struct {
					Encoding    string   `json:"encoding"`
					Version     string   `json:"version"`
					ColumnOrder []string `json:"obs_column_order"`
					ObsNames    []string `json:"obs_names"`
					XSum        float64  `json:"x_sum"`
				}
				if err := json.Unmarshal(got["/"], &root); err != nil {
					t.Fatal(err)
				}
				checkEqual(t, "root encoding", root.Encoding+" "+root.Version, "anndata 0.1.0")
				checkEqual(t, "column-order", root.ColumnOrder, []string{"cell_type", "n_counts"})
				checkEqual(t, "obs names", root.ObsNames, []string{"cell_0000", "cell_0001", "cell_0002"})
				checkEqual(t, "X sum", root.XSum, sum(x))
			},
		},
		{
			name: "h5dump reads every object and attribute",
			skip: reasonIf(h5dumpErr != nil, "h5dump is not installed (Debian package hdf5-tools)"), need: testenv.Need{What: "h5dump", Enable: "install hdf5-tools"},
			check: func(t *testing.T) {
				out, err := exec.Command("h5dump", path).CombinedOutput()
				if err != nil {
					t.Fatalf("h5dump: %v\n%s", err, out)
				}
				for _, want := range []string{`DATASET "X"`, `"perturbseq counts"`, `"cell_0299"`, `"ENSG00000000050"`, `H5T_ENUM`} {
					if !bytes.Contains(out, []byte(want)) {
						t.Errorf("h5dump output lacks %s", want)
					}
				}
			},
		},
		{
			name: "lamin's own h5ad reader counts the observations",
			check: func(t *testing.T) {
				n, ok, err := dataformat.Observations(context.Background(), path, ".h5ad")
				if err != nil || !ok || n != 300 {
					t.Errorf("Observations = %d, %v, %v; want 300, true, nil", n, ok, err)
				}
			},
		},
	}
	if anndataPy == "" && h5pyPy == "" {
		t.Log("neither anndata nor h5py is importable; " + pythonPackagesHint)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip != "" {
				testenv.Skip(t, tt.need, tt.skip)
			}
			tt.check(t)
		})
	}
}

// roundTripScript prints the whole content of an AnnData file as JSON.
const roundTripScript = `
import json, sys, anndata, numpy as np
ad = anndata.read_h5ad(sys.argv[1])
def frame(df):
    return {"index": [str(i) for i in df.index],
            "columns": [{"name": c, "dtype": str(df[c].dtype), "values": df[c].tolist()} for c in df.columns]}
print(json.dumps({"shape": list(ad.shape),
                  "x": np.asarray(ad.X, dtype=np.float64).ravel().tolist(),
                  "obs": frame(ad.obs), "var": frame(ad.var),
                  "uns": {k: ad.uns[k] for k in ad.uns}}))
`

type roundTrip struct {
	Shape []int             `json:"shape"`
	X     []float64         `json:"x"`
	Obs   frameJSON         `json:"obs"`
	Var   frameJSON         `json:"var"`
	Uns   map[string]string `json:"uns"`
}

type frameJSON struct {
	Index   []string `json:"index"`
	Columns []struct {
		Name   string            `json:"name"`
		Dtype  string            `json:"dtype"`
		Values []json.RawMessage `json:"values"`
	} `json:"columns"`
}

func TestWriteRoundTripsThroughAnnData(t *testing.T) {
	python := pythonWith("anndata")
	if python == "" {
		testenv.Skip(t, testenv.NeedAnnData, "anndata is not importable")
	}
	manyUns := map[string]string{}
	for i := range 300 {
		manyUns[fmt.Sprintf("key%03d", i)] = strings.Repeat("v", i)
	}
	wideObs := Frame{Index: []string{"a", "b"}}
	for i := range 40 {
		wideObs.Columns = append(wideObs.Columns, Column{Name: fmt.Sprintf("c%02d", 39-i), Ints: []int64{int64(i), -int64(i) << 40}})
	}
	longNames := make([]string, 70000)
	for i := range longNames {
		longNames[i] = fmt.Sprintf("barcode-%06d-ü", i)
	}

	tests := []struct {
		name      string
		x         Matrix
		obs, vars Frame
		uns       map[string]string
	}{
		{
			name: "a small file with every column kind reads back unchanged",
			x:    Matrix{NObs: 3, NVars: 2, Data: []float32{0.5, -1, 3e10, float32(math.Pi), 0, 7}},
			obs: Frame{Index: []string{"c1", "c2", "c3"}, Columns: []Column{
				{Name: "cell_type", Strings: []string{"T", "B", "T"}},
				{Name: "donor", Strings: []string{"d1", "", "d3 ünïcödé"}},
				{Name: "n_genes", Ints: []int64{1, math.MaxInt64, math.MinInt64}},
				{Name: "score", Floats: []float64{0.1, -2.5e-300, 1e300}},
			}},
			vars: Frame{Index: []string{"g1", "g2"}},
			uns:  map[string]string{"title": "t", "empty": ""},
		},
		{
			name: "a frame without index gets positional names",
			x:    Matrix{NObs: 2, NVars: 1, Data: []float32{1, 2}},
			obs:  Frame{},
			vars: Frame{Columns: []Column{{Name: "gene_ids", Strings: []string{"x"}}}},
		},
		{
			name: "groups with hundreds of links need a multi-level B-tree",
			x:    Matrix{NObs: 2, NVars: 0},
			obs:  wideObs,
			vars: Frame{Index: []string{}},
			uns:  manyUns,
		},
		{
			name: "tens of thousands of strings spread over several heap collections",
			x:    Matrix{NObs: len(longNames), NVars: 1, Data: make([]float32, len(longNames))},
			obs:  Frame{Index: longNames, Columns: []Column{{Name: "barcode", Strings: longNames}}},
			vars: Frame{Index: []string{"only"}},
		},
		{
			name: "an empty matrix writes empty datasets",
			x:    Matrix{},
			obs:  Frame{Columns: []Column{{Name: "kind", Strings: []string{}}}},
			vars: Frame{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.h5ad")
			if err := Write(path, tt.x, tt.obs, tt.vars, tt.uns); err != nil {
				t.Fatal(err)
			}
			out := runPython(t, python, roundTripScript, path)
			var got roundTrip
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("decode: %v", err)
			}
			checkEqual(t, "shape", got.Shape, []int{tt.x.NObs, tt.x.NVars})
			wantX := make([]float64, len(tt.x.Data))
			for i, v := range tt.x.Data {
				wantX[i] = float64(v)
			}
			checkEqual(t, "X", got.X, wantX)
			checkFrame(t, "obs", got.Obs, tt.obs, tt.x.NObs)
			checkFrame(t, "var", got.Var, tt.vars, tt.x.NVars)
			wantUns := tt.uns
			if wantUns == nil {
				wantUns = map[string]string{}
			}
			checkEqual(t, "uns", got.Uns, wantUns)
		})
	}
}

// checkFrame compares a dataframe as AnnData read it with the one written.
func checkFrame(t *testing.T, what string, got frameJSON, want Frame, n int) {
	t.Helper()
	index := want.Index
	if index == nil {
		index = make([]string, n)
		for i := range index {
			index[i] = strconv.Itoa(i)
		}
	}
	checkEqual(t, what+" index", got.Index, index)
	if len(got.Columns) != len(want.Columns) {
		t.Fatalf("%s has %d columns, want %d", what, len(got.Columns), len(want.Columns))
	}
	for i, c := range want.Columns {
		g := got.Columns[i]
		label := what + " column " + c.Name
		checkEqual(t, label+" name", g.Name, c.Name)
		if len(g.Values) != n {
			t.Errorf("%s has %d values, want %d", label, len(g.Values), n)
			continue
		}
		var dtype string
		var values []string
		switch {
		case c.Floats != nil:
			dtype = "float64"
			for j, v := range c.Floats {
				f, err := strconv.ParseFloat(string(g.Values[j]), 64)
				if err != nil || f != v {
					t.Errorf("%s[%d] = %s, want %v", label, j, g.Values[j], v)
				}
			}
		case c.Ints != nil:
			dtype = "int64"
			for _, v := range c.Ints {
				values = append(values, strconv.FormatInt(v, 10))
			}
		default:
			dtype = "object"
			if len(unique(c.Strings)) < len(c.Strings) {
				dtype = "category"
			}
			values = c.Strings
		}
		checkEqual(t, label+" dtype", g.Dtype, dtype)
		if values != nil {
			gotValues := make([]string, len(g.Values))
			for j, v := range g.Values {
				if err := json.Unmarshal(v, &gotValues[j]); err != nil {
					gotValues[j] = string(v) // a number
				}
			}
			checkEqual(t, label+" values", gotValues, values)
		}
	}
}

func unique(ss []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range ss {
		m[s] = true
	}
	return m
}

func checkEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		s := fmt.Sprintf("%v", got)
		if len(s) > 300 {
			s = s[:300] + "…"
		}
		t.Errorf("%s = %s, want %v", what, s, want)
	}
}

func TestWriteRejectsInconsistentInput(t *testing.T) {
	x := Matrix{NObs: 2, NVars: 1, Data: []float32{1, 2}}
	idx := Frame{Index: []string{"a", "b"}}
	tests := []struct {
		name      string
		x         Matrix
		obs, vars Frame
		uns       map[string]string
		want      string
	}{
		{"a matrix with too few values is rejected", Matrix{NObs: 2, NVars: 2, Data: []float32{1}}, idx, Frame{}, nil, "holds 1 values"},
		{"an index of the wrong length is rejected", x, Frame{Index: []string{"a"}}, Frame{}, nil, "index has 1 names for 2 rows"},
		{"a column with two kinds of values is rejected", x, Frame{Columns: []Column{{Name: "c", Floats: []float64{1, 2}, Ints: []int64{1, 2}}}}, Frame{}, nil, "2 of Strings, Floats and Ints are set"},
		{"a column without values is rejected", x, Frame{Columns: []Column{{Name: "c"}}}, Frame{}, nil, "0 of Strings, Floats and Ints are set"},
		{"a column of the wrong length is rejected", x, Frame{Columns: []Column{{Name: "c", Floats: []float64{1}}}}, Frame{}, nil, "has 1 values for 2 rows"},
		{"a column named _index is rejected", x, Frame{Columns: []Column{{Name: "_index", Floats: []float64{1, 2}}}}, Frame{}, nil, "reserved"},
		{"duplicate column names are rejected", x, Frame{Columns: []Column{{Name: "c", Floats: []float64{1, 2}}, {Name: "c", Ints: []int64{1, 2}}}}, Frame{}, nil, "duplicate"},
		{"a column name with a slash is rejected", x, Frame{Columns: []Column{{Name: "a/b", Floats: []float64{1, 2}}}}, Frame{}, nil, "invalid HDF5 link name"},
		{"an empty uns key is rejected", x, idx, Frame{}, map[string]string{"": "v"}, "uns"},
		{"a string that is not UTF-8 is rejected", x, Frame{Columns: []Column{{Name: "c", Strings: []string{"ok", "\xff"}}}}, Frame{}, nil, "not valid UTF-8"},
		{"a column order too long for an HDF5 attribute is rejected", Matrix{NObs: 1}, Frame{Index: []string{"a"}, Columns: manyColumns(5000)}, Frame{}, nil, "64 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			err := Write(filepath.Join(dir, "bad.h5ad"), tt.x, tt.obs, tt.vars, tt.uns)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write error = %v, want one containing %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a failed write left %d files behind", len(entries))
			}
		})
	}
}

func manyColumns(n int) []Column {
	cols := make([]Column, n)
	for i := range cols {
		cols[i] = Column{Name: fmt.Sprintf("c%d", i), Ints: []int64{1}}
	}
	return cols
}

func TestWriteReplacesFilesAtomically(t *testing.T) {
	x, obs, vars := demoData(20, 5)
	tests := []struct {
		name    string
		path    func(dir string) string
		wantErr bool
	}{
		{"an existing file is replaced", func(dir string) string { return filepath.Join(dir, "d.h5ad") }, false},
		{"a missing directory fails without leaving files", func(dir string) string { return filepath.Join(dir, "missing", "d.h5ad") }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.path(dir)
			if err := os.WriteFile(filepath.Join(dir, "d.h5ad"), []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Write(path, x, obs, vars, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Write error = %v, want error %v", err, tt.wantErr)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only d.h5ad", len(entries))
			}
			if tt.wantErr {
				return
			}
			b, err := os.ReadFile(path)
			if err != nil || !bytes.HasPrefix(b, []byte("\x89HDF\r\n\x1a\n")) {
				t.Errorf("file was not replaced by an HDF5 file (err %v)", err)
			}
			if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o644 {
				t.Errorf("file mode = %v (err %v), want 0644", info.Mode().Perm(), err)
			}
		})
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	x, obs, vars := demoData(50, 10)
	tests := []struct {
		name string
		uns  map[string]string
	}{
		{"two writes of the same data are byte-identical", map[string]string{"title": "t", "b": "1", "a": "2"}},
		{"two writes without uns are byte-identical", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var files [2][]byte
			for i := range files {
				path := filepath.Join(dir, fmt.Sprintf("%d.h5ad", i))
				if err := Write(path, x, obs, vars, tt.uns); err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				files[i] = b
			}
			if !bytes.Equal(files[0], files[1]) {
				t.Error("the two files differ")
			}
		})
	}
}

func TestWriteLargeMatrix(t *testing.T) {
	tests := []struct {
		name        string
		nObs, nVars int
	}{
		{"a 2,000 by 2,000 float32 matrix is written with little overhead", 2000, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, obs, vars := demoData(tt.nObs, tt.nVars)
			path := filepath.Join(t.TempDir(), "big.h5ad")
			if err := Write(path, x, obs, vars, map[string]string{"title": "big"}); err != nil {
				t.Fatal(err)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			raw := int64(4 * tt.nObs * tt.nVars)
			// Per row and column: a string index entry, a column value and
			// their heap objects, well under 200 bytes.
			limit := raw + 200*int64(tt.nObs+tt.nVars) + 64<<10
			if info.Size() < raw || info.Size() > limit {
				t.Errorf("file is %d bytes, want between %d and %d", info.Size(), raw, limit)
			}
			n, ok, err := dataformat.Observations(context.Background(), path, ".h5ad")
			if err != nil || !ok || n != int64(tt.nObs) {
				t.Errorf("Observations = %d, %v, %v; want %d", n, ok, err, tt.nObs)
			}
		})
	}
}
