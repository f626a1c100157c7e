package lamin

import (
	"context"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/record"
)

// ArtifactDescription is what an artifact card shows besides the record.
type ArtifactDescription struct {
	Artifact     record.Artifact
	Path         string
	TransformKey string
	CreatedBy    string
	Space        string
	Branch       string
	InputOfRuns  []string
}

// DescribeArtifact gathers an artifact's card: who made it, with which
// transform, where its bytes are and which runs read it.
func (in *Instance) DescribeArtifact(ctx context.Context, a *Artifact) (*ArtifactDescription, error) {
	d := &ArtifactDescription{Artifact: a.Artifact, Path: a.Path(), TransformKey: "None"}
	names, err := meta.NamesOf(ctx, in.store, a.CreatedByID, a.SpaceID, a.BranchID)
	if err != nil {
		return nil, err
	}
	d.CreatedBy, d.Space, d.Branch = names.Handle, names.Space, names.Branch
	if a.RunID != nil {
		r, err := meta.RunByID(ctx, in.store, *a.RunID)
		if err != nil {
			return nil, err
		}
		t, err := meta.TransformByID(ctx, in.store, r.TransformID)
		if err != nil {
			return nil, err
		}
		d.TransformKey = derefOr(t.Key, t.UID)
	}
	if d.InputOfRuns, err = meta.RunsReading(ctx, in.store, a.ID); err != nil {
		return nil, err
	}
	return d, nil
}
