package h5ad

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lamin-go/lamin/internal/testenv"
)

// readTestData builds a file with every column kind: nObs×nVars random X,
// a repeated (categorical) and a distinct string column, floats and ints.
func readTestData(nObs, nVars int) (Matrix, Frame, Frame, map[string]string) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := Matrix{NObs: nObs, NVars: nVars, Data: make([]float32, nObs*nVars)}
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64() * 100)
	}
	kinds := []string{"T cell", "B cell", "NK cell", "monocyte ü"}
	obs := Frame{Index: make([]string, nObs), Columns: []Column{
		{Name: "cell_type", Strings: make([]string, nObs)},
		{Name: "barcode", Strings: make([]string, nObs)},
		{Name: "n_counts", Floats: make([]float64, nObs)},
		{Name: "n_genes", Ints: make([]int64, nObs)},
	}}
	for i := range nObs {
		obs.Index[i] = fmt.Sprintf("cell-%03d", i)
		obs.Columns[0].Strings[i] = kinds[rng.IntN(len(kinds))]
		obs.Columns[1].Strings[i] = fmt.Sprintf("ACGT-%d", rng.Int64())
		obs.Columns[2].Floats[i] = rng.Float64() * 1e4
		obs.Columns[3].Ints[i] = rng.Int64N(1<<40) - 1<<39
	}
	if nObs >= 3 {
		obs.Columns[2].Floats[0] = math.Inf(-1)
		obs.Columns[2].Floats[1] = math.NaN()
		obs.Columns[3].Ints[2] = math.MinInt64
	}
	vars := Frame{Columns: []Column{
		{Name: "gene_ids", Strings: make([]string, nVars)},
		{Name: "highly_variable_rank", Ints: make([]int64, nVars)},
	}}
	for j := range nVars {
		vars.Columns[0].Strings[j] = fmt.Sprintf("ENSG%011d", j)
		vars.Columns[1].Ints[j] = int64(nVars - j)
	}
	uns := map[string]string{"title": "round trip", "empty": "", "note": "ünïcödé\nlines"}
	return x, obs, vars, uns
}

// positional returns the index Write stores for a frame without one.
func positional(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}

