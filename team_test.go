package lamin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/hashing"
	"github.com/lamin-go/lamin/internal/testenv"
)

// teamEnv is an instance on PostgreSQL + S3 (skipped unless both test
// services are configured).
type teamEnv struct {
	env
	db, bucket string
}

func newTeamEnv(t *testing.T) *teamEnv {
	t.Helper()
	db, bucket := testenv.PostgresAndS3(t)
	dir := t.TempDir()
	msgs := &bytes.Buffer{}
	e := &teamEnv{env: env{t: t, ctx: context.Background(), dir: dir, msgs: msgs,
		opts: lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"),
			Messages: lamin.NewMessages(msgs), Getenv: func(string) string { return "" }}}, db: db, bucket: bucket}
	if _, err := lamin.Login("testuser1", "", e.opts); err != nil {
		t.Fatal(err)
	}
	in, err := lamin.Init(e.ctx, "s3://"+bucket+"/data", lamin.InitOptions{Options: e.opts, DB: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	e.in = in
	return e
}

func TestATeamInstanceKeepsMetadataInPostgresAndBytesInS3(t *testing.T) {
	e := newTeamEnv(t)
	if root := e.in.Storage().Root; root != "s3://"+e.bucket+"/data" || e.in.Storage().Type != "s3" || e.in.Slug() != "testuser1/data" {
		t.Fatalf("storage %s (%s), slug %s", root, e.in.Storage().Type, e.in.Slug())
	}
	a := e.save(e.write("hello.txt", "hello\n"), lamin.ArtifactOptions{Description: "D"})
	if a.Path() != "s3://"+e.bucket+"/data/.lamindb/"+a.UID+".txt" {
		t.Fatalf("path %s", a.Path())
	}
	if etag := testenv.ETag(t, e.bucket, "data/.lamindb/"+a.UID+".txt"); strings.Trim(etag, `"`) != "b1946ac92492d2347c6235b4d2611184" {
		t.Fatalf("etag %s", etag)
	}
	p, err := e.in.Cache(e.ctx, a, lamin.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(e.dir, "cache", e.bucket, "data", ".lamindb", a.UID+".txt"); p != want {
		t.Fatalf("cache path %s, want %s", p, want)
	}
	if b, _ := os.ReadFile(p); string(b) != "hello\n" {
		t.Fatalf("cached bytes %q", b)
	}
	problems, err := e.in.Check(e.ctx, lamin.CheckOptions{VerifyHashes: true})
	if err != nil || len(problems) != 0 {
		t.Fatalf("check: %v %v", problems, err)
	}
}

func TestALargeUploadsETagEqualsItsHash(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 200 MiB")
	}
	e := newTeamEnv(t)
	big := filepath.Join(e.dir, "big.bin")
	f, _ := os.Create(big)
	chunk := make([]byte, 1<<20)
	for i := 0; i < 200; i++ {
		for j := range chunk {
			chunk[j] = byte(i*7 + j)
		}
		f.Write(chunk)
	}
	f.Close()
	a := e.save(big, lamin.ArtifactOptions{Key: "big.bin"})
	want, err := hashing.ETag(*a.Hash, *a.HashType)
	if err != nil || *a.HashType != "md5-4" {
		t.Fatalf("hash type %s: %v", *a.HashType, err)
	}
	if got := strings.Trim(testenv.ETag(t, e.bucket, "data/.lamindb/"+a.UID+".bin"), `"`); got != want {
		t.Fatalf("S3 ETag %s, hash gives %s", got, want)
	}
	problems, err := e.in.Check(e.ctx, lamin.CheckOptions{VerifyHashes: true})
	if err != nil || len(problems) != 0 {
		t.Fatalf("check: %v %v", problems, err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "cache", e.bucket)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("check downloaded bytes to verify them")
	}
}

func TestAnObjectAlreadyInTheBucketIsRegisteredInPlaceFromItsMetadata(t *testing.T) {
	e := newTeamEnv(t)
	testenv.Put(t, e.bucket, "data/raw/screen.csv", []byte("hello\n"))
	a, err := e.in.NewArtifact(e.ctx, "s3://"+e.bucket+"/data/raw/screen.csv", lamin.ArtifactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Save(e.ctx); err != nil {
		t.Fatal(err)
	}
	if *a.Key != "raw/screen.csv" || a.KeyIsVirtual || *a.Hash != "sZRqySSS0jR8YjW00mERhA" || *a.Size != 6 {
		t.Fatalf("artifact %s", a.Repr())
	}
	if _, err := os.Stat(filepath.Join(e.dir, "cache", e.bucket)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("registering in place downloaded the object")
	}
	if _, err := e.in.NewArtifact(e.ctx, "s3://"+e.bucket+"/elsewhere/x.csv", lamin.ArtifactOptions{}); !errors.Is(err, lamin.ErrInvalid) {
		t.Fatalf("object outside the storage: %v", err)
	}
}

func TestTwoUsersOnTwoMachinesShareOneInstance(t *testing.T) {
	e := newTeamEnv(t)
	raw := e.save(e.write("raw.csv", "a\n1\n"), lamin.ArtifactOptions{Key: "raw.csv"})
	// A second settings folder: another person on another machine.
	other := e.opts
	other.SettingsDir = filepath.Join(e.dir, "settings2")
	other.CacheDir = filepath.Join(e.dir, "cache2")
	if _, err := lamin.Login("testuser2", "", other); err != nil {
		t.Fatal(err)
	}
	in2, err := lamin.Connect(e.ctx, e.db, other)
	if err != nil {
		t.Fatal(err)
	}
	defer in2.Close()
	if in2.Slug() != e.in.Slug() || in2.User().Handle != "testuser2" {
		t.Fatalf("second user sees %s as %s", in2.Slug(), in2.User().Handle)
	}
	seen, err := in2.ArtifactByKey(e.ctx, "raw.csv")
	if err != nil || seen.UID != raw.UID {
		t.Fatalf("second user: %v %v", seen, err)
	}
	run, err := in2.Track(e.ctx, lamin.TrackOptions{TransformSpec: lamin.TransformSpec{Key: "analysis"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in2.Cache(e.ctx, seen, lamin.CacheOptions{}); err != nil {
		t.Fatal(err)
	}
	out, err := in2.NewArtifact(e.ctx, e.write("out.csv", "b\n2\n"), lamin.ArtifactOptions{Key: "out.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Save(e.ctx); err != nil {
		t.Fatal(err)
	}
	run.Finish(e.ctx, nil)
	mine, err := e.in.ArtifactByKey(e.ctx, "out.csv")
	if err != nil || mine.CreatedByID == raw.CreatedByID || *mine.RunID != run.ID {
		t.Fatalf("first user sees %v, %v", mine, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact_input_of_runs WHERE run_id = ? AND artifact_id = ?`, run.ID, raw.ID); n != 1 {
		t.Fatal("the first user does not see the second user's run input")
	}
	g, err := e.in.Lineage(e.ctx, mine.UID, lamin.LineageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := g.Render(&text, "text"); err != nil || !strings.Contains(text.String(), "raw.csv") {
		t.Fatalf("lineage on PostgreSQL: %v\n%s", err, text.String())
	}
}

func TestConcurrentWritersNeverLoseOrDuplicateRecords(t *testing.T) {
	e := newTeamEnv(t)
	writers, distinct, same := 16, 200, 50
	if testing.Short() {
		distinct, same = 20, 5
	}
	shared := e.write("shared.txt", "the same content everywhere\n")
	race(t, &e.env, writers, func(w int, in *lamin.Instance) error {
		dir := filepath.Join(e.dir, fmt.Sprintf("w%d", w))
		os.MkdirAll(dir, 0o755)
		for i := 0; i < distinct+same; i++ {
			p := shared
			if i < distinct {
				p = filepath.Join(dir, fmt.Sprintf("f%d.txt", i))
				os.WriteFile(p, []byte(fmt.Sprintf("writer %d file %d\n", w, i)), 0o644)
			}
			a, err := in.NewArtifact(e.ctx, p, lamin.ArtifactOptions{Description: "concurrent"})
			if err == nil {
				err = a.Save(e.ctx)
			}
			if err != nil {
				return fmt.Errorf("writer %d save %d: %w", w, i, err)
			}
		}
		return nil
	})
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact`); n != writers*distinct+1 {
		t.Fatalf("%d artifacts, want %d", n, writers*distinct+1)
	}
	problems, err := e.in.Check(e.ctx, lamin.CheckOptions{})
	if err != nil || len(problems) != 0 {
		t.Fatalf("check: %v %v", problems, err)
	}
}

func TestTeamSetupErrorsNameTheEndpointAndLeaveNothing(t *testing.T) {
	db, bucket := testenv.PostgresAndS3(t)
	dir := t.TempDir()
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"), Getenv: func(string) string { return "" }}
	lamin.Login("testuser1", "", opts)
	cases := []struct {
		name, storage, db, want string
	}{
		{"an unreachable database", "s3://" + bucket + "/d", "postgres://postgres:sekret@127.0.0.1:1/x?connect_timeout=2", "127.0.0.1:1"},
		{"a database URL without a database name", "s3://" + bucket + "/d", "postgresql://postgres:sekret@127.0.0.1:54329", "name the database"},
		{"a missing bucket", "s3://no-such-bucket-" + bucket + "/d", db, "no-such-bucket"},
		{"S3 storage without a database", "s3://" + bucket + "/d", "", "--db postgresql://"},
	}
	for _, c := range cases {
		t.Run("rejects "+c.name, func(t *testing.T) {
			_, err := lamin.Init(context.Background(), c.storage, lamin.InitOptions{Options: opts, DB: c.db})
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "sekret") ||
				strings.Contains(err.Error(), testenv.S3SecretKey) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want a one-line error containing %q without secrets", err, c.want)
			}
		})
	}
	t.Run("wrong S3 credentials", func(t *testing.T) {
		t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
		_, err := lamin.Init(context.Background(), "s3://"+bucket+"/d", lamin.InitOptions{Options: opts, DB: db})
		if err == nil || strings.Contains(err.Error(), "wrong-secret") || !strings.Contains(err.Error(), bucket) {
			t.Fatalf("got %v", err)
		}
	})
	// Nothing was created: the database holds no instance, the bucket no marker.
	if _, err := lamin.Connect(context.Background(), db, opts); !errors.Is(err, lamin.ErrNotFound) {
		t.Fatalf("connect after failed inits: %v", err)
	}
}

// TestMetadataCommandsDoNotNeedTheBucket checks that the byte store opens
// on first use: with the instance's bucket gone, queries and lineage still
// answer, a save fails naming the bucket, and connecting (which checks the
// storage) is refused.
func TestMetadataCommandsDoNotNeedTheBucket(t *testing.T) {
	e := newTeamEnv(t)
	raw := e.save(e.write("raw.csv", "a\n1\n"), lamin.ArtifactOptions{Key: "raw.csv"})
	gone := "s3://no-such-bucket-" + e.bucket + "/data"
	if _, err := lamin.StoreOf(e.in).Exec(e.ctx, `UPDATE lamindb_storage SET root = ?`, gone); err != nil {
		t.Fatal(err)
	}
	in, err := lamin.Open(e.ctx, "", e.opts)
	if err != nil {
		t.Fatalf("open without the bucket: %v", err)
	}
	defer in.Close()
	rows, err := in.Filter(e.ctx, "artifact", []string{"key=raw.csv"}, lamin.FilterOptions{})
	if err != nil || rows.Len() != 1 {
		t.Fatalf("filter without the bucket: %v", err)
	}
	if _, err := in.Lineage(e.ctx, raw.UID, lamin.LineageOptions{}); err != nil {
		t.Fatalf("lineage without the bucket: %v", err)
	}
	a, err := in.NewArtifact(e.ctx, e.write("new.csv", "b\n2\n"), lamin.ArtifactOptions{Key: "new.csv"})
	if err == nil {
		err = a.Save(e.ctx)
	}
	if err == nil || !strings.Contains(err.Error(), "no-such-bucket-") {
		t.Fatalf("save without the bucket: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact WHERE key = 'new.csv'`); n != 0 {
		t.Fatalf("a failed save left %d records", n)
	}
	if _, err := lamin.Connect(e.ctx, "", e.opts); err == nil || !strings.Contains(err.Error(), "no-such-bucket-") {
		t.Fatalf("connect without the bucket: %v", err)
	}
}
