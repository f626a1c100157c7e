// Package lamin is the Go SDK of lamin: data and code lineage for research
// projects. An Instance holds the registries of artifacts (files and
// folders), transforms (code), runs (executions), users and storage
// locations; saving, loading and tracking through it records which code,
// which inputs and which person produced every result.
//
// The package holds the domain rules (uids, versions, dedup, run inputs) and
// speaks its own types: the records it hands out are those of the package
// record (aliased here as User, Storage, Transform and Collection, embedded
// in Artifact and Run), a lineage graph is a Graph, a parsed filter a Query.
// The lamin command and its HTTP server are thin faces over it.
package lamin
