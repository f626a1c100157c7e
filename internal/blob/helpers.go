package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"unicode/utf8"
)

// PutFile stores the local file at path under key, passing the file's size
// to Put so that a file changing underneath is detected. Stores that
// implement FilePutter get to use their own faster path.
func PutFile(ctx context.Context, s Store, key, path string) (Info, error) {
	if fp, ok := s.(FilePutter); ok {
		return fp.PutFileFrom(ctx, key, path)
	}
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Info{}, fmt.Errorf("put file %s: %w", key, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("put file %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return Info{}, fmt.Errorf("put file %s: %s is not a regular file", key, path)
	}
	return s.Put(ctx, key, f, fi.Size())
}

// GetFile downloads the object at key to the local file dst atomically:
// the content is written to a temporary file in dst's directory, synced,
// and renamed over dst, so dst is never left partially written. dst's
// parent directories are created as needed. If the key is missing the
// error wraps ErrNotFound and dst is left untouched.
func GetFile(ctx context.Context, s Store, key, dst string) (err error) {
	rc, err := s.Open(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()

	dir, base := filepath.Split(dst)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("get file %s: %w", key, err)
	}
	f, err := os.CreateTemp(dir, TempPattern(base))
	if err != nil {
		return fmt.Errorf("get file %s: %w", key, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, ContextReader(ctx, rc)); err != nil {
		return fmt.Errorf("get file %s: %w", key, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("get file %s: %w", key, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("get file %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("get file %s: %w", key, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("get file %s: %w", key, err)
	}
	if err := SyncDir(dir); err != nil {
		// dst is already in place; only durability is in question.
		return fmt.Errorf("get file %s: %w", key, err)
	}
	return nil
}

// Exists reports whether key names an object in s.
func Exists(ctx context.Context, s Store, key string) (bool, error) {
	_, err := s.Stat(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// DeletePrefix deletes every object whose key starts with prefix. The keys
// are listed first and then deleted one by one, stopping at the first
// error. The empty prefix deletes every object in s.
func DeletePrefix(ctx context.Context, s Store, prefix string) error {
	var keys []string
	err := s.List(ctx, prefix, func(info Info) error {
		keys = append(keys, info.Key)
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.Delete(ctx, key); err != nil {
			return err
		}
	}
	return nil
}

// ContextReader returns a reader that reads from r but fails with
// ctx.Err() once ctx is done. The context is checked before every Read, so
// a copy loop stops within one chunk of cancellation.
func ContextReader(ctx context.Context, r io.Reader) io.Reader {
	return &ctxReader{ctx: ctx, r: r}
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// TempPattern returns the os.CreateTemp pattern for a temporary file that
// will be renamed to base: ".<base>.tmp-*". Long base names are shortened
// so that the generated name stays within common file-name limits.
func TempPattern(base string) string {
	const maxBase = 200
	if len(base) > maxBase {
		n := maxBase
		for n > 0 && !utf8.RuneStart(base[n]) {
			n--
		}
		base = base[:n]
	}
	return "." + base + ".tmp-*"
}

// SyncDir fsyncs the directory dir so that a rename into it is durable.
// File systems that cannot sync directories are tolerated, and on Windows,
// where directories cannot be opened for syncing, it does nothing.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EINVAL) {
		return nil
	}
	return err
}

// FileItem names a local file to store under a key.
type FileItem struct {
	Key  string
	Path string
}

// BatchFilePutter is implemented by stores that can store many local files
// with one durability barrier instead of one per file. PutFiles uses it.
type BatchFilePutter interface {
	// PutFilesFrom stores every item, all or nothing: on error no object
	// of the batch is visible (objects it overwrote may be lost).
	PutFilesFrom(ctx context.Context, items []FileItem) error
}

// PutFiles stores local files under their keys, in one batch when the
// store supports it and one after another otherwise. On error the objects
// of the batch that were stored are deleted again.
func PutFiles(ctx context.Context, s Store, items []FileItem) error {
	if bp, ok := s.(BatchFilePutter); ok {
		return bp.PutFilesFrom(ctx, items)
	}
	for i, it := range items {
		if _, err := PutFile(ctx, s, it.Key, it.Path); err != nil {
			for _, done := range items[:i] {
				_ = s.Delete(context.WithoutCancel(ctx), done.Key)
			}
			return err
		}
	}
	return nil
}
