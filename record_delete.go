package lamin

import (
	"context"
	"fmt"
	"strings"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/uid"
	"github.com/lamin-go/lamin/record"
)

// TransformRepr is LaminDB's short representation of a transform.
func TransformRepr(t *Transform) string {
	return fmt.Sprintf("Transform(uid='%s', key='%s', type='%s')", t.UID, derefOr(t.Key, "None"), t.Type)
}

// RunRepr is LaminDB's short representation of a run.
func RunRepr(r *record.Run) string { return fmt.Sprintf("Run(uid='%s')", r.UID) }

// DeleteTransform moves a transform to the trash (branch -1), where queries
// no longer see it; a trashed transform, or any with permanent set, is
// deleted for good together with its runs and their reports, logs and
// environments. A transform whose runs made artifacts, collections or
// storages, or started runs of other transforms, is refused: deleting it
// would cut their lineage.
func (in *Instance) DeleteTransform(ctx context.Context, t *Transform, permanent bool) error {
	stem := t.UID[:uid.TransformStemLen]
	if !permanent && t.BranchID != -1 {
		err := in.store.Tx(ctx, func(tx *meta.Tx) error {
			if err := meta.TrashTransform(ctx, tx, t.ID); err != nil {
				return err
			}
			return meta.PromoteLatestTransform(ctx, tx, stem)
		})
		if err != nil {
			return fmt.Errorf("move transform %s to trash: %w", t.UID, err)
		}
		t.BranchID, t.IsLatest = -1, false
		in.msg.movedToTrash("transform", t.UID, TransformRepr(t))
		return nil
	}
	runs, err := meta.RunsOfTransform(ctx, in.store, t.ID)
	if err != nil {
		return err
	}
	if err := in.refuseCuttingLineage(ctx, "transform "+t.UID, runs); err != nil {
		return err
	}
	err = in.store.Tx(ctx, func(tx *meta.Tx) error {
		if err := clearRunFiles(ctx, tx, runs); err != nil {
			return err
		}
		if err := meta.ClearTemplate(ctx, tx, t.ID); err != nil {
			return err
		}
		// Runs, their input links and the transform's predecessor links
		// go with it (ON DELETE CASCADE).
		if err := meta.DeleteTransform(ctx, tx, t.ID); err != nil {
			return err
		}
		return meta.PromoteLatestTransform(ctx, tx, stem)
	})
	if err != nil {
		return fmt.Errorf("delete transform %s: %w", t.UID, err)
	}
	in.msg.Success("deleted %s and %d %s", TransformRepr(t), len(runs), plural(len(runs), "run", "runs"))
	return in.deleteRunFiles(ctx, runs)
}

// RestoreTransform brings a trashed transform back; the family's latest
// version is recomputed.
func (in *Instance) RestoreTransform(ctx context.Context, t *Transform) error {
	if t.BranchID != -1 {
		return conflictf("transform %s is not in the trash", t.UID)
	}
	err := in.store.Tx(ctx, func(tx *meta.Tx) error {
		if err := meta.RestoreTransform(ctx, tx, t.ID); err != nil {
			return err
		}
		return meta.PromoteLatestTransform(ctx, tx, t.UID[:uid.TransformStemLen])
	})
	if err != nil {
		return fmt.Errorf("restore transform %s: %w", t.UID, err)
	}
	fresh, err := meta.TransformByID(ctx, in.store, t.ID)
	if err != nil {
		return err
	}
	*t = *fresh
	in.msg.Success("restored %s", TransformRepr(t))
	return nil
}

