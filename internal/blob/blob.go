package blob

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotFound is wrapped by backends when a key does not name an object,
// for example: fmt.Errorf("open %s: %w", key, blob.ErrNotFound).
var ErrNotFound = errors.New("not found")

// ErrInvalidKey is wrapped by every error that reports a malformed key or
// list prefix. See ValidKey and ValidPrefix.
var ErrInvalidKey = errors.New("invalid key")

// Info describes a stored object.
type Info struct {
	// Key is the object's key.
	Key string
	// Size is the object's length in bytes.
	Size int64
	// ModTime is when the object was last written, as reported by the
	// backend.
	ModTime time.Time
	// ETag is the backend's checksum string for the content if it has
	// one, else "".
	ETag string
}

// Store holds byte objects addressed by keys, in the manner of a restic
// backend: whole objects are written, read, listed and deleted, never
// modified in place. Every method validates its key with ValidKey (List validates its prefix
// with ValidPrefix) before doing anything else, and implementations are
// safe for concurrent use.
type Store interface {
	// Put stores the content of r under key atomically: readers see
	// either the old object or the complete new one, never a partial one;
	// on error nothing new is visible at key. size is the expected length
	// (-1 if unknown); a mismatch is an error and nothing is stored. Put
	// overwrites an existing object.
	Put(ctx context.Context, key string, r io.Reader, size int64) (Info, error)
	// Open returns the content of key. A missing key yields an error
	// wrapping ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat describes the object at key. A missing key yields an error
	// wrapping ErrNotFound.
	Stat(ctx context.Context, key string) (Info, error)
	// List calls fn for every object whose key starts with prefix, in
	// lexical (byte-wise) key order. It stops at and returns fn's first
	// error. The prefix need not end at a segment boundary: "fig" matches
	// both "fig.txt" and "figures/a.png".
	List(ctx context.Context, prefix string, fn func(Info) error) error
	// Delete removes key. Deleting a missing key returns nil.
	Delete(ctx context.Context, key string) error
}

// FilePutter is implemented by stores that can store a local file more
// efficiently than by reading it through an io.Reader. PutFile uses it when
// available. The semantics are those of Store.Put with the file's size.
type FilePutter interface {
	// PutFileFrom stores the content of the local file at path under key.
	PutFileFrom(ctx context.Context, key, path string) (Info, error)
}
