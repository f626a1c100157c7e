package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lamin-go/lamin/internal/blob"
)

// Run runs the conformance suite against the stores returned by newStore.
// Each subtest calls newStore once and expects an empty store; newStore
// should register its own cleanup with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, newStore func(t *testing.T) blob.Store)
	}{
		{"put then open returns the same bytes", testRoundTrip},
		{"unusual but valid keys round trip", testValidKeys},
		{"put overwrites an existing object", testOverwrite},
		{"a size mismatch stores nothing", testSizeMismatch},
		{"a failing reader stores nothing", testReaderError},
		{"stat reports size and modification time", testStat},
		{"missing keys report not found", testMissing},
		{"list returns matching keys in lexical order", testList},
		{"list stops at the callback's first error", testListStops},
		{"delete is idempotent and removes only its key", testDelete},
		{"invalid keys are rejected by every method", testInvalidKeys},
		{"cancelling the context during put stores nothing", testCancelPut},
		{"concurrent puts of one key leave one complete object", testConcurrentPut},
		{"file helpers round trip", testFileHelpers},
		{"exists and delete prefix work", testExistsDeletePrefix},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore)
		})
	}
}

// data returns n deterministic pseudo-random bytes derived from seed.
func data(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func put(t *testing.T, s blob.Store, key string, content []byte) blob.Info {
	t.Helper()
	info, err := s.Put(t.Context(), key, bytes.NewReader(content), int64(len(content)))
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return info
}

func read(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	rc, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	return b
}

// RequireContent fails t unless the object at key holds exactly want.
func RequireContent(t *testing.T, s blob.Store, key string, want []byte) {
	t.Helper()
	got := read(t, s, key)
	if !bytes.Equal(got, want) {
		t.Fatalf("content of %q: got %d bytes %s, want %d bytes %s", key, len(got), preview(got), len(want), preview(want))
	}
}

func requireMissing(t *testing.T, s blob.Store, key string) {
	t.Helper()
	if _, err := s.Stat(t.Context(), key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Stat(%q) error = %v, want ErrNotFound", key, err)
	}
	rc, err := s.Open(t.Context(), key)
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open(%q) error = %v, want ErrNotFound", key, err)
	}
}

func listKeys(t *testing.T, s blob.Store, prefix string) []string {
	t.Helper()
	keys := []string{}
	err := s.List(t.Context(), prefix, func(info blob.Info) error {
		keys = append(keys, info.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return keys
}

func preview(b []byte) string {
	if len(b) > 16 {
		return fmt.Sprintf("%q...", b[:16])
	}
	return fmt.Sprintf("%q", b)
}

func testRoundTrip(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name    string
		size    int
		unknown bool
	}{
		{"an empty object round trips", 0, false},
		{"a one-byte object round trips", 1, false},
		{"a 3 MiB object round trips", 3 << 20, false},
		{"an empty object of unknown size round trips", 0, true},
		{"a 3 MiB object of unknown size round trips", 3 << 20, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			key := fmt.Sprintf("dir/obj-%d", i)
			content := data(uint64(i), tt.size)
			size := int64(len(content))
			if tt.unknown {
				size = -1
			}
			// Hide any io.WriterTo or Len method from the backend.
			r := struct{ io.Reader }{bytes.NewReader(content)}
			info, err := s.Put(t.Context(), key, r, size)
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			if info.Key != key || info.Size != int64(tt.size) {
				t.Errorf("Put returned key %q size %d, want %q %d", info.Key, info.Size, key, tt.size)
			}
			RequireContent(t, s, key, content)
		})
	}
}

func testValidKeys(t *testing.T, newStore func(t *testing.T) blob.Store) {
	seg := func(c string, n int) string { return strings.Repeat(c, n) }
	tests := []struct {
		name string
		key  string
	}{
		{"a key with spaces works", "with space/and more"},
		{"a key with unicode works", "ünïcödé/ключ/数据.bin"},
		{"a hidden segment works", "x/.hidden"},
		{"dots inside a segment work", "a..b/.../c."},
		{"shell metacharacters work", "we!rd/$(x)&;'\"*?[]#%"},
		{"a 255-byte segment works", seg("s", blob.MaxSegmentLen)},
		{"a 1024-byte key works", keyOfLen(blob.MaxKeyLen)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := blob.ValidKey(tt.key); err != nil {
				t.Fatalf("ValidKey: %v", err)
			}
			s := newStore(t)
			content := data(uint64(100+i), 10+i)
			put(t, s, tt.key, content)
			RequireContent(t, s, tt.key, content)
			if got := listKeys(t, s, ""); !slices.Equal(got, []string{tt.key}) {
				t.Fatalf("List = %q, want just %q", got, tt.key)
			}
			if err := s.Delete(t.Context(), tt.key); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			requireMissing(t, s, tt.key)
		})
	}
}

