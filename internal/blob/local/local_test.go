package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/blob/blobtest"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store { return newStore(t) })
}

// tree returns the slash-separated paths of all files and directories
// below root, sorted.
func tree(t *testing.T, root string) []string {
	t.Helper()
	paths := []string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			rel += "/"
		}
		paths = append(paths, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(paths)
	return paths
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestNew(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		root    string
		wantErr bool
	}{
		{"an existing directory is accepted", dir, false},
		{"a missing directory is rejected", filepath.Join(dir, "missing"), true},
		{"a regular file is rejected", file, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.root)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("New(%q) succeeded", tt.root)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tt.root, err)
			}
			if s.Root() != tt.root {
				t.Fatalf("Root() = %q, want %q", s.Root(), tt.root)
			}
		})
	}
}

func TestNewMakesARelativeRootAbsolute(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("sub", 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := New("sub")
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(s.Root()) || filepath.Base(s.Root()) != "sub" {
		t.Fatalf("Root() = %q, want an absolute path ending in sub", s.Root())
	}
}

func TestPath(t *testing.T) {
	s := newStore(t)
	tests := []struct {
		name    string
		key     string
		want    string
		wantErr error
	}{
		{"a top-level key maps below the root", "a", filepath.Join(s.Root(), "a"), nil},
		{"a nested key maps to nested directories", "a/b/c.txt", filepath.Join(s.Root(), "a", "b", "c.txt"), nil},
		{"a parent segment is rejected", "../escape", "", blob.ErrInvalidKey},
		{"an absolute key is rejected", "/etc/passwd", "", blob.ErrInvalidKey},
		{"a temporary-file name is rejected", "a/.b.tmp-123", "", blob.ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Path(tt.key)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Path(%q) error = %v, want %v", tt.key, err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("Path(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestPathPointsAtTheStoredFile(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if _, err := s.Put(ctx, "x/y", strings.NewReader("hello"), 5); err != nil {
		t.Fatal(err)
	}
	p, err := s.Path("x/y")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "hello" {
		t.Fatalf("ReadFile(Path) = %q, %v; want hello", got, err)
	}
}

func TestFailedPutLeavesNoFiles(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name     string
		existing bool
		ctx      context.Context
		r        io.Reader
		size     int64
	}{
		{"a short reader leaves nothing", false, nil, strings.NewReader("abc"), 10},
		{"a long reader leaves nothing", false, nil, strings.NewReader("abcdef"), 3},
		{"a reader error leaves nothing", false, nil, errReader{errors.New("boom")}, -1},
		{"a cancelled context leaves nothing", false, canceled, strings.NewReader("abc"), 3},
		{"a failed overwrite leaves only the old file", true, nil, strings.NewReader("abc"), 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			ctx := tt.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			want := []string{}
			if tt.existing {
				if _, err := s.Put(t.Context(), "deep/dir/key", strings.NewReader("old"), 3); err != nil {
					t.Fatal(err)
				}
				want = []string{"deep/", "deep/dir/", "deep/dir/key"}
			}
			if _, err := s.Put(ctx, "deep/dir/key", tt.r, tt.size); err == nil {
				t.Fatal("Put succeeded")
			}
			if got := tree(t, s.Root()); !slices.Equal(got, want) {
				t.Fatalf("files after failed Put = %q, want %q", got, want)
			}
		})
	}
}

func TestFailedPutFileFromLeavesNoFiles(t *testing.T) {
	s := newStore(t)
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	src := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(src, []byte("content"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutFileFrom(canceled, "a/b", src); !errors.Is(err, context.Canceled) {
		t.Fatalf("PutFileFrom with a cancelled context = %v, want context.Canceled", err)
	}
	if got := tree(t, s.Root()); len(got) != 0 {
		t.Fatalf("files after failed PutFileFrom = %q, want none", got)
	}
}

func TestPutOverADirectoryFails(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if _, err := s.Put(ctx, "d/inner", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "d", strings.NewReader("y"), 1); err == nil {
		t.Fatal("Put over a directory succeeded")
	}
	if got, want := tree(t, s.Root()), []string{"d/", "d/inner"}; !slices.Equal(got, want) {
		t.Fatalf("files = %q, want %q", got, want)
	}
}

func TestListSkipsTemporaryFiles(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if _, err := s.Put(ctx, "a/b", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".b.tmp-123", ".c.tmp-", "..tmp-9"} {
		if err := os.WriteFile(filepath.Join(s.Root(), "a", name), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		prefix string
		want   []string
	}{
		{"listing everything skips temporary files", "", []string{"a/b"}},
		{"listing a directory skips temporary files", "a/", []string{"a/b"}},
		{"a prefix naming a temporary file finds nothing", "a/.b", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []string{}
			err := s.List(ctx, tt.prefix, func(info blob.Info) error {
				got = append(got, info.Key)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("List(%q) = %q, want %q", tt.prefix, got, tt.want)
			}
		})
	}
}

func TestTemporaryFileNamesAreReservedKeys(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	tests := []struct {
		name  string
		key   string
		valid bool
	}{
		{"a temporary name at the top is rejected", ".x.tmp-1", false},
		{"a temporary name below a directory is rejected", "a/.x.tmp-abc", false},
		{"a temporary-looking directory is allowed", ".x.tmp-1/y", true},
		{"a name merely containing tmp is allowed", "x.tmp-1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Put(ctx, tt.key, strings.NewReader("x"), 1)
			if tt.valid != (err == nil) {
				t.Fatalf("Put(%q) error = %v, want valid=%v", tt.key, err, tt.valid)
			}
			if !tt.valid && !errors.Is(err, blob.ErrInvalidKey) {
				t.Fatalf("Put(%q) error = %v, want ErrInvalidKey", tt.key, err)
			}
		})
	}
}

func TestDeletePrunesEmptyDirectories(t *testing.T) {
	tests := []struct {
		name    string
		keys    []string
		deletes []string
		want    []string
	}{
		{"deleting the only key removes every directory but the root", []string{"a/b/c/d"}, []string{"a/b/c/d"}, []string{}},
		{"deleting a top-level key keeps the root", []string{"top"}, []string{"top"}, []string{}},
		{"a directory with other entries is kept", []string{"a/b/c", "a/x"}, []string{"a/b/c"}, []string{"a/", "a/x"}},
		{"a sibling directory is kept", []string{"a/b/c", "a/d/e"}, []string{"a/b/c"}, []string{"a/", "a/d/", "a/d/e"}},
		{"deleting a missing key prunes nothing", []string{"a/b"}, []string{"a/c"}, []string{"a/", "a/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			ctx := t.Context()
			for _, k := range tt.keys {
				if _, err := s.Put(ctx, k, strings.NewReader(k), int64(len(k))); err != nil {
					t.Fatal(err)
				}
			}
			for _, k := range tt.deletes {
				if err := s.Delete(ctx, k); err != nil {
					t.Fatalf("Delete(%q): %v", k, err)
				}
			}
			if got := tree(t, s.Root()); !slices.Equal(got, tt.want) {
				t.Fatalf("files = %q, want %q", got, tt.want)
			}
			if fi, err := os.Stat(s.Root()); err != nil || !fi.IsDir() {
				t.Fatalf("root is gone: %v", err)
			}
		})
	}
}

func TestDeleteLeavesDirectoriesAlone(t *testing.T) {
	s := newStore(t)
	if err := os.Mkdir(filepath.Join(s.Root(), "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(t.Context(), "empty"); err != nil {
		t.Fatalf("Delete of a directory key = %v, want nil", err)
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "empty")); err != nil {
		t.Fatalf("Delete removed a directory: %v", err)
	}
}

func TestPutCreatesFilesWithMode0644(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	s := newStore(t)
	ctx := t.Context()
	src := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(src, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		put  func(key string) error
	}{
		{"put writes mode 0644", func(key string) error {
			_, err := s.Put(ctx, key, strings.NewReader("x"), 1)
			return err
		}},
		{"put file from writes mode 0644", func(key string) error {
			_, err := s.PutFileFrom(ctx, key, src)
			return err
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "m/" + string(rune('a'+i))
			if err := tt.put(key); err != nil {
				t.Fatal(err)
			}
			p, _ := s.Path(key)
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o644 {
				t.Fatalf("mode = %v, want 0644", fi.Mode().Perm())
			}
		})
	}
}

func TestCopyNChecksTheSize(t *testing.T) {
	tests := []struct {
		name    string
		content string
		size    int64
		wantErr bool
	}{
		{"exact size copies", "abc", 3, false},
		{"unknown size copies", "abc", -1, false},
		{"short content fails", "ab", 3, true},
		{"long content fails", "abcd", 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sb strings.Builder
			_, err := copyN(&sb, strings.NewReader(tt.content), tt.size)
			if (err != nil) != tt.wantErr {
				t.Fatalf("copyN error = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestBlobPutFileUsesTheLocalFastPath(t *testing.T) {
	s := newStore(t)
	src := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(src, []byte("fast"), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := blob.PutFile(t.Context(), s, "f", src)
	if err != nil || info.Size != 4 {
		t.Fatalf("PutFile = %+v, %v", info, err)
	}
	// The stored file is a copy, not a link to the source.
	p, _ := s.Path("f")
	a, _ := os.Stat(p)
	b, _ := os.Stat(src)
	if os.SameFile(a, b) {
		t.Fatal("stored file shares the source's inode")
	}
}

func TestConcurrentPutAndDeleteInOneDirectory(t *testing.T) {
	// Delete prunes directories that a concurrent Put may just have
	// created; Put must recreate them rather than fail.
	s := newStore(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			key := fmt.Sprintf("d/sub/k%d", i)
			for range 100 {
				if _, err := s.Put(ctx, key, strings.NewReader("x"), 1); err != nil {
					errs <- err
					return
				}
				if err := s.Delete(ctx, key); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := tree(t, s.Root()); len(got) != 0 {
		t.Fatalf("files left = %q, want none", got)
	}
}
