// Package record holds the records of a lamin instance as the SDK hands
// them out: the rows of the registries (User, Storage, Transform, Run,
// Artifact, Collection), the nodes and edges of a lineage graph, and the
// user profile kept in the settings folder. It imports only the standard
// library, so programs can name these types without the SDK's internals.
package record
