package lamin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/uid"
	"github.com/lamin-go/lamin/record"
)

// Run status codes (a run's _status_code).
const (
	StatusScheduled = -3
	StatusRestarted = -2
	StatusStarted   = -1
	StatusCompleted = 0
	StatusErrored   = 1
	StatusAborted   = 2
)

// StatusName names a run status code as LaminDB does.
func StatusName(code *int64) string {
	if code == nil {
		return "unknown"
	}
	switch *code {
	case StatusScheduled:
		return "scheduled"
	case StatusRestarted:
		return "re-started"
	case StatusStarted:
		return "started"
	case StatusCompleted:
		return "completed"
	case StatusErrored:
		return "errored"
	case StatusAborted:
		return "aborted"
	}
	return "unknown"
}

// hiddenKind marks artifacts that belong to a run's bookkeeping (logs,
// environments, reports); default queries hide them.
const hiddenKind = "__lamindb_run__"

// TrackOptions describe the code being tracked and its run.
type TrackOptions struct {
	TransformSpec
	// EnvFile is a file describing the environment (e.g. pip freeze
	// output), stored as the run's environment artifact.
	EnvFile string
	// Parent is the run that starts this one (initiated_by_run); nil
	// means the current run, if any.
	Parent *Run
	// Name optionally names the run.
	Name string
	// PID is the process the run lives in, recorded so `lamin check` can
	// tell a run whose process died from one still going: 0 means this
	// process, -1 records none.
	PID int
}

// Track identifies (or creates) the transform, starts a new run of it and
// makes it the instance's active run: artifacts saved afterwards are its
// outputs and artifacts read are its inputs. Call Finish when done.
func (in *Instance) Track(ctx context.Context, o TrackOptions) (*Run, error) {
	parent := o.Parent
	if parent == nil {
		var err error
		if parent, err = in.CurrentRun(ctx); err != nil {
			return nil, err
		}
	}
	t, loaded, err := in.ResolveTransform(ctx, o.TransformSpec)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	started := int64(StatusStarted)
	r := &Run{Run: record.Run{UID: uid.New(uid.RunLen), TransformID: t.ID, StartedAt: now, StatusCode: &started,
		SpaceID: 1, BranchID: 1, CreatedByID: in.user.ID, CreatedAt: now}, Transform: t, in: in}
	setStr(&r.Name, o.Name)
	switch {
	case o.PID == 0:
		r.Aux = processAux(os.Getpid())
	case o.PID > 0:
		r.Aux = processAux(o.PID)
	}
	if parent != nil {
		r.InitiatedByRunID = &parent.ID
	}
	if t.SourceCode != nil && t.Type == TypeScript {
		yes := true
		r.IsConsecutive = &yes
	}
	if o.EnvFile != "" {
		env, err := in.saveRunArtifact(ctx, o.EnvFile, "requirements.txt")
		if err != nil {
			return nil, fmt.Errorf("store environment of run: %w", err)
		}
		r.EnvironmentID = &env.ID
	}
	if err := meta.InsertRun(ctx, in.store, &r.Run); err != nil {
		return nil, fmt.Errorf("start run: %w", err)
	}
	verb := "created"
	if loaded {
		verb = "loaded"
	}
	in.msg.Important("%s Transform('%s'), started new Run('%s...') at %s", verb, t.UID, r.UID[:8], now.Format("2006-01-02 15:04:05")+" UTC")
	if o.UID == "" && (t.Type == TypeScript || t.Type == TypeNotebook) {
		in.msg.recommendUID(t.Type, t.UID[:uid.TransformStemLen])
	}
	r.newTransform = !loaded
	in.active = r
	return r, nil
}

// Discard removes a run whose code never started (the command could not
// be executed): the run, its input links and its environment (unless
// another run shares it), and its transform when Track created it and no
// other run uses it, so that nothing records work that did not happen.
func (r *Run) Discard(ctx context.Context) error {
	in := r.in
	if in == nil {
		return invalidf("run %s is not attached to an instance", r.UID)
	}
	ctx = context.WithoutCancel(ctx)
	if err := in.quiet().DeleteRun(ctx, &r.Run, true); err != nil {
		return fmt.Errorf("discard run %s: %w", r.UID, err)
	}
	if in.active == r {
		in.active = nil
	}
	if !r.newTransform {
		return nil
	}
	t := r.Transform
	err := in.store.Tx(ctx, func(tx *meta.Tx) error {
		if err := meta.DeleteTransformWithoutRuns(ctx, tx, t.ID); err != nil {
			return err
		}
		return meta.PromoteLatestTransform(ctx, tx, t.UID[:uid.TransformStemLen])
	})
	if err != nil {
		return fmt.Errorf("discard transform %s: %w", t.UID, err)
	}
	return nil
}

