package lamin_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/h5ad"
	"github.com/parquet-go/parquet-go"
)

// saveOK runs NewArtifact and Save, failing t on an error.
func (e *env) saveOK(t *testing.T, path string, o lamin.ArtifactOptions) *lamin.Artifact {
	t.Helper()
	a, err := e.in.NewArtifact(e.ctx, path, o)
	if err == nil {
		err = a.Save(e.ctx)
	}
	if err != nil {
		t.Fatalf("save %s: %v", path, err)
	}
	return a
}

// saveErr runs NewArtifact and Save and returns the error; a save that
// succeeds is an error too, since every caller expects a refusal.
func (e *env) saveErr(path string, o lamin.ArtifactOptions) error {
	a, err := e.in.NewArtifact(e.ctx, path, o)
	if err != nil {
		return err
	}
	if err := a.Save(e.ctx); err != nil {
		return err
	}
	return fmt.Errorf("saved %s as %s, want a refusal", path, a.UID)
}

// assertOneLine fails unless err is a single line containing want.
func assertOneLine(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", want)
	}
	msg := err.Error()
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not contain %q", msg, want)
	}
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error spans several lines: %q", msg)
	}
}

// assertNothingLeft fails if any artifact row or managed file exists.
func (e *env) assertNothingLeft(t *testing.T) {
	t.Helper()
	var n int
	if err := lamin.StoreOf(e.in).QueryRow(e.ctx, `SELECT COUNT(*) FROM lamindb_artifact`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d artifact rows left behind", n)
	}
	if f := e.managedFiles(); len(f) != 0 {
		t.Errorf("files left behind under .lamindb/: %q", f)
	}
}

// assertClean fails unless Check, with and without hashes, finds nothing.
func (e *env) assertClean(t *testing.T) {
	t.Helper()
	for _, verify := range []bool{false, true} {
		ps, err := e.in.Check(e.ctx, lamin.CheckOptions{VerifyHashes: verify})
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) > 0 {
			t.Errorf("check (verify hashes %v) finds %s", verify, describeProblems(ps))
		}
	}
}

