package hashing

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const mib = 1 << 20

// patternReader is an io.ReaderAt over size bytes repeating pattern, with the
// byte at flip (if >= 0) inverted. It lets tests hash hundreds of MiB
// without touching the disk.
type patternReader struct {
	size    int64
	pattern []byte
	flip    int64
}

// zeros returns size zero bytes.
func zeros(size int64) *patternReader {
	return &patternReader{size: size, pattern: make([]byte, 64<<10), flip: -1}
}

// mod251 returns size bytes where byte i is i mod 251.
func mod251(size int64) *patternReader {
	p := make([]byte, 251*256)
	for i := range p {
		p[i] = byte(i % 251)
	}
	return &patternReader{size: size, pattern: p, flip: -1}
}

func (r *patternReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.size-off))
	for j := 0; j < n; {
		j += copy(p[j:n], r.pattern[(off+int64(j))%int64(len(r.pattern)):])
	}
	if r.flip >= off && r.flip < off+int64(n) {
		p[r.flip-off] ^= 0xff
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// failingReader returns err for every read at or after offset at.
type failingReader struct {
	at  int64
	err error
}

func (r failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) <= r.at {
		clear(p)
		return len(p), nil
	}
	if off >= r.at {
		return 0, r.err
	}
	n := int(r.at - off)
	clear(p[:n])
	return n, r.err
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name   string
		digest []byte
		want   string
	}{
		{"md5 of hello", []byte{0xb1, 0x94, 0x6a, 0xc9, 0x24, 0x92, 0xd2, 0x34, 0x7c, 0x62, 0x35, 0xb4, 0xd2, 0x61, 0x11, 0x84}, "sZRqySSS0jR8YjW00mERhA"},
		{"url-safe alphabet", []byte{0xfb, 0xff, 0xbf}, "-_-_"},
		{"truncated to 22", make([]byte, 32), strings.Repeat("A", 22)},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Encode(tt.digest); got != tt.want {
				t.Errorf("Encode = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBytes(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"hello newline", "hello\n", "sZRqySSS0jR8YjW00mERhA"},
		{"world newline", "world\n", "WReFt5RgHiErJg4lklY2_Q"},
		{"empty", "", "1B2M2Y8AsgTpgAmY7PhCfg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Bytes([]byte(tt.in)); got != tt.want {
				t.Errorf("Bytes(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		content  string
		wantHash string
		wantETag string
	}{
		{"hello", "hello\n", "sZRqySSS0jR8YjW00mERhA", "b1946ac92492d2347c6235b4d2611184"},
		{"empty", "", "1B2M2Y8AsgTpgAmY7PhCfg", "d41d8cd98f00b204e9800998ecf8427e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			writeFile(t, path, tt.content)
			got, err := File(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			want := Result{Hash: tt.wantHash, Type: "md5", Size: int64(len(tt.content))}
			if got != want {
				t.Errorf("File = %+v, want %+v", got, want)
			}
			etag, err := ETag(got.Hash, got.Type)
			if err != nil || etag != tt.wantETag {
				t.Errorf("ETag = %q, %v; want %q", etag, err, tt.wantETag)
			}
		})
	}
}

func TestFileSparseMultipart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sparse")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(PartSize + 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := File(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Hash: "Vs4D0cCOzuyl7-5HOjFKAA", Type: "md5-2", Size: 52428801}
	if got != want {
		t.Errorf("File = %+v, want %+v", got, want)
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    string
		wantMsg string
	}{
		{"missing", filepath.Join(dir, "missing"), filepath.Join(dir, "missing")},
		{"directory", dir, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := File(context.Background(), tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("File(%q) error = %v, want it to contain %q", tt.path, err, tt.wantMsg)
			}
		})
	}
}

func TestReaderVectors(t *testing.T) {
	tests := []struct {
		name     string
		r        *patternReader
		wantHash string
		wantType string
		wantETag string
	}{
		{"50MiB zeros single part", zeros(52428800), "JeMXdz8wjkRsyExQOm0fhQ", "md5", ""},
		{"50MiB+1 zeros two parts", zeros(52428801), "Vs4D0cCOzuyl7-5HOjFKAA", "md5-2", "56ce03d1c08eceeca5efee473a314a00-2"},
		{"60MiB zeros two parts", zeros(62914560), "muCheVN7edZAtS9u7MI1TA", "md5-2", "9ae0a179537b79d640b52f6eecc2354c-2"},
		{"100MiB zeros two full parts", zeros(104857600), "PyCErneD9mw4KjIEJ87Ehw", "md5-2", ""},
		{"120MiB mod 251 three parts", mod251(125829120), "sXcdlZQxqjuwGnHGuXBdiA", "md5-3", "b1771d959431aa3bb01a71c6b9705d88-3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Reader(context.Background(), tt.r, tt.r.size)
			if err != nil {
				t.Fatal(err)
			}
			want := Result{Hash: tt.wantHash, Type: tt.wantType, Size: tt.r.size}
			if got != want {
				t.Errorf("Reader = %+v, want %+v", got, want)
			}
			if tt.wantETag == "" {
				return
			}
			etag, err := ETag(got.Hash, got.Type)
			if err != nil || etag != tt.wantETag {
				t.Errorf("ETag = %q, %v; want %q", etag, err, tt.wantETag)
			}
		})
	}
}

