// Package blobtest is the conformance suite for blob.Store
// implementations. A backend's tests call Run with a constructor that
// returns a fresh, empty store; the suite then checks round trips,
// atomic overwrite, size checking, not-found and invalid-key errors,
// listing order and prefixes, idempotent deletes, cancellation,
// concurrent writers, and the blob package's file helpers.
package blobtest
