package lamin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/record"
)

// unfinished reports whether a record's save has not completed: its _aux
// says that its bytes are not stored yet (PostgreSQL's jsonb returns the
// value reformatted, so it is parsed rather than matched as text).
func unfinished(a *record.Artifact) bool {
	if a.Aux == nil {
		return false
	}
	var aux struct {
		AF map[string]bool `json:"af"`
	}
	if json.Unmarshal([]byte(*a.Aux), &aux) != nil {
		return false
	}
	stored, ok := aux.AF["0"]
	return ok && !stored
}

// ensureStored makes sure that an existing artifact returned for the same
// content has its bytes in storage before the save reports success:
// dedup never returns a record without bytes. An unfinished save of the
// same content still running elsewhere is waited for; one whose owner is
// gone is adopted, and a stored record whose bytes are missing is taken
// back into the unfinished state; in both cases this save stores the bytes
// from its own copy of the content and completes the record.
func (a *Artifact) ensureStored(ctx context.Context) error {
	in := a.in
	if a.StorageID != in.storage.ID || a.src == "" || a.ID == 0 {
		return nil
	}
	if !unfinished(&a.Artifact) && a.Aux == nil && !a.KeyIsVirtual {
		// Registered in place: the bytes are the file the user saved.
		if p := storageJoin(in.storage.Root, StorageKey(&a.Artifact)); p == a.src {
			return nil
		}
	}
	waiting := false
	for {
		cur, err := meta.ArtifactByID(ctx, in.store, a.ID)
		if errors.Is(err, meta.ErrNotFound) {
			return fmt.Errorf("save artifact %s: the record with the same content was removed (by `lamin check --repair` or a delete) while this save used it; save again", a.UID)
		}
		if err != nil {
			return err
		}
		a.Aux = cur.Aux
		if !unfinished(cur) {
			present, err := in.bytesPresent(ctx, cur)
			if err != nil || present {
				return err
			}
			owner := in.newOwner()
			err = in.store.Tx(ctx, func(tx *meta.Tx) error {
				return meta.MarkUnstored(ctx, tx, a.ID, auxStoring, owner)
			})
			if errors.Is(err, meta.ErrConflict) {
				if err := sleepCtx(ctx, 200*time.Millisecond); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			in.msg.Important("the bytes of artifact %s are missing from storage: storing them again", a.UID)
			return a.storeAdopted(ctx, owner, true, cur.Aux)
		}
		o, has, err := meta.SaveOwnerOf(ctx, in.store, a.ID)
		if err != nil {
			return err
		}
		if has && !ownerGone(o, time.Now()) {
			if !waiting {
				in.msg.Important("artifact %s with the same content is being saved by %s: waiting for it", a.UID, describeOwner(o))
				waiting = true
			}
			if err := sleepCtx(ctx, 200*time.Millisecond); err != nil {
				return err
			}
			continue
		}
		owner := in.newOwner()
		var prev *meta.SaveOwner
		if has {
			prev = &o
		}
		ok, err := meta.ClaimSave(ctx, in.store, a.ID, prev, owner)
		if err != nil {
			return err
		}
		if !ok || !in.stillUnfinished(ctx, a.ID, owner.Token) {
			continue // someone else took it first, or it completed: look again
		}
		in.msg.Important("completing the unfinished save of artifact %s with the same content", a.UID)
		return a.storeAdopted(ctx, owner, false, nil)
	}
}

// storeAdopted stores the bytes of a record this save took over and marks
// it stored. On failure the record is given back: to the stored state it
// had (wasStored, with _aux prevAux), or left unfinished without an owner
// for the next save or repair.
func (a *Artifact) storeAdopted(ctx context.Context, owner meta.SaveOwner, wasStored bool, prevAux *string) error {
	in := a.in
	lctx, release := in.holdLease(ctx, owner.Token, 1)
	err := in.storeAll(lctx, []*Artifact{a})
	if err == nil && a.isDir {
		err = in.settleStoredFolder(lctx, a)
	} else if err == nil && in.caps().LocalPath {
		in.removeTempSiblings(storageJoin(in.storage.Root, StorageKey(&a.Artifact)))
	}
	if err == nil {
		err = in.store.Tx(ctx, func(tx *meta.Tx) error {
			if a.isDir && len(a.manifest) > 0 {
				if err := meta.DeleteManifest(ctx, tx, a.ID); err != nil {
					return err
				}
				if err := meta.InsertManifest(ctx, tx, a.ID, a.manifest); err != nil {
					return err
				}
			}
			final := ptr(auxStored)
			if wasStored && prevAux == nil {
				final = nil // registered in place: no storing mark
			}
			ok, err := meta.FinishSave(ctx, tx, a.ID, owner.Token, final)
			if err == nil && !ok {
				err = lostSaveError(a, errSaveLost)
			}
			return err
		})
	}
	lost := release()
	if err == nil {
		a.Aux = ptr(auxStored)
		if wasStored && prevAux == nil {
			a.Aux = nil
		}
		in.reportStored([]*Artifact{a})
		return nil
	}
	if lost != nil {
		err = lostSaveError(a, lost)
	} else if !in.ownsAll(ctx, []*Artifact{a}, owner.Token) {
		err = lostSaveError(a, errSaveLost)
	}
	bg := context.WithoutCancel(ctx)
	_ = in.store.Tx(bg, func(tx *meta.Tx) error {
		owns, err := meta.OwnsSave(bg, tx, a.ID, owner.Token)
		if err != nil || !owns {
			return err
		}
		if wasStored {
			if err := meta.SetArtifactAux(bg, tx, a.ID, prevAux); err != nil {
				return err
			}
		}
		return meta.ReleaseSave(bg, tx, a.ID, owner.Token)
	})
	if errors.Is(err, errSaveLost) {
		return err
	}
	return fmt.Errorf("store the bytes of artifact %s from %s: %w", a.UID, shown(a.src), err)
}

// settleStoredFolder removes from a folder just stored again the files
// its manifest does not list (leftovers of the interrupted save).
func (in *Instance) settleStoredFolder(ctx context.Context, a *Artifact) error {
	if len(a.manifest) == 0 {
		return nil
	}
	key := StorageKey(&a.Artifact)
	if in.caps().LocalPath {
		_, err := settleLocalFolder(ctx, storageJoin(in.storage.Root, key), a.manifest, true)
		return err
	}
	files, err := in.listStored(ctx, key)
	if err != nil {
		return err
	}
	d, err := compareFolder(ctx, files, a.manifest, false)
	if err != nil {
		return err
	}
	blobs, err := in.bytes(ctx)
	if err != nil {
		return err
	}
	for _, rel := range d.extra {
		if err := blobs.Delete(ctx, key+"/"+rel); err != nil {
			return err
		}
	}
	return nil
}

// bytesPresent reports whether a stored record's bytes are in storage with
// the recorded size (per file, by name, for folders with a manifest).
func (in *Instance) bytesPresent(ctx context.Context, a *record.Artifact) (bool, error) {
	key := StorageKey(a)
	if a.NFiles != nil {
		if _, ok, handled := in.checkFolder(ctx, a, storageJoin(in.storage.Root, key), false); handled {
			return ok, nil
		}
		files, err := in.listStored(ctx, key)
		if err != nil {
			return false, err
		}
		var size int64
		for _, f := range files {
			size += f.size
		}
		return len(files) > 0 && (a.Size == nil || size == *a.Size), nil
	}
	if in.caps().LocalPath {
		st, err := os.Stat(storageJoin(in.storage.Root, key))
		if err != nil {
			return false, nil
		}
		return st.Mode().IsRegular() && (a.Size == nil || st.Size() == *a.Size), nil
	}
	blobs, err := in.bytes(ctx)
	if err != nil {
		return false, err
	}
	info, err := blobs.Stat(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return a.Size == nil || info.Size == *a.Size, nil
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