// NewRun creates a run of a saved transform without making it active
// (LaminDB's manual ln.Run(transform=t)); it starts as scheduled.
func (in *Instance) NewRun(ctx context.Context, t *Transform) (*Run, error) {
	if t == nil || t.ID == 0 {
		return nil, invalidf("a run needs a saved transform")
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	code := int64(StatusScheduled)
	r := &Run{Run: record.Run{UID: uid.New(uid.RunLen), TransformID: t.ID, StartedAt: now, StatusCode: &code,
		SpaceID: 1, BranchID: 1, CreatedByID: in.user.ID, CreatedAt: now}, Transform: t, in: in}
	if err := meta.InsertRun(ctx, in.store, &r.Run); err != nil {
		return nil, fmt.Errorf("create run: %w", err)
	}
	return r, nil
}

// ErrAborted marks a run ended by a signal; Finish records status 2 for it.
var ErrAborted = errors.New("aborted")

// ExitError reports a command's non-zero exit; Finish records status 1.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Finish ends the run: status completed when err is nil, aborted when err
// wraps ErrAborted or context.Canceled, errored otherwise. It sets
// finished_at, stores the captured log (if any) as the run's report and
// clears the instance's active run.
func (r *Run) Finish(ctx context.Context, err error) error {
	code := int64(StatusCompleted)
	switch {
	case err == nil:
	case errors.Is(err, ErrAborted), errors.Is(err, context.Canceled):
		code = StatusAborted
	default:
		code = StatusErrored
	}
	return r.FinishStatus(ctx, int(code))
}

// FinishStatus ends the run with an explicit status code. Only a
// completed run prints LaminDB's "finished Run(...)" message.
func (r *Run) FinishStatus(ctx context.Context, code int) error {
	in := r.in
	if in == nil {
		return invalidf("run %s is not attached to an instance", r.UID)
	}
	ctx = context.WithoutCancel(ctx)
	if r.LogPath != "" {
		if st, err := os.Stat(r.LogPath); err == nil && st.Mode().IsRegular() {
			logArt, err := in.saveRunArtifact(ctx, r.LogPath, "log streams of run "+r.UID)
			if err != nil {
				return fmt.Errorf("store log of run %s: %w", r.UID, err)
			}
			r.ReportID = &logArt.ID
		}
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	c := int64(code)
	r.FinishedAt, r.StatusCode = &now, &c
	if err := meta.UpdateRun(ctx, in.store, &r.Run); err != nil {
		return fmt.Errorf("finish run %s: %w", r.UID, err)
	}
	if code == StatusCompleted {
		// A run that failed is reported by whoever saw it fail.
		in.msg.Important("finished Run('%s') after %s at %s", r.UID[:8], shortDuration(now.Sub(r.StartedAt)), now.Format("2006-01-02 15:04:05")+" UTC")
	}
	if in.active == r {
		in.active = nil
	}
	return nil
}

// AttachReport stores a file (a notebook's HTML, a log) as the run's
// hidden report artifact.
func (r *Run) AttachReport(ctx context.Context, path, description string) error {
	rep, err := r.in.saveRunArtifact(ctx, path, description)
	if err != nil {
		return fmt.Errorf("store report of run %s: %w", r.UID, err)
	}
	r.ReportID = &rep.ID
	if err := meta.SetRunReport(ctx, r.in.store, r.ID, rep.ID); err != nil {
		return fmt.Errorf("link report of run %s: %w", r.UID, err)
	}
	return nil
}

// shortDuration renders the largest non-zero unit as an integer: 3d, 2h, 5m, 7s.
func shortDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	return fmt.Sprintf("%ds", int(d/time.Second))
}

// saveRunArtifact stores a run's bookkeeping file as a hidden artifact
// (no run, deduplicated by content so runs can share it).
func (in *Instance) saveRunArtifact(ctx context.Context, path, description string) (*Artifact, error) {
	quiet := in.quiet()
	a, err := quiet.NewArtifact(ctx, path, ArtifactOptions{Description: description, Kind: hiddenKind, NoRun: true})
	if err != nil {
		return nil, err
	}
	if err := a.Save(ctx); err != nil {
		return nil, err
	}
	a.in = in
	return a, nil
}

// quiet is a view of the instance that prints no messages.
func (in *Instance) quiet() *Instance {
	q := *in
	q.msg = nil
	return &q
}
