// Package backend is the table of byte-store backends by URL scheme: plain
// paths and file:// URLs are local folders (package local), s3:// URLs are
// S3 buckets (package s3). It opens the Store of a storage root, says what
// the root's backend can do (blob.Capabilities), and handles roots as
// strings (normalising, joining keys, naming), so that callers ask
// capabilities and never test schemes. A root of any other scheme is an
// error naming the supported ones.
//
// Adding a backend: write a package under internal/blob that implements
// blob.Store, runs the blobtest conformance suite and declares a
// blob.Backend variable (scheme, storage type, name, capabilities, open
// function) whose Open does the expensive work, such as building an SDK
// client, only when called; then add that variable to the table in
// backend.go. Declare only the capabilities the store really has:
// RemoteDownload promises a Download(ctx, key, dst) method, ETagHashing
// that ETags are the hashing package's hashes of what the store wrote.
package backend
