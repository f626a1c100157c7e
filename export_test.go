package lamin

import "github.com/lamin-go/lamin/internal/meta"

// StoreOf is the instance's metadata store, for tests that check rows
// with SQL.
func StoreOf(in *Instance) *meta.Store { return in.store }
