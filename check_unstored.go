package lamin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/hashing"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/uid"
	"github.com/lamin-go/lamin/record"
)

const (
	repairedRemoved   = "record of the unfinished save removed"
	repairedCompleted = "bytes verified, save completed"
)

// checkUnstored handles a record whose save did not finish. A save whose
// owner still runs (its process alive, its lease renewed) is no problem and
// is left alone (live). Otherwise, with repair, the record is claimed like
// a save claims it, the interrupted write is finished where the bytes
// arrived intact (temporary names renamed into place, checked file by file
// against the manifest) and the save completed; else record and bytes go.
func (in *Instance) checkUnstored(ctx context.Context, a *record.Artifact, p string, repair bool, owners map[int64]meta.SaveOwner) (pr Problem, live bool) {
	o, has := owners[a.ID]
	if has && !ownerGone(o, time.Now()) {
		return Problem{}, true
	}
	pr = Problem{Kind: ProblemUnstored, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s was not stored completely", a.UID)}
	if has {
		pr.Message += fmt.Sprintf(" (its save, %s, is gone)", describeOwner(o))
	}
	if !repair {
		return pr, false
	}
	me := in.newOwner()
	var prev *meta.SaveOwner
	if has {
		prev = &o
	}
	claimed, err := meta.ClaimSave(ctx, in.store, a.ID, prev, me)
	if err != nil || !claimed {
		// The owner renewed its lease, or another repair or save took it.
		return Problem{}, true
	}
	if !in.stillUnfinished(ctx, a.ID, me.Token) {
		return Problem{}, true // its save completed just before the claim
	}
	lctx, release := in.holdLease(ctx, me.Token, 1)
	intact, renamed := in.settleUnstored(lctx, a)
	if release() != nil {
		return pr, true
	}
	if intact {
		ok, err := meta.FinishSave(ctx, in.store, a.ID, me.Token, ptr(auxStored))
		if err == nil && ok {
			pr.Repaired = repairedCompleted
			if renamed > 0 {
				pr.Repaired += fmt.Sprintf(" (%d files renamed into place)", renamed)
			}
			return pr, false
		}
		return pr, true
	}
	removed := false
	err = in.store.Tx(ctx, func(tx *meta.Tx) error {
		removed = false
		if owns, err := meta.OwnsSave(ctx, tx, a.ID, me.Token); err != nil || !owns {
			return err
		}
		if err := meta.DeleteArtifact(ctx, tx, a.ID); err != nil {
			return err
		}
		if a.IsLatest && !a.OverwriteVersions && len(a.UID) >= uid.ArtifactStemLen {
			if _, err := meta.PromoteLatestArtifact(ctx, tx, a.UID[:uid.ArtifactStemLen]); err != nil {
				return err
			}
		}
		removed = true
		return nil
	})
	if err != nil || !removed {
		return pr, true
	}
	key := StorageKey(a)
	if strings.HasPrefix(key, markerDir+"/") {
		in.removeUnclaimedBytes(ctx, key)
	}
	pr.Repaired = repairedRemoved
	return pr, false
}

// stillUnfinished reports whether the record just claimed by token is
// still unfinished; if not (its save completed between the read and the
// claim) the claim is dropped.
func (in *Instance) stillUnfinished(ctx context.Context, id int64, token string) bool {
	cur, err := meta.ArtifactByID(ctx, in.store, id)
	if err == nil && unfinished(cur) {
		return true
	}
	_ = meta.ReleaseSave(context.WithoutCancel(ctx), in.store, id, token)
	return false
}

// settleUnstored finishes what an interrupted save of a left behind and
// reports whether the bytes are then complete under their own names with
// the recorded hashes (and how many temporary files it renamed).
func (in *Instance) settleUnstored(ctx context.Context, a *record.Artifact) (intact bool, renamed int) {
	key := StorageKey(a)
	p := storageJoin(in.storage.Root, key)
	if a.NFiles != nil {
		manifest, has, err := meta.Manifest(ctx, in.store, a.ID)
		if err != nil {
			return false, 0
		}
		if !has {
			return in.settleOldFolder(ctx, a, p)
		}
		if in.caps().LocalPath {
			if renamed, err = settleLocalFolder(ctx, p, manifest, true); err != nil {
				return false, renamed
			}
		}
		files, err := in.listStored(ctx, key)
		if err != nil || len(files) == 0 {
			return false, renamed
		}
		d, err := compareFolder(ctx, files, manifest, true)
		if err != nil {
			return false, renamed
		}
		if len(d.extra) > 0 && !in.caps().LocalPath && len(d.missing)+len(d.resized)+len(d.corrupted) == 0 {
			blobs, err := in.bytes(ctx)
			if err != nil {
				return false, renamed
			}
			for _, rel := range d.extra {
				if err := blobs.Delete(ctx, key+"/"+rel); err != nil {
					return false, renamed
				}
			}
			d.extra = nil
		}
		return d.empty(), renamed
	}
	if a.Hash == nil || a.Size == nil {
		return false, 0
	}
	if in.caps().LocalPath && a.HashType != nil {
		entry := meta.ManifestEntry{Path: filepath.Base(p), Size: *a.Size, Hash: *a.Hash, HashType: *a.HashType}
		if ok, _ := fileMatches(ctx, p, entry); ok {
			return true, 0
		}
		parent := filepath.Dir(p)
		entries, _ := os.ReadDir(parent)
		for _, e := range entries {
			if tempBase(e.Name()) != filepath.Base(p) {
				continue
			}
			tmp := filepath.Join(parent, e.Name())
			if ok, _ := fileMatches(ctx, tmp, entry); ok && os.Rename(tmp, p) == nil {
				_ = blob.SyncDir(parent)
				return true, 1
			}
		}
		return false, 0
	}
	_, ok := in.checkBytes(ctx, a, p, true)
	return ok, 0
}

// settleOldFolder handles an unfinished folder save from before manifests:
// temporary files whose own name is missing are renamed into place, other
// temporary files removed, and the folder must then hash to its record.
func (in *Instance) settleOldFolder(ctx context.Context, a *record.Artifact, p string) (bool, int) {
	renamed := 0
	if in.caps().LocalPath {
		_ = filepath.WalkDir(p, func(f string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			base := tempBase(d.Name())
			if base == "" {
				return nil
			}
			dst := filepath.Join(filepath.Dir(f), base)
			if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
				if os.Rename(f, dst) == nil {
					renamed++
				}
				return nil
			}
			return os.Remove(f)
		})
	}
	if a.Hash == nil {
		return false, renamed
	}
	if !in.caps().LocalPath {
		_, ok := in.checkBytes(ctx, a, p, true)
		return ok, renamed
	}
	res, err := hashing.Dir(ctx, p)
	return err == nil && res.Hash == *a.Hash && (a.Size == nil || res.Size == *a.Size), renamed
}