// TestHostileKeysAndPathsAreRejectedOnOneLine feeds hostile keys, paths and
// uids to the SDK. Each is refused with an error of the listed category on
// a single line containing the listed message, and nothing is left behind.
func TestHostileKeysAndPathsAreRejectedOnOneLine(t *testing.T) {
	e := newEnv(t)
	good := e.write("ok.csv", "a\n1\n")
	root := e.root()
	newlineInRoot := filepath.Join(root, "line\nbreak.csv")
	if err := os.WriteFile(newlineInRoot, []byte("a\n2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(e.dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(root, "dangling.csv")
	loop := filepath.Join(root, "loop.csv")
	for link, target := range map[string]string{dangling: filepath.Join(e.dir, "gone.csv"), loop: loop} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	key := func(k string) func() error {
		return func() error { return e.saveErr(good, lamin.ArtifactOptions{Key: k}) }
	}
	path := func(p string) func() error {
		return func() error { return e.saveErr(p, lamin.ArtifactOptions{Description: "hostile"}) }
	}
	get := func(uid string) func() error {
		return func() error {
			_, err := e.in.GetArtifact(e.ctx, uid)
			return err
		}
	}
	byKey := func(k string) func() error {
		return func() error {
			_, err := e.in.ArtifactByKey(e.ctx, k)
			return err
		}
	}
	longKey := strings.Repeat("k", 4996) + ".csv"
	tests := []struct {
		name string
		run  func() error
		cat  error
		msg  string
	}{
		{"a key climbing out of the root with .. is invalid", key("../ok.csv"), lamin.ErrInvalid,
			`key "../ok.csv": segment 1 is ".."; pass a relative path such as 'results/table.csv'`},
		{"a key with .. in its middle is invalid", key("a/../../ok.csv"), lamin.ErrInvalid,
			`key "a/../../ok.csv": segment 2 is ".."`},
		{"a key of a single dot segment is invalid", key("./ok.csv"), lamin.ErrInvalid,
			`key "./ok.csv": segment 1 is "."`},
		{"an absolute key is invalid", key("/etc/ok.csv"), lamin.ErrInvalid,
			`key "/etc/ok.csv": absolute path (leading slash)`},
		{"a key with a NUL byte is invalid", key("a\x00b.csv"), lamin.ErrInvalid,
			`key "a\x00b.csv": NUL byte at byte 1`},
		{"a key with a newline is invalid", key("a\nb.csv"), lamin.ErrInvalid,
			`key "a\nb.csv": control character '\n' at byte 1`},
		{"a key with a carriage return is invalid", key("a\rb.csv"), lamin.ErrInvalid,
			`key "a\rb.csv": control character '\r' at byte 1`},
		{"a key with a backslash is invalid", key(`a\..\ok.csv`), lamin.ErrInvalid,
			`key "a\\..\\ok.csv": backslash at byte 1`},
		{"a key with an empty segment is invalid", key("a//ok.csv"), lamin.ErrInvalid,
			`key "a//ok.csv": empty segment 2`},
		{"a key that is not UTF-8 is invalid", key("a\xffb.csv"), lamin.ErrInvalid,
			`key "a\xffb.csv": invalid UTF-8 at byte 1`},
		{"a key of 5,000 characters is invalid and shown shortened", key(longKey), lamin.ErrInvalid,
			`... (5000 bytes): 5000 bytes long, limit is 1024`},
		{"a key with a .lamindb segment is invalid", key("results/.lamindb/ok.csv"), lamin.ErrInvalid,
			`key "results/.lamindb/ok.csv" contains '.lamindb/', which is managed by lamin; choose another key`},
		{"a path through .. that does not exist is not found", path(filepath.Join(root, "..", "nope.csv")), lamin.ErrNotFound,
			"nope.csv does not exist; check the path"},
		{"a path through .. into .lamindb is refused", path(filepath.Join(root, "sub", "..", ".lamindb", "lamin.db")), lamin.ErrInvalid,
			"is inside the managed folder .lamindb/; refer to the artifact by its uid instead"},
		{"the storage root itself is refused", path(root + "/sub/.."), lamin.ErrInvalid,
			"is the storage root itself; register a file or folder inside it"},
		{"a path with a NUL byte is invalid", path(filepath.Join(e.dir, "nul\x00.csv")), lamin.ErrInvalid,
			"invalid argument"},
		{"a missing path with a newline is not found on one line", path(filepath.Join(e.dir, "no\nsuch.csv")), lamin.ErrNotFound,
			"does not exist; check the path"},
		{"a file named with a newline inside the root cannot be registered in place", path(newlineInRoot), lamin.ErrInvalid,
			`key "line\nbreak.csv": control character '\n' at byte 4`},
		{"a named pipe is refused without being read", path(fifo), lamin.ErrInvalid,
			"pipe.csv is not a regular file or folder"},
		{"a dangling link is not found", path(dangling), lamin.ErrNotFound,
			"dangling.csv does not exist; check the path"},
		{"a link to itself is invalid", path(loop), lamin.ErrInvalid,
			"too many levels of symbolic links"},
		{"a uid with .. is not found", get("../x"), lamin.ErrNotFound,
			"No record found with uid '../x'. Did you forget a keyword as in `lamin get artifact key=../x`?"},
		{"a uid with LIKE wildcards is not found", get("%_"), lamin.ErrNotFound,
			"No record found with uid '%_'"},
		{"a uid of 5,000 characters is not found", get(strings.Repeat("A", 5000)), lamin.ErrNotFound,
			"No record found with uid 'AAAA"},
		{"a uid with a newline is not found on one line", get("AAAA\nBBBB"), lamin.ErrNotFound,
			"No record found with uid"},
		{"a key lookup with a newline is not found on one line", byKey("a\nb.csv"), lamin.ErrNotFound,
			"no artifact with key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if !errors.Is(err, tt.cat) {
				t.Errorf("got %v, want category %v", err, tt.cat)
			}
			assertOneLine(t, err, tt.msg)
		})
	}
	t.Run("nothing is left behind", func(t *testing.T) {
		e.assertNothingLeft(t)
		e.assertClean(t)
	})
}

