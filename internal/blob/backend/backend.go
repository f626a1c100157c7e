package backend

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/blob/local"
	"github.com/lamin-go/lamin/internal/blob/s3"
)

// table lists every backend. The backends' variables are static data and
// the list is built when asked, so the table costs nothing at start-up,
// and no SDK runs before a backend's Open.
func table() []blob.Backend { return []blob.Backend{local.Backend, s3.Backend} }

// pathScheme is the scheme whose backend also serves plain paths.
const pathScheme = "file"

// Lookup returns the backend that serves root: by its URL scheme, or the
// file backend for a plain path. An unknown scheme is an error wrapping
// blob.ErrInvalidRoot that names the supported schemes.
func Lookup(root string) (blob.Backend, error) {
	scheme, _, ok := blob.CutScheme(root)
	if !ok {
		scheme = pathScheme
	}
	for _, b := range table() {
		if b.Scheme == scheme {
			return b, nil
		}
	}
	return blob.Backend{}, blob.InvalidRoot(fmt.Errorf("unsupported storage scheme %s:// (supported: %s)", scheme, supported()))
}

// supported lists the accepted forms of roots for messages.
func supported() string {
	forms := []string{"local paths"}
	for _, b := range table() {
		forms = append(forms, b.Scheme+"://")
	}
	return strings.Join(forms, ", ")
}

// CapabilitiesOf says what the backend of root can do.
func CapabilitiesOf(root string) (blob.Capabilities, error) {
	b, err := Lookup(root)
	return b.Capabilities, err
}

// Open returns the store of root from its backend.
func Open(ctx context.Context, root string) (blob.Store, error) {
	b, err := Lookup(root)
	if err != nil {
		return nil, err
	}
	return b.Open(ctx, root)
}

// Normalize returns root in the form recorded for a storage root: an
// absolute plain path for a local folder (given as a path or a file://
// URL), the URL without a trailing slash otherwise.
func Normalize(root string) (string, error) {
	b, err := Lookup(root)
	if err != nil {
		return "", err
	}
	if b.Capabilities.LocalPath {
		return filepath.Abs(Path(root))
	}
	return strings.TrimSuffix(root, "/"), nil
}

// Path returns the local path that loc names: loc itself for a plain path,
// the path of a file:// URL. Other URLs are returned unchanged.
func Path(loc string) string {
	if scheme, rest, ok := blob.CutScheme(loc); ok && scheme == pathScheme {
		return rest
	}
	return loc
}

// Join appends a slash-separated key to a normalised root: with the
// platform's separator to a plain path, with a slash to a URL.
func Join(root, key string) string {
	if _, _, ok := blob.CutScheme(root); ok {
		return strings.TrimSuffix(root, "/") + "/" + key
	}
	return filepath.Join(root, filepath.FromSlash(key))
}

// Base returns the last element of a normalised root: the folder's name,
// or the last segment of a URL's bucket and prefix.
func Base(root string) string {
	if _, rest, ok := blob.CutScheme(root); ok {
		return path.Base(strings.TrimSuffix(rest, "/"))
	}
	return filepath.Base(root)
}

// CacheDir returns the folder under cache that holds downloads of a URL
// root's objects: cache/<bucket>/<prefix> for s3://bucket/prefix.
func CacheDir(cache, root string) string {
	_, rest, _ := blob.CutScheme(root)
	return filepath.Join(cache, filepath.FromSlash(rest))
}
