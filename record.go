package lamin

import "github.com/lamin-go/lamin/record"

// The records the SDK hands out, named in this package for convenience;
// the package record holds them (and the rows an Artifact and a Run embed).
type (
	// User is a user of an instance: a row of the user registry.
	User = record.User
	// Storage is a storage location: a row of the storage registry.
	Storage = record.Storage
	// Transform is a piece of code: a row of the transform registry.
	Transform = record.Transform
	// Collection is a versioned set of artifacts, as a lineage graph shows it.
	Collection = record.Collection
)
