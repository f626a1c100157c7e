package lamin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/blob/backend"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/meta/postgres"
	"github.com/lamin-go/lamin/internal/meta/sqlite"
)

// capsOf says what the backend of a storage root can do. A root of an
// unknown scheme can do nothing: opening its store names the problem.
func capsOf(root string) blob.Capabilities {
	c, _ := backend.CapabilitiesOf(root)
	return c
}

// caps says what the backend of the instance's storage can do.
func (in *Instance) caps() blob.Capabilities { return capsOf(in.storage.Root) }

// isPostgresURL reports whether s names a PostgreSQL database.
func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// openBlobs opens the byte store of a storage location.
func openBlobs(ctx context.Context, root string) (blob.Store, error) {
	st, err := backend.Open(ctx, root)
	if errors.Is(err, blob.ErrInvalidRoot) {
		return nil, &userError{msg: err.Error(), cat: ErrInvalid}
	}
	return st, err
}

// openStore opens the metadata database of an instance: PostgreSQL when a
// URL is given, else SQLite under the (local) storage root.
func openStore(ctx context.Context, dbURL, root string) (*meta.Store, error) {
	if dbURL != "" {
		st, err := postgres.Open(ctx, dbURL)
		if err != nil {
			return nil, &userError{msg: err.Error(), cat: ErrInvalid}
		}
		return st, nil
	}
	if err := sqliteUnder(root); err != nil {
		return nil, err
	}
	return sqlite.Open(ctx, filepath.Join(root, markerDir, "lamin.db"))
}

// sqliteUnder reports why the metadata database cannot live under a
// storage root: only a local folder can hold it.
func sqliteUnder(root string) error {
	b, err := backend.Lookup(root)
	if err != nil {
		return invalidf("storage %s: %v", root, err)
	}
	if !b.Capabilities.LocalPath {
		return invalidf("storage %s is on %s: keep its metadata in PostgreSQL with --db postgresql://HOST/DB", root, b.Name)
	}
	return nil
}

// storageJoin appends a slash-separated key to a storage root.
func storageJoin(root, key string) string { return backend.Join(root, key) }

// markerKey is the storage marker's key relative to the root.
const markerKey = markerDir + "/storage_uid.txt"

// downloader is implemented by remote byte stores that can fetch an object
// into a local file atomically.
type downloader interface {
	Download(ctx context.Context, key, dst string) error
}

// localCopy returns a local path holding the bytes at key: the file itself
// for local storage; for remote storage a cache copy under
// <cache>/<bucket>/<prefix>/<key>, downloaded when missing or outdated.
func (in *Instance) localCopy(ctx context.Context, key string, isDir bool) (string, error) {
	if in.caps().LocalPath {
		p := storageJoin(in.storage.Root, key)
		if _, err := os.Stat(p); err != nil {
			return "", notFoundf("bytes are missing at %s; run `lamin check` to find what else is missing", p)
		}
		return p, nil
	}
	blobs, err := in.bytes(ctx)
	if err != nil {
		return "", err
	}
	dl, ok := blobs.(downloader)
	if !ok {
		return "", fmt.Errorf("storage %s cannot download", in.storage.Root)
	}
	base := backend.CacheDir(in.cacheDir, in.storage.Root)
	dst := filepath.Join(base, filepath.FromSlash(key))
	if !isDir {
		return dst, in.refresh(ctx, blobs, dl, key, dst)
	}
	found := false
	err = blobs.List(ctx, key+"/", func(info blob.Info) error {
		found = true
		return in.refresh(ctx, blobs, dl, info.Key, filepath.Join(base, filepath.FromSlash(info.Key)))
	})
	if err == nil && !found {
		return "", notFoundf("bytes are missing at %s; run `lamin check`", storageJoin(in.storage.Root, key))
	}
	return dst, err
}

// refresh downloads key into dst unless dst already holds the same size
// and is not older than the object.
func (in *Instance) refresh(ctx context.Context, blobs blob.Store, dl downloader, key, dst string) error {
	info, err := blobs.Stat(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return notFoundf("bytes are missing at %s; run `lamin check`", storageJoin(in.storage.Root, key))
	}
	if err != nil {
		return err
	}
	if st, err := os.Stat(dst); err == nil && st.Size() == info.Size && !st.ModTime().Before(info.ModTime) {
		return nil
	}
	if err := dl.Download(ctx, key, dst); err != nil {
		return fmt.Errorf("download %s: %w", storageJoin(in.storage.Root, key), err)
	}
	t := time.Now().Add(time.Second)
	_ = os.Chtimes(dst, t, t)
	return nil
}

// writeStorageMarker records which storage and instance own the root.
func writeStorageMarker(ctx context.Context, blobs blob.Store, storageUID, slug, instUID string) error {
	id := newUUID()
	text := fmt.Sprintf("%s\ncreation info:\ninstance_slug=%s\ninstance_id=%s\ninstance_uid=%s\n", storageUID, slug, id, instUID)
	_, err := blobs.Put(ctx, markerKey, strings.NewReader(text), int64(len(text)))
	return err
}

// storageManaged reports whether a storage root already carries a marker.
func storageManaged(ctx context.Context, blobs blob.Store) (bool, error) {
	return blob.Exists(ctx, blobs, markerKey)
}

// instanceNameFor derives an instance name from a storage root: the last
// path component, lower-cased.
func instanceNameFor(root string) string {
	return strings.ToLower(backend.Base(root))
}

// progressReporter is implemented by byte stores that report transfer
// progress (the S3 store).
type progressReporter interface {
	SetProgress(func(done, total int64))
}

// SetProgress asks the storage backend to report transfers through fn
// (done and total bytes; total -1 when unknown). Local storage copies
// report nothing.
func (in *Instance) SetProgress(fn func(done, total int64)) {
	b := in.blobs
	b.mu.Lock()
	defer b.mu.Unlock()
	b.progress = fn
	if p, ok := b.store.(progressReporter); ok {
		p.SetProgress(fn)
	}
}

// lazyBlobs holds an instance's byte store once opened, shared by the
// views of one instance.
type lazyBlobs struct {
	mu       sync.Mutex
	store    blob.Store
	progress func(done, total int64)
}

// bytes returns the instance's byte store, opening it on first use:
// commands that only read metadata never contact an S3 service.
func (in *Instance) bytes(ctx context.Context) (blob.Store, error) {
	b := in.blobs
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.store != nil {
		return b.store, nil
	}
	store, err := openBlobs(ctx, in.storage.Root)
	if err != nil {
		return nil, fmt.Errorf("open storage %s: %w", in.storage.Root, err)
	}
	if p, ok := store.(progressReporter); ok && b.progress != nil {
		p.SetProgress(b.progress)
	}
	b.store = store
	return store, nil
}
