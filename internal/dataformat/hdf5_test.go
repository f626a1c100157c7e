package dataformat

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/lamin-go/lamin/internal/hdf5"
)

// hdf5Signature starts every HDF5 superblock.
var hdf5Signature = []byte(hdf5.Signature)

// h5adFixtures lists the files in testdata/h5ad (written by libhdf5 through
// h5py and AnnData, see gen.py there) with their number of observations.
var h5adFixtures = []struct {
	name    string
	fixture string
	want    int64
}{
	{"an AnnData file with a sparse matrix has 21 observations", "anndata_sparse", 21},
	{"an AnnData file with a named compressed index has 21 observations", "anndata_named_index", 21},
	{"a default-layout file counts the obs/_index dataset", "v0_default", 7},
	{"the obs _index attribute names the index dataset", "v0_named_index", 5},
	{"a fixed-length string _index attribute is read", "v0_fixed_string_attr", 4},
	{"a missing _index attribute falls back to obs/_index", "v0_no_index_attr", 6},
	{"a user block before the superblock is skipped", "v0_userblock", 3},
	{"a multi-level symbol table B-tree is searched", "v0_deep_btree", 13},
	{"compact links of the latest format are followed", "latest_compact", 11},
	{"object headers tracking creation order are read", "latest_track_order", 8},
	{"dense link storage is searched", "latest_dense", 17},
	{"dense attribute storage is searched", "latest_dense_attrs", 19},
	{"a two-level v2 B-tree over dense links is searched", "latest_dense_deep", 23},
	{"a root group with dense links is searched", "latest_dense_root", 2},
	{"a compound obs dataset from before AnnData 0.7 gives its length", "legacy_compound", 9},
}

func loadH5AD(t testing.TB, fixture string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "h5ad", fixture+".h5ad.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestObservationsH5AD(t *testing.T) {
	for _, tt := range h5adFixtures {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "data.h5ad", loadH5AD(t, tt.fixture))
			n, ok, err := Observations(context.Background(), p, ".h5ad")
			if err != nil || !ok || n != tt.want {
				t.Errorf("Observations() = %d, %v, %v; want %d, true, nil", n, ok, err, tt.want)
			}
		})
	}
}

func TestObservationsH5ADFailures(t *testing.T) {
	v0 := loadH5AD(t, "v0_default")
	latest := loadH5AD(t, "latest_compact")
	noIndex := loadH5AD(t, "v0_no_index_attr")
	unsupported := bytes.Clone(v0)
	unsupported[8] = 9 // superblock version
	softLink := loadH5AD(t, "v0_soft_link_index")

	tests := []struct {
		name    string
		content []byte
		wantErr bool
	}{
		{"a file that is not HDF5 fails", []byte("just some text, long enough to look at"), true},
		{"an empty file fails", nil, true},
		{"an HDF5 signature followed by garbage fails", append(bytes.Clone(hdf5Signature), bytes.Repeat([]byte{0xa5}, 300)...), true},
		{"a symbol-table file without obs fails", bytes.ReplaceAll(v0, []byte("obs\x00"), []byte("obz\x00")), true},
		{"a latest-format file without obs fails", bytes.ReplaceAll(latest, []byte("obs"), []byte("obz")), true},
		{"a file without the obs index dataset fails", bytes.ReplaceAll(noIndex, []byte("_index\x00"), []byte("_indey\x00")), true},
		{"a file cut in half fails", v0[:len(v0)/2], true},
		{"an unknown superblock version gives no count and no error", unsupported, false},
		{"an obs index behind a soft link gives no count and no error", softLink, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "data.h5ad", tt.content)
			n, ok, err := Observations(context.Background(), p, ".h5ad")
			if ok || n != 0 {
				t.Fatalf("Observations() = %d, %v, %v; want no count", n, ok, err)
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("Observations() error = %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}

// TestH5ADDamage truncates and corrupts every fixture: the reader must never
// crash, and a count it still reports from a truncated file must be right.
func TestH5ADDamage(t *testing.T) {
	for _, tt := range h5adFixtures {
		data := loadH5AD(t, tt.fixture)
		t.Run("truncating "+tt.fixture+" never gives a wrong count", func(t *testing.T) {
			t.Parallel()
			for n := 0; n < len(data); n += 1 + n/64 {
				got, err := h5adObsCount(bytes.NewReader(data[:n]), int64(n))
				if err == nil && got != tt.want {
					t.Fatalf("truncated to %d bytes: %d observations, want %d", n, got, tt.want)
				}
			}
		})
		t.Run("flipping bytes of "+tt.fixture+" never crashes", func(t *testing.T) {
			t.Parallel()
			buf := bytes.Clone(data)
			for i := 0; i < len(buf); i += 1 + i/4096 {
				for _, x := range []byte{0xff, 0x01, 0x80} {
					buf[i] ^= x
					if got, err := h5adObsCount(bytes.NewReader(buf), int64(len(buf))); err == nil && got < 0 {
						t.Fatalf("flipping byte %d by %#x gave %d observations", i, x, got)
					}
					buf[i] ^= x
				}
			}
		})
	}
}
