package blob

import (
	"context"
	"errors"
	"strings"
)

// ErrInvalidRoot is wrapped by errors that come from a storage root itself
// or its configuration rather than from this machine: an unknown scheme, a
// malformed URL, a missing bucket, refused credentials, an unreachable
// service.
var ErrInvalidRoot = errors.New("invalid storage root")

// Capabilities says what the backend of a storage root can do. Callers
// choose behaviour by capability, never by a root's scheme, so that a new
// backend needs no change in them.
type Capabilities struct {
	// LocalPath: every object is a regular file on this machine at the
	// root joined with its key, and a folder's objects are a folder of
	// files. Files can be registered in place, temporary files renamed
	// into place and synced, folders walked (temporary names included),
	// and a SQLite database can live under the root. Without it, paths
	// given as URLs under the root name objects to register in place.
	LocalPath bool
	// RemoteDownload: reading an object as a local file needs a download
	// into the cache, and the store can Download(ctx, key, dst) a key into
	// a local file atomically.
	RemoteDownload bool
	// ETagHashing: Info.ETag of an object the store wrote is its content
	// hash as the hashing package computes it (md5, or md5-<n> for a
	// multipart write), so content can be compared with a recorded hash
	// from metadata alone, without reading the bytes.
	ETagHashing bool
}

// Backend describes one kind of byte store and how to open it for a root.
// Each backend package declares its Backend as a variable; the backend
// package lists them in one table by Scheme.
type Backend struct {
	// Scheme is the URL scheme of the roots this backend serves, such as
	// "s3" for s3://bucket/prefix. "file" also serves plain paths.
	Scheme string
	// Type is the storage type recorded in an instance's metadata
	// ("local", "s3"), as LaminDB names it.
	Type string
	// Name is how messages name the service ("S3").
	Name string
	// Capabilities says what a store of this backend can do.
	Capabilities Capabilities
	// Open returns the store for root. It may contact the service;
	// errors about the root or its configuration wrap ErrInvalidRoot.
	Open func(ctx context.Context, root string) (Store, error)
}

// CutScheme splits a location such as "s3://bucket/prefix" into its URL
// scheme and the rest ("s3", "bucket/prefix"). ok is false for a plain
// path, whose scheme is "". A scheme is a letter followed by letters,
// digits, '+', '-' or '.', as in RFC 3986.
func CutScheme(loc string) (scheme, rest string, ok bool) {
	scheme, rest, ok = strings.Cut(loc, "://")
	if !ok || scheme == "" {
		return "", loc, false
	}
	for i, r := range scheme {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return "", loc, false
		}
	}
	return scheme, rest, true
}

// InvalidRoot returns err marked as a problem of the storage root: its
// message is unchanged and errors.Is(e, ErrInvalidRoot) holds. It returns
// nil for a nil err.
func InvalidRoot(err error) error {
	if err == nil {
		return nil
	}
	return rootError{err}
}

type rootError struct{ err error }

func (e rootError) Error() string   { return e.err.Error() }
func (e rootError) Unwrap() []error { return []error{e.err, ErrInvalidRoot} }
