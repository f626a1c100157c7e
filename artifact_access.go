package lamin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/uid"
	"github.com/lamin-go/lamin/record"
)

func (in *Instance) wrapArtifact(a *record.Artifact) *Artifact {
	return &Artifact{Artifact: *a, in: in}
}

// GetArtifact finds an artifact by uid or uid prefix. A prefix no longer than
// the 16-character stem prefers the latest version of its family; a longer
// prefix must match exactly one artifact.
func (in *Instance) GetArtifact(ctx context.Context, idlike string) (*Artifact, error) {
	if idlike == "" || strings.Trim(idlike, uid.Alphabet) != "" || len(idlike) > uid.ArtifactLen {
		return nil, notFoundf("No record found with uid '%s'. Did you forget a keyword as in `lamin get artifact key=%s`?", shown(idlike), shown(idlike))
	}
	var rows []*record.Artifact
	var err error
	if len(idlike) == uid.ArtifactLen {
		rows, err = meta.ArtifactsByUID(ctx, in.store, idlike)
	} else if len(idlike) <= uid.ArtifactStemLen {
		rows, err = meta.PreferredArtifactByPrefix(ctx, in.store, idlike)
	} else {
		rows, err = meta.ArtifactsByPrefix(ctx, in.store, idlike, 2)
		if err == nil && len(rows) > 1 {
			return nil, conflictf("MultipleResultsFound: more than one artifact has a uid starting with '%s'; pass more characters", idlike)
		}
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, notFoundf("No record found with uid '%s'. Did you forget a keyword as in `lamin get artifact key=%s`?", shown(idlike), shown(idlike))
	}
	return in.wrapArtifact(rows[0]), nil
}

// ArtifactByID loads an artifact by its integer id.
func (in *Instance) ArtifactByID(ctx context.Context, id int64) (*Artifact, error) {
	a, err := meta.ArtifactByID(ctx, in.store, id)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, notFoundf("no artifact with id %d", id)
	}
	if err != nil {
		return nil, err
	}
	return in.wrapArtifact(a), nil
}

// Versions lists every version of the artifact's family, newest first.
func (in *Instance) Versions(ctx context.Context, a *Artifact) ([]*Artifact, error) {
	rows, err := meta.ArtifactVersions(ctx, in.store, a.UID[:uid.ArtifactStemLen])
	if err != nil {
		return nil, err
	}
	out := make([]*Artifact, len(rows))
	for i, r := range rows {
		out[i] = in.wrapArtifact(r)
	}
	return out, nil
}

// CacheOptions control whether reading an artifact records it as a run input.
type CacheOptions struct {
	// IsRunInput: nil = automatic (per the track-run-inputs setting),
	// true = always (error without a run), false = never.
	IsRunInput *bool
	// Run overrides the current run.
	Run *Run
	// VerifyHash compares the content hash of the bytes with the record
	// even for large files (small files are always hashed; large ones are
	// otherwise compared by size).
	VerifyHash bool
}

// Cache returns a local path holding the artifact's bytes and, inside a
// run, records the artifact as an input of that run. Local bytes must
// resolve inside the storage root and match the record (size; hash for
// small files or with VerifyHash): a swapped or edited file is an error
// (ErrPermission or ErrConflict), never handed out.
func (in *Instance) Cache(ctx context.Context, a *Artifact, o CacheOptions) (string, error) {
	p, err := in.localCopy(ctx, StorageKey(&a.Artifact), a.NFiles != nil)
	if err != nil {
		return "", fmt.Errorf("artifact %s: %w", a.UID, err)
	}
	if in.caps().RemoteDownload {
		err = verifyDownload(&a.Artifact, p)
	} else {
		err = in.verifyLocal(ctx, &a.Artifact, p, o.VerifyHash)
	}
	if err != nil {
		return "", err
	}
	if err := in.TrackInputs(ctx, []*Artifact{a}, o); err != nil {
		return "", err
	}
	return p, nil
}

