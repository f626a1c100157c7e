package lamin

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/record"
)

const (
	auxStoring = `{"af":{"0":false}}`
	auxStored  = `{"af":{"0":true}}`
)

// Save writes the artifact: the record first (marked as storing), then the
// bytes, then the mark that they are stored. If storing fails the record is
// removed again, so no record ever points at missing bytes.
func (a *Artifact) Save(ctx context.Context) error {
	return a.in.SaveAll(ctx, []*Artifact{a})
}

// needsCopy reports whether Save copies bytes into .lamindb/.
func (a *Artifact) needsCopy() bool { return a.KeyIsVirtual && a.RealKey == nil }

// prepareInsert fills what Save decides: run, storing mark, timestamps.
func (a *Artifact) prepareInsert(now time.Time) {
	if a.run != nil {
		a.RunID = &a.run.ID
	}
	if a.needsCopy() {
		s := auxStoring
		a.Aux = &s
	}
	a.CreatedAt, a.UpdatedAt = now, now
}

// SaveAll saves several artifacts: new records are inserted in one
// transaction (marked as storing), then their bytes are stored as one batch
// (see storeAll), then the records are marked stored. If storing fails,
// the records of the batch are removed and the error says what failed.
func (in *Instance) SaveAll(ctx context.Context, arts []*Artifact) error {
	var fresh []*Artifact
	for _, a := range arts {
		if a.existing {
			if err := a.saveExisting(ctx); err != nil {
				return err
			}
			continue
		}
		if a.ID == 0 {
			fresh = append(fresh, a)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if fresh[0].run == nil && !in.prefs.Bool("silence-missing-run-warning") {
		in.msg.noRunLinked()
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, a := range fresh {
		a.prepareInsert(now)
	}
	owner := in.newOwner()
	err := in.insertFresh(ctx, fresh, owner)
	for attempt := 0; attempt < 10 && errors.Is(err, meta.ErrConflict) && len(fresh) == 1 && fresh[0].Key != nil; attempt++ {
		// Another writer took this version of the key first: if its
		// content differs, become the next version and try again.
		a := fresh[0]
		if same, _ := in.newestByHash(ctx, []string{*a.Hash}); len(same) > 0 {
			break
		}
		byKey, kerr := in.latestByKey(ctx, in.store, []string{*a.Key})
		if kerr != nil || byKey[*a.Key] == nil {
			break
		}
		a.revises = byKey[*a.Key]
		if kerr := a.assignUID(ctx, ArtifactOptions{}); kerr != nil {
			return kerr
		}
		err = in.insertFresh(ctx, fresh, owner)
	}
	if errors.Is(err, meta.ErrConflict) && len(fresh) == 1 {
		// Another writer registered the same content first.
		a := fresh[0]
		ex, err2 := meta.NewestArtifactByHash(ctx, in.store, *a.Hash, a.StorageID)
		if err2 != nil {
			return fmt.Errorf("save artifact: %w", err)
		}
		a.Artifact, a.existing = *ex, true
		in.msg.Warn("returning artifact with same hash: %s", in.msg.artifact(&a.Artifact))
		return a.saveExisting(ctx)
	}
	if err != nil {
		for _, a := range fresh {
			a.ID = 0
		}
		return fmt.Errorf("save artifact: %w", err)
	}
	var copies []*Artifact
	for _, a := range fresh {
		if a.needsCopy() {
			copies = append(copies, a)
		}
	}
	if len(copies) == 0 {
		return nil
	}
	lctx, release := in.holdLease(ctx, owner.Token, len(copies))
	err = in.storeAll(lctx, copies)
	if err == nil {
		err = in.finishSaves(ctx, copies, owner.Token)
	}
	// A loss noticed after finishSaves succeeded does not matter: marking
	// stored is fenced by the token, so the records were still ours.
	if lost := release(); lost != nil && err != nil {
		err = lostSaveError(copies[0], lost)
	} else if err != nil && !in.ownsAll(ctx, copies, owner.Token) {
		// Storing failed because the record was taken before the next
		// renewal would have noticed (say, a repair moved the file).
		err = lostSaveError(copies[0], errSaveLost)
	}
	if err != nil {
		return in.abortSave(ctx, fresh, copies, owner.Token, err)
	}
	in.reportStored(copies)
	return nil
}

// finishSaves marks the records of a save stored, in one transaction, each
// provided the save still owns it; a record removed or taken over in the
// meantime fails the whole save.
func (in *Instance) finishSaves(ctx context.Context, arts []*Artifact, token string) error {
	err := in.store.Tx(ctx, func(tx *meta.Tx) error {
		for _, a := range arts {
			ok, err := meta.FinishSave(ctx, tx, a.ID, token, ptr(auxStored))
			if err != nil {
				return err
			}
			if !ok {
				return lostSaveError(a, errSaveLost)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, a := range arts {
		s := auxStored
		a.Aux = &s
	}
	return nil
}

// reportStored says where the bytes of a completed save went.
func (in *Instance) reportStored(arts []*Artifact) {
	if len(arts) <= 10 {
		for _, a := range arts {
			in.msg.Success("storing artifact '%s' at '%s'", a.UID, a.Path())
		}
		return
	}
	in.msg.Success("storing %d artifacts at '%s'", len(arts), storageJoin(in.storage.Root, markerDir))
}

// insertFresh inserts new records in one transaction, clearing the latest
// mark of the versions they revise. A record that would start a new version
// family under a key another writer has just taken fails with
// meta.ErrConflict, so the caller can make it that family's next version.
func (in *Instance) insertFresh(ctx context.Context, fresh []*Artifact, owner meta.SaveOwner) error {
	return in.store.Tx(ctx, func(tx *meta.Tx) error {
		if err := in.claimNewKeys(ctx, tx, fresh); err != nil {
			return err
		}
		rows := make([]*record.Artifact, len(fresh))
		for i, a := range fresh {
			a.ID = 0
			rows[i] = &a.Artifact
			if a.revises != nil {
				if err := meta.SetArtifactLatest(ctx, tx, a.revises.ID, false); err != nil {
					return err
				}
			}
		}
		if err := meta.InsertArtifacts(ctx, tx, rows); err != nil {
			return err
		}
		var owned []int64
		for _, a := range fresh {
			if a.needsCopy() {
				owned = append(owned, a.ID)
			}
			if a.isDir && len(a.manifest) > 0 {
				if err := meta.InsertManifest(ctx, tx, a.ID, a.manifest); err != nil {
					return err
				}
			}
		}
		return meta.InsertSaveOwners(ctx, tx, owner, owned)
	})
}

// claimNewKeys serializes writers on the keys of records that start a new
// version family and fails with meta.ErrConflict when such a key already
// has a family: two writers must never both start one for the same key.
func (in *Instance) claimNewKeys(ctx context.Context, tx *meta.Tx, fresh []*Artifact) error {
	var keys []string
	for _, a := range fresh {
		if a.Key != nil && a.revises == nil {
			keys = append(keys, *a.Key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if err := meta.Lock(ctx, tx, meta.LockKey(fmt.Sprintf("artifact-key %d %s", in.storage.ID, k))); err != nil {
			return err
		}
	}
	taken, err := in.latestByKey(ctx, tx, keys)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if fam := taken[k]; fam != nil {
			return fmt.Errorf("%w: key '%s' was just saved as %s by another writer", meta.ErrConflict, k, fam.UID)
		}
	}
	return nil
}

// abortSave removes the records of a batch whose bytes were not stored
// (every artifact of the batch: storing is all or nothing), except records
// the save no longer owns: whoever took them over decides their fate.
func (in *Instance) abortSave(ctx context.Context, unstored, copies []*Artifact, token string, cause error) error {
	ctx = context.WithoutCancel(ctx)
	var removed []*Artifact
	rbErr := in.store.Tx(ctx, func(tx *meta.Tx) error {
		removed = removed[:0]
		for _, a := range unstored {
			if a.needsCopy() {
				owns, err := meta.OwnsSave(ctx, tx, a.ID, token)
				if err != nil {
					return err
				}
				if !owns {
					continue
				}
			}
			if err := meta.DeleteArtifact(ctx, tx, a.ID); err != nil {
				return err
			}
			if a.revises != nil {
				if err := meta.SetArtifactLatest(ctx, tx, a.revises.ID, true); err != nil {
					return err
				}
			}
			removed = append(removed, a)
		}
		return nil
	})
	if rbErr == nil {
		// Bytes that arrived before the failure (the batch's own cleanup
		// covers failures while storing) belong to no record now.
		for _, a := range removed {
			if a.needsCopy() {
				in.removeUnclaimedBytes(ctx, StorageKey(&a.Artifact))
			}
		}
	}
	for _, a := range unstored {
		a.ID = 0
		a.Aux = nil
	}
	msg := fmt.Sprintf("store artifact %s from %s", copies[0].UID, shown(copies[0].src))
	if len(copies) > 1 {
		msg = fmt.Sprintf("store %d artifacts (none was saved)", len(copies))
	}
	if rbErr != nil {
		return fmt.Errorf("%s: %w; removing the unsaved records failed too: %v; run `lamin check --repair`", msg, cause, rbErr)
	}
	if errors.Is(cause, errSaveLost) {
		return cause
	}
	if errors.Is(cause, fs.ErrPermission) {
		return &userError{msg: fmt.Sprintf("%s: %v; make the storage writable", msg, cause), cat: ErrPermission}
	}
	return fmt.Errorf("%s: %w", msg, cause)
}

// storeAll copies the bytes of several artifacts into storage: one file
// with its own fsync, many files (or folders) as one batch with a single
// durability barrier. On error none of them is stored.
func (in *Instance) storeAll(ctx context.Context, arts []*Artifact) error {
	if len(arts) == 0 {
		return nil
	}
	blobs, err := in.bytes(ctx)
	if err != nil {
		return err
	}
	if len(arts) == 1 && !arts[0].isDir {
		// One file: its own fsync is cheaper than a filesystem sync.
		_, err := blob.PutFile(ctx, blobs, StorageKey(&arts[0].Artifact), arts[0].src)
		return err
	}
	var items []blob.FileItem
	for _, a := range arts {
		more, err := a.storageItems()
		if err != nil {
			return err
		}
		items = append(items, more...)
	}
	return blob.PutFiles(ctx, blobs, items)
}

// storageItems lists the local files to copy for the artifact and their
// storage keys: the file itself, or every regular file below a folder
// (a folder given as a link is copied through the link).
func (a *Artifact) storageItems() ([]blob.FileItem, error) {
	key := StorageKey(&a.Artifact)
	if !a.isDir {
		return []blob.FileItem{{Key: key, Path: a.src}}, nil
	}
	src := a.src
	if resolved, err := filepath.EvalSymlinks(src); err == nil {
		src = resolved
	}
	var items []blob.FileItem
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		items = append(items, blob.FileItem{Key: key + "/" + filepath.ToSlash(rel), Path: p})
		return err
	})
	return items, err
}

// saveExisting applies what NewArtifact learned about a known artifact:
// a new description or key, a restore from trash, and the run that
// (re)created the content.
func (a *Artifact) saveExisting(ctx context.Context) error {
	if err := a.ensureStored(ctx); err != nil {
		return err
	}
	return a.in.store.Tx(ctx, func(tx *meta.Tx) error {
		if a.newDescription != nil {
			if err := meta.SetArtifactDescription(ctx, tx, a.ID, *a.newDescription); err != nil {
				return err
			}
		}
		if a.adoptKey != nil {
			if err := meta.SetArtifactKey(ctx, tx, a.ID, *a.adoptKey); err != nil {
				return err
			}
		}
		if a.fromTrash {
			if err := meta.RestoreArtifact(ctx, tx, a.ID); err != nil {
				return err
			}
		}
		if a.run == nil {
			return nil
		}
		if a.RunID == nil {
			a.RunID = &a.run.ID
			return meta.SetArtifactRun(ctx, tx, a.ID, a.run.ID)
		}
		if *a.RunID != a.run.ID {
			return meta.AddRecreatingRun(ctx, tx, a.ID, a.run.ID)
		}
		return nil
	})
}

func ptr[T any](v T) *T { return &v }
