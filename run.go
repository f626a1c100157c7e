package lamin

import (
	"context"
	"errors"
	"fmt"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/uid"
	"github.com/lamin-go/lamin/record"
)

// RunUIDEnv is the environment variable through which a run reaches the
// programs it starts: every lamin command and SDK call that sees it joins
// that run's lineage.
const RunUIDEnv = "LAMIN_RUN_UID"

// InstanceEnv names the instance (owner/name, or a storage root) that
// programs started by a run attach to; Open and Connect with an empty
// target read it before falling back to the current instance.
const InstanceEnv = "LAMIN_INSTANCE"

// Environ is the run context handed to programs the run starts, as
// NAME=VALUE pairs: the run's uid and its instance, so that lamin
// commands and SDK calls in any child join the run on the same instance,
// whatever kind of instance it is.
func (r *Run) Environ() []string {
	return []string{RunUIDEnv + "=" + r.UID, InstanceEnv + "=" + r.in.Slug()}
}

// Run is one execution of a transform.
type Run struct {
	record.Run
	// Transform is the code the run executed.
	Transform *Transform
	// LogPath is a file holding the run's captured output; Finish stores
	// it as the run's report.
	LogPath string

	in           *Instance
	newTransform bool // Track created Transform for this run
}

type runKey struct{}

// WithRun returns a context whose SDK calls attach to run.
func WithRun(ctx context.Context, run *Run) context.Context {
	return context.WithValue(ctx, runKey{}, run)
}

// RunFromContext returns the run carried by ctx, if any.
func RunFromContext(ctx context.Context) *Run {
	r, _ := ctx.Value(runKey{}).(*Run)
	return r
}

// CurrentRun resolves the run that SDK calls attach to: the run carried by
// ctx, else the run named by LAMIN_RUN_UID, else nil. A malformed or unknown
// LAMIN_RUN_UID is an error, so lineage is never silently dropped.
func (in *Instance) CurrentRun(ctx context.Context) (*Run, error) {
	if r := RunFromContext(ctx); r != nil {
		return r, nil
	}
	if in.active != nil {
		return in.active, nil
	}
	v := in.opts.getenv(RunUIDEnv)
	if v == "" {
		return nil, nil
	}
	if err := uid.Valid(v, uid.RunLen); err != nil {
		if err2 := uid.Valid(v, 20); err2 != nil {
			return nil, invalidf("%s=%q is not a run uid (want 16 base62 characters); unset it or start the command with `lamin run`", RunUIDEnv, v)
		}
	}
	r, err := in.RunByUID(ctx, v)
	if errors.Is(err, ErrNotFound) {
		return nil, invalidf("%s=%s names no run of instance %s; unset it or connect to the instance that started the run", RunUIDEnv, v, in.Slug())
	}
	return r, err
}

// RunByUID loads a run and its transform.
func (in *Instance) RunByUID(ctx context.Context, runUID string) (*Run, error) {
	r, err := meta.RunByUID(ctx, in.store, runUID)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, notFoundf("no run with uid '%s'", runUID)
	}
	if err != nil {
		return nil, err
	}
	return in.withTransform(ctx, r)
}

func (in *Instance) withTransform(ctx context.Context, r *record.Run) (*Run, error) {
	t, err := meta.TransformByID(ctx, in.store, r.TransformID)
	if err != nil {
		return nil, fmt.Errorf("load transform of run %s: %w", r.UID, err)
	}
	return &Run{Run: *r, Transform: t, in: in}, nil
}