func testOverwrite(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name          string
		first, second []byte
	}{
		{"a shorter object replaces a longer one", []byte("the first, longer content"), []byte("v2")},
		{"a longer object replaces a shorter one", []byte("v1"), data(7, 100<<10)},
		{"an empty object replaces a non-empty one", []byte("v1"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			put(t, s, "k", tt.first)
			info := put(t, s, "k", tt.second)
			if info.Size != int64(len(tt.second)) {
				t.Errorf("Put size = %d, want %d", info.Size, len(tt.second))
			}
			RequireContent(t, s, "k", tt.second)
			st, err := s.Stat(t.Context(), "k")
			if err != nil {
				t.Fatal(err)
			}
			if st.Size != int64(len(tt.second)) {
				t.Errorf("Stat size = %d, want %d", st.Size, len(tt.second))
			}
			if got := listKeys(t, s, ""); !slices.Equal(got, []string{"k"}) {
				t.Errorf("List = %q, want [k]", got)
			}
		})
	}
}

func testSizeMismatch(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name     string
		existing []byte // nil: key absent before the Put
		content  string
		size     int64
	}{
		{"declaring fewer bytes than supplied stores nothing", nil, "12345", 3},
		{"declaring more bytes than supplied stores nothing", nil, "12345", 10},
		{"declaring one byte for empty content stores nothing", nil, "", 1},
		{"declaring zero bytes for some content stores nothing", nil, "x", 0},
		{"declaring fewer bytes keeps the previous object", []byte("previous"), "12345", 3},
		{"declaring more bytes keeps the previous object", []byte("previous"), "12345", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			const key = "a/b/mismatch"
			if tt.existing != nil {
				put(t, s, key, tt.existing)
			}
			_, err := s.Put(t.Context(), key, strings.NewReader(tt.content), tt.size)
			if err == nil {
				t.Fatalf("Put of %d bytes declared as %d succeeded", len(tt.content), tt.size)
			}
			if tt.existing == nil {
				requireMissing(t, s, key)
				if got := listKeys(t, s, ""); len(got) != 0 {
					t.Fatalf("List after failed Put = %q, want nothing", got)
				}
				return
			}
			RequireContent(t, s, key, tt.existing)
		})
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func testReaderError(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name     string
		existing []byte
		size     int64
	}{
		{"a reader error on a new key stores nothing", nil, 1 << 20},
		{"a reader error of unknown size stores nothing", nil, -1},
		{"a reader error keeps the previous object", []byte("previous"), 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			const key = "r/err"
			if tt.existing != nil {
				put(t, s, key, tt.existing)
			}
			boom := errors.New("boom")
			_, err := s.Put(t.Context(), key, &failingReader{data: data(1, 64<<10), err: boom}, tt.size)
			if err == nil {
				t.Fatal("Put with a failing reader succeeded")
			}
			if tt.existing == nil {
				requireMissing(t, s, key)
				if got := listKeys(t, s, ""); len(got) != 0 {
					t.Fatalf("List after failed Put = %q, want nothing", got)
				}
				return
			}
			RequireContent(t, s, key, tt.existing)
		})
	}
}

func testStat(t *testing.T, newStore func(t *testing.T) blob.Store) {
	// Backends may truncate times to seconds and run on another clock.
	const slack = 2 * time.Minute
	tests := []struct {
		name string
		key  string
		size int
	}{
		{"stat of an empty object", "empty", 0},
		{"stat of a small nested object", "x/y/z", 17},
		{"stat of a larger object", "big", 1 << 20},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			before := time.Now()
			info := put(t, s, tt.key, data(uint64(i), tt.size))
			after := time.Now()
			st, err := s.Stat(t.Context(), tt.key)
			if err != nil {
				t.Fatalf("Stat: %v", err)
			}
			if st.Key != tt.key || st.Size != int64(tt.size) {
				t.Errorf("Stat = key %q size %d, want %q %d", st.Key, st.Size, tt.key, tt.size)
			}
			if info.Size != st.Size {
				t.Errorf("Put size %d differs from Stat size %d", info.Size, st.Size)
			}
			if st.ModTime.Before(before.Add(-slack)) || st.ModTime.After(after.Add(slack)) {
				t.Errorf("Stat ModTime = %v, want within %v of [%v, %v]", st.ModTime, slack, before, after)
			}
		})
	}
}

