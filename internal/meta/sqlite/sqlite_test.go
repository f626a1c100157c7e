package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/meta/metatest"
	"github.com/lamin-go/lamin/internal/meta/sqlite"
)

func TestConformance(t *testing.T) {
	metatest.Run(t, func(t *testing.T) *meta.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lamin.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
