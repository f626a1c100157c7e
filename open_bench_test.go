package lamin_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/testenv"
)

// BenchmarkOpen measures what every CLI command pays before its own work:
// opening the current instance (settings, database, schema check, identity,
// storage, user) and closing it. Compare with BenchmarkOpenTeam.
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir()
	benchOpen(b, dir, filepath.Join(dir, "mydata"), "")
}

// BenchmarkOpenTeam is BenchmarkOpen on PostgreSQL + S3, where every
// statement is a round trip to the server.
func BenchmarkOpenTeam(b *testing.B) {
	db, bucket := testenv.PostgresAndS3(b)
	benchOpen(b, b.TempDir(), "s3://"+bucket+"/data", db)
}

func benchOpen(b *testing.B, dir, storage, db string) {
	ctx := context.Background()
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"), Getenv: func(string) string { return "" }}
	if _, err := lamin.Login("testuser1", "", opts); err != nil {
		b.Fatal(err)
	}
	in, err := lamin.Init(ctx, storage, lamin.InitOptions{Options: opts, DB: db})
	if err != nil {
		b.Fatal(err)
	}
	in.Close()
	b.ResetTimer()
	for b.Loop() {
		in, err := lamin.Open(ctx, "", opts)
		if err != nil {
			b.Fatal(err)
		}
		in.Close()
	}
}
