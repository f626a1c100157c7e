package lamin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/hashing"
	"github.com/parquet-go/parquet-go"
)

// env is a hermetic instance: settings, cache and storage under t.TempDir().
type env struct {
	t    *testing.T
	ctx  context.Context
	dir  string
	opts lamin.Options
	in   *lamin.Instance
	msgs *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvIn(t, t.TempDir())
}

func (e *env) root() string { return e.in.Storage().Root }

func (e *env) write(rel, content string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) save(path string, o lamin.ArtifactOptions) *lamin.Artifact {
	e.t.Helper()
	a, err := e.in.NewArtifact(e.ctx, path, o)
	if err != nil {
		e.t.Fatalf("new artifact %s: %v", path, err)
	}
	if err := a.Save(e.ctx); err != nil {
		e.t.Fatalf("save %s: %v", path, err)
	}
	return a
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := lamin.StoreOf(e.in).QueryRow(e.ctx, query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// managedFiles lists the files under .lamindb/ except the database and marker.
func (e *env) managedFiles() []string {
	var out []string
	filepath.WalkDir(filepath.Join(e.root(), ".lamindb"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			name := d.Name()
			if !strings.HasPrefix(name, "lamin.db") && name != "storage_uid.txt" {
				out = append(out, p)
			}
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestInitCreatesTheInstanceFiles(t *testing.T) {
	e := newEnv(t)
	for _, f := range []string{".lamindb/lamin.db", ".lamindb/storage_uid.txt"} {
		if _, err := os.Stat(filepath.Join(e.root(), f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	marker, _ := os.ReadFile(filepath.Join(e.root(), ".lamindb/storage_uid.txt"))
	lines := strings.Split(string(marker), "\n")
	if lines[0] != e.in.Storage().UID || lines[1] != "creation info:" || !strings.Contains(string(marker), "instance_slug=testuser1/mydata") {
		t.Errorf("marker file:\n%s", marker)
	}
	if e.in.Slug() != "testuser1/mydata" || !strings.Contains(e.msgs.String(), "→ initialized lamindb: testuser1/mydata") {
		t.Errorf("slug %s, messages %q", e.in.Slug(), e.msgs)
	}
	if e.count(`SELECT COUNT(*) FROM lamindb_user WHERE handle = 'testuser1'`) != 1 {
		t.Error("init did not register the user")
	}
}

func TestInitRefusesAManagedRoot(t *testing.T) {
	e := newEnv(t)
	before, _ := os.ReadFile(filepath.Join(e.root(), ".lamindb/storage_uid.txt"))
	_, err := lamin.Init(e.ctx, e.root(), lamin.InitOptions{Options: e.opts})
	if !errors.Is(err, lamin.ErrConflict) || !strings.Contains(err.Error(), "already managed") {
		t.Fatalf("second init: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(e.root(), ".lamindb/storage_uid.txt"))
	if !bytes.Equal(before, after) {
		t.Fatal("second init changed the marker file")
	}
}

func TestSaveCopiesAFileFromOutsideTheRoot(t *testing.T) {
	e := newEnv(t)
	a := e.save(e.write("hello.txt", "hello\n"), lamin.ArtifactOptions{Description: "D"})
	if len(a.UID) != 20 || !strings.HasSuffix(a.UID, "0000") {
		t.Errorf("uid %q", a.UID)
	}
	if !a.KeyIsVirtual || a.Key != nil || *a.Hash != "sZRqySSS0jR8YjW00mERhA" || *a.HashType != "md5" || *a.Size != 6 {
		t.Errorf("artifact %s", a.Repr())
	}
	want := filepath.Join(e.root(), ".lamindb", a.UID+".txt")
	if a.Path() != want {
		t.Errorf("path %s, want %s", a.Path(), want)
	}
	got, err := os.ReadFile(want)
	if err != nil || string(got) != "hello\n" {
		t.Fatalf("stored bytes %q, %v", got, err)
	}
	if a.Aux == nil || *a.Aux != `{"af":{"0":true}}` {
		t.Errorf("_aux %v", a.Aux)
	}
	if !strings.Contains(e.msgs.String(), "! no run & transform got linked") {
		t.Errorf("missing run warning not printed: %q", e.msgs)
	}
}

func TestSaveRegistersAFileInsideTheRootInPlace(t *testing.T) {
	e := newEnv(t)
	p := filepath.Join(e.root(), "fastq", "r1.fastq.gz")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("ACGTAC"), 0o644)
	a := e.save(p, lamin.ArtifactOptions{})
	if a.Key == nil || *a.Key != "fastq/r1.fastq.gz" || a.KeyIsVirtual || a.Suffix != ".fastq.gz" || a.Aux != nil {
		t.Fatalf("artifact %s", a.Repr())
	}
	if a.Path() != p || len(e.managedFiles()) != 0 {
		t.Fatalf("path %s, managed files %v", a.Path(), e.managedFiles())
	}
	if !strings.Contains(e.msgs.String(), "path in storage") || !strings.Contains(e.msgs.String(), "with key 'fastq/r1.fastq.gz'") {
		t.Errorf("messages %q", e.msgs)
	}
}

func TestSavingIdenticalContentReturnsTheExistingArtifact(t *testing.T) {
	e := newEnv(t)
	p := e.write("hello.txt", "hello\n")
	first := e.save(p, lamin.ArtifactOptions{Description: "D"})
	again := e.save(p, lamin.ArtifactOptions{Description: "D"})
	if !again.Existing() || again.UID != first.UID {
		t.Fatalf("second save gave %s", again.Repr())
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact`); n != 1 {
		t.Fatalf("%d artifact rows", n)
	}
	if !strings.Contains(e.msgs.String(), "→ returning existing artifact with same hash: Artifact(uid='"+first.UID+"'") {
		t.Errorf("messages %q", e.msgs)
	}
}

func TestNewContentUnderTheSameKeyIsANewVersion(t *testing.T) {
	e := newEnv(t)
	p := e.write("table.csv", "a\n1\n")
	v1 := e.save(p, lamin.ArtifactOptions{Key: "results/table.csv"})
	e.write("table.csv", "a\n1\n2\n")
	v2 := e.save(p, lamin.ArtifactOptions{Key: "results/table.csv"})
	if v2.UID != v1.UID[:16]+"0001" {
		t.Fatalf("v2 uid %s, v1 uid %s", v2.UID, v1.UID)
	}
	old, err := e.in.GetArtifact(e.ctx, v1.UID)
	if err != nil || old.IsLatest || !v2.IsLatest {
		t.Fatalf("is_latest: v1 %v, v2 %v (%v)", old.IsLatest, v2.IsLatest, err)
	}
	byStem, err := e.in.GetArtifact(e.ctx, v1.UID[:16])
	if err != nil || byStem.UID != v2.UID {
		t.Fatalf("stem lookup gave %v, %v", byStem, err)
	}
	versions, _ := e.in.Versions(e.ctx, v1)
	if len(versions) != 2 || versions[0].UID != v2.UID {
		t.Fatalf("versions %v", versions)
	}
	for _, v := range versions {
		if b, err := os.ReadFile(v.Path()); err != nil || len(b) == 0 {
			t.Errorf("version %s bytes: %v", v.UID, err)
		}
	}
	if !strings.Contains(e.msgs.String(), "creating new artifact version for key='results/table.csv'") {
		t.Errorf("messages %q", e.msgs)
	}
}

func TestRecordsCarryTheLoggedInUser(t *testing.T) {
	e := newEnv(t)
	a1 := e.save(e.write("a.txt", "a"), lamin.ArtifactOptions{Description: "by 1"})
	if _, err := lamin.Login("testuser2", "", e.opts); err != nil {
		t.Fatal(err)
	}
	in2, err := lamin.Open(e.ctx, "", e.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer in2.Close()
	a2, err := in2.NewArtifact(e.ctx, e.write("b.txt", "b"), lamin.ArtifactOptions{Description: "by 2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a2.Save(e.ctx); err != nil {
		t.Fatal(err)
	}
	if a1.CreatedByID != 1 || a2.CreatedByID != 2 || in2.User().Handle != "testuser2" {
		t.Fatalf("created_by %d and %d", a1.CreatedByID, a2.CreatedByID)
	}
}

func TestTabularFilesRecordObservations(t *testing.T) {
	e := newEnv(t)
	var csv strings.Builder
	csv.WriteString("id,score\n")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&csv, "g%d,%d\n", i, i)
	}
	a := e.save(e.write("scores.csv", csv.String()), lamin.ArtifactOptions{Description: "scores"})
	if a.NObservations == nil || *a.NObservations != 200 {
		t.Errorf("csv n_observations %v", a.NObservations)
	}
	type hit struct {
		Gene  string  `parquet:"gene"`
		Score float64 `parquet:"score"`
	}
	rows := make([]hit, 123)
	for i := range rows {
		rows[i] = hit{fmt.Sprintf("g%d", i), float64(i)}
	}
	pq := filepath.Join(e.dir, "hits.parquet")
	if err := parquet.WriteFile(pq, rows); err != nil {
		t.Fatal(err)
	}
	h := e.save(pq, lamin.ArtifactOptions{Description: "hits", Kind: "dataset"})
	if h.NObservations == nil || *h.NObservations != 123 || h.OType == nil || *h.OType != "DataFrame" {
		t.Errorf("parquet: %s", h.Repr())
	}
	ad := e.save(e.write("counts.h5ad", "\x89HDF\r\n\x1a\nnot really"), lamin.ArtifactOptions{Description: "counts"})
	if ad.OType == nil || *ad.OType != "AnnData" || ad.Kind != nil {
		t.Errorf("h5ad: %s", ad.Repr())
	}
}

func TestAFolderIsOneArtifact(t *testing.T) {
	e := newEnv(t)
	e.write("folder/a.txt", "hello\n")
	e.write("folder/sub/b.txt", "world\n")
	a := e.save(filepath.Join(e.dir, "folder"), lamin.ArtifactOptions{Key: "folder"})
	if *a.Hash != "PFZ3g1ZNxzA7mqT6Mbce4w" || *a.HashType != "md5-d" || *a.NFiles != 2 || *a.Size != 12 || !a.OverwriteVersions {
		t.Fatalf("folder artifact %s", a.Repr())
	}
	b, err := os.ReadFile(filepath.Join(a.Path(), "sub", "b.txt"))
	if err != nil || string(b) != "world\n" {
		t.Fatalf("stored folder file: %q %v", b, err)
	}
	res, err := hashing.Dir(e.ctx, a.Path())
	if err != nil || res.Hash != *a.Hash {
		t.Fatalf("stored folder hashes to %v, %v", res.Hash, err)
	}
}

func TestFromDirMakesOneArtifactPerFile(t *testing.T) {
	e := newEnv(t)
	base := filepath.Join(e.root(), "perturbseq", "filtered_feature_bc_matrix")
	os.MkdirAll(base, 0o755)
	for i, name := range []string{"barcodes.tsv.gz", "features.tsv.gz", "matrix.mtx.gz"} {
		os.WriteFile(filepath.Join(base, name), []byte(fmt.Sprintf("abcde%d", i)), 0o644)
	}
	os.WriteFile(filepath.Join(base, "copy.tsv.gz"), []byte("abcde0"), 0o644)
	arts, err := e.in.ArtifactsFromDir(e.ctx, base, lamin.ArtifactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.in.SaveAll(e.ctx, arts); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, a := range arts {
		keys = append(keys, *a.Key)
		if a.KeyIsVirtual {
			t.Errorf("%s is not in place", *a.Key)
		}
	}
	want := "perturbseq/filtered_feature_bc_matrix/barcodes.tsv.gz perturbseq/filtered_feature_bc_matrix/features.tsv.gz perturbseq/filtered_feature_bc_matrix/matrix.mtx.gz"
	if strings.Join(keys, " ") != want {
		t.Fatalf("keys %v", keys)
	}
	if !strings.Contains(e.msgs.String(), "same content as") {
		t.Errorf("duplicate not reported: %q", e.msgs)
	}
}

func TestBadInputLeavesNothingBehind(t *testing.T) {
	e := newEnv(t)
	good := e.write("ok.csv", "a\n1\n")
	cases := []struct {
		name string
		path string
		o    lamin.ArtifactOptions
		cat  error
		msg  string
	}{
		{"a missing path", filepath.Join(e.dir, "nope.csv"), lamin.ArtifactOptions{Description: "x"}, lamin.ErrNotFound, "does not exist"},
		{"a key inside .lamindb", good, lamin.ArtifactOptions{Key: ".lamindb/x.csv"}, lamin.ErrInvalid, ".lamindb"},
		{"a key with ..", good, lamin.ArtifactOptions{Key: "../x.csv"}, lamin.ErrInvalid, ".."},
		{"an absolute key", good, lamin.ArtifactOptions{Key: "/etc/x.csv"}, lamin.ErrInvalid, "key"},
		{"a key whose suffix disagrees", good, lamin.ArtifactOptions{Key: "x.parquet"}, lamin.ErrInvalid, "suffix '.parquet'"},
		{"neither key nor description", good, lamin.ArtifactOptions{}, lamin.ErrInvalid, "pass one of key, description"},
		{"a path inside .lamindb", filepath.Join(e.root(), ".lamindb", "lamin.db"), lamin.ArtifactOptions{Description: "x"}, lamin.ErrInvalid, "managed folder"},
	}
	for _, c := range cases {
		t.Run("rejects "+c.name, func(t *testing.T) {
			_, err := e.in.NewArtifact(e.ctx, c.path, c.o)
			if !errors.Is(err, c.cat) || !strings.Contains(err.Error(), c.msg) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want %v containing %q on one line", err, c.cat, c.msg)
			}
		})
	}
	t.Run("rejects an unknown uid", func(t *testing.T) {
		_, err := e.in.GetArtifact(e.ctx, "AAAAAAAAAAAAAAAA0000")
		if !errors.Is(err, lamin.ErrNotFound) || !strings.Contains(err.Error(), "No record found with uid 'AAAAAAAAAAAAAAAA0000'") {
			t.Fatalf("got %v", err)
		}
	})
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact`); n != 0 {
		t.Fatalf("%d rows left behind", n)
	}
	if f := e.managedFiles(); len(f) != 0 {
		t.Fatalf("files left behind: %v", f)
	}
}

func TestAFailedCopyLeavesNoRecord(t *testing.T) {
	e := newEnv(t)
	p := e.write("data.csv", "a\n1\n")
	a, err := e.in.NewArtifact(e.ctx, p, lamin.ArtifactOptions{Key: "data.csv"})
	if err != nil {
		t.Fatal(err)
	}
	// The source disappears between hashing and storing.
	os.Remove(p)
	if err := a.Save(e.ctx); err == nil {
		t.Fatal("save of a vanished file succeeded")
	}
	// Success is printed after the bytes are stored, never before a failure.
	if strings.Contains(e.msgs.String(), "storing artifact") {
		t.Fatalf("a failed save printed success:\n%s", e.msgs)
	}
	if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact`); n != 0 {
		t.Fatalf("%d rows left behind", n)
	}
	if f := e.managedFiles(); len(f) != 0 {
		t.Fatalf("files left behind: %v", f)
	}
}

func TestCacheReturnsBytesMatchingTheHash(t *testing.T) {
	e := newEnv(t)
	a := e.save(e.write("hello.txt", "hello\n"), lamin.ArtifactOptions{Description: "D"})
	p, err := e.in.Cache(e.ctx, a, lamin.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := hashing.File(e.ctx, p)
	if err != nil || res.Hash != *a.Hash {
		t.Fatalf("cached file hashes to %s, recorded %s (%v)", res.Hash, *a.Hash, err)
	}
}

func TestTrashRestoreAndPermanentDelete(t *testing.T) {
	e := newEnv(t)
	p := e.write("t.csv", "a\n1\n")
	v1 := e.save(p, lamin.ArtifactOptions{Key: "t.csv"})
	e.write("t.csv", "a\n2\n")
	v2 := e.save(p, lamin.ArtifactOptions{Key: "t.csv"})
	if err := e.in.Delete(e.ctx, v2); err != nil {
		t.Fatal(err)
	}
	got1, _ := e.in.GetArtifact(e.ctx, v1.UID)
	if !got1.IsLatest || !strings.Contains(e.msgs.String(), "moved record to trash (branch_id = -1)") || !strings.Contains(e.msgs.String(), "new latest version is") {
		t.Fatalf("after trash: v1 latest %v; %q", got1.IsLatest, e.msgs)
	}
	trashed, _ := e.in.GetArtifact(e.ctx, v2.UID)
	if err := e.in.Restore(e.ctx, trashed); err != nil {
		t.Fatal(err)
	}
	r2, _ := e.in.GetArtifact(e.ctx, v2.UID)
	r1, _ := e.in.GetArtifact(e.ctx, v1.UID)
	if !r2.IsLatest || r1.IsLatest || r2.BranchID != 1 {
		t.Fatalf("after restore: v2 latest %v branch %d, v1 latest %v", r2.IsLatest, r2.BranchID, r1.IsLatest)
	}
	path := r2.Path()
	if err := e.in.DeletePermanently(e.ctx, r2, lamin.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("managed bytes still at %s", path)
	}
	if _, err := e.in.GetArtifact(e.ctx, v2.UID); !errors.Is(err, lamin.ErrNotFound) {
		t.Fatalf("record still there: %v", err)
	}
	if r1, _ := e.in.GetArtifact(e.ctx, v1.UID); !r1.IsLatest {
		t.Fatal("v1 did not become latest again")
	}
}
