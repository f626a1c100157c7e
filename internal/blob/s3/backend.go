package s3

import (
	"context"

	"github.com/lamin-go/lamin/internal/blob"
)

// Backend serves s3://bucket/prefix roots. Reads as local files go through
// a download, and ETags equal the hashing package's hashes. Nothing of the
// AWS SDK runs until Open is called.
var Backend = blob.Backend{
	Scheme:       "s3",
	Type:         "s3",
	Name:         "S3",
	Capabilities: blob.Capabilities{RemoteDownload: true, ETagHashing: true},
	Open:         open,
}

// open returns the store for an s3:// root configured from the
// environment (see ConfigFromURL), after checking that its bucket exists.
func open(ctx context.Context, root string) (blob.Store, error) {
	cfg, err := ConfigFromURL(root)
	if err != nil {
		return nil, blob.InvalidRoot(err)
	}
	st, err := New(ctx, cfg)
	if err != nil {
		return nil, blob.InvalidRoot(err)
	}
	return st, nil
}
