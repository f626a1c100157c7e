package lamin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lamin-go/lamin/internal/lineage"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/record"
)

// LineageOptions restrict a lineage graph; the zero value draws all
// ancestors and descendants, as LaminDB's view_lineage.
type LineageOptions struct {
	// Up and Down choose the directions; both false means both.
	Up, Down bool
	// Depth limits each direction to this many run hops; 0 is unlimited.
	Depth int
	// Versions draws a transform's graph over every version of its family.
	Versions bool
}

// Lineage assembles the graph around the record uid names: an artifact (20
// characters or a uid prefix), a run (16 characters), a transform (16
// characters, or a 12-character stem for its latest version; its graph is
// the union over its runs) or a collection. Ancestors are the runs that
// made the record's inputs, recursively; descendants the runs that used
// its run's outputs, recursively. Draw it with Graph.Render or export it
// with Graph.Export.
func (in *Instance) Lineage(ctx context.Context, uid string, o LineageOptions) (*Graph, error) {
	if o.Depth < 0 {
		return nil, invalidf("depth %d: pass 0 (unlimited) or a positive number of run hops", o.Depth)
	}
	var g *lineage.Graph
	err := in.readWithHints(ctx, lineage.PostgresHints, func(q meta.Querier) error {
		var err error
		g, err = lineage.Build(ctx, q, uid, lineage.Options{Up: o.Up, Down: o.Down, Depth: o.Depth, Versions: o.Versions})
		return err
	})
	if err != nil {
		return nil, lineageError(err, uid)
	}
	return &Graph{g: g, namespace: in.Slug()}, nil
}

