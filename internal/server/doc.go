// Package server is `lamin serve`: a read-only HTTP API and a server-rendered
// web UI over one open instance. Every handler calls the SDK (package lamin)
// and the lineage renderers; the server keeps no state of its own besides
// the token that every request except /healthz must carry.
//
// It must not write records, record run inputs or reach the metadata store
// other than through the SDK; errors map to HTTP statuses in one place
// (statusOf).
package server