func TestReaderOneByteDifference(t *testing.T) {
	const size = 120 * mib
	a := mod251(size)
	b := mod251(size)
	b.flip = size / 2
	ha, err := Reader(context.Background(), a, size)
	if err != nil {
		t.Fatal(err)
	}
	hb, err := Reader(context.Background(), b, size)
	if err != nil {
		t.Fatal(err)
	}
	if ha.Hash == hb.Hash {
		t.Errorf("inputs differing in byte %d hash the same: %s", b.flip, ha.Hash)
	}
	if ha.Type != "md5-3" || hb.Type != "md5-3" {
		t.Errorf("types = %q, %q; want md5-3", ha.Type, hb.Type)
	}
}

func TestReaderErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	errDisk := errors.New("disk on fire")
	tests := []struct {
		name    string
		ctx     context.Context
		r       io.ReaderAt
		size    int64
		wantErr error
		wantMsg string
	}{
		{"negative size", context.Background(), zeros(0), -1, nil, "invalid size -1"},
		{"shrank single part", context.Background(), zeros(100), 200, ErrChanged, "file changed while hashing"},
		{"grew single part", context.Background(), zeros(200), 100, ErrChanged, "file changed while hashing"},
		{"shrank multipart", context.Background(), zeros(PartSize + 10), PartSize + 20, ErrChanged, "file changed while hashing"},
		{"grew multipart", context.Background(), zeros(PartSize + 20), PartSize + 10, ErrChanged, "file changed while hashing"},
		{"read error single part", context.Background(), failingReader{at: 3 * mib, err: errDisk}, 10 * mib, errDisk, "disk on fire"},
		{"read error multipart", context.Background(), failingReader{at: 70 * mib, err: errDisk}, 200 * mib, errDisk, "disk on fire"},
		{"canceled single part", canceled, zeros(10), 10, context.Canceled, ""},
		{"canceled multipart", canceled, zeros(200 * mib), 200 * mib, context.Canceled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Reader(tt.ctx, tt.r, tt.size)
			if err == nil {
				t.Fatalf("Reader = %+v, want error", got)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Reader error %v, want errors.Is %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Reader error %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestPartSizeFor(t *testing.T) {
	const tb = 1_000_000_000_000
	tests := []struct {
		name string
		size int64
		want int64 // 0: only check the invariants
	}{
		{"empty", 0, PartSize},
		{"one part", PartSize, PartSize},
		{"two parts", PartSize + 1, PartSize},
		{"exactly max parts", MaxParts * PartSize, PartSize},
		{"just over max parts", MaxParts*PartSize + 1, 55 * mib},
		{"1 TB", tb, 0},
		{"5 TiB", 5 << 40, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PartSizeFor(tt.size)
			if tt.want != 0 && p != tt.want {
				t.Errorf("PartSizeFor(%d) = %d, want %d", tt.size, p, tt.want)
			}
			if p < PartSize || p%(5*mib) != 0 {
				t.Errorf("PartSizeFor(%d) = %d, want a multiple of 5 MiB >= PartSize", tt.size, p)
			}
			if parts := (tt.size + p - 1) / p; parts > MaxParts {
				t.Errorf("PartSizeFor(%d) = %d gives %d parts, more than %d", tt.size, p, parts, MaxParts)
			}
			if tt.size > MaxParts*PartSize && p-5*mib >= (tt.size+MaxParts-1)/MaxParts {
				t.Errorf("PartSizeFor(%d) = %d is not the smallest valid multiple of 5 MiB", tt.size, p)
			}
		})
	}
}

// makeTree creates files (relative path to content) under a new temp dir.
func makeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		writeFile(t, filepath.Join(root, filepath.FromSlash(name)), content)
	}
	return root
}

