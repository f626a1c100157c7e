// Package lamin is the Go SDK of lamin: data and code lineage for research
// projects. An Instance holds the registries of artifacts (files and
// folders), transforms (code), runs (executions), users and storage
// locations; saving, loading and tracking through it records which code,
// which inputs and which person produced every result.
//
// The package holds the domain rules (uids, versions, dedup, run inputs) and
// talks to metadata and bytes only through internal/meta and internal/blob;
// the CLI (internal/cli) and the HTTP server are thin faces over it.
package lamin