func testMissing(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		key  string
	}{
		{"a key in an empty store is missing", "nothing"},
		{"a nested key under a missing directory is missing", "no/such/key"},
		{"a key below an existing object is missing", "file/below"},
		{"a key naming a directory of other keys is missing", "dir"},
		{"a prefix of an existing key is missing", "dir/su"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			put(t, s, "file", []byte("f"))
			put(t, s, "dir/sub/leaf", []byte("l"))
			requireMissing(t, s, tt.key)
		})
	}
}

func testList(t *testing.T, newStore func(t *testing.T) blob.Store) {
	s := newStore(t)
	// Chosen so that directory-by-directory order differs from lexical
	// key order: '-' < '.' < '/' < '0'.
	keys := []string{
		"a-b", "a.txt", "a/b", "a/c/d", "a0",
		"b",
		"fig.txt", "figs/z", "figures/a.png", "figures/b.png", "figures/sub/c.png",
		"z/y/x/w",
	}
	sizes := map[string]int64{}
	for i, k := range slices.Backward(keys) { // put in reverse order
		content := data(uint64(i), i*3)
		put(t, s, k, content)
		sizes[k] = int64(len(content))
	}

	tests := []struct {
		name   string
		prefix string
		want   []string
	}{
		{"the empty prefix lists everything", "", keys},
		{"a partial segment matches files and directories", "fig", []string{"fig.txt", "figs/z", "figures/a.png", "figures/b.png", "figures/sub/c.png"}},
		{"a directory prefix with a slash lists below it", "figures/", []string{"figures/a.png", "figures/b.png", "figures/sub/c.png"}},
		{"a directory prefix without a slash", "figures", []string{"figures/a.png", "figures/b.png", "figures/sub/c.png"}},
		{"a partial segment below a directory", "figures/s", []string{"figures/sub/c.png"}},
		{"a single letter keeps lexical order across punctuation", "a", []string{"a-b", "a.txt", "a/b", "a/c/d", "a0"}},
		{"a nested directory prefix", "a/c/", []string{"a/c/d"}},
		{"an exact key lists itself", "a/c/d", []string{"a/c/d"}},
		{"a deep prefix lists the deep key", "z/y/", []string{"z/y/x/w"}},
		{"a prefix matching nothing lists nothing", "nope", []string{}},
		{"a missing directory lists nothing", "nope/", []string{}},
		{"a prefix below a file lists nothing", "b/", []string{}},
		{"a prefix longer than any key lists nothing", "figures/a.png.bak", []string{}},
		{"a partial dot segment lists hidden-looking names only", "a/.", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := s.List(t.Context(), tt.prefix, func(info blob.Info) error {
				got = append(got, info.Key)
				if info.Size != sizes[info.Key] {
					t.Errorf("List reported %q with size %d, want %d", info.Key, info.Size, sizes[info.Key])
				}
				if info.ModTime.IsZero() {
					t.Errorf("List reported %q with a zero ModTime", info.Key)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("List(%q): %v", tt.prefix, err)
			}
			if got == nil {
				got = []string{}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("List(%q) = %q, want %q", tt.prefix, got, tt.want)
			}
		})
	}
}

func testListStops(t *testing.T, newStore func(t *testing.T) blob.Store) {
	s := newStore(t)
	for _, k := range []string{"a", "b/c", "b/d", "e"} {
		put(t, s, k, []byte(k))
	}
	stop := errors.New("stop here")
	tests := []struct {
		name      string
		stopAfter int
		wantKeys  []string
	}{
		{"an error on the first object stops at once", 1, []string{"a"}},
		{"an error inside a directory stops there", 2, []string{"a", "b/c"}},
		{"an error on the last object is returned", 4, []string{"a", "b/c", "b/d", "e"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []string
			err := s.List(t.Context(), "", func(info blob.Info) error {
				seen = append(seen, info.Key)
				if len(seen) == tt.stopAfter {
					return fmt.Errorf("wrapped: %w", stop)
				}
				return nil
			})
			if !errors.Is(err, stop) {
				t.Fatalf("List error = %v, want the callback's error", err)
			}
			if !slices.Equal(seen, tt.wantKeys) {
				t.Fatalf("callback saw %q, want %q", seen, tt.wantKeys)
			}
		})
	}
}

func testDelete(t *testing.T, newStore func(t *testing.T) blob.Store) {
	initial := []string{"a.txt", "a/b", "a/c/d", "top"}
	tests := []struct {
		name    string
		deletes []string
		want    []string // keys left, in order
	}{
		{"deleting a key removes only that key", []string{"a/b"}, []string{"a.txt", "a/c/d", "top"}},
		{"deleting twice is fine", []string{"a/b", "a/b"}, []string{"a.txt", "a/c/d", "top"}},
		{"deleting a missing key is fine", []string{"never/was"}, []string{"a.txt", "a/b", "a/c/d", "top"}},
		{"deleting a directory-like key removes nothing", []string{"a", "a/c"}, []string{"a.txt", "a/b", "a/c/d", "top"}},
		{"deleting the only key in a nested directory", []string{"a/c/d"}, []string{"a.txt", "a/b", "top"}},
		{"deleting everything leaves an empty store", []string{"a.txt", "a/b", "a/c/d", "top"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			for _, k := range initial {
				put(t, s, k, []byte(k))
			}
			for _, k := range tt.deletes {
				if err := s.Delete(t.Context(), k); err != nil {
					t.Fatalf("Delete(%q): %v", k, err)
				}
				requireMissing(t, s, k)
			}
			if got := listKeys(t, s, ""); !slices.Equal(got, tt.want) {
				t.Fatalf("List after deletes = %q, want %q", got, tt.want)
			}
			// Deleted keys can be written again.
			for _, k := range tt.deletes {
				if slices.Contains(initial, k) {
					put(t, s, k, []byte("again"))
					RequireContent(t, s, k, []byte("again"))
				}
			}
		})
	}
}

// keyOfLen returns a key of exactly n bytes (n >= 1) made of segments of
// at most blob.MaxSegmentLen bytes.
func keyOfLen(n int) string {
	var b strings.Builder
	for c := byte('a'); ; c++ {
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		left := n - b.Len()
		if left <= blob.MaxSegmentLen {
			b.WriteString(strings.Repeat(string(c), left))
			return b.String()
		}
		// Leave at least one byte for the segment after the next slash.
		b.WriteString(strings.Repeat(string(c), min(blob.MaxSegmentLen, left-2)))
	}
}

// badKeys lists invalid keys; badPrefix marks those that are also invalid
// as List prefixes (a prefix's last segment may be partial, so "." or a
// trailing slash are fine there).
var badKeys = []struct {
	name      string
	key       string
	badPrefix bool
}{
	{"the empty key", "", false},
	{"an absolute key", "/abs", true},
	{"a lone slash", "/", true},
	{"a parent segment", "a/../b", true},
	{"a leading parent segment", "../b", true},
	{"a lone parent segment", "..", false},
	{"a lone dot", ".", false},
	{"a leading dot segment", "./a", true},
	{"a trailing dot segment", "a/.", false},
	{"an empty segment", "a//b", true},
	{"a trailing slash", "a/", false},
	{"a backslash", `a\b`, true},
	{"a NUL byte", "a\x00b", true},
	{"a newline", "a\nb", true},
	{"a carriage return", "a\rb", true},
	{"a tab", "a\tb", true},
	{"a DEL character", "a\x7fb", true},
	{"a C1 control character", "a\u0085b", true},
	{"invalid UTF-8", "a\xffb", true},
	{"a 256-byte segment", "x/" + strings.Repeat("s", blob.MaxSegmentLen+1), true},
	{"a 1025-byte key", keyOfLen(blob.MaxKeyLen + 1), true},
}

func testInvalidKeys(t *testing.T, newStore func(t *testing.T) blob.Store) {
	s := newStore(t)
	put(t, s, "good", []byte("good"))
	src := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(src, []byte("content"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range badKeys {
		t.Run(tt.name+" is rejected", func(t *testing.T) {
			ctx := t.Context()
			if err := blob.ValidKey(tt.key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Fatalf("ValidKey(%q) = %v, want ErrInvalidKey", tt.key, err)
			}
			check := func(method string, err error) {
				t.Helper()
				if !errors.Is(err, blob.ErrInvalidKey) {
					t.Errorf("%s(%q) error = %v, want ErrInvalidKey", method, tt.key, err)
				}
			}
			_, err := s.Put(ctx, tt.key, strings.NewReader("x"), 1)
			check("Put", err)
			rc, err := s.Open(ctx, tt.key)
			if err == nil {
				rc.Close()
			}
			check("Open", err)
			_, err = s.Stat(ctx, tt.key)
			check("Stat", err)
			check("Delete", s.Delete(ctx, tt.key))
			_, err = blob.PutFile(ctx, s, tt.key, src)
			check("PutFile", err)
			check("GetFile", blob.GetFile(ctx, s, tt.key, filepath.Join(t.TempDir(), "dst")))
			_, err = blob.Exists(ctx, s, tt.key)
			check("Exists", err)
			if tt.badPrefix {
				called := false
				err := s.List(ctx, tt.key, func(blob.Info) error { called = true; return nil })
				check("List", err)
				if called {
					t.Errorf("List(%q) called its callback", tt.key)
				}
				check("DeletePrefix", blob.DeletePrefix(ctx, s, tt.key))
			}
		})
	}
	if got := listKeys(t, s, ""); !slices.Equal(got, []string{"good"}) {
		t.Fatalf("List after invalid calls = %q, want [good]", got)
	}
}

// cancellingReader supplies total bytes in small chunks and cancels the
// context after the first chunk.
type cancellingReader struct {
	cancel func()
	left   int
	reads  int
}

func (r *cancellingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if r.reads == 1 {
		r.cancel()
	}
	r.reads++
	n := min(len(p), r.left, 32<<10)
	for i := range n {
		p[i] = byte(i)
	}
	r.left -= n
	return n, nil
}

func testCancelPut(t *testing.T, newStore func(t *testing.T) blob.Store) {
	const total = 4 << 20
	tests := []struct {
		name        string
		existing    []byte
		size        int64
		preCanceled bool
	}{
		{"cancelling mid-stream stores nothing", nil, total, false},
		{"cancelling mid-stream with unknown size stores nothing", nil, -1, false},
		{"cancelling mid-stream keeps the previous object", []byte("previous"), total, false},
		{"an already cancelled context stores nothing", nil, total, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			const key = "c/cancel"
			if tt.existing != nil {
				put(t, s, key, tt.existing)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			r := &cancellingReader{cancel: cancel, left: total}
			if tt.preCanceled {
				cancel()
			}
			_, err := s.Put(ctx, key, r, tt.size)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Put error = %v, want context.Canceled", err)
			}
			if tt.existing == nil {
				requireMissing(t, s, key)
				if got := listKeys(t, s, ""); len(got) != 0 {
					t.Fatalf("List after cancelled Put = %q, want nothing", got)
				}
				return
			}
			RequireContent(t, s, key, tt.existing)
		})
	}
}

func testConcurrentPut(t *testing.T, newStore func(t *testing.T) blob.Store) {
	const writers = 8
	tests := []struct {
		name string
		key  string
		size func(i int) int
	}{
		{"writers of equal sizes", "same/key", func(int) int { return 256 << 10 }},
		{"writers of different sizes", "mixed", func(i int) int { return (i + 1) * 64 << 10 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			inputs := make([][]byte, writers)
			for i := range inputs {
				inputs[i] = data(uint64(1000+i), tt.size(i))
			}
			var wg sync.WaitGroup
			errs := make([]error, writers)
			start := make(chan struct{})
			for i := range writers {
				wg.Go(func() {
					<-start
					_, errs[i] = s.Put(t.Context(), tt.key, bytes.NewReader(inputs[i]), int64(len(inputs[i])))
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("writer %d: %v", i, err)
				}
			}
			got := read(t, s, tt.key)
			idx := slices.IndexFunc(inputs, func(in []byte) bool { return bytes.Equal(in, got) })
			if idx < 0 {
				t.Fatalf("content (%d bytes, %s) matches none of the inputs", len(got), preview(got))
			}
			st, err := s.Stat(t.Context(), tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if st.Size != int64(len(inputs[idx])) {
				t.Errorf("Stat size = %d, want %d", st.Size, len(inputs[idx]))
			}
			if keys := listKeys(t, s, ""); !slices.Equal(keys, []string{tt.key}) {
				t.Errorf("List = %q, want just %q", keys, tt.key)
			}
		})
	}
}

// plainStore hides optional interfaces such as blob.FilePutter so that
// the helpers' generic paths are exercised too.
type plainStore struct{ blob.Store }

func testFileHelpers(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name  string
		plain bool
		size  int
	}{
		{"an empty file round trips", false, 0},
		{"a small file round trips", false, 100},
		{"a 3 MiB file round trips", false, 3 << 20},
		{"a file round trips through the generic path", true, 3 << 20},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s blob.Store = newStore(t)
			if tt.plain {
				s = plainStore{s}
			}
			ctx := t.Context()
			dir := t.TempDir()
			src := filepath.Join(dir, "src.bin")
			content := data(uint64(50+i), tt.size)
			if err := os.WriteFile(src, content, 0o644); err != nil {
				t.Fatal(err)
			}
			const key = "files/one.bin"
			info, err := blob.PutFile(ctx, s, key, src)
			if err != nil {
				t.Fatalf("PutFile: %v", err)
			}
			if info.Key != key || info.Size != int64(tt.size) {
				t.Errorf("PutFile = key %q size %d, want %q %d", info.Key, info.Size, key, tt.size)
			}
			RequireContent(t, s, key, content)

			// Download into a directory that does not exist yet.
			dst := filepath.Join(dir, "out", "nested", "dst.bin")
			if err := blob.GetFile(ctx, s, key, dst); err != nil {
				t.Fatalf("GetFile: %v", err)
			}
			got, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, content) {
				t.Fatalf("downloaded %d bytes, want %d", len(got), len(content))
			}

			// Downloading again replaces the existing file.
			put(t, s, key, []byte("replaced"))
			if err := blob.GetFile(ctx, s, key, dst); err != nil {
				t.Fatalf("second GetFile: %v", err)
			}
			if got, _ := os.ReadFile(dst); string(got) != "replaced" {
				t.Fatalf("after second GetFile dst = %q, want %q", got, "replaced")
			}

			// A missing key leaves dst alone and writes no temporary files.
			if err := blob.GetFile(ctx, s, "files/missing", dst); !errors.Is(err, blob.ErrNotFound) {
				t.Fatalf("GetFile of a missing key = %v, want ErrNotFound", err)
			}
			if got, _ := os.ReadFile(dst); string(got) != "replaced" {
				t.Fatalf("failed GetFile changed dst to %q", got)
			}
			entries, err := os.ReadDir(filepath.Dir(dst))
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Fatalf("download directory holds %d entries, want only dst", len(entries))
			}

			// A missing source file is an error and stores nothing.
			if _, err := blob.PutFile(ctx, s, "files/none", filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("PutFile of a missing file = %v, want os.ErrNotExist", err)
			}
			requireMissing(t, s, "files/none")

			// A directory is not a file.
			if _, err := blob.PutFile(ctx, s, "files/dir", dir); err == nil {
				t.Fatal("PutFile of a directory succeeded")
			}
			requireMissing(t, s, "files/dir")
		})
	}
}

