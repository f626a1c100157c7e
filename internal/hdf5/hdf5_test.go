package hdf5_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lamin-go/lamin/internal/h5ad"
	"github.com/lamin-go/lamin/internal/hdf5"
)

func open(t testing.TB, data []byte) *hdf5.File {
	t.Helper()
	f, err := hdf5.Open(bytes.NewReader(data), int64(len(data)), limits(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func count(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

func TestFixturesWalk(t *testing.T) {
	// The files gen.py writes with write_adata: n observations with their
	// index dataset obs/<index>, 3 variables and extra int8 columns.
	tests := []struct {
		fixture    string
		n          int
		index      string
		extraCols  int
		compressed bool // the index is chunked, so its data is not read
	}{
		{"v0_default", 7, "_index", 0, false},
		{"v0_named_index", 5, "cell_id", 0, false},
		{"v0_fixed_string_attr", 4, "barcode", 0, false},
		{"v0_no_index_attr", 6, "_index", 0, true},
		{"v0_userblock", 3, "_index", 0, false},
		{"v0_soft_link_index", 5, "real_index", 0, false},
		{"v0_deep_btree", 13, "_index", 40, false},
		{"latest_compact", 11, "_index", 0, false},
		{"latest_track_order", 8, "_index", 0, false},
		{"latest_dense", 17, "_index", 20, false},
		{"latest_dense_attrs", 19, "_index", 0, false},
		{"latest_dense_deep", 23, "_index", 90, false},
		{"latest_dense_root", 2, "_index", 30, false},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			w := walk(open(t, loadFixture(t, tt.fixture)))
			if len(w.errs) > 0 || len(w.bugs) > 0 {
				t.Fatalf("errors: %v %q", w.errs, w.bugs)
			}
			check := func(key string, want []string) {
				t.Helper()
				if got := w.values[key]; !slices.Equal(got, want) {
					t.Errorf("%s = %q, want %q", key, got, want)
				}
			}
			check("/obs@encoding-type", []string{"dataframe"})
			if tt.fixture != "v0_no_index_attr" && tt.fixture != "v0_soft_link_index" {
				check("/obs@_index", []string{tt.index})
			}
			if got, want := w.kinds["/obs/"+tt.index], fmt.Sprintf("variable-length string [%d]", tt.n); got != want {
				t.Errorf("obs/%s is %q, want %q", tt.index, got, want)
			}
			if !tt.compressed {
				check("/obs/"+tt.index, count("cell", tt.n))
			}
			check("/obs/n_genes", count("", tt.n))
			check("/X", count("", 3*tt.n))
			check("/var/_index", count("gene", 3))
			check("/var@column-order", []string{})
			if got := len(w.values["/obs@column-order"]); got != 1+tt.extraCols {
				t.Errorf("obs has %d columns in column-order, want %d", got, 1+tt.extraCols)
			}
			for i := range tt.extraCols {
				check(fmt.Sprintf("/obs/col%03d", i), slices.Repeat([]string{"0"}, tt.n))
			}
			switch tt.fixture {
			case "v0_soft_link_index":
				if got := w.kinds["/obs/_index"]; got != "soft link" {
					t.Errorf("obs/_index is %q, want a soft link", got)
				}
			case "latest_dense_attrs":
				for i := range 12 {
					check(fmt.Sprintf("/obs@note%02d", i), []string{fmt.Sprintf("extra attribute %d", i)})
				}
			case "latest_dense_root":
				for i := range 12 {
					if got := w.kinds[fmt.Sprintf("/aaa%02d/", i)]; got != "group" {
						t.Errorf("aaa%02d is %q, want a group", i, got)
					}
				}
			}
		})
	}

	t.Run("AnnData files", func(t *testing.T) {
		w := walk(open(t, loadFixture(t, "anndata_sparse")))
		if len(w.errs) > 0 || len(w.bugs) > 0 {
			t.Fatalf("errors: %v %q", w.errs, w.bugs)
		}
		if got := w.values["/obs/_index"]; !slices.Equal(got, count("cell", 21)) {
			t.Errorf("obs/_index = %q", got)
		}
		if got := w.values["/uns/note"]; !slices.Equal(got, []string{"fixture"}) {
			t.Errorf("uns/note = %q", got)
		}
		if got := w.values["/X@encoding-type"]; !slices.Equal(got, []string{"csr_matrix"}) {
			t.Errorf("X encoding-type = %q", got)
		}
		w = walk(open(t, loadFixture(t, "anndata_named_index")))
		if len(w.errs) > 0 || len(w.bugs) > 0 {
			t.Fatalf("errors: %v %q", w.errs, w.bugs)
		}
		if got := w.kinds["/obs/barcode"]; got != "variable-length string [21]" {
			t.Errorf("obs/barcode is %q", got)
		}
	})

	t.Run("a compound dataset is reported as unsupported", func(t *testing.T) {
		f := open(t, loadFixture(t, "legacy_compound"))
		root, err := f.Object(f.Superblock.Root)
		if err != nil {
			t.Fatal(err)
		}
		l, err := f.Lookup(root, "obs")
		if err != nil {
			t.Fatal(err)
		}
		obs, err := f.Object(l.Addr)
		if err != nil {
			t.Fatal(err)
		}
		if s, ok, err := f.Dataspace(obs); err != nil || !ok || !slices.Equal(s.Dims, []uint64{9}) {
			t.Errorf("obs dataspace = %v, %v, %v; want [9]", s, ok, err)
		}
		for _, m := range obs.Messages {
			if m.Type == hdf5.MsgDatatype {
				if _, err := f.ParseDatatype(m.Data); !errors.Is(err, errors.ErrUnsupported) {
					t.Errorf("ParseDatatype of a compound type: %v, want unsupported", err)
				}
			}
		}
	})
}

// writtenFile returns a file written by the h5ad package's writer.
func writtenFile(t testing.TB) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "written.h5ad")
	x := h5ad.Matrix{NObs: 3, NVars: 2, Data: []float32{1, 2, 3, 4, 5, 6}}
	obs := h5ad.Frame{Index: []string{"a", "b", "c"}, Columns: []h5ad.Column{
		{Name: "kind", Strings: []string{"x", "y", "x"}},
		{Name: "n", Ints: []int64{1, -2, 3}},
	}}
	if err := h5ad.Write(path, x, obs, h5ad.Frame{Index: []string{"g1", "g2"}}, map[string]string{"title": "t"}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestWrittenFileWalk(t *testing.T) {
	w := walk(open(t, writtenFile(t)))
	if len(w.errs) > 0 || len(w.bugs) > 0 {
		t.Fatalf("errors: %v %q", w.errs, w.bugs)
	}
	want := map[string][]string{
		"/X":                      {"1", "2", "3", "4", "5", "6"},
		"/obs/_index":             {"a", "b", "c"},
		"/obs/n":                  {"1", "-2", "3"},
		"/obs/kind/categories":    {"x", "y"},
		"/obs/kind/codes":         {"0", "1", "0"},
		"/obs@column-order":       {"kind", "n"},
		"/uns/title":              {"t"},
		"/var/_index":             {"g1", "g2"},
		"/obs/kind@encoding-type": {"categorical"},
	}
	for k, v := range want {
		if got := w.values[k]; !slices.Equal(got, v) {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	v0 := loadFixture(t, "v0_default")
	tests := []struct {
		name        string
		data        []byte
		want        string
		unsupported bool
	}{
		{"an empty file", nil, "not an HDF5 file", false},
		{"a text file", []byte("just some text, long enough to look at"), "not an HDF5 file", false},
		{"a signature alone", []byte(hdf5.Signature), "malformed HDF5 superblock", false},
		{"an unknown superblock version", append([]byte(hdf5.Signature), 9), "HDF5 superblock version 9 is not supported", true},
		{"a garbage superblock version", append([]byte(hdf5.Signature), 0xa5), "malformed HDF5 superblock version 165", false},
		{"16-byte addresses", append([]byte(hdf5.Signature), 2, 16, 8, 0), "16-byte addresses", true},
		{"a base address past the end", func() []byte {
			b := bytes.Clone(v0[:96])
			b[24] = 0xf0 // base address
			return b
		}(), "base address", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := hdf5.Open(bytes.NewReader(tt.data), int64(len(tt.data)), hdf5.Limits{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open() error = %v, want one containing %q", err, tt.want)
			}
			if errors.Is(err, errors.ErrUnsupported) != tt.unsupported {
				t.Errorf("Open() error %v matches errors.ErrUnsupported: %v, want %v", err, !tt.unsupported, tt.unsupported)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	data := loadFixture(t, "latest_dense_deep")
	for _, lim := range []hdf5.Limits{{Reads: 20}, {Bytes: 4096}, {Structure: 64}} {
		f, err := hdf5.Open(bytes.NewReader(data), int64(len(data)), lim)
		if err == nil {
			for _, e := range walk(f).errs {
				err = e
			}
		}
		if err == nil {
			t.Errorf("walking under %+v succeeded", lim)
		}
	}
}

// TestDamage truncates and corrupts every fixture and a written file: the
// reader must never crash.
func TestDamage(t *testing.T) {
	files := map[string][]byte{"written": writtenFile(t)}
	for _, name := range fixtures(t) {
		files[name] = loadFixture(t, name)
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for n := 0; n < len(data); n += 1 + n/32 {
				walkBytes(t, data[:n])
			}
			buf := bytes.Clone(data)
			rng := rand.New(rand.NewPCG(uint64(len(data)), 1))
			for i := 0; i < len(buf); i += 1 + i/1024 + rng.IntN(8) {
				x := byte(1 + rng.IntN(255))
				buf[i] ^= x
				walkBytes(t, buf)
				buf[i] ^= x
			}
		})
	}
}

// walkBytes opens data and walks everything in it, if it opens, and
// reports what the walk found wrong with the reader.
func walkBytes(t testing.TB, data []byte) {
	t.Helper()
	f, err := hdf5.Open(bytes.NewReader(data), int64(len(data)), limits(len(data)))
	if err == nil {
		if w := walk(f); len(w.bugs) > 0 {
			t.Fatalf("walking a file of %d bytes: %q", len(data), w.bugs)
		}
	}
}

func FuzzOpen(f *testing.F) {
	for _, name := range fixtures(f) {
		f.Add(loadFixture(f, name))
	}
	written := writtenFile(f)
	f.Add(written)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 16 {
		m := bytes.Clone(written)
		for range 1 + rng.IntN(8) {
			m[rng.IntN(len(m))] ^= byte(1 + rng.IntN(255))
		}
		f.Add(m)
	}
	f.Add(written[:len(written)/2])
	f.Add(append([]byte(hdf5.Signature), 2, 8, 8, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		walkBytes(t, data)
	})
}
