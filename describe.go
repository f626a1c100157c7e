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
	err := in.store.QueryRow(ctx, `SELECT u.handle, s.name, b.name FROM lamindb_user u, lamindb_space s, lamindb_branch b
		WHERE u.id = ? AND s.id = ? AND b.id = ?`, a.CreatedByID, a.SpaceID, a.BranchID).Scan(&d.CreatedBy, &d.Space, &d.Branch)
	if err != nil {
		return nil, err
	}
	if a.RunID != nil {
		r, err := meta.RunWhere(ctx, in.store, "WHERE t.id = ?", *a.RunID)
		if err != nil {
			return nil, err
		}
		t, err := meta.TransformWhere(ctx, in.store, "WHERE t.id = ?", r.TransformID)
		if err != nil {
			return nil, err
		}
		d.TransformKey = derefOr(t.Key, t.UID)
	}
	rows, err := in.store.Query(ctx, `SELECT r.uid FROM lamindb_artifact_input_of_runs l JOIN lamindb_run r ON r.id = l.run_id WHERE l.artifact_id = ? ORDER BY l.id`, a.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		d.InputOfRuns = append(d.InputOfRuns, u)
	}
	return d, rows.Err()
}