// TrackInputs links artifacts as inputs of the current (or given) run,
// following LaminDB's rules: never an input of its own producing run;
// automatic linking obeys the track-run-inputs setting.
func (in *Instance) TrackInputs(ctx context.Context, arts []*Artifact, o CacheOptions) error {
	if o.IsRunInput != nil && !*o.IsRunInput {
		return nil
	}
	run := o.Run
	if run == nil {
		var err error
		if run, err = in.CurrentRun(ctx); err != nil {
			return err
		}
	}
	explicit := o.IsRunInput != nil && *o.IsRunInput
	if run == nil {
		if explicit {
			return invalidf("No run context set. Call `lamin run` or `lamin track` first.")
		}
		if in.prefs.Bool("track-run-inputs") {
			in.msg.inputNotTracked()
		}
		return nil
	}
	if !explicit && !in.prefs.Bool("track-run-inputs") {
		in.msg.inputOnRequest()
		return nil
	}
	var ids []int64
	var linked []*record.Artifact
	seen := map[int64]bool{}
	var parents []*record.Transform
	for _, a := range arts {
		if a.ID == 0 || (a.RunID != nil && *a.RunID == run.ID) {
			continue
		}
		ids = append(ids, a.ID)
		linked = append(linked, &a.Artifact)
		if a.RunID != nil {
			r, err := meta.RunByID(ctx, in.store, *a.RunID)
			if err == nil && !seen[r.TransformID] {
				seen[r.TransformID] = true
				if t, err := meta.TransformByID(ctx, in.store, r.TransformID); err == nil {
					parents = append(parents, t)
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if err := in.store.Tx(ctx, func(tx *meta.Tx) error { return meta.AddRunInputs(ctx, tx, run.ID, ids...) }); err != nil {
		return err
	}
	in.msg.inputsAdded(linked, &run.Run, parents)
	return nil
}

// Delete moves the artifact to the trash (branch -1). If it was the latest
// version, the newest remaining version becomes the latest.
func (in *Instance) Delete(ctx context.Context, a *Artifact) error {
	if a.BranchID == -1 {
		return conflictf("artifact %s is already in the trash; delete it permanently with --permanent or restore it with `lamin restore artifact %s`", a.UID, a.UID)
	}
	var promoted *record.Artifact
	err := in.store.Tx(ctx, func(tx *meta.Tx) error {
		promoted = nil
		wasLatest := a.IsLatest
		if err := meta.TrashArtifact(ctx, tx, a.ID); err != nil {
			return err
		}
		if wasLatest && !a.OverwriteVersions {
			var err error
			promoted, err = meta.PromoteLatestArtifact(ctx, tx, a.UID[:uid.ArtifactStemLen])
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("move artifact %s to trash: %w", a.UID, err)
	}
	// is_latest was cleared above; Restore recomputes it from the family.
	a.BranchID = -1
	in.msg.movedToTrash("artifact", a.UID, in.msg.artifact(&a.Artifact))
	if promoted != nil {
		in.msg.Hint("new latest version is: %s", in.msg.artifact(promoted))
	}
	return nil
}

// Restore brings a trashed artifact back to the main branch; the family's
// latest version is recomputed, so restoring the newest version makes it
// the latest again.
func (in *Instance) Restore(ctx context.Context, a *Artifact) error {
	if a.BranchID != -1 {
		return conflictf("artifact %s is not in the trash", a.UID)
	}
	err := in.store.Tx(ctx, func(tx *meta.Tx) error {
		if err := meta.RestoreArtifact(ctx, tx, a.ID); err != nil {
			return err
		}
		if a.OverwriteVersions {
			return nil
		}
		_, err := meta.PromoteLatestArtifact(ctx, tx, a.UID[:uid.ArtifactStemLen])
		return err
	})
	if err != nil {
		return fmt.Errorf("restore artifact %s: %w", a.UID, err)
	}
	fresh, err := in.ArtifactByID(ctx, a.ID)
	if err != nil {
		return err
	}
	a.Artifact = fresh.Artifact
	in.msg.Success("restored %s", in.msg.artifact(&a.Artifact))
	return nil
}

// DeleteOptions control permanent deletion.
type DeleteOptions struct {
	// Storage says what happens to the bytes: nil deletes what lamin copied
	// into .lamindb/ and keeps files registered in place (they belong to
	// the user); true deletes either; false keeps either.
	Storage *bool
	// Force deletes even when the artifact is an input or report of a run.
	Force bool
}

// DeletePermanently removes the record and then the bytes lamin manages.
// An artifact that a recorded run read, or that is a run's report or
// environment, is refused unless Force is set, so lineage is not cut.
func (in *Instance) DeletePermanently(ctx context.Context, a *Artifact, o DeleteOptions) error {
	if !o.Force {
		if runUID, err := meta.RunUsingArtifact(ctx, in.store, a.ID); err == nil {
			return conflictf("artifact %s is used by run %s; deleting it would cut that run's lineage: pass --force to delete anyway", a.UID, runUID)
		}
	}
	managed := a.KeyIsVirtual && a.RealKey == nil
	key := StorageKey(&a.Artifact)
	var family []*record.Artifact
	err := in.store.Tx(ctx, func(tx *meta.Tx) error {
		family = nil
		if o.Force {
			if err := meta.DetachRunFile(ctx, tx, a.ID); err != nil {
				return err
			}
		}
		if err := meta.UnlinkArtifactRuns(ctx, tx, a.ID); err != nil {
			return err
		}
		if err := meta.DeleteArtifact(ctx, tx, a.ID); err != nil {
			return err
		}
		if a.IsLatest && !a.OverwriteVersions {
			if _, err := meta.PromoteLatestArtifact(ctx, tx, a.UID[:uid.ArtifactStemLen]); err != nil {
				return err
			}
		}
		var err error
		family, err = meta.ArtifactFamily(ctx, tx, a.UID[:uid.ArtifactStemLen])
		return err
	})
	if err != nil {
		return fmt.Errorf("delete artifact %s: %w", a.UID, err)
	}
	p := a.Path()
	shared := false
	for _, f := range family {
		if StorageKey(f) == key {
			shared = true
		}
	}
	switch {
	case shared:
		in.msg.Hint("kept %s: other versions share it", p)
	case (o.Storage == nil && managed) || (o.Storage != nil && *o.Storage):
		if err := in.deleteBytes(ctx, key); err != nil {
			return fmt.Errorf("artifact %s record deleted, but removing %s failed: %w; run `lamin check --repair`", a.UID, p, err)
		}
		in.msg.Success("deleted %s", p)
	default:
		in.msg.Hint("a file/folder remains here: %s", p)
	}
	return nil
}

func (in *Instance) deleteBytes(ctx context.Context, key string) error {
	blobs, err := in.bytes(ctx)
	if err != nil {
		return err
	}
	if err := blobs.Delete(ctx, key); err != nil {
		return err
	}
	return blob.DeletePrefix(ctx, blobs, key+"/")
}

// ArtifactByKey returns the latest version of the artifact with key in the
// default storage (main branch); key is matched in NFC, as keys are stored.
func (in *Instance) ArtifactByKey(ctx context.Context, key string) (*Artifact, error) {
	key = NormalizeKey(key)
	rows, err := meta.ArtifactByKey(ctx, in.store, in.storage.ID, key)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, notFoundf("no artifact with key '%s'; list keys with `lamin filter artifact key__startswith=...`", shown(key))
	}
	return in.wrapArtifact(rows[0]), nil
}
