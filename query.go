package lamin

import (
	"context"

	"fmt"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/query"
)

// Query parses filter expressions (LaminDB's `field__lookup=value`
// language) for a registry into a query with the default scope.
func (in *Instance) Query(registry string, exprs []string) (*query.Query, error) {
	reg, err := query.LookupRegistry(registry)
	if err != nil {
		return nil, invalidf("%v", err)
	}
	conds, err := query.ParseFilters(reg, exprs)
	if err != nil {
		return nil, invalidf("%v", err)
	}
	return query.New(reg).Filter(conds...), nil
}

// FilterArtifacts returns the artifacts matching a query built with Query.
func (in *Instance) FilterArtifacts(ctx context.Context, q *query.Query) ([]*Artifact, error) {
	if q.Registry.Name != "artifact" {
		return nil, invalidf("query is on %s, not artifact", q.Registry.Name)
	}
	sqlText, args, err := q.SQL(in.store.Dialect(), meta.ArtifactColumns("t"))
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
// version matches, the newest matching version.
func (in *Instance) FindArtifact(ctx context.Context, exprs []string) (*Artifact, error) {
	q, err := in.Query("artifact", append(append([]string{}, exprs...), "is_latest=true"))
	if err != nil {
		return nil, err
	}
	q.Limit = 2
	found, err := in.FilterArtifacts(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		q, _ = in.Query("artifact", exprs)
		q.OrderBy("-created_at")
		q.Limit = 1
		if found, err = in.FilterArtifacts(ctx, q); err != nil {
			return nil, err
		}
	}
	switch len(found) {
	case 0:
		return nil, notFoundf("DoesNotExist: no artifact matches %v; list candidates with `lamin filter artifact ...`", exprs)
	case 1:
		return found[0], nil
	}
	return nil, &userError{msg: fmt.Sprintf("MultipleResultsFound: more than one artifact matches %v; narrow the filter or list them with `lamin filter artifact ...`", exprs), cat: ErrConflict}
}
