package server

import (
	"context"
	"fmt"
	"time"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/meta"
)

// artifactCard is an artifact's description as the API returns it.
type artifactCard struct {
	Artifact     meta.Artifact `json:"artifact"`
	Path         string        `json:"path"`
	RunUID       string        `json:"run_uid,omitempty"`
	TransformKey string        `json:"transform_key"`
	CreatedBy    string        `json:"created_by"`
	Space        string        `json:"space"`
	Branch       string        `json:"branch"`
	InputOfRuns  []string      `json:"input_of_runs"`
}

func (s *Server) describeArtifact(ctx context.Context, uid string) (*artifactCard, error) {
	a, err := s.in.GetArtifact(ctx, uid)
	if err != nil {
		return nil, err
	}
	d, err := s.in.DescribeArtifact(ctx, a)
	if err != nil {
		return nil, err
	}
	c := &artifactCard{Artifact: d.Artifact, Path: d.Path, TransformKey: d.TransformKey, CreatedBy: d.CreatedBy,
		Space: d.Space, Branch: d.Branch, InputOfRuns: d.InputOfRuns}
	if c.InputOfRuns == nil {
		c.InputOfRuns = []string{}
	}
	if a.RunID != nil {
		if c.RunUID, err = s.runUID(ctx, *a.RunID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// runUID finds the uid of the run with database id id.
func (s *Server) runUID(ctx context.Context, id int64) (string, error) {
	rows, err := s.in.Filter(ctx, "run", []string{fmt.Sprintf("id=%d", id)}, lamin.FilterOptions{AllBranches: true})
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

// runCard is a run's description as the API returns it.
type runCard struct {
	Run         meta.Run        `json:"run"`
	Transform   meta.Transform  `json:"transform"`
	CreatedBy   string          `json:"created_by"`
	Status      string          `json:"status"`
	Duration    *float64        `json:"duration_seconds"`
	Inputs      []meta.Artifact `json:"inputs"`
	Outputs     []meta.Artifact `json:"outputs"`
	Report      *meta.Artifact  `json:"report"`
	Environment *meta.Artifact  `json:"environment"`
	InitiatedBy string          `json:"initiated_by_run_uid,omitempty"`
	// duration is what Duration says in seconds, for the pages.
	duration time.Duration
}

func (s *Server) describeRun(ctx context.Context, uid string) (*runCard, error) {
	d, err := s.in.DescribeRun(ctx, uid)
	if err != nil {
		return nil, err
	}
	c := &runCard{Run: d.Run, Transform: d.Transform, CreatedBy: d.CreatedBy, Status: d.Status,
		Inputs: nonNil(d.Inputs), Outputs: nonNil(d.Outputs), Report: d.Report, Environment: d.Environment,
		InitiatedBy: d.InitiatedBy, duration: d.Duration}
	if d.Run.FinishedAt != nil {
		sec := d.Duration.Seconds()
		c.Duration = &sec
	}
	return c, nil
}

// transformCard is a transform's description as the API returns it.
type transformCard struct {
	Transform meta.Transform `json:"transform"`
	CreatedBy string         `json:"created_by"`
	Runs      []runLine      `json:"runs"`
}

// runLine is one run in a transform's card.
type runLine struct {
	UID        string     `json:"uid"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Status     string     `json:"status"`
	CreatedBy  string     `json:"created_by"`
	Inputs     int        `json:"n_inputs"`
	Outputs    int        `json:"n_outputs"`
}

func (s *Server) describeTransform(ctx context.Context, uid string) (*transformCard, error) {
	d, err := s.in.DescribeTransform(ctx, uid)
	if err != nil {
		return nil, err
	}
	c := &transformCard{Transform: d.Transform, CreatedBy: d.CreatedBy, Runs: []runLine{}}
	for _, r := range d.Runs {
		c.Runs = append(c.Runs, runLine(r))
	}
	return c, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
