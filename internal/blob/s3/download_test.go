package s3

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/lamin-go/lamin/internal/blob"
)

// entries returns the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestDownload(t *testing.T) {
	const ps = MinPartSize
	tests := []struct {
		name string
		size int64
	}{
		{"an empty object downloads", 0},
		{"a small object downloads with one request", 1000},
		{"an object of exactly the part size downloads with one request", ps},
		{"a large object downloads in parallel ranges", 3*ps + 17},
	}
	forEachServer(t, func(t *testing.T, srv *testServer) {
		s := srv.newStore(t, withPartSize(ps))
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				content := bigContent()[i : int64(i)+tt.size]
				if _, err := s.Put(ctx, "d/obj", bytes.NewReader(content), tt.size); err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				dst := filepath.Join(dir, "new", "nested", "dst.bin")
				if err := s.Download(ctx, "d/obj", dst); err != nil {
					t.Fatalf("Download: %v", err)
				}
				got, err := os.ReadFile(dst)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, content) {
					t.Fatalf("downloaded %d bytes, want %d", len(got), len(content))
				}
				if names := entries(t, filepath.Dir(dst)); len(names) != 1 {
					t.Fatalf("download directory holds %q, want only dst.bin", names)
				}
				fi, err := os.Stat(dst)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o644 {
					t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
				}
			})
		}
	})
}

func TestDownloadOfAMissingKeyLeavesDstAlone(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *testServer) {
		s := srv.newStore(t)
		dir := t.TempDir()
		dst := filepath.Join(dir, "dst")
		if err := os.WriteFile(dst, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name    string
			key     string
			wantErr error
		}{
			{"a missing key reports not found", "missing", blob.ErrNotFound},
			{"an invalid key reports an invalid key", "a//b", blob.ErrInvalidKey},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := s.Download(t.Context(), tt.key, dst)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Download = %v, want %v", err, tt.wantErr)
				}
				if got, _ := os.ReadFile(dst); string(got) != "old" {
					t.Fatalf("dst changed to %q", got)
				}
				if names := entries(t, dir); len(names) != 1 {
					t.Fatalf("directory holds %q, want only dst", names)
				}
			})
		}
	})
}

func TestConcurrentDownloadsToOneFile(t *testing.T) {
	const ps = MinPartSize
	forEachServer(t, func(t *testing.T, srv *testServer) {
		s := srv.newStore(t, withPartSize(ps))
		ctx := t.Context()
		content := bigContent()[:2*ps+3]
		if _, err := s.Put(ctx, "c", bytes.NewReader(content), int64(len(content))); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		dst := filepath.Join(dir, "dst")
		const downloaders = 4
		errs := make([]error, downloaders)
		var wg sync.WaitGroup
		for i := range downloaders {
			wg.Go(func() { errs[i] = s.Download(ctx, "c", dst) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("downloader %d: %v", i, err)
			}
		}
		got, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, content) {
			t.Fatalf("dst holds %d bytes, want %d", len(got), len(content))
		}
		if names := entries(t, dir); len(names) != 1 {
			t.Fatalf("directory holds %q, want only dst", names)
		}
	})
}