// TestHostileUnicodeNormalisationVariantsAreOneKey pins that keys are
// stored and matched in NFC: "café" spelled with a precomposed é and with e
// plus a combining accent (NFD) is one key with one latest artifact, both
// for copied files and for files registered in place (whose bytes stay
// under their own name on disk).
func TestHostileUnicodeNormalisationVariantsAreOneKey(t *testing.T) {
	const nfc, nfd = "caf\u00e9.csv", "cafe\u0301.csv"
	tests := []struct {
		name    string
		inPlace bool
	}{
		{"NFC and NFD keys of copied files are one key in NFC, the second a new version", false},
		{"NFC and NFD file names in the root are one key in NFC, each file read where it is", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			var saved []*lamin.Artifact
			for _, k := range []string{nfc, nfd} {
				content := fmt.Sprintf("spelling,%q\n", k)
				var a *lamin.Artifact
				if tt.inPlace {
					p := filepath.Join(e.root(), "inplace", k)
					os.MkdirAll(filepath.Dir(p), 0o755)
					if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
						t.Fatal(err)
					}
					a = e.save(p, lamin.ArtifactOptions{})
					if *a.Key != "inplace/"+nfc {
						t.Fatalf("key %q, want %q", *a.Key, "inplace/"+nfc)
					}
				} else {
					a = e.save(e.write(fmt.Sprintf("src-%d.csv", len(saved)), content), lamin.ArtifactOptions{Key: k})
				}
				saved = append(saved, a)
			}
			if n := e.count(`SELECT COUNT(DISTINCT key) FROM lamindb_artifact`); n != 1 {
				t.Errorf("%d distinct keys in the database, want 1", n)
			}
			if n := e.count(`SELECT COUNT(*) FROM lamindb_artifact WHERE is_latest`); n != 1 {
				t.Errorf("%d latest artifacts for one key, want 1", n)
			}
			prefix := ""
			if tt.inPlace {
				prefix = "inplace/"
			}
			for _, k := range []string{nfc, nfd} {
				got, err := e.in.ArtifactByKey(e.ctx, prefix+k)
				if err != nil || got.UID != saved[1].UID {
					t.Errorf("ArtifactByKey(%q) = %v, %v; want %s", k, got, err, saved[1].UID)
				}
			}
			for i, a := range saved {
				p, err := e.in.Cache(e.ctx, a, lamin.CacheOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if b, _ := os.ReadFile(p); !strings.Contains(string(b), []string{nfc, nfd}[i]) {
					t.Errorf("artifact %d reads %q", i, b)
				}
			}
			e.assertClean(t)
		})
	}
}

// TestHostileSymlinksInsideTheRoot pins the policy for links in the storage
// root: a link whose target lies outside the root is copied into .lamindb/
// (the target's bytes, never the link), so the artifact cannot change behind
// lamin's back; a link whose target lies inside the root is registered in
// place under the link's own key.
func TestHostileSymlinksInsideTheRoot(t *testing.T) {
	tests := []struct {
		name    string
		folder  bool
		outside bool
	}{
		{"a link to a file outside the root is copied into .lamindb and never registered in place", false, true},
		{"a link to a file inside the root is registered in place under the link's key", false, false},
		{"a link to a folder outside the root is copied into .lamindb and never registered in place", true, true},
		{"a link to a folder inside the root is registered in place under the link's key", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			base := e.dir
			if !tt.outside {
				base = filepath.Join(e.root(), "data")
			}
			target := filepath.Join(base, "target.csv")
			want := map[string]string{"": "a\n1\n"}
			if tt.folder {
				target = filepath.Join(base, "target")
				want = map[string]string{"one.csv": "a\n1\n", "sub/two.csv": "b\n2\n"}
			}
			for rel, content := range want {
				p := filepath.Join(target, rel)
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			link := filepath.Join(e.root(), "link"+filepath.Ext(target))
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			a := e.save(link, lamin.ArtifactOptions{Description: "through a link"})
			var virtual bool
			if err := lamin.StoreOf(e.in).QueryRow(e.ctx, `SELECT _key_is_virtual FROM lamindb_artifact WHERE uid = ?`, a.UID).Scan(&virtual); err != nil {
				t.Fatal(err)
			}
			stored := a.Path()
			inManaged := strings.HasPrefix(stored, filepath.Join(e.root(), ".lamindb")+string(filepath.Separator))
			if tt.outside {
				if !virtual || a.Key != nil || !inManaged {
					t.Fatalf("_key_is_virtual %v, key %v, path %s; want a copy under .lamindb/", virtual, a.Key, stored)
				}
				fi, err := os.Lstat(stored)
				if err != nil {
					t.Fatalf("no stored copy: %v", err)
				}
				if fi.Mode()&os.ModeSymlink != 0 {
					t.Fatalf("stored copy %s is a link; want real bytes", stored)
				}
			} else {
				if virtual || a.Key == nil || *a.Key != filepath.Base(link) || inManaged {
					t.Fatalf("_key_is_virtual %v, key %v, path %s; want in place as %s", virtual, a.Key, stored, filepath.Base(link))
				}
				if f := e.managedFiles(); len(f) != 0 {
					t.Fatalf("files copied under .lamindb/: %q", f)
				}
			}
			for rel, content := range want {
				b, err := os.ReadFile(filepath.Join(stored, rel))
				if err != nil || string(b) != content {
					t.Errorf("%s holds %q (%v), want %q", filepath.Join(stored, rel), b, err, content)
				}
			}
			e.assertClean(t)
		})
	}
}