func TestReadRoundTrip(t *testing.T) {
	x, obs, vars, uns := readTestData(40, 30)

	manyUns := map[string]string{}
	for i := range 300 {
		manyUns[fmt.Sprintf("key%03d", i)] = strings.Repeat("v", i)
	}
	wide := Frame{Index: positional(400)}
	for i := range 40 {
		wide.Columns = append(wide.Columns, Column{Name: fmt.Sprintf("c%02d", 39-i), Floats: make([]float64, 400)})
	}
	manyCats := make([]string, 400)
	long := make([]string, 400)
	for i := range manyCats {
		manyCats[i] = fmt.Sprintf("category %d", i/2)         // 200 categories: int16 codes
		long[i] = strings.Repeat("x", 4000) + strconv.Itoa(i) // several heap collections
	}
	wide.Columns = append(wide.Columns, Column{Name: "many", Strings: manyCats}, Column{Name: "long", Strings: long})

	tests := []struct {
		name      string
		x         Matrix
		obs, vars Frame
		uns       map[string]string
	}{
		{name: "every column kind", x: x, obs: obs, vars: vars, uns: uns},
		{
			name: "positional index and no columns",
			x:    Matrix{NObs: 2, NVars: 3, Data: []float32{1, 2, 3, 4, 5, 6}},
		},
		{
			name: "large groups, int16 codes and several heap collections",
			x:    Matrix{NObs: 400, NVars: 1, Data: make([]float32, 400)},
			obs:  wide,
			vars: Frame{Index: []string{"g"}},
			uns:  manyUns,
		},
		{
			name: "empty matrix",
			x:    Matrix{Data: []float32{}},
			obs:  Frame{Columns: []Column{{Name: "kind", Strings: []string{}}, {Name: "n", Ints: []int64{}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.h5ad")
			if err := Write(path, tt.x, tt.obs, tt.vars, tt.uns); err != nil {
				t.Fatal(err)
			}
			got, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			want := &File{X: tt.x, Obs: tt.obs, Var: tt.vars, Uns: tt.uns}
			if want.Obs.Index == nil {
				want.Obs.Index = positional(tt.x.NObs)
			}
			if want.Var.Index == nil {
				want.Var.Index = positional(tt.x.NVars)
			}
			if want.Obs.Columns == nil {
				want.Obs.Columns = []Column{}
			}
			if want.Var.Columns == nil {
				want.Var.Columns = []Column{}
			}
			if want.Uns == nil {
				want.Uns = map[string]string{}
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadRejectsTruncatedFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.h5ad")
	x, obs, vars, uns := readTestData(40, 30)
	if err := Write(path, x, obs, vars, uns); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.h5ad")
	for _, n := range []int{0, 7, 8, 95, 96, 500, len(data) / 2, len(data) - 4096, len(data) - 1} {
		if err := os.WriteFile(cut, data[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Read(cut)
		if err == nil {
			t.Errorf("Read of the first %d of %d bytes succeeded", n, len(data))
			continue
		}
		if !strings.HasPrefix(err.Error(), "h5ad "+cut+": ") {
			t.Errorf("error %q does not name the file", err)
		}
		if errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("truncation to %d bytes reported as unsupported: %v", n, err)
		}
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.h5ad")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read of a missing file: %v, want os.ErrNotExist", err)
	}
}

// readTestPython returns the system Python if it can import anndata and
// skips the test otherwise.
func readTestPython(t *testing.T) string {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import anndata").Run(); err != nil {
		testenv.Skip(t, testenv.NeedAnnData, python+" cannot import anndata: "+err.Error())
	}
	return python
}

// anndataFiles writes, into the directory given as its argument, a small
// file with the features Read supports and one file per unsupported
// feature.
const anndataFiles = `
import sys, os, h5py, numpy as np, pandas as pd, scipy.sparse, anndata as ad
d = sys.argv[1]
n, m = 7, 5
X = (np.arange(n * m, dtype=np.float32).reshape(n, m) * 0.5 - 3).astype(np.float32)
obs = pd.DataFrame({
    "cell_type": pd.Categorical(["T", "B", "T", "NK", "B", "T", "T"]),
    "score": np.arange(n) * 0.25,
    "n_genes": np.arange(n, dtype=np.int32) * 10,
    "barcode": ["bc%d" % i for i in range(n)],
}, index=["cell%d" % i for i in range(n)])
var = pd.DataFrame(index=["gene%d" % j for j in range(m)])
a = ad.AnnData(X=X, obs=obs, var=var, uns={"title": "from anndata"})
a.write_h5ad(os.path.join(d, "ok.h5ad"))

ad.AnnData(X=scipy.sparse.csr_matrix(X)).write_h5ad(os.path.join(d, "sparse.h5ad"))
a.write_h5ad(os.path.join(d, "gzip.h5ad"), compression="gzip")
b = a.copy()
b.obs["flag"] = [True] * n
b.write_h5ad(os.path.join(d, "bool.h5ad"))
b = a.copy()
b.uns["count"] = 3
b.write_h5ad(os.path.join(d, "uns.h5ad"))
b = ad.AnnData(X=X.astype(np.float64), dtype=np.float64)
b.write_h5ad(os.path.join(d, "float64.h5ad"))
a.write_h5ad(os.path.join(d, "chunked.h5ad"))
with h5py.File(os.path.join(d, "chunked.h5ad"), "r+") as f:
    attrs = dict(f["X"].attrs)
    del f["X"]
    f.create_dataset("X", data=X, chunks=(2, 2))
    f["X"].attrs.update(attrs)
with h5py.File(os.path.join(d, "latest.h5ad"), "w", libver="latest") as f:
    f.create_dataset("X", data=X)
`

func TestReadAnnDataFiles(t *testing.T) {
	python := readTestPython(t)
	dir := t.TempDir()
	cmd := exec.Command(python, "-c", anndataFiles, dir)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("writing files with anndata: %v\n%s", err, out)
	}

	t.Run("supported features", func(t *testing.T) {
		got, err := Read(filepath.Join(dir, "ok.h5ad"))
		if err != nil {
			t.Fatal(err)
		}
		const n, m = 7, 5
		x := Matrix{NObs: n, NVars: m, Data: make([]float32, n*m)}
		for i := range x.Data {
			x.Data[i] = float32(i)*0.5 - 3
		}
		want := &File{
			X: x,
			Obs: Frame{Index: []string{"cell0", "cell1", "cell2", "cell3", "cell4", "cell5", "cell6"}, Columns: []Column{
				{Name: "cell_type", Strings: []string{"T", "B", "T", "NK", "B", "T", "T"}},
				{Name: "score", Floats: []float64{0, 0.25, 0.5, 0.75, 1, 1.25, 1.5}},
				{Name: "n_genes", Ints: []int64{0, 10, 20, 30, 40, 50, 60}},
				{Name: "barcode", Strings: []string{"bc0", "bc1", "bc2", "bc3", "bc4", "bc5", "bc6"}},
			}},
			Var: Frame{Index: []string{"gene0", "gene1", "gene2", "gene3", "gene4"}, Columns: []Column{}},
			Uns: map[string]string{"title": "from anndata"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("read (-want +got):\n%s", diff)
		}
	})

	for _, tt := range []struct{ file, want string }{
		{"sparse.h5ad", "sparse X (csr_matrix) is not supported"},
		{"gzip.h5ad", "X: a filtered (compressed) dataset is not supported"},
		{"chunked.h5ad", "X: a chunked dataset is not supported"},
		{"bool.h5ad", "obs/flag: a column of type enum (such as boolean) is not supported"},
		{"uns.h5ad", `uns/count: an uns entry of encoding "numeric-scalar" is not supported`},
		{"float64.h5ad", "X of type float64 is not supported"},
		{"latest.h5ad", "HDF5 superblock version 3 is not supported"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			_, err := Read(path)
			if err == nil {
				t.Fatal("Read succeeded")
			}
			if want := "h5ad " + path + ": " + tt.want; err.Error() != want {
				t.Errorf("error\n%q, want\n%q", err, want)
			}
			if !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("error %v does not match errors.ErrUnsupported", err)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	path := filepath.Join(f.TempDir(), "seed.h5ad")
	x, obs, vars, uns := readTestData(5, 4)
	if err := Write(path, x, obs, vars, uns); err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 16 {
		m := bytes.Clone(data)
		for range 1 + rng.IntN(8) {
			m[rng.IntN(len(m))] ^= byte(1 + rng.IntN(255))
		}
		f.Add(m)
	}
	f.Add(data[:len(data)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := readAnnData(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		if len(file.X.Data) != file.X.NObs*file.X.NVars {
			t.Fatalf("X is %d×%d with %d values", file.X.NObs, file.X.NVars, len(file.X.Data))
		}
		for _, fr := range []struct {
			frame Frame
			rows  int
		}{{file.Obs, file.X.NObs}, {file.Var, file.X.NVars}} {
			if len(fr.frame.Index) != fr.rows {
				t.Fatalf("index of %d names for %d rows", len(fr.frame.Index), fr.rows)
			}
			for _, c := range fr.frame.Columns {
				set, n := 0, 0
				if c.Strings != nil {
					set, n = set+1, len(c.Strings)
				}
				if c.Floats != nil {
					set, n = set+1, len(c.Floats)
				}
				if c.Ints != nil {
					set, n = set+1, len(c.Ints)
				}
				if set != 1 || n != fr.rows {
					t.Fatalf("column %q has %d value kinds and %d values for %d rows", c.Name, set, n, fr.rows)
				}
			}
		}
		if file.Uns == nil {
			t.Fatal("nil Uns")
		}
	})
}
