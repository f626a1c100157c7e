// Package blob defines a narrow byte-storage interface in the style of a
// restic backend: objects are opaque byte strings addressed by
// slash-separated relative keys, written atomically and listed in lexical
// key order. Backends (see the local subpackage) implement Store and run the
// shared conformance suite in blobtest. Helpers such as PutFile, GetFile,
// Exists and DeletePrefix work with any Store. Each backend declares a
// Backend (scheme, Capabilities, open function); the backend subpackage
// lists them by scheme and opens a storage root's store.
package blob
