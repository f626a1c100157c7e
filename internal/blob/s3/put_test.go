package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/blob/blobtest"
	"github.com/lamin-go/lamin/internal/hashing"
)

var bigContent = sync.OnceValue(func() []byte { return pattern(120 << 20) })

func TestETagEqualsTheContentHash(t *testing.T) {
	tests := []struct {
		name     string
		size     int64
		file     bool
		specETag string // the hashing spec's vector, if this is one
	}{
		{"a 120 MiB object from a reader gets a three-part ETag", 120 << 20, false, "b1771d959431aa3bb01a71c6b9705d88-3"},
		{"a 120 MiB file gets a three-part ETag", 120 << 20, true, "b1771d959431aa3bb01a71c6b9705d88-3"},
		{"an object of exactly the part size gets a plain MD5 ETag", hashing.PartSize, false, ""},
		{"a file one byte over the part size gets a two-part ETag", hashing.PartSize + 1, true, ""},
		{"a small file gets a plain MD5 ETag", 6, true, ""},
	}
	forEachServer(t, func(t *testing.T, srv *testServer) {
		s := srv.newStore(t)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				content := bigContent()[:tt.size]
				want, err := hashing.Reader(ctx, bytes.NewReader(content), tt.size)
				if err != nil {
					t.Fatal(err)
				}
				wantETag, err := hashing.ETag(want.Hash, want.Type)
				if err != nil {
					t.Fatal(err)
				}
				if tt.specETag != "" && wantETag != tt.specETag {
					t.Fatalf("hashing gives ETag %s, the spec says %s", wantETag, tt.specETag)
				}

				const key = "etag/object"
				var info blob.Info
				if tt.file {
					info, err = s.PutFileFrom(ctx, key, writeFile(t, content))
				} else {
					info, err = s.Put(ctx, key, hidden{bytes.NewReader(content)}, tt.size)
				}
				if err != nil {
					t.Fatalf("Put: %v", err)
				}
				if info.ETag != wantETag {
					t.Fatalf("Put ETag = %s, want %s", info.ETag, wantETag)
				}
				hash, typ, err := hashing.FromETag(info.ETag)
				if err != nil || hash != want.Hash || typ != want.Type {
					t.Fatalf("FromETag(%s) = %s %s %v, want %s %s", info.ETag, hash, typ, err, want.Hash, want.Type)
				}

				st, err := s.Stat(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				wantStat := wantETag
				if srv.fake && want.Type != hashing.TypeMD5 {
					// gofakes3 returns the multipart ETag from
					// CompleteMultipartUpload but stores the assembled
					// object as if written by one PUT.
					wantStat = plainMD5(content)
				}
				if st.ETag != wantStat || st.Size != tt.size {
					t.Fatalf("Stat = ETag %s size %d, want %s %d", st.ETag, st.Size, wantStat, tt.size)
				}
			})
		}
	})
}

func TestMultipartUploadsUseExactParts(t *testing.T) {
	const ps = MinPartSize
	tests := []struct {
		name    string
		size    int64
		source  string // "reader", "unknown" (reader of unknown size) or "file"
		wantSfx string // suffix of the ETag
	}{
		{"three parts with a short last part", 2*ps + 7, "reader", "-3"},
		{"two full parts", 2 * ps, "reader", "-2"},
		{"two full parts of unknown size", 2 * ps, "unknown", "-2"},
		{"one byte past a part of unknown size", ps + 1, "unknown", "-2"},
		{"exactly one part of unknown size is a single put", ps, "unknown", ""},
		{"an empty object of unknown size is a single put", 0, "unknown", ""},
		{"three parts from a file", 2*ps + 7, "file", "-3"},
		{"two full parts from a file", 2 * ps, "file", "-2"},
	}
	forEachServer(t, func(t *testing.T, srv *testServer) {
		s := srv.newStore(t, withPartSize(ps))
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				content := bigContent()[i : int64(i)+tt.size]
				key := "mp/" + strings.ReplaceAll(tt.name, " ", "-")
				var info blob.Info
				var err error
				switch tt.source {
				case "reader":
					info, err = s.Put(ctx, key, hidden{bytes.NewReader(content)}, tt.size)
				case "unknown":
					info, err = s.Put(ctx, key, hidden{bytes.NewReader(content)}, -1)
				case "file":
					info, err = s.PutFileFrom(ctx, key, writeFile(t, content))
				}
				if err != nil {
					t.Fatalf("Put: %v", err)
				}
				want := multipartETag(content, ps)
				if info.ETag != want || info.Size != tt.size || info.Key != key {
					t.Fatalf("Put = key %q size %d ETag %s, want %q %d %s", info.Key, info.Size, info.ETag, key, tt.size, want)
				}
				if !strings.HasSuffix(want, tt.wantSfx) || (tt.wantSfx == "" && strings.Contains(want, "-")) {
					t.Fatalf("expected ETag %s does not end in %q", want, tt.wantSfx)
				}
				blobtest.RequireContent(t, s, key, content)
			})
		}
	})
}