// orphanCandidate is a stored file or object no record seemed to claim.
type orphanCandidate struct {
	key  string // relative to the storage root
	path string
}

// confirmOrphans drops the candidates that a record claims after all. The
// files were listed after the records, so a save that inserted its record
// (always before writing any byte) in between is seen here: its files,
// and the temporary files of a save still running, are kept.
func (in *Instance) confirmOrphans(ctx context.Context, cands []orphanCandidate) ([]orphanCandidate, error) {
	if len(cands) == 0 {
		return nil, nil
	}
	arts, err := meta.ArtifactsInStorage(ctx, in.store, in.storage.ID)
	if err != nil {
		return nil, err
	}
	owners, err := meta.SaveOwners(ctx, in.store)
	if err != nil {
		return nil, err
	}
	claimed := map[string]bool{}
	running := map[string]bool{}
	now := time.Now()
	for _, a := range arts {
		k := StorageKey(a)
		claimed[k] = true
		if o, ok := owners[a.ID]; ok && !ownerGone(o, now) {
			running[k] = true
		}
	}
	var out []orphanCandidate
	for _, c := range cands {
		if claimedBy(claimed, c.key) {
			continue
		}
		dir, name := pathSplit(c.key)
		if base := tempBase(name); base != "" {
			target := dir + base
			if running[target] || runningBelow(running, target) {
				continue
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// runningBelow reports whether key lies inside the folder of a running save.
func runningBelow(running map[string]bool, key string) bool {
	for k := range running {
		if strings.HasPrefix(key, k+"/") {
			return true
		}
	}
	return false
}

// pathSplit splits a slash-separated key into its folder (with the
// trailing slash, or "") and its last segment.
func pathSplit(key string) (dir, name string) {
	i := strings.LastIndexByte(key, '/')
	return key[:i+1], key[i+1:]
}

// repairStoredFolder gives the files of a stored folder on local storage
// their own names again when only interrupted renames are wrong with it:
// a file missing under its name is taken from a temporary file beside it
// (with the manifest's size and hash; for folders saved before manifests,
// when its own name is free), and leftover temporary files are removed.
// It holds a claim on the record meanwhile, so that a save storing the
// same content again waits. pr is returned with Repaired set when the
// folder then checks clean.
func (in *Instance) repairStoredFolder(ctx context.Context, a *record.Artifact, p string, pr Problem, verify bool) Problem {
	if a.NFiles == nil || !in.caps().LocalPath || pr.Kind == ProblemCorrupted {
		return pr
	}
	me := in.newOwner()
	if ok, err := meta.ClaimSave(ctx, in.store, a.ID, nil, me); err != nil || !ok {
		return pr
	}
	defer func() { _ = meta.ReleaseSave(context.WithoutCancel(ctx), in.store, a.ID, me.Token) }()
	manifest, has, err := meta.Manifest(ctx, in.store, a.ID)
	if err != nil {
		return pr
	}
	renamed := 0
	if has {
		renamed, err = settleLocalFolder(ctx, p, manifest, false)
	} else {
		_, renamed = in.settleOldFolder(ctx, a, p)
	}
	if err != nil || renamed == 0 && !has {
		return pr
	}
	if _, ok := in.checkBytes(ctx, a, p, verify); ok {
		pr.Repaired = fmt.Sprintf("%d files renamed to their own names, temporary files removed", renamed)
	}
	return pr
}
