package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/lamin-go/lamin/internal/blob"
)

// Store is a blob.Store backed by a directory. It is safe for concurrent
// use, including by several processes sharing the same root.
type Store struct {
	root    string
	rootSep string // root with a trailing separator
}

var (
	_ blob.Store      = (*Store)(nil)
	_ blob.FilePutter = (*Store)(nil)
)

// New returns a Store rooted at root, which must be an existing directory.
// A relative root is made absolute.
func New(root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("local store: %w", err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("local store: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("local store: %s is not a directory", abs)
	}
	sep := abs
	if !strings.HasSuffix(sep, string(filepath.Separator)) {
		sep += string(filepath.Separator)
	}
	return &Store{root: abs, rootSep: sep}, nil
}

// Root returns the absolute path of the store's root directory.
func (s *Store) Root() string { return s.root }

// Path returns the local file path that holds key, whether or not the
// object exists. Callers may read the file in place but should write
// through Put to keep writes atomic.
func (s *Store) Path(key string) (string, error) {
	if err := validKey(key); err != nil {
		return "", err
	}
	return s.path(key), nil
}

func (s *Store) path(key string) string {
	return filepath.Join(s.root, filepath.FromSlash(key))
}

// validKey applies blob.ValidKey and additionally rejects keys whose last
// segment would be taken for a temporary file.
func validKey(key string) error {
	if err := blob.ValidKey(key); err != nil {
		return err
	}
	base := key[strings.LastIndexByte(key, '/')+1:]
	if isTempName(base) {
		return fmt.Errorf("%w %q: name %q is reserved for temporary files", blob.ErrInvalidKey, key, base)
	}
	return nil
}

// Put implements blob.Store. The content is written to a temporary file in
// the destination directory, synced, and renamed into place; the directory
// is then synced too. Missing parent directories are created with mode
// 0o755 and the file gets mode 0o644.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) (blob.Info, error) {
	if err := validKey(key); err != nil {
		return blob.Info{}, err
	}
	return s.put(ctx, key, func(f *os.File) (int64, error) {
		return copyN(f, blob.ContextReader(ctx, r), size)
	}, size)
}