// failAfter yields n bytes of content and then fails with err; if cancel
// is set it is called instead once n bytes were read and reading goes on.
type failAfter struct {
	content []byte
	n       int
	err     error
	cancel  func()
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n == 0 {
		if f.cancel == nil {
			return 0, f.err
		}
		f.cancel()
		f.cancel = nil
		f.n = -1 // go on reading
	}
	if len(f.content) == 0 {
		return 0, io.EOF
	}
	if f.n > 0 && len(p) > f.n {
		p = p[:f.n]
	}
	m := copy(p, f.content)
	f.content = f.content[m:]
	if f.n > 0 {
		f.n -= m
	}
	return m, nil
}

func TestFailedMultipartUploadsLeaveNothing(t *testing.T) {
	const ps = MinPartSize
	boom := errors.New("boom")
	tests := []struct {
		name     string
		existing bool
		content  int64
		size     int64 // declared size
		failAt   int64 // bytes read before the reader fails; 0: never
		cancel   bool  // cancel the context at failAt instead of failing
		wantErr  error
	}{
		{"a reader failing in the third part stores nothing", false, 3 * ps, 3 * ps, 2*ps + 1, false, boom},
		{"a reader of unknown size failing after two parts stores nothing", false, 3 * ps, -1, 2*ps + 3, false, boom},
		{"content shorter than declared stores nothing", false, 2*ps + 5, 3 * ps, 0, false, nil},
		{"content longer than declared stores nothing", false, 2*ps + 5, 2 * ps, 0, false, nil},
		{"cancelling during the upload stores nothing", false, 3 * ps, 3 * ps, ps + 7, true, context.Canceled},
		{"a failed overwrite keeps the previous object", true, 3 * ps, 3 * ps, 2*ps + 1, false, boom},
	}
	forEachServer(t, func(t *testing.T, srv *testServer) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := srv.newStore(t, withPartSize(ps))
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				const key = "fail/key"
				if tt.existing {
					if _, err := s.Put(ctx, key, strings.NewReader("previous"), 8); err != nil {
						t.Fatal(err)
					}
				}
				var r io.Reader = hidden{bytes.NewReader(bigContent()[i : int64(i)+tt.content])}
				if tt.failAt > 0 {
					f := &failAfter{content: bigContent()[:tt.content], n: int(tt.failAt), err: boom}
					if tt.cancel {
						f.cancel = cancel
					}
					r = f
				}
				_, err := s.Put(ctx, key, r, tt.size)
				if err == nil {
					t.Fatal("Put succeeded")
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("Put error = %v, want %v", err, tt.wantErr)
				}
				if tt.existing {
					blobtest.RequireContent(t, s, key, []byte("previous"))
				} else {
					requireMissing(t, s, key)
				}
				if ups := srv.pendingUploads(t.Context(), s.Bucket()); len(ups) != 0 {
					t.Fatalf("multipart uploads left behind: %q", ups)
				}
			})
		}
	})
}