// DeleteRun moves a run to the trash (branch -1); a trashed run, or any
// with permanent set, is deleted for good with its input links, report,
// log and environment. A run that made artifacts, collections or
// storages, or started other runs, is refused: deleting it would cut their
// lineage.
func (in *Instance) DeleteRun(ctx context.Context, r *record.Run, permanent bool) error {
	if !permanent && r.BranchID != -1 {
		if err := meta.TrashRun(ctx, in.store, r.ID); err != nil {
			return fmt.Errorf("move run %s to trash: %w", r.UID, err)
		}
		r.BranchID = -1
		in.msg.movedToTrash("run", r.UID, RunRepr(r))
		return nil
	}
	runs := []*record.Run{r}
	if err := in.refuseCuttingLineage(ctx, "run "+r.UID, runs); err != nil {
		return err
	}
	err := in.store.Tx(ctx, func(tx *meta.Tx) error {
		if err := clearRunFiles(ctx, tx, runs); err != nil {
			return err
		}
		return meta.DeleteRun(ctx, tx, r.ID)
	})
	if err != nil {
		return fmt.Errorf("delete run %s: %w", r.UID, err)
	}
	in.msg.Success("deleted %s", RunRepr(r))
	return in.deleteRunFiles(ctx, runs)
}

// RestoreRun brings a trashed run back to the main branch.
func (in *Instance) RestoreRun(ctx context.Context, r *record.Run) error {
	if r.BranchID != -1 {
		return conflictf("run %s is not in the trash", r.UID)
	}
	if err := meta.RestoreRun(ctx, in.store, r.ID); err != nil {
		return fmt.Errorf("restore run %s: %w", r.UID, err)
	}
	r.BranchID = 1
	in.msg.Success("restored %s", RunRepr(r))
	return nil
}

// refuseCuttingLineage fails when records outside runs depend on them:
// artifacts, collections or storages they made, or runs they started.
func (in *Instance) refuseCuttingLineage(ctx context.Context, what string, runs []*record.Run) error {
	if len(runs) == 0 {
		return nil
	}
	ids := make([]int64, len(runs))
	mine := map[string]bool{}
	for i, r := range runs {
		ids[i] = r.ID
		mine[r.UID] = true
	}
	for _, dep := range []struct {
		kind      meta.RunDependent
		noun, fix string
	}{
		{meta.ArtifactsMadeByRuns, "artifact", "delete it first with `lamin delete artifact %s --permanent`"},
		{meta.CollectionsMadeByRuns, "collection", "delete it first"},
		{meta.StoragesMadeByRuns, "storage location", "it must stay"},
		{meta.RunsStartedByRuns, "run", "delete it first with `lamin delete run %s --permanent`"},
	} {
		found, err := meta.RunDependents(ctx, in.store, dep.kind, ids)
		if err != nil {
			return err
		}
		var uids []string
		for _, u := range found {
			if !mine[u] {
				uids = append(uids, u)
			}
		}
		if len(uids) > 0 {
			fix := dep.fix
			if strings.Contains(fix, "%s") {
				fix = fmt.Sprintf(fix, uids[0])
			}
			return conflictf("%s made %d %s (e.g. %s); deleting it would cut their lineage: %s", what, len(uids),
				plural(len(uids), dep.noun, dep.noun+"s"), uids[0], fix)
		}
	}
	return nil
}

// clearRunFiles unlinks the runs' reports, logs and environments so the
// runs can be deleted before those artifacts are.
func clearRunFiles(ctx context.Context, tx *meta.Tx, runs []*record.Run) error {
	for _, r := range runs {
		if err := meta.ClearRunFiles(ctx, tx, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// deleteRunFiles deletes the reports, logs and environments of deleted
// runs (records and the bytes lamin manages), keeping any another run
// still uses.
func (in *Instance) deleteRunFiles(ctx context.Context, runs []*record.Run) error {
	for _, r := range runs {
		for _, id := range []*int64{r.ReportID, r.LogfileID, r.EnvironmentID} {
			if id == nil {
				continue
			}
			users, err := meta.RunsUsingFile(ctx, in.store, *id)
			if err != nil {
				return err
			}
			if users > 0 {
				continue
			}
			a, err := in.ArtifactByID(ctx, *id)
			if err != nil {
				continue // already gone
			}
			if err := in.quiet().DeletePermanently(ctx, a, DeleteOptions{Force: true}); err != nil {
				return fmt.Errorf("run %s deleted, but not its file %s: %w", r.UID, a.UID, err)
			}
		}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
