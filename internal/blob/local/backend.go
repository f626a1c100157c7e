package local

import (
	"context"

	"github.com/lamin-go/lamin/internal/blob"
)

// Backend serves plain paths and file:// URLs: objects are files in place,
// so stores can register, rename, sync and walk them directly.
var Backend = blob.Backend{
	Scheme:       "file",
	Type:         "local",
	Name:         "a local folder",
	Capabilities: blob.Capabilities{LocalPath: true},
	Open:         open,
}

// open returns the store for a plain path or a file:// URL.
func open(_ context.Context, root string) (blob.Store, error) {
	if scheme, rest, ok := blob.CutScheme(root); ok && scheme == "file" {
		root = rest
	}
	return New(root)
}
