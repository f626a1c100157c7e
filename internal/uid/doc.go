// Package uid generates and validates the base62 uids that identify records.
//
// It owns the uid alphabet, the per-entity uid lengths, and the version-family
// scheme: a uid is a random stem followed by a 4-character base62 version
// suffix, so all versions of a record share the stem and "0000" is the first.
//
// The package is pure: it must not touch storage, the metadata database, or
// any global state beyond crypto/rand, and it must never panic on user input.
package uid