// TestHostileTruncatedDataFilesStillSave checks that broken tabular files
// are registered like any other bytes: the observation count is left NULL
// with a one-line warning, and nothing panics. A plain CSV has no length
// marker, so one cut off mid-row is counted leniently instead.
func TestHostileTruncatedDataFilesStillSave(t *testing.T) {
	var csv bytes.Buffer
	csv.WriteString("gene,score\n")
	for i := range 1000 {
		fmt.Fprintf(&csv, "\"g%d\",%d\n", i, i)
	}
	csvBytes := csv.Bytes()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(csvBytes)
	zw.Close()
	gzBytes := gz.Bytes()

	dir := t.TempDir()
	type row struct {
		Gene  string  `parquet:"gene"`
		Score float64 `parquet:"score"`
	}
	rows := make([]row, 500)
	for i := range rows {
		rows[i] = row{fmt.Sprintf("g%d", i), float64(i)}
	}
	pq := filepath.Join(dir, "full.parquet")
	if err := parquet.WriteFile(pq, rows); err != nil {
		t.Fatal(err)
	}
	pqBytes, _ := os.ReadFile(pq)
	ad := filepath.Join(dir, "full.h5ad")
	if err := h5ad.Write(ad, h5ad.Matrix{NObs: 3, NVars: 2, Data: make([]float32, 6)},
		h5ad.Frame{Index: []string{"c1", "c2", "c3"}}, h5ad.Frame{Index: []string{"g1", "g2"}}, nil); err != nil {
		t.Fatal(err)
	}
	adBytes, _ := os.ReadFile(ad)
	flip := func(b []byte, from, to int) []byte {
		c := bytes.Clone(b)
		for i := from; i < to; i++ {
			c[i] ^= 0xa5
		}
		return c
	}

	var noCount int64 = -1
	tests := []struct {
		name    string
		file    string
		content []byte
		warning string // "" = no warning expected
		nObs    int64  // noCount = NULL
	}{
		{"a gzipped CSV cut in half saves with a warning and no count", "cut.csv.gz", gzBytes[:len(gzBytes)/2],
			"unexpected EOF", noCount},
		{"a gzipped CSV that is not gzip saves with a warning and no count", "plain.csv.gz", csvBytes,
			"gzip: invalid header", noCount},
		{"a CSV cut off mid-row is counted leniently without a warning", "cut.csv", csvBytes[:len(csvBytes)-5],
			"", 1000},
		{"a CSV with an unterminated quote is counted leniently without a warning", "quote.csv", []byte("gene,score\n\"g1,1\ng2,2\n"),
			"", 1},
		{"a Parquet file cut in half saves with a warning and no count", "cut.parquet", pqBytes[:len(pqBytes)/2],
			"missing parquet magic bytes", noCount},
		{"a Parquet file with a scrambled footer saves with a warning and no count", "scrambled.parquet", flip(pqBytes, len(pqBytes)-64, len(pqBytes)-8),
			"parquet footer", noCount},
		{"a Parquet file of only its magic bytes saves with a warning and no count", "magic.parquet", []byte("PAR1PAR1"),
			"parquet", noCount},
		{"an h5ad file cut in half saves with a warning and no count", "cut.h5ad", adBytes[:len(adBytes)/2],
			"extends past the end of the file", noCount},
		{"an h5ad file of only its signature saves with a warning and no count", "signature.h5ad", adBytes[:8],
			"malformed HDF5 superblock", noCount},
		{"an h5ad file with a scrambled superblock saves with a warning and no count", "scrambled.h5ad", flip(adBytes, 8, 200),
			"malformed HDF5 superblock", noCount},
		{"an h5ad file that is not HDF5 saves with a warning and no count", "text.h5ad", []byte("obs,var\n"),
			"not an HDF5 file", noCount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			p := filepath.Join(e.dir, tt.file)
			if err := os.WriteFile(p, tt.content, 0o644); err != nil {
				t.Fatal(err)
			}
			// Saved as datasets: those have their observations counted.
			a := e.save(p, lamin.ArtifactOptions{Description: tt.name, Kind: "dataset"})
			var warnings []string
			for _, line := range strings.Split(e.msgs.String(), "\n") {
				if strings.HasPrefix(line, "! could not count observations") {
					warnings = append(warnings, line)
				}
			}
			switch {
			case tt.warning == "" && len(warnings) > 0:
				t.Errorf("unexpected warning %q", warnings)
			case tt.warning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tt.warning)):
				t.Errorf("warnings %q, want one line `! could not count observations of %s: ...%s...`", warnings, p, tt.warning)
			}
			var stored *int64
			if err := lamin.StoreOf(e.in).QueryRow(e.ctx, `SELECT n_observations FROM lamindb_artifact WHERE uid = ?`, a.UID).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if tt.nObs == noCount {
				if stored != nil || a.NObservations != nil {
					t.Errorf("n_observations = %d, want NULL", *stored)
				}
			} else if stored == nil || *stored != tt.nObs {
				t.Errorf("n_observations = %v, want %d", stored, tt.nObs)
			}
			if b, err := os.ReadFile(a.Path()); err != nil || !bytes.Equal(b, tt.content) {
				t.Errorf("stored bytes differ from the file (%v)", err)
			}
			e.assertClean(t)
		})
	}
}

