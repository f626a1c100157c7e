package lamin

import (
	"context"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/query"
)

// Query is a parsed filter on one registry, made by Instance.Query.
type Query struct {
	q *query.Query
}

// Registry is the name of the registry queried ("artifact").
func (q *Query) Registry() string { return q.q.Registry.Name }

// Query parses filter expressions (LaminDB's `field__lookup=value`
// language) for a registry into a query with the default scope.
func (in *Instance) Query(registry string, exprs []string) (*Query, error) {
	reg, err := query.LookupRegistry(registry)
	if err != nil {
		return nil, invalidf("%v", err)
	}
	conds, err := query.ParseFilters(reg, exprs)
	if err != nil {
		return nil, invalidf("%v", err)
	}
	return &Query{q: query.New(reg).Filter(conds...)}, nil
}

// FilterArtifacts returns the artifacts matching a query built with Query.
func (in *Instance) FilterArtifacts(ctx context.Context, q *Query) ([]*Artifact, error) {
	if q.Registry() != "artifact" {
		return nil, invalidf("query is on %s, not artifact", q.Registry())
	}
	sqlText, args, err := q.q.SQL(in.store.Dialect(), meta.ArtifactColumns("t"))
	if err != nil {
		return nil, invalidf("%v", err)
	}
	rows, err := meta.ArtifactsSQL(ctx, in.store, sqlText, args...)
	if err != nil {
		return nil, err
	}
	out := make([]*Artifact, len(rows))
	for i, r := range rows {
		out[i] = in.wrapArtifact(r)
	}
	return out, nil
}

// FindArtifact is LaminDB's Artifact.get(**kwargs): the one artifact
// matching the filters, preferring the latest version; when no latest
// version matches, the newest matching version. See Get.
func (in *Instance) FindArtifact(ctx context.Context, exprs []string) (*Artifact, error) {
	rows, err := in.getByFilter(ctx, query.Artifact, exprs)
	if err != nil {
		return nil, err
	}
	return in.ArtifactByID(ctx, rows.Values[0][0].(int64))
}