// readWithHints runs fn on the metadata store; on PostgreSQL with planner
// hints (SET LOCAL statements), in a transaction that scopes them.
func (in *Instance) readWithHints(ctx context.Context, hints []string, fn func(meta.Querier) error) error {
	if len(hints) == 0 || in.store.Dialect().Name() != "postgres" {
		return fn(in.store)
	}
	return in.store.Tx(ctx, func(tx *meta.Tx) error {
		for _, q := range hints {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

// Derived answers "what was derived from this?": the runs and artifacts
// downstream of the record uid names, nearest first. A run's other inputs
// are not derived from the record and are left out.
func (in *Instance) Derived(ctx context.Context, uid string) ([]record.Node, error) {
	g, err := in.Lineage(ctx, uid, LineageOptions{Down: true})
	if err != nil {
		return nil, err
	}
	var from []string
	for _, n := range g.g.Queried() {
		from = append(from, n.ID)
	}
	var out []record.Node
	for _, n := range g.g.Downstream(from...) {
		out = append(out, *n)
	}
	return out, nil
}

// ResolveUID tells which record a uid or uid prefix names (run, transform,
// artifact or collection, in that order of precedence; see Lineage).
func (in *Instance) ResolveUID(ctx context.Context, uid string) (record.Root, error) {
	root, err := lineage.Resolve(ctx, in.store, uid)
	if err != nil {
		return root, lineageError(err, uid)
	}
	return root, nil
}

// lineageError gives the lineage package's errors the SDK's categories.
func lineageError(err error, uid string) error {
	msg := err.Error()
	for _, s := range []error{lineage.ErrInvalid, lineage.ErrNotFound, lineage.ErrAmbiguous} {
		msg = strings.TrimSuffix(msg, ": "+s.Error())
	}
	switch {
	case errors.Is(err, lineage.ErrNotFound):
		return notFoundf("No record found with uid '%s'; list uids with `lamin filter artifact`, `lamin filter run` or `lamin filter transform`", uid)
	case errors.Is(err, lineage.ErrInvalid):
		return invalidf("%s", msg)
	case errors.Is(err, lineage.ErrAmbiguous):
		return conflictf("MultipleResultsFound: %s", msg)
	}
	return err
}

// RunDescription is what a run's card shows.
type RunDescription struct {
	Run       record.Run
	Transform Transform
	// CreatedBy is the handle of the user who started the run.
	CreatedBy string
	// Status names the run's status code (completed, errored, ...).
	Status string
	// Duration is finished_at − started_at; zero while the run has not finished.
	Duration time.Duration
	// Inputs and Outputs are the artifacts the run read and wrote (main
	// and archive branches), in the order they were linked.
	Inputs, Outputs []record.Artifact
	// Report is the run's log or notebook HTML; Environment its
	// environment file (e.g. pip freeze output). Nil when absent.
	Report, Environment *record.Artifact
	// InitiatedBy is the uid of the run that started this one, or "".
	InitiatedBy string
}

// DescribeRun gathers a run's card: its transform, status, duration,
// inputs, outputs, report and environment.
func (in *Instance) DescribeRun(ctx context.Context, uid string) (*RunDescription, error) {
	r, err := in.RunByUID(ctx, uid)
	if err != nil {
		return nil, err
	}
	d := &RunDescription{Run: r.Run, Transform: *r.Transform, Status: StatusName(r.StatusCode)}
	if r.FinishedAt != nil {
		d.Duration = r.FinishedAt.Sub(r.StartedAt)
	}
	if d.CreatedBy, err = meta.UserHandle(ctx, in.store, r.CreatedByID); err != nil {
		return nil, fmt.Errorf("describe run %s: %w", uid, err)
	}
	inputs, err := meta.InputsOfRun(ctx, in.store, r.ID)
	if err != nil {
		return nil, err
	}
	outputs, err := meta.OutputsOfRun(ctx, in.store, r.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range inputs {
		d.Inputs = append(d.Inputs, *a)
	}
	for _, a := range outputs {
		d.Outputs = append(d.Outputs, *a)
	}
	for _, ref := range []struct {
		id  *int64
		dst **record.Artifact
	}{{r.ReportID, &d.Report}, {r.EnvironmentID, &d.Environment}} {
		if ref.id == nil {
			continue
		}
		a, err := meta.ArtifactByID(ctx, in.store, *ref.id)
		if err != nil {
			return nil, fmt.Errorf("describe run %s: %w", uid, err)
		}
		*ref.dst = a
	}
	if r.InitiatedByRunID != nil {
		if d.InitiatedBy, err = meta.RunUID(ctx, in.store, *r.InitiatedByRunID); err != nil {
			return nil, fmt.Errorf("describe run %s: %w", uid, err)
		}
	}
	return d, nil
}

// RunSummary is one line of a transform's run list.
type RunSummary struct {
	UID        string
	StartedAt  time.Time
	FinishedAt *time.Time
	Status     string
	CreatedBy  string
	// Inputs and Outputs count the artifacts the run read and wrote.
	Inputs, Outputs int
}

// TransformDescription is what a transform's card shows.
type TransformDescription struct {
	Transform Transform
	CreatedBy string
	// Runs are the transform's runs, newest first.
	Runs []RunSummary
}

// DescribeTransform gathers a transform's card: its fields and its runs.
// uid is a full uid or a 12-character stem (the latest version).
func (in *Instance) DescribeTransform(ctx context.Context, uid string) (*TransformDescription, error) {
	t, err := in.TransformByUID(ctx, uid)
	if err != nil {
		return nil, err
	}
	d := &TransformDescription{Transform: *t}
	if d.CreatedBy, err = meta.UserHandle(ctx, in.store, t.CreatedByID); err != nil {
		return nil, fmt.Errorf("describe transform %s: %w", uid, err)
	}
	runs, err := meta.RunOverviews(ctx, in.store, t.ID)
	if err != nil {
		return nil, fmt.Errorf("describe transform %s: %w", uid, err)
	}
	for _, o := range runs {
		d.Runs = append(d.Runs, RunSummary{UID: o.UID, StartedAt: o.StartedAt, FinishedAt: o.FinishedAt,
			Status: StatusName(o.StatusCode), CreatedBy: o.CreatedBy, Inputs: o.Inputs, Outputs: o.Outputs})
	}
	return d, nil
}