// Environment of the children of the read-only and full-disk tests.
const (
	readOnlyEnv = "LAMIN_HOSTILE_READONLY_DIR"
	fullDiskEnv = "LAMIN_HOSTILE_FULLDISK"
)

// TestHostileReadOnlyStorageRootRefusesCopies makes the storage root and
// .lamindb/ read-only: copying bytes in must fail with a one-line error and
// leave no record, while registering a file already in the root (which
// writes only to the database) still works. Root ignores permissions, so as
// root the checks run in a copy of the test binary started as nobody.
func TestHostileReadOnlyStorageRootRefusesCopies(t *testing.T) {
	asNobody(t, readOnlyEnv, "TestHostileReadOnlyChild", runReadOnlyCases)
}

// TestHostileReadOnlyChild is the unprivileged half of the test above.
func TestHostileReadOnlyChild(t *testing.T) {
	dir := os.Getenv(readOnlyEnv)
	if dir == "" {
		t.Skip("only runs as a child of TestHostileReadOnlyStorageRootRefusesCopies")
	}
	runReadOnlyCases(t, dir)
}

func runReadOnlyCases(t *testing.T, dir string) {
	e := newEnvIn(t, dir)
	outside := e.write("outside.csv", "a\n1\n")
	e.write("folder/one.csv", "a\n2\n")
	e.write("folder/two.csv", "a\n3\n")
	inside := filepath.Join(e.root(), "inside.csv")
	if err := os.WriteFile(inside, []byte("a\n4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	managed := filepath.Join(e.root(), ".lamindb")
	for _, d := range []string{managed, e.root()} {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		os.Chmod(e.root(), 0o755)
		os.Chmod(managed, 0o755)
	})
	if f, err := os.CreateTemp(managed, "probe-"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("this user can write to a read-only folder; nothing to test")
	}
	tests := []struct {
		name string
		path string
		key  string
	}{
		{"copying a file in fails: store artifact UID from PATH: put KEY: open TEMP: permission denied", outside, "outside.csv"},
		{"copying a folder in fails: store artifact UID from PATH: put KEY/one.csv: mkdir DIR: permission denied, and leaves no partial folder", filepath.Join(e.dir, "folder"), "folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.saveErr(tt.path, lamin.ArtifactOptions{Key: tt.key})
			t.Logf("error: %v", err)
			assertOneLine(t, err, "permission denied")
			if !strings.Contains(fmt.Sprint(err), "store artifact ") {
				t.Errorf("error %q does not say which artifact could not be stored", err)
			}
			e.assertNothingLeft(t)
		})
	}
	t.Run("a file already inside the root is still registered in place", func(t *testing.T) {
		a := e.saveOK(t, inside, lamin.ArtifactOptions{})
		if a.KeyIsVirtual || *a.Key != "inside.csv" {
			t.Fatalf("key %v virtual %v", a.Key, a.KeyIsVirtual)
		}
		e.assertClean(t)
	})
}