func TestProgress(t *testing.T) {
	const ps = MinPartSize
	const size = 2*ps + 11
	content := pattern(size)
	tests := []struct {
		name      string
		wantTotal int64
		run       func(t *testing.T, s *Store) error
	}{
		{"a multipart put reports its size", size, func(t *testing.T, s *Store) error {
			_, err := s.Put(t.Context(), "p", bytes.NewReader(content), size)
			return err
		}},
		{"a put of unknown size reports an unknown total", -1, func(t *testing.T, s *Store) error {
			_, err := s.Put(t.Context(), "p", hidden{bytes.NewReader(content)}, -1)
			return err
		}},
		{"a single put reports its size", 100, func(t *testing.T, s *Store) error {
			_, err := s.Put(t.Context(), "p", bytes.NewReader(content[:100]), 100)
			return err
		}},
		{"a file upload reports the file size", size, func(t *testing.T, s *Store) error {
			_, err := s.PutFileFrom(t.Context(), "p", writeFile(t, content))
			return err
		}},
		{"a download reports the object size", size, func(t *testing.T, s *Store) error {
			p := s.Progress
			s.Progress = nil
			_, err := s.Put(t.Context(), "p", bytes.NewReader(content), size)
			s.Progress = p
			if err != nil {
				return err
			}
			return s.Download(t.Context(), "p", filepath.Join(t.TempDir(), "dst"))
		}},
	}
	forEachServer(t, func(t *testing.T, srv *testServer) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := srv.newStore(t, withPartSize(ps))
				type call struct{ done, total int64 }
				var calls []call
				s.Progress = func(done, total int64) { calls = append(calls, call{done, total}) }
				if err := tt.run(t, s); err != nil {
					t.Fatal(err)
				}
				if len(calls) < 2 {
					t.Fatalf("Progress called %d times, want at least a start and an end", len(calls))
				}
				if calls[0].done != 0 {
					t.Errorf("first call reports %d bytes done, want 0", calls[0].done)
				}
				wantDone := tt.wantTotal
				if wantDone < 0 {
					wantDone = size
				}
				if last := calls[len(calls)-1]; last.done != wantDone {
					t.Errorf("last call reports %d bytes done, want %d", last.done, wantDone)
				}
				for i, c := range calls {
					if c.total != tt.wantTotal {
						t.Fatalf("call %d reports total %d, want %d", i, c.total, tt.wantTotal)
					}
					if i > 0 && c.done < calls[i-1].done {
						t.Fatalf("done went back from %d to %d", calls[i-1].done, c.done)
					}
				}
			})
		}
	})
}

func TestCountingBodyCountsRereadBytesOnce(t *testing.T) {
	tests := []struct {
		name  string
		steps []int64 // positive: read that many bytes; -1: rewind to the start
		want  int64
	}{
		{"one pass counts every byte", []int64{4, 6}, 10},
		{"a rewind after a partial read counts the overlap once", []int64{4, -1, 10}, 10},
		{"a rewind after a full read counts nothing more", []int64{10, -1, 10}, 10},
		{"no reads count nothing", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got int64
			c := &countingBody{r: bytes.NewReader(make([]byte, 10)), add: func(n int64) { got += n }}
			for _, step := range tt.steps {
				if step < 0 {
					if _, err := c.Seek(0, io.SeekStart); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if _, err := io.ReadFull(c, make([]byte, step)); err != nil {
					t.Fatal(err)
				}
			}
			if got != tt.want {
				t.Fatalf("counted %d bytes, want %d", got, tt.want)
			}
		})
	}
}

func TestPartSizeFor(t *testing.T) {
	const tib = int64(1) << 40
	tests := []struct {
		name     string
		partSize int64
		size     int64
		want     int64
	}{
		{"the default part size is kept for small objects", hashing.PartSize, 120 << 20, hashing.PartSize},
		{"the default part size follows the hashing rule for huge objects", hashing.PartSize, tib, hashing.PartSizeFor(tib)},
		{"a custom part size is kept while it needs few enough parts", MinPartSize, 10000 * MinPartSize, MinPartSize},
		{"a custom part size grows in 5 MiB steps past 10,000 parts", MinPartSize, 10000*MinPartSize + 1, 2 * MinPartSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Store{cfg: Config{PartSize: tt.partSize}}
			got, err := s.partSizeFor(tt.size)
			if err != nil || got != tt.want {
				t.Fatalf("partSizeFor(%d) = %d, %v; want %d", tt.size, got, err, tt.want)
			}
			if parts := (tt.size + got - 1) / got; parts > hashing.MaxParts {
				t.Fatalf("%d parts exceed %d", parts, hashing.MaxParts)
			}
		})
	}
}

func TestPutFileFromRejectsNonFiles(t *testing.T) {
	s := fakeServer.newStore(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
	}{
		{"a directory is rejected", dir},
		{"a missing file is rejected", filepath.Join(dir, "missing")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.PutFileFrom(t.Context(), "k", tt.path); err == nil {
				t.Fatal("PutFileFrom succeeded")
			}
			if got := listKeys(t, s, ""); !slices.Equal(got, []string{}) {
				t.Fatalf("List = %q, want nothing", got)
			}
		})
	}
}
