package local_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/blob/local"
)

func TestABatchOfFilesIsStoredAllOrNothing(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	var items []blob.FileItem
	for i := 0; i < 50; i++ {
		p := filepath.Join(src, fmt.Sprintf("f%d.txt", i))
		os.WriteFile(p, []byte(fmt.Sprintf("file %d\n", i)), 0o644)
		items = append(items, blob.FileItem{Key: fmt.Sprintf("batch/sub%d/f%d.txt", i%3, i), Path: p})
	}
	t.Run("every file of a good batch arrives", func(t *testing.T) {
		s, _ := local.New(t.TempDir())
		if err := blob.PutFiles(ctx, s, items); err != nil {
			t.Fatal(err)
		}
		for i, it := range items {
			p, _ := s.Path(it.Key)
			if b, err := os.ReadFile(p); err != nil || string(b) != fmt.Sprintf("file %d\n", i) {
				t.Fatalf("%s: %q %v", it.Key, b, err)
			}
		}
	})
	t.Run("a batch with an unreadable source leaves nothing", func(t *testing.T) {
		root := t.TempDir()
		s, _ := local.New(root)
		bad := append(append([]blob.FileItem{}, items[:25]...), blob.FileItem{Key: "batch/missing.txt", Path: filepath.Join(src, "missing")})
		bad = append(bad, items[25:]...)
		if err := blob.PutFiles(ctx, s, bad); err == nil {
			t.Fatal("batch with a missing source succeeded")
		}
		var left []string
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && p != root {
				left = append(left, p)
			}
			return nil
		})
		if len(left) != 0 {
			t.Fatalf("left behind: %v", left)
		}
	})
}