func TestDir(t *testing.T) {
	helloWorld := map[string]string{"a.txt": "hello\n", "sub/b.txt": "world\n"}
	tests := []struct {
		name  string
		files map[string]string
		setup func(t *testing.T, root string)
		want  Result
	}{
		{
			name:  "spec vector",
			files: helloWorld,
			want:  Result{Hash: "PFZ3g1ZNxzA7mqT6Mbce4w", Type: "md5-d", Size: 12, NFiles: 2},
		},
		{
			name:  "names do not matter, only contents",
			files: map[string]string{"z/y/x.txt": "hello\n", "b.txt": "world\n"},
			want:  Result{Hash: "PFZ3g1ZNxzA7mqT6Mbce4w", Type: "md5-d", Size: 12, NFiles: 2},
		},
		{
			name:  "empty subfolders are ignored",
			files: helloWorld,
			setup: func(t *testing.T, root string) {
				if err := os.MkdirAll(filepath.Join(root, "empty", "deeper"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			want: Result{Hash: "PFZ3g1ZNxzA7mqT6Mbce4w", Type: "md5-d", Size: 12, NFiles: 2},
		},
		{
			name:  "symlinks are not followed",
			files: helloWorld,
			setup: func(t *testing.T, root string) {
				if err := os.Symlink(filepath.Join(root, "a.txt"), filepath.Join(root, "link.txt")); err != nil {
					t.Skip("symlinks unsupported:", err)
				}
				if err := os.Symlink(filepath.Join(root, "sub"), filepath.Join(root, "linkdir")); err != nil {
					t.Fatal(err)
				}
			},
			want: Result{Hash: "PFZ3g1ZNxzA7mqT6Mbce4w", Type: "md5-d", Size: 12, NFiles: 2},
		},
		{
			name:  "single file",
			files: map[string]string{"only": "hello\n"},
			want:  Result{Hash: Strings([]string{"sZRqySSS0jR8YjW00mERhA"}), Type: "md5-d", Size: 6, NFiles: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := makeTree(t, tt.files)
			if tt.setup != nil {
				tt.setup(t, root)
			}
			got, err := Dir(context.Background(), root)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Dir = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDirSymlinkRoot(t *testing.T) {
	root := makeTree(t, map[string]string{"a.txt": "hello\n", "sub/b.txt": "world\n"})
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(root, link); err != nil {
		t.Skip("symlinks unsupported:", err)
	}
	got, err := Dir(context.Background(), link)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash != "PFZ3g1ZNxzA7mqT6Mbce4w" || got.NFiles != 2 {
		t.Errorf("Dir(symlink) = %+v", got)
	}
}

func TestDirManyFiles(t *testing.T) {
	files := make(map[string]string)
	var hashes []string
	for i := range 100 {
		name := filepath.Join("d"+strings.Repeat("x", i%7), "f"+strings.Repeat("y", i))
		content := strings.Repeat("z", i)
		files[name] = content
		hashes = append(hashes, Bytes([]byte(content)))
	}
	got, err := Dir(context.Background(), makeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if want := Strings(hashes); got.Hash != want || got.NFiles != 100 || got.Size != 99*100/2 {
		t.Errorf("Dir = %+v, want hash %s, 100 files, size %d", got, want, 99*100/2)
	}
}

func TestDirErrors(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		setup   func(t *testing.T) string
		open    openFunc
		wantErr error
		wantMsg func(root string) string
	}{
		{
			name:    "empty folder",
			setup:   func(t *testing.T) string { return t.TempDir() },
			wantMsg: func(root string) string { return "folder " + root + " contains no files" },
		},
		{
			name: "only empty subfolders",
			setup: func(t *testing.T) string {
				root := t.TempDir()
				if err := os.MkdirAll(filepath.Join(root, "a", "b"), 0o755); err != nil {
					t.Fatal(err)
				}
				return root
			},
			wantMsg: func(root string) string { return "folder " + root + " contains no files" },
		},
		{
			name:    "missing folder",
			setup:   func(t *testing.T) string { return filepath.Join(t.TempDir(), "missing") },
			wantErr: os.ErrNotExist,
			wantMsg: func(root string) string { return root },
		},
		{
			name: "dangling symlink as folder",
			setup: func(t *testing.T) string {
				link := filepath.Join(t.TempDir(), "dangling")
				if err := os.Symlink(filepath.Join(t.TempDir(), "gone"), link); err != nil {
					t.Skip("symlinks unsupported:", err)
				}
				return link
			},
			wantErr: os.ErrNotExist,
			wantMsg: func(root string) string { return "gone" },
		},
		{
			name: "regular file instead of folder",
			setup: func(t *testing.T) string {
				p := filepath.Join(t.TempDir(), "f")
				writeFile(t, p, "x")
				return p
			},
			wantMsg: func(root string) string { return root + ": not a directory" },
		},
		{
			name: "unreadable file (permissions)",
			setup: func(t *testing.T) string {
				if os.Geteuid() == 0 {
					t.Skip("running as root: file permissions do not block reads")
				}
				root := makeTree(t, map[string]string{"a.txt": "hello\n", "sub/secret": "x"})
				if err := os.Chmod(filepath.Join(root, "sub", "secret"), 0); err != nil {
					t.Fatal(err)
				}
				return root
			},
			wantErr: os.ErrPermission,
			wantMsg: func(root string) string { return filepath.Join(root, "sub", "secret") },
		},
		{
			name: "unreadable file (open fails)",
			setup: func(t *testing.T) string {
				return makeTree(t, map[string]string{"a.txt": "hello\n", "sub/secret": "x"})
			},
			open: func(name string) (*os.File, error) {
				if filepath.Base(name) == "secret" {
					return nil, &os.PathError{Op: "open", Path: name, Err: errBoom}
				}
				return os.Open(name)
			},
			wantErr: errBoom,
			wantMsg: func(root string) string { return filepath.Join(root, "sub", "secret") },
		},
		{
			name: "unreadable file (open fails without naming the path)",
			setup: func(t *testing.T) string {
				return makeTree(t, map[string]string{"a.txt": "hello\n", "sub/secret": "x"})
			},
			open: func(name string) (*os.File, error) {
				if filepath.Base(name) == "secret" {
					return nil, errBoom
				}
				return os.Open(name)
			},
			wantErr: errBoom,
			wantMsg: func(root string) string { return filepath.Join(root, "sub", "secret") + ": boom" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tt.setup(t)
			open := tt.open
			if open == nil {
				open = os.Open
			}
			got, err := hashDir(context.Background(), root, open)
			if err == nil {
				t.Fatalf("Dir = %+v, want error", got)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Dir error %v, want errors.Is %v", err, tt.wantErr)
			}
			if want := tt.wantMsg(root); !strings.Contains(err.Error(), want) {
				t.Errorf("Dir error %q, want it to contain %q", err, want)
			}
		})
	}
}

func TestDirCanceled(t *testing.T) {
	root := makeTree(t, map[string]string{"a.txt": "hello\n"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Dir(ctx, root); !errors.Is(err, context.Canceled) {
		t.Errorf("Dir with canceled context error = %v, want context.Canceled", err)
	}
}

func TestStrings(t *testing.T) {
	in := []string{"WReFt5RgHiErJg4lklY2_Q", "sZRqySSS0jR8YjW00mERhA"}
	orig := slices.Clone(in)
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"spec folder", in, "PFZ3g1ZNxzA7mqT6Mbce4w"},
		{"order does not matter", []string{in[1], in[0]}, "PFZ3g1ZNxzA7mqT6Mbce4w"},
		{"empty", nil, Bytes(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Strings(tt.in); got != tt.want {
				t.Errorf("Strings(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if !slices.Equal(in, orig) {
		t.Errorf("Strings modified its input: %q", in)
	}
}

func TestHashSet(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    string
		wantErr string
	}{
		{"spec vector", []string{"abc", "def"}, "SzXxKrA87Am-7EwhstL6iA", ""},
		{"order does not matter", []string{"def", "abc"}, "SzXxKrA87Am-7EwhstL6iA", ""},
		{"single", []string{"abc"}, Bytes([]byte("abc")), ""},
		{"duplicate", []string{"abc", "def", "abc"}, "", `"abc" more than once`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := slices.Clone(tt.in)
			got, err := HashSet(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("HashSet(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("HashSet(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if !slices.Equal(tt.in, orig) {
				t.Errorf("HashSet modified its input: %q", tt.in)
			}
		})
	}
}

func TestFromETag(t *testing.T) {
	tests := []struct {
		name     string
		etag     string
		wantHash string
		wantType string
	}{
		{"plain", "b1946ac92492d2347c6235b4d2611184", "sZRqySSS0jR8YjW00mERhA", "md5"},
		{"quoted", `"b1946ac92492d2347c6235b4d2611184"`, "sZRqySSS0jR8YjW00mERhA", "md5"},
		{"uppercase hex", "B1946AC92492D2347C6235B4D2611184", "sZRqySSS0jR8YjW00mERhA", "md5"},
		{"multipart 2", `"56ce03d1c08eceeca5efee473a314a00-2"`, "Vs4D0cCOzuyl7-5HOjFKAA", "md5-2"},
		{"multipart 3", "b1771d959431aa3bb01a71c6b9705d88-3", "sXcdlZQxqjuwGnHGuXBdiA", "md5-3"},
		{"multipart max", "b1771d959431aa3bb01a71c6b9705d88-10000", "sXcdlZQxqjuwGnHGuXBdiA", "md5-10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hash, typ, err := FromETag(tt.etag)
			if err != nil || hash != tt.wantHash || typ != tt.wantType {
				t.Fatalf("FromETag(%q) = %q, %q, %v; want %q, %q", tt.etag, hash, typ, err, tt.wantHash, tt.wantType)
			}
			back, err := ETag(hash, typ)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.ToLower(strings.Trim(tt.etag, `"`)); back != want {
				t.Errorf("ETag(FromETag(%q)) = %q, want %q", tt.etag, back, want)
			}
		})
	}
}

func TestFromETagErrors(t *testing.T) {
	tests := []struct {
		name, etag string
	}{
		{"empty", ""},
		{"quotes only", `""`},
		{"too short", "b1946ac92492d2347c6235b4d261118"},
		{"too long", "b1946ac92492d2347c6235b4d26111840"},
		{"non hex", "g1946ac92492d2347c6235b4d2611184"},
		{"empty part count", "b1946ac92492d2347c6235b4d2611184-"},
		{"zero parts", "b1946ac92492d2347c6235b4d2611184-0"},
		{"leading zero", "b1946ac92492d2347c6235b4d2611184-02"},
		{"signed", "b1946ac92492d2347c6235b4d2611184-+2"},
		{"too many parts", "b1946ac92492d2347c6235b4d2611184-10001"},
		{"two dashes", "b1946ac92492d2347c6235b4d2611184-2-3"},
		{"letters", "b1946ac92492d2347c6235b4d2611184-d"},
		{"base64 hash", "sZRqySSS0jR8YjW00mERhA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if hash, typ, err := FromETag(tt.etag); err == nil {
				t.Errorf("FromETag(%q) = %q, %q; want error", tt.etag, hash, typ)
			}
		})
	}
}

func TestETagErrors(t *testing.T) {
	tests := []struct {
		name, hash, typ string
		noETag          bool
	}{
		{"folder hash", "PFZ3g1ZNxzA7mqT6Mbce4w", "md5-d", true},
		{"unknown type", "sZRqySSS0jR8YjW00mERhA", "sha1", true},
		{"zero parts", "sZRqySSS0jR8YjW00mERhA", "md5-0", true},
		{"empty type", "sZRqySSS0jR8YjW00mERhA", "", true},
		{"short hash", "sZRqySSS0jR8YjW00mERh", "md5", false},
		{"long hash", "sZRqySSS0jR8YjW00mERhAA", "md5", false},
		{"standard base64 chars", "sZRqySSS0jR8YjW00mER+A", "md5", false},
		{"non-canonical last char", "sZRqySSS0jR8YjW00mERhB", "md5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ETag(tt.hash, tt.typ)
			if err == nil {
				t.Fatalf("ETag(%q, %q) = %q, want error", tt.hash, tt.typ, got)
			}
			if errors.Is(err, ErrNoETag) != tt.noETag {
				t.Errorf("ETag(%q, %q) error %v: errors.Is ErrNoETag = %v, want %v", tt.hash, tt.typ, err, !tt.noETag, tt.noETag)
			}
		})
	}
}

func FuzzFromETag(f *testing.F) {
	f.Add("b1946ac92492d2347c6235b4d2611184")
	f.Add(`"56ce03d1c08eceeca5efee473a314a00-2"`)
	f.Add("b1946ac92492d2347c6235b4d2611184-0")
	f.Fuzz(func(t *testing.T, etag string) {
		hash, typ, err := FromETag(etag)
		if err != nil {
			return
		}
		if len(hash) != HashLen {
			t.Fatalf("FromETag(%q) hash %q has length %d", etag, hash, len(hash))
		}
		back, err := ETag(hash, typ)
		if err != nil {
			t.Fatalf("ETag(FromETag(%q)) error: %v", etag, err)
		}
		if !strings.EqualFold(back, strings.TrimSuffix(strings.TrimPrefix(etag, `"`), `"`)) {
			t.Fatalf("ETag(FromETag(%q)) = %q", etag, back)
		}
	})
}

func BenchmarkFile(b *testing.B) {
	const size = 256 * mib
	path := filepath.Join(b.TempDir(), "bench")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	r := mod251(size)
	if _, err := io.Copy(f, io.NewSectionReader(r, 0, size)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	for b.Loop() {
		if _, err := File(context.Background(), path); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDirFilesListsTheManifest checks that DirFiles returns Dir's result and
// every file by its slash-separated relative path, in path order, with the
// hash File gives it: what a folder's manifest records.
func TestDirFilesListsTheManifest(t *testing.T) {
	root := makeTree(t, map[string]string{"sub/b.txt": "world\n", "a.txt": "hello\n", "sub/deep/c.txt": ""})
	res, files, err := DirFiles(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := Dir(context.Background(), root); res != want {
		t.Fatalf("DirFiles = %+v, Dir = %+v", res, want)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
		want, err := File(context.Background(), filepath.Join(root, filepath.FromSlash(f.Path)))
		if err != nil || f.Result != want {
			t.Fatalf("%s: %+v, File gives %+v (%v)", f.Path, f.Result, want, err)
		}
	}
	if got := strings.Join(paths, ","); got != "a.txt,sub/b.txt,sub/deep/c.txt" {
		t.Fatalf("paths %s", got)
	}
}
