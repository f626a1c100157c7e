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

// TestConnectionsHaveTheSettingsLaminRelyOn checks the pragmas every
// connection gets: WAL for concurrent readers, a busy timeout so writers
// queue, foreign keys enforced, and temporary storage (statement journals,
// sorts) in memory rather than in files written and thrown away.
func TestConnectionsHaveTheSettingsLaminRelyOn(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lamin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for pragma, want := range map[string]string{
		"journal_mode": "wal", "busy_timeout": "15000", "foreign_keys": "1", "temp_store": "2", "synchronous": "1",
	} {
		var got string
		if err := s.QueryRow(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}
