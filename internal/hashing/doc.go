// Package hashing computes the content hashes stored on artifacts.
//
// It owns the exact hash formats: single MD5 for small files, S3-compatible
// multipart MD5 ("md5-<n>") for large ones, the folder hash ("md5-d"), the
// hash of a set of hashes, and conversion to and from S3 ETags. All hashes
// are URL-safe base64 without padding, truncated to 22 characters.
//
// The package only reads local files and io.ReaderAt values; it must not talk
// to storage backends or the metadata database, and must not change the
// formats, since stored hashes are compared across clients.
package hashing