// PutFileFrom implements blob.FilePutter: it stores a copy of the local
// file at srcPath under key with the same atomicity as Put. The copy is
// made file to file so the kernel can do it without passing through user
// space where supported (copy_file_range on Linux). The context is checked
// between chunks of the copy.
func (s *Store) PutFileFrom(ctx context.Context, key, srcPath string) (blob.Info, error) {
	if err := validKey(key); err != nil {
		return blob.Info{}, err
	}
	src, err := os.Open(srcPath)
	if err != nil {
		return blob.Info{}, fmt.Errorf("put file %s: %w", key, err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return blob.Info{}, fmt.Errorf("put file %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return blob.Info{}, fmt.Errorf("put file %s: %s is not a regular file", key, srcPath)
	}
	size := fi.Size()
	return s.put(ctx, key, func(f *os.File) (int64, error) {
		const chunk = 8 << 20
		var total int64
		for {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			// Read at most one byte past the expected size so that a file
			// growing underneath is noticed. Both ends are *os.File (behind
			// an *io.LimitedReader), which keeps os.File.ReadFrom on its
			// zero-copy path.
			want := min(chunk, size+1-total)
			n, err := io.Copy(f, &io.LimitedReader{R: src, N: want})
			total += n
			if err != nil {
				return total, err
			}
			if total > size {
				return total, sizeError(total, size)
			}
			if n < want {
				break
			}
		}
		if total != size {
			return total, sizeError(total, size)
		}
		return total, nil
	}, size)
}

// put runs the temp-file/sync/rename protocol around fill, which writes
// the content to the temporary file and returns the number of bytes
// written.
func (s *Store) put(ctx context.Context, key string, fill func(*os.File) (int64, error), size int64) (info blob.Info, err error) {
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	dst := s.path(key)
	dir, base := filepath.Split(dst)
	dir = filepath.Clean(dir)

	f, err := s.createTemp(dir, base)
	if err != nil {
		s.prune(dir)
		return blob.Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			s.prune(dir)
			err = fmt.Errorf("put %s: %w", key, err)
		}
	}()

	n, err := fill(f)
	if err != nil {
		return blob.Info{}, err
	}
	if size >= 0 && n != size {
		return blob.Info{}, sizeError(n, size)
	}
	if err := f.Chmod(0o644); err != nil {
		return blob.Info{}, err
	}
	if err := f.Sync(); err != nil {
		return blob.Info{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		return blob.Info{}, err
	}
	if err := f.Close(); err != nil {
		return blob.Info{}, err
	}
	// Last chance to honour cancellation before the object becomes visible.
	if err := ctx.Err(); err != nil {
		return blob.Info{}, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return blob.Info{}, err
	}
	if err := blob.SyncDir(dir); err != nil {
		// The rename is done and cannot be taken back; report that it may
		// not survive a crash.
		return blob.Info{}, fmt.Errorf("sync directory after rename: %w", err)
	}
	return blob.Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// createTemp creates the parent directories of an object and a temporary
// file in dir. A concurrent Delete may prune a freshly created directory
// before the temporary file exists in it, so creation is retried a few
// times.
func (s *Store) createTemp(dir, base string) (*os.File, error) {
	var err error
	for range 5 {
		if err = os.MkdirAll(dir, 0o755); err != nil {
			continue
		}
		var f *os.File
		f, err = os.CreateTemp(dir, blob.TempPattern(base))
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, err
}

// Open implements blob.Store. The returned reader is the *os.File itself.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := validKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	f, err := os.Open(s.path(key))
	if err != nil {
		return nil, mapErr("open", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", key, blob.ErrNotFound)
	}
	return f, nil
}

// Stat implements blob.Store. Directories, which exist only to hold
// longer keys, are reported as not found. ETag is always empty.
func (s *Store) Stat(ctx context.Context, key string) (blob.Info, error) {
	if err := validKey(key); err != nil {
		return blob.Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("stat %s: %w", key, err)
	}
	fi, err := os.Stat(s.path(key))
	if err != nil {
		return blob.Info{}, mapErr("stat", key, err)
	}
	if !fi.Mode().IsRegular() {
		return blob.Info{}, fmt.Errorf("stat %s: %w", key, blob.ErrNotFound)
	}
	return blob.Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// List implements blob.Store. It starts walking at the deepest directory
// named by prefix and reports regular files only; temporary files and
// symbolic links are skipped.
func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Info) error) error {
	if err := blob.ValidPrefix(prefix); err != nil {
		return err
	}
	dirKey, partial := "", prefix
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dirKey, partial = prefix[:i+1], prefix[i+1:]
	}
	return s.walk(ctx, dirKey, partial, fn)
}

// walk lists the directory holding keys that start with dirKey (which is
// "" or ends in "/"), restricted to entries whose names start with
// partial, and recurses into subdirectories.
func (s *Store) walk(ctx context.Context, dirKey, partial string, fn func(blob.Info) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(s.path(dirKey))
	if err != nil {
		if dirKey != "" && isNotExist(err) {
			// No such directory (or it is a file, or it was deleted
			// since its parent was read): no keys below it.
			return nil
		}
		return err
	}
	type entry struct {
		name, sortKey string
		de            fs.DirEntry
	}
	list := make([]entry, 0, len(entries))
	for _, de := range entries {
		name := de.Name()
		if !strings.HasPrefix(name, partial) {
			continue
		}
		switch {
		case de.IsDir():
			// Every key below a directory d starts with "d/", so sorting
			// directories as "d/" yields lexical key order overall
			// ("a.txt" < "a/b" because '.' < '/').
			list = append(list, entry{name, name + "/", de})
		case de.Type().IsRegular() && !isTempName(name):
			list = append(list, entry{name, name, de})
		}
	}
	slices.SortFunc(list, func(a, b entry) int { return strings.Compare(a.sortKey, b.sortKey) })

	for _, e := range list {
		key := dirKey + e.name
		if e.de.IsDir() {
			if err := s.walk(ctx, key+"/", "", fn); err != nil {
				return err
			}
			continue
		}
		fi, err := e.de.Info()
		if err != nil {
			if isNotExist(err) {
				continue // deleted since ReadDir
			}
			return err
		}
		if err := fn(blob.Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}); err != nil {
			return err
		}
	}
	return nil
}

// Delete implements blob.Store. After removing the file it removes parent
// directories that became empty, up to but not including the root.
// Deleting a missing key, or a key that names a directory, returns nil.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := validKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	p := s.path(key)
	fi, err := os.Lstat(p)
	if err != nil {
		if isNotExist(err) {
			return nil
		}
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if fi.IsDir() {
		return nil
	}
	if err := os.Remove(p); err != nil && !isNotExist(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	s.prune(filepath.Dir(p))
	return nil
}

// prune removes dir and its parents while they are empty, stopping at the
// root, which is never removed.
func (s *Store) prune(dir string) {
	for strings.HasPrefix(dir, s.rootSep) {
		if err := os.Remove(dir); err != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// copyN copies r to w, requiring exactly size bytes unless size < 0.
func copyN(w io.Writer, r io.Reader, size int64) (int64, error) {
	if size < 0 {
		return io.Copy(w, r)
	}
	n, err := io.Copy(w, io.LimitReader(r, size+1))
	if err != nil {
		return n, err
	}
	if n != size {
		return n, sizeError(n, size)
	}
	return n, nil
}

func sizeError(got, want int64) error {
	if got > want {
		return fmt.Errorf("size mismatch: content is longer than the expected %d bytes", want)
	}
	return fmt.Errorf("size mismatch: content is %d bytes, expected %d", got, want)
}

// mapErr turns "does not exist" errors into blob.ErrNotFound.
func mapErr(op, key string, err error) error {
	if isNotExist(err) {
		return fmt.Errorf("%s %s: %w", op, key, blob.ErrNotFound)
	}
	return fmt.Errorf("%s %s: %w", op, key, err)
}

// isNotExist reports whether err means that a path does not exist,
// including the case where a parent component is a regular file.
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// isTempName reports whether name matches ".*.tmp-*", the form of the
// temporary files created by tempPattern.
func isTempName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name[1:], ".tmp-")
}