func testExistsDeletePrefix(t *testing.T, newStore func(t *testing.T) blob.Store) {
	all := []string{"fig.txt", "figures/a.png", "figures/sub/b.png", "other"}
	tests := []struct {
		name   string
		prefix string
		want   []string
	}{
		{"deleting a directory prefix keeps siblings", "figures/", []string{"fig.txt", "other"}},
		{"deleting a partial-segment prefix removes all matches", "fig", []string{"other"}},
		{"deleting a prefix matching nothing keeps everything", "nope", all},
		{"deleting the empty prefix removes everything", "", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			ctx := t.Context()
			for _, k := range all {
				put(t, s, k, []byte(k))
			}
			if err := blob.DeletePrefix(ctx, s, tt.prefix); err != nil {
				t.Fatalf("DeletePrefix(%q): %v", tt.prefix, err)
			}
			if got := listKeys(t, s, ""); !slices.Equal(got, tt.want) {
				t.Fatalf("after DeletePrefix(%q) List = %q, want %q", tt.prefix, got, tt.want)
			}
			for _, k := range all {
				ok, err := blob.Exists(ctx, s, k)
				if err != nil {
					t.Fatalf("Exists(%q): %v", k, err)
				}
				if want := slices.Contains(tt.want, k); ok != want {
					t.Errorf("Exists(%q) = %v, want %v", k, ok, want)
				}
			}
		})
	}
}
