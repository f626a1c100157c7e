package lamin_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lamin-go/lamin"
)

// FuzzValidateKey checks that ValidateKey never panics, that every refusal
// is an ErrInvalid on one line, and that no accepted key can leave the
// storage root or reach into the managed folder.
func FuzzValidateKey(f *testing.F) {
	for _, k := range []string{
		"results/table.csv", "a", "a/b/c.parquet", "café.csv", "cafe\u0301.csv",
		"", "/", "/etc/passwd", "..", "../x", "a/../b", "a/..", "./a", "a/./b", "a//b", "a/",
		".lamindb", ".lamindb/x", "a/.lamindb/b", ".lamindbx/y", "..a/b..", "...",
		"a\x00b", "a\nb", "a\rb", "a\\b", "\xff", "a\u2028b", "a\u0085b",
		"a\u202evsc.exe", "data\u200b.csv", "\ufeffa.csv", "x\u2066y",
		strings.Repeat("k", 5000), strings.Repeat("a/", 600) + "b",
	} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := lamin.ValidateKey(key)
		if err != nil {
			if !errors.Is(err, lamin.ErrInvalid) {
				t.Fatalf("ValidateKey(%q) = %v, want an ErrInvalid", key, err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("ValidateKey(%q) error spans several lines: %q", key, err)
			}
			return
		}
		switch {
		case key == "":
			t.Fatal("the empty key was accepted")
		case strings.HasPrefix(key, "/"):
			t.Fatalf("accepted absolute key %q", key)
		case strings.ContainsAny(key, "\x00\n\r\\"):
			t.Fatalf("accepted key %q with a NUL, line break or backslash", key)
		case !utf8.ValidString(key):
			t.Fatalf("accepted key %q that is not UTF-8", key)
		case strings.ContainsAny(key, "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"):
			t.Fatalf("accepted key %q with a zero-width or bidirectional control character", key)
		}
		for _, seg := range strings.Split(key, "/") {
			if seg == "" || seg == "." || seg == ".." || seg == ".lamindb" {
				t.Fatalf("accepted key %q with segment %q", key, seg)
			}
		}
		// What the key names on disk stays below the root.
		if rel := filepath.Clean(filepath.FromSlash(key)); rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			t.Fatalf("accepted key %q resolves to %q outside the root", key, rel)
		}
	})
}

// FuzzGetArtifactUID checks that GetArtifact on an empty instance never
// panics and answers any string with ErrNotFound (or ErrConflict), never
// with a record or an internal error.
func FuzzGetArtifactUID(f *testing.F) {
	dir := f.TempDir()
	ctx := context.Background()
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"), Getenv: func(string) string { return "" }}
	if _, err := lamin.Login("testuser1", "", opts); err != nil {
		f.Fatal(err)
	}
	in, err := lamin.Init(ctx, filepath.Join(dir, "mydata"), lamin.InitOptions{Options: opts})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { in.Close() })
	for _, s := range []string{
		"", "A", "AAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAA0000", "AAAAAAAAAAAAAAAA00000", "AAAAAAAAAAAAAAAA000",
		"%", "_", "%%%%", "A%", "A_", "' OR 1=1 --", "'; DROP TABLE lamindb_artifact; --",
		"a\x00b", "a\nb", "é", "\xff", strings.Repeat("z", 5000), "key=foo",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, idlike string) {
		a, err := in.GetArtifact(ctx, idlike)
		if a != nil {
			t.Fatalf("GetArtifact(%q) on an empty instance returned %s", idlike, a.UID)
		}
		if !errors.Is(err, lamin.ErrNotFound) && !errors.Is(err, lamin.ErrConflict) {
			t.Fatalf("GetArtifact(%q) = %v, want ErrNotFound or ErrConflict", idlike, err)
		}
	})
}
