package records

import (
	"context"
	"fmt"
	"time"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/record"
)

// ArtifactCard is an artifact's describe card as JSON: what
// `lamin describe --format json` prints and GET /api/artifacts/{uid} returns.
type ArtifactCard struct {
	Artifact     record.Artifact `json:"artifact"`
	Path         string          `json:"path"`
	RunUID       string          `json:"run_uid,omitempty"`
	TransformKey string          `json:"transform_key"`
	CreatedBy    string          `json:"created_by"`
	Space        string          `json:"space"`
	Branch       string          `json:"branch"`
	InputOfRuns  []string        `json:"input_of_runs"`
}

// DescribeArtifact builds the card of the artifact uid names.
func DescribeArtifact(ctx context.Context, in *lamin.Instance, uid string) (*ArtifactCard, error) {
	a, err := in.GetArtifact(ctx, uid)
	if err != nil {
		return nil, err
	}
	d, err := in.DescribeArtifact(ctx, a)
	if err != nil {
		return nil, err
	}
	c := &ArtifactCard{Artifact: d.Artifact, Path: d.Path, TransformKey: d.TransformKey, CreatedBy: d.CreatedBy,
		Space: d.Space, Branch: d.Branch, InputOfRuns: d.InputOfRuns}
	if c.InputOfRuns == nil {
		c.InputOfRuns = []string{}
	}
	if a.RunID != nil {
		if c.RunUID, err = runUID(ctx, in, *a.RunID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// runUID finds the uid of the run with database id id.
func runUID(ctx context.Context, in *lamin.Instance, id int64) (string, error) {
	rows, err := in.Filter(ctx, "run", []string{fmt.Sprintf("id=%d", id)}, lamin.FilterOptions{AllBranches: true})
	if err != nil {
		return "", err
	}
	if rows, err = rows.Select("uid"); err != nil {
		return "", err
	}
	if rows.Len() == 0 {
		return "", fmt.Errorf("run %d is missing: %w", id, lamin.ErrNotFound)
	}
	uid, _ := rows.Values[0][1].(string)
	return uid, nil
}

// RunCard is a run's describe card as JSON (`lamin describe --format json`,
// GET /api/runs/{uid}).
type RunCard struct {
	Run         record.Run        `json:"run"`
	Transform   record.Transform  `json:"transform"`
	CreatedBy   string            `json:"created_by"`
	Status      string            `json:"status"`
	Duration    *float64          `json:"duration_seconds"`
	Inputs      []record.Artifact `json:"inputs"`
	Outputs     []record.Artifact `json:"outputs"`
	Report      *record.Artifact  `json:"report"`
	Environment *record.Artifact  `json:"environment"`
	InitiatedBy string            `json:"initiated_by_run_uid,omitempty"`
	// Elapsed is Duration as a time.Duration (not encoded).
	Elapsed time.Duration `json:"-"`
}

// DescribeRun builds the card of the run uid names.
func DescribeRun(ctx context.Context, in *lamin.Instance, uid string) (*RunCard, error) {
	d, err := in.DescribeRun(ctx, uid)
	if err != nil {
		return nil, err
	}
	c := &RunCard{Run: d.Run, Transform: d.Transform, CreatedBy: d.CreatedBy, Status: d.Status,
		Inputs: nonNil(d.Inputs), Outputs: nonNil(d.Outputs), Report: d.Report, Environment: d.Environment,
		InitiatedBy: d.InitiatedBy, Elapsed: d.Duration}
	if d.Run.FinishedAt != nil {
		sec := d.Duration.Seconds()
		c.Duration = &sec
	}
	return c, nil
}

// TransformCard is a transform's describe card as JSON (`lamin describe
// --format json`, GET /api/transforms/{uid}).
type TransformCard struct {
	Transform record.Transform `json:"transform"`
	CreatedBy string           `json:"created_by"`
	Runs      []RunLine        `json:"runs"`
}

// RunLine is one run in a transform's card.
type RunLine struct {
	UID        string     `json:"uid"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Status     string     `json:"status"`
	CreatedBy  string     `json:"created_by"`
	Inputs     int        `json:"n_inputs"`
	Outputs    int        `json:"n_outputs"`
}

// DescribeTransform builds the card of the transform uid names (a full uid
// or a 12-character stem).
func DescribeTransform(ctx context.Context, in *lamin.Instance, uid string) (*TransformCard, error) {
	d, err := in.DescribeTransform(ctx, uid)
	if err != nil {
		return nil, err
	}
	c := &TransformCard{Transform: d.Transform, CreatedBy: d.CreatedBy, Runs: []RunLine{}}
	for _, r := range d.Runs {
		c.Runs = append(c.Runs, RunLine(r))
	}
	return c, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
