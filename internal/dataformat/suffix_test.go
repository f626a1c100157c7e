package dataformat

import (
	"strings"
	"testing"
)

const (
	lastTwoHint = "file has more than one suffix (path.suffixes), using only last two suffixes: "
	lastHint    = "file has more than one suffix (path.suffixes), using only last suffix: "
	lastHintEnd = " - if you want your composite suffix to be recognized add it to lamindb.core.storage.VALID_SIMPLE_SUFFIXES.add()"
)

func TestSuffix(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		suffix string
		hint   string
	}{
		{"a plain csv name keeps its suffix", "schmidt22-crispra-gws-IFNG.csv", ".csv", ""},
		{"a gzipped fastq keeps both suffixes without a hint", "perturbseq_R1_001.fastq.gz", ".fastq.gz", ""},
		{"a gzipped matrix keeps both suffixes", "matrix.mtx.gz", ".mtx.gz", ""},
		{"a gzipped tarball keeps both suffixes", "archive.tar.gz", ".tar.gz", ""},
		{"a composite anndata zarr suffix is recognised", "x.anndata.zarr", ".anndata.zarr", ""},
		{"a composite vitessce suffix is recognised", "config.vitessce.json", ".vitessce.json", ""},
		{"a composite ome zarr suffix is recognised", "image.ome.zarr", ".ome.zarr", ""},
		{"a composite suffix after other parts is recognised", "x.v1.anndata.zarr", ".anndata.zarr", ""},
		{"unknown suffixes fall back to the last one with a hint", "a.b.c", ".c", lastHint + "'.c'" + lastHintEnd},
		{"a version part before csv falls back to csv with a hint", "data.v2.csv", ".csv", lastHint + "'.csv'" + lastHintEnd},
		{"a known suffix before an unknown one keeps both with a hint", "table.csv.bak", ".csv.bak", lastTwoHint + "'.csv.bak'"},
		{"a known suffix before gz keeps both without a hint", "reads.fasta.gz", ".fasta.gz", ""},
		{"an unknown suffix before gz keeps only gz with a hint", "blob.foo.gz", ".gz", lastHint + "'.gz'" + lastHintEnd},
		{"a single numeric suffix is dropped", "file.1", "", ""},
		{"a numeric last suffix after an unknown one is dropped", "v1.2.3", "", lastHint + "'.3'" + lastHintEnd},
		{"a numeric last suffix after a known one is kept", "table.csv.1", ".csv.1", lastTwoHint + "'.csv.1'"},
		{"a superscript digit counts as numeric", "file.²", "", ""},
		{"a name without a dot has no suffix", "noext", "", ""},
		{"a trailing dot means no suffix", "trailing.", "", ""},
		{"a trailing dot after several parts means no suffix", "a.csv.", "", ""},
		{"a hidden file has no suffix", ".bashrc", "", ""},
		{"a hidden file can still have a suffix", ".hidden.csv", ".csv", ""},
		{"a name of two leading dots keeps what follows", "..csv", ".csv", ""},
		{"only the final path component is used", "s3://bucket/dir.v1/data.parquet", ".parquet", ""},
		{"a trailing slash is ignored", "dir/table.tsv/", ".tsv", ""},
		{"a trailing dot component is ignored", "dir/table.tsv/.", ".tsv", ""},
		{"a parent reference has no suffix", "dir/..", "", ""},
		{"an empty name has no suffix", "", "", ""},
		{"an h5ad suffix is kept", "pbmc68k.h5ad", ".h5ad", ""},
		{"a suffix unknown to LaminDB is still kept when alone", "sample.h5mu", ".h5mu", ""},
		{"suffix case is preserved", "PHOTO.JPG", ".JPG", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			suffix, hint := Suffix(tt.path)
			if suffix != tt.suffix {
				t.Errorf("Suffix(%q) suffix = %q, want %q", tt.path, suffix, tt.suffix)
			}
			if hint != tt.hint {
				t.Errorf("Suffix(%q) hint = %q, want %q", tt.path, hint, tt.hint)
			}
		})
	}
}

func TestSuffixMatches(t *testing.T) {
	tests := []struct {
		name   string
		key    string
		suffix string
		want   bool
	}{
		{"a key with the same suffix matches", "data/abc.csv", ".csv", true},
		{"a key with a composite suffix matches it", "x/abc.anndata.zarr", ".anndata.zarr", true},
		{"a key with only part of the suffix does not match", "abc.zarr", ".anndata.zarr", false},
		{"a key with a longer suffix does not match the short one", "abc.csv.gz", ".csv", false},
		{"a key without suffix matches the empty suffix", "abc", "", true},
		{"a numeric key suffix matches the empty suffix", "abc.1", "", true},
		{"suffixes are compared case-sensitively", "abc.CSV", ".csv", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SuffixMatches(tt.key, tt.suffix); got != tt.want {
				t.Errorf("SuffixMatches(%q, %q) = %v, want %v", tt.key, tt.suffix, got, tt.want)
			}
		})
	}
}

func TestOType(t *testing.T) {
	tests := []struct {
		name    string
		suffix  string
		otype   string
		dataset string
	}{
		{"h5ad is AnnData", ".h5ad", "AnnData", "AnnData"},
		{"anndata zarr is AnnData", ".anndata.zarr", "AnnData", "AnnData"},
		{"h5mu is MuData", ".h5mu", "MuData", "MuData"},
		{"spatialdata zarr is SpatialData", ".spatialdata.zarr", "SpatialData", "SpatialData"},
		{"parquet is a DataFrame only as a dataset", ".parquet", "", "DataFrame"},
		{"csv is a DataFrame only as a dataset", ".csv", "", "DataFrame"},
		{"tsv is a DataFrame only as a dataset", ".tsv", "", "DataFrame"},
		{"gzipped csv is a DataFrame only as a dataset", ".csv.gz", "", "DataFrame"},
		{"gzipped tsv is a DataFrame only as a dataset", ".tsv.gz", "", "DataFrame"},
		{"plain zarr has no type", ".zarr", "", ""},
		{"the empty suffix has no type", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OType(tt.suffix); got != tt.otype {
				t.Errorf("OType(%q) = %q, want %q", tt.suffix, got, tt.otype)
			}
			if got := DatasetOType(tt.suffix); got != tt.dataset {
				t.Errorf("DatasetOType(%q) = %q, want %q", tt.suffix, got, tt.dataset)
			}
		})
	}
}

func FuzzSuffix(f *testing.F) {
	for _, s := range []string{
		"", ".", "..", "a.b.c", "x.anndata.zarr", "file.1", "v1.2.3", ".bashrc",
		"dir/sub/table.csv.gz", "trailing.", "a..b", "s3://b/k.ome.zarr/", "x.²",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		suffix, hint := Suffix(name)
		if suffix != "" && !strings.HasPrefix(suffix, ".") {
			t.Fatalf("Suffix(%q) = %q, which does not start with a dot", name, suffix)
		}
		if strings.Contains(suffix, "/") {
			t.Fatalf("Suffix(%q) = %q, which spans path components", name, suffix)
		}
		if hint != "" && !strings.HasPrefix(hint, "file has more than one suffix") {
			t.Fatalf("Suffix(%q) hint = %q", name, hint)
		}
		if !SuffixMatches(name, suffix) {
			t.Fatalf("SuffixMatches(%q, %q) = false", name, suffix)
		}
	})
}