// TestHostileFullDiskFailsTheSaveCleanly simulates a full disk with a
// file-size limit in a child process (SIGXFSZ ignored, so writes past the
// limit fail with EFBIG): the save fails with a one-line error and leaves
// no record and no partial or temporary file; the instance stays usable.
func TestHostileFullDiskFailsTheSaveCleanly(t *testing.T) {
	if os.Getenv(fullDiskEnv) != "" {
		t.Skip("runs as the parent of the full-disk child")
	}
	cmd := childTest(t, "TestHostileFullDiskChild", fullDiskEnv+"=1")
	cmd.Args = append(cmd.Args, "-test.v")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestHostileFullDiskChild") {
		t.Fatalf("full-disk child: %v\n%s", err, out)
	}
	t.Logf("full-disk child:\n%s", out)
}

// TestHostileFullDiskChild is the child half of the test above.
func TestHostileFullDiskChild(t *testing.T) {
	if os.Getenv(fullDiskEnv) == "" {
		t.Skip("only runs as a child of TestHostileFullDiskFailsTheSaveCleanly")
	}
	const limit = 8 << 20
	e := newEnv(t)
	write := func(rel string, size int) string {
		p := filepath.Join(e.dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, bytes.Repeat([]byte(rel[:1]), size), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := write("big.bin", 2*limit)
	write("folder/a.bin", 1<<20)
	write("folder/b.bin", 2*limit)
	write("folder/c.bin", 1<<20)
	small := write("small.bin", 1<<20)

	signal.Ignore(syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		t.Skipf("cannot limit file sizes: %v", err)
	}
	tests := []struct {
		name string
		path string
		key  string
	}{
		{"a file larger than the space left fails: store artifact UID from PATH: put KEY: write TEMP: copy_file_range: file too large", big, "big.bin"},
		{"a folder whose second file does not fit fails the same way and leaves none of its files", filepath.Join(e.dir, "folder"), "folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.saveErr(tt.path, lamin.ArtifactOptions{Key: tt.key})
			t.Logf("error: %v", err)
			assertOneLine(t, err, "file too large")
			e.assertNothingLeft(t)
		})
	}
	t.Run("a file that fits still saves afterwards", func(t *testing.T) {
		a := e.saveOK(t, small, lamin.ArtifactOptions{Key: "small.bin"})
		if got, err := e.in.GetArtifact(e.ctx, a.UID); err != nil || *got.Size != 1<<20 {
			t.Fatalf("saved artifact reads back as %v, %v", got, err)
		}
		e.assertClean(t)
	})
}

// newEnvIn is newEnv with everything under dir instead of t.TempDir().
func newEnvIn(t *testing.T, dir string) *env {
	t.Helper()
	msgs := &bytes.Buffer{}
	e := &env{t: t, ctx: t.Context(), dir: dir, msgs: msgs,
		opts: lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"),
			Messages: lamin.NewMessages(msgs), Getenv: func(string) string { return "" }}}
	if _, err := lamin.Login("testuser1", "", e.opts); err != nil {
		t.Fatal(err)
	}
	in, err := lamin.Init(e.ctx, filepath.Join(dir, "mydata"), lamin.InitOptions{Options: e.opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	e.in = in
	return e
}
