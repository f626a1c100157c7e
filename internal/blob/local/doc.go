// Package local implements blob.Store on a directory of the local file
// system. Each object is a regular file at root/key, so callers can use
// the files in place via Store.Path. Writes go to a hidden temporary file
// in the destination directory (".<name>.tmp-<random>"), are synced and
// then renamed into place, so readers never see partial objects; List
// skips such temporary files, and keys whose last segment looks like one
// are rejected.
package local
