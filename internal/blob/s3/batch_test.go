package s3

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/lamin-go/lamin/internal/blob"
)

func TestABatchOfFilesIsUploadedAllOrNothing(t *testing.T) {
	src := t.TempDir()
	var items []blob.FileItem
	for i := 0; i < 40; i++ {
		p := filepath.Join(src, fmt.Sprintf("f%d.txt", i))
		os.WriteFile(p, []byte(fmt.Sprintf("file %d\n", i)), 0o644)
		items = append(items, blob.FileItem{Key: fmt.Sprintf("batch/f%d.txt", i), Path: p})
	}
	forEachServer(t, func(t *testing.T, srv *testServer) {
		ctx := context.Background()
		t.Run("every file arrives", func(t *testing.T) {
			s := srv.newStore(t)
			if err := blob.PutFiles(ctx, s, items); err != nil {
				t.Fatal(err)
			}
			n := 0
			s.List(ctx, "batch/", func(blob.Info) error { n++; return nil })
			if n != len(items) {
				t.Fatalf("%d objects, want %d", n, len(items))
			}
		})
		t.Run("a missing source leaves nothing", func(t *testing.T) {
			s := srv.newStore(t)
			bad := append(append([]blob.FileItem{}, items...), blob.FileItem{Key: "batch/missing.txt", Path: filepath.Join(src, "missing")})
			err := blob.PutFiles(ctx, s, bad)
			if err == nil || !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("got %v", err)
			}
			n := 0
			s.List(ctx, "batch/", func(blob.Info) error { n++; return nil })
			if n != 0 {
				t.Fatalf("%d objects left behind", n)
			}
		})
	})
}
