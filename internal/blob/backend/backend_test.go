package backend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamin-go/lamin/internal/blob"
)

func TestLookupChoosesTheBackendByScheme(t *testing.T) {
	tests := []struct {
		root     string
		wantType string
		want     blob.Capabilities
	}{
		{"/data/project", "local", blob.Capabilities{LocalPath: true}},
		{"relative/folder", "local", blob.Capabilities{LocalPath: true}},
		{"file:///data/project", "local", blob.Capabilities{LocalPath: true}},
		{"s3://bucket/prefix", "s3", blob.Capabilities{RemoteDownload: true, ETagHashing: true}},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			b, err := Lookup(tt.root)
			if err != nil {
				t.Fatal(err)
			}
			if b.Type != tt.wantType || b.Capabilities != tt.want {
				t.Errorf("Lookup(%q) = type %q, %+v; want %q, %+v", tt.root, b.Type, b.Capabilities, tt.wantType, tt.want)
			}
			caps, err := CapabilitiesOf(tt.root)
			if err != nil || caps != tt.want {
				t.Errorf("CapabilitiesOf(%q) = %+v, %v; want %+v", tt.root, caps, err, tt.want)
			}
		})
	}
}

func TestAnUnknownSchemeIsOneLineNamingTheSupportedOnes(t *testing.T) {
	for _, root := range []string{"gs://bucket/prefix", "S3://bucket", "http://host/x"} {
		_, err := Lookup(root)
		if !errors.Is(err, blob.ErrInvalidRoot) {
			t.Fatalf("Lookup(%q) = %v, want an error wrapping ErrInvalidRoot", root, err)
		}
		msg := err.Error()
		for _, want := range []string{"local paths", "file://", "s3://"} {
			if !strings.Contains(msg, want) {
				t.Errorf("Lookup(%q): %q does not name %q", root, msg, want)
			}
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("Lookup(%q): %q spans lines", root, msg)
		}
		if _, err := Open(context.Background(), root); !errors.Is(err, blob.ErrInvalidRoot) {
			t.Errorf("Open(%q) = %v, want an error wrapping ErrInvalidRoot", root, err)
		}
		if _, err := Normalize(root); !errors.Is(err, blob.ErrInvalidRoot) {
			t.Errorf("Normalize(%q) = %v, want an error wrapping ErrInvalidRoot", root, err)
		}
	}
}

func TestOpenGivesALocalStoreForPathsAndFileURLs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, root := range []string{dir, "file://" + dir} {
		st, err := Open(context.Background(), root)
		if err != nil {
			t.Fatalf("Open(%q): %v", root, err)
		}
		info, err := st.Stat(context.Background(), "a.txt")
		if err != nil || info.Size != 3 {
			t.Errorf("Open(%q).Stat(a.txt) = %+v, %v; want 3 bytes", root, info, err)
		}
	}
	if _, err := Open(context.Background(), filepath.Join(dir, "missing")); err == nil || errors.Is(err, blob.ErrInvalidRoot) {
		t.Errorf("Open(missing folder) = %v, want an error of this machine, not of the root", err)
	}
}

func TestOpenReportsABadS3URLAsARootProblem(t *testing.T) {
	_, err := Open(context.Background(), "s3://")
	if !errors.Is(err, blob.ErrInvalidRoot) || !strings.Contains(err.Error(), "no bucket") {
		t.Errorf("Open(s3://) = %v, want an invalid root without a bucket", err)
	}
}

func TestRootsAreNormalisedJoinedAndNamed(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ in, want string }{
		{"s3://bucket/prefix/", "s3://bucket/prefix"},
		{"s3://bucket", "s3://bucket"},
		{dir + "/", dir},
		{"file://" + dir, dir},
	} {
		if got, err := Normalize(tt.in); err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	wd, _ := os.Getwd()
	if got, _ := Normalize("sub"); got != filepath.Join(wd, "sub") {
		t.Errorf("Normalize(sub) = %q, want it absolute", got)
	}
	for _, tt := range []struct{ root, key, want string }{
		{"s3://bucket/prefix", ".lamindb/x.csv", "s3://bucket/prefix/.lamindb/x.csv"},
		{"s3://bucket/", "a/b", "s3://bucket/a/b"},
		{"/data", "a/b.txt", filepath.Join("/data", "a", "b.txt")},
	} {
		if got := Join(tt.root, tt.key); got != tt.want {
			t.Errorf("Join(%q, %q) = %q, want %q", tt.root, tt.key, got, tt.want)
		}
	}
	for _, tt := range []struct{ root, want string }{
		{"s3://bucket/Prefix/Team", "Team"},
		{"s3://bucket/", "bucket"},
		{"/data/Project", "Project"},
	} {
		if got := Base(tt.root); got != tt.want {
			t.Errorf("Base(%q) = %q, want %q", tt.root, got, tt.want)
		}
	}
	if got, want := CacheDir("/cache", "s3://bucket/prefix"), filepath.Join("/cache", "bucket", "prefix"); got != want {
		t.Errorf("CacheDir = %q, want %q", got, want)
	}
	if got := Path("file:///data/x.csv"); got != "/data/x.csv" {
		t.Errorf("Path(file URL) = %q", got)
	}
	if got := Path("s3://bucket/x.csv"); got != "s3://bucket/x.csv" {
		t.Errorf("Path(s3 URL) = %q, want it unchanged", got)
	}
}
