package lamin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/hashing"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/record"
)

// Problem kinds reported by Check.
const (
	ProblemMissing   = "missing"   // a record whose bytes are gone
	ProblemChanged   = "changed"   // size (or, with hashes, content) differs from the record
	ProblemOrphan    = "orphan"    // a file under .lamindb/ that no record claims
	ProblemUnstored  = "unstored"  // a record whose save never completed
	ProblemStaleRun  = "stale-run" // a run left started by a process that is gone
	ProblemCorrupted = "corrupted" // content hash differs (--verify-hashes)
)

// Problem is one inconsistency found by Check.
type Problem struct {
	Kind    string `json:"kind"`
	UID     string `json:"uid,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
	// Repaired says what Check did about it with Repair set ("" = nothing).
	Repaired string `json:"repaired,omitempty"`
}

// CheckOptions control Check.
type CheckOptions struct {
	// Repair fixes what can be fixed: completes or removes unfinished
	// saves, deletes orphan files, marks stale runs aborted. Missing and
	// corrupted bytes are only reported: lamin never deletes a record
	// because its bytes went bad.
	Repair bool
	// VerifyHashes re-hashes every stored file instead of comparing sizes.
	VerifyHashes bool
}

// Check verifies that every artifact's bytes are where its record says,
// with the recorded size (and hash), that nothing under .lamindb/ is
// unclaimed, and that no run was left started by a process that is gone.
func (in *Instance) Check(ctx context.Context, o CheckOptions) ([]Problem, error) {
	problems, err := in.checkDatabase(ctx, o)
	if err != nil {
		return nil, err
	}
	// Owners are read before the records: a save that starts in between
	// has an owner row that a claim then runs into, and one that finishes
	// in between shows as stored.
	owners, err := meta.SaveOwners(ctx, in.store)
	if err != nil && len(problems) > 0 {
		return problems, nil // a damaged database: what it holds cannot be trusted
	}
	if err != nil {
		return nil, err
	}
	arts, err := meta.ArtifactsInStorageByID(ctx, in.store, in.storage.ID)
	if err != nil && len(problems) > 0 {
		return problems, nil // a damaged database: what it holds cannot be trusted
	}
	if err != nil {
		return nil, err
	}
	claimed := map[string]bool{}
	for _, a := range arts {
		key := StorageKey(a)
		p := storageJoin(in.storage.Root, key)
		if unfinished(a) {
			pr, live := in.checkUnstored(ctx, a, p, o.Repair, owners)
			if !live {
				problems = append(problems, pr)
			}
			// A removed record claims nothing: leftovers of its bytes
			// (such as temporary files) are orphans for the pass below.
			if pr.Repaired != repairedRemoved {
				claimed[key] = true
			}
			continue
		}
		claimed[key] = true
		if pr, ok := in.checkBytes(ctx, a, p, o.VerifyHashes); !ok {
			if o.Repair {
				pr = in.repairStoredFolder(ctx, a, p, pr, o.VerifyHashes)
			}
			problems = append(problems, pr)
		}
	}
	orphans, err := in.checkOrphans(ctx, claimed, o.Repair)
	if err != nil {
		return nil, err
	}
	problems = append(problems, orphans...)
	stale, err := in.checkRuns(ctx, o.Repair)
	if err != nil {
		return nil, err
	}
	return append(problems, stale...), nil
}

// checkBytes compares a stored artifact with its record.
func (in *Instance) checkBytes(ctx context.Context, a *record.Artifact, p string, verify bool) (Problem, bool) {
	if in.caps().LocalPath {
		// Bytes that resolve outside the storage root are refused before
		// anything else is compared, folders with a manifest included.
		if st, err := os.Stat(p); err == nil {
			if pr, ok := in.checkInsideRoot(a, p, st.IsDir()); !ok {
				return pr, false
			}
		}
	}
	if a.NFiles != nil {
		if pr, ok, handled := in.checkFolder(ctx, a, p, verify); handled {
			return pr, ok
		}
	}
	if !in.caps().LocalPath {
		return in.checkObject(ctx, a, p, verify)
	}
	st, err := os.Stat(p)
	if err != nil {
		return Problem{Kind: ProblemMissing, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s has no bytes at %s", a.UID, p)}, false
	}
	if pr, ok := in.checkInsideRoot(a, p, st.IsDir()); !ok {
		return pr, false
	}
	if a.Size == nil || a.Hash == nil {
		return Problem{}, true
	}
	var res hashing.Result
	switch {
	case st.IsDir() && verify:
		res, err = hashing.Dir(ctx, p)
	case st.IsDir():
		res, err = dirSize(p)
	case verify:
		res, err = hashing.File(ctx, p)
	default:
		res = hashing.Result{Size: st.Size()}
	}
	if err != nil {
		return Problem{Kind: ProblemMissing, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s: cannot read %s: %v", a.UID, p, err)}, false
	}
	if res.Size != *a.Size {
		return Problem{Kind: ProblemChanged, UID: a.UID, Path: p,
			Message: fmt.Sprintf("artifact %s: %s has %d bytes, the record says %d", a.UID, p, res.Size, *a.Size)}, false
	}
	if verify && res.Hash != *a.Hash && (a.HashType == nil || *a.HashType == res.Type) {
		return Problem{Kind: ProblemCorrupted, UID: a.UID, Path: p,
			Message: fmt.Sprintf("artifact %s: content of %s hashes to %s, the record says %s", a.UID, p, res.Hash, *a.Hash)}, false
	}
	return Problem{}, true
}

// checkObject compares an S3 object with its record from metadata alone:
// the ETag of a file lamin uploaded equals its hash (md5 or md5-<n>).
// Folders are checked by total size.
func (in *Instance) checkObject(ctx context.Context, a *record.Artifact, p string, verify bool) (Problem, bool) {
	key := StorageKey(a)
	blobs, err := in.bytes(ctx)
	if err != nil {
		return Problem{Kind: ProblemMissing, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s: %v", a.UID, err)}, false
	}
	if a.NFiles != nil {
		var size int64
		found := false
		err := blobs.List(ctx, key+"/", func(info blob.Info) error {
			found = true
			size += info.Size
			return nil
		})
		switch {
		case err != nil || !found:
			return Problem{Kind: ProblemMissing, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s has no bytes at %s", a.UID, p)}, false
		case a.Size != nil && size != *a.Size:
			return Problem{Kind: ProblemChanged, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s: %s has %d bytes, the record says %d", a.UID, p, size, *a.Size)}, false
		}
		return Problem{}, true
	}
	info, err := blobs.Stat(ctx, key)
	if err != nil {
		return Problem{Kind: ProblemMissing, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s has no bytes at %s", a.UID, p)}, false
	}
	if a.Size != nil && info.Size != *a.Size {
		return Problem{Kind: ProblemChanged, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s: %s has %d bytes, the record says %d", a.UID, p, info.Size, *a.Size)}, false
	}
	if verify && in.caps().ETagHashing && a.Hash != nil && a.HashType != nil {
		want, err := hashing.ETag(*a.Hash, *a.HashType)
		if err == nil && !strings.EqualFold(strings.Trim(info.ETag, `"`), want) {
			return Problem{Kind: ProblemCorrupted, UID: a.UID, Path: p,
				Message: fmt.Sprintf("artifact %s: the ETag of %s is %s, the record's hash gives %s", a.UID, p, info.ETag, want)}, false
		}
	}
	return Problem{}, true
}

func dirSize(p string) (hashing.Result, error) {
	var res hashing.Result
	if resolved, err := filepath.EvalSymlinks(p); err == nil {
		p = resolved
	}
	err := filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			res.Size += info.Size()
			res.NFiles++
		}
		return err
	})
	return res, err
}

// checkOrphans lists files under .lamindb/ that no artifact claims
// (including temporary files of interrupted writes). Candidates are
// confirmed against the records once more before anything is deleted, so
// a save that started during the check keeps its files.
func (in *Instance) checkOrphans(ctx context.Context, claimed map[string]bool, repair bool) ([]Problem, error) {
	var cands []orphanCandidate
	var dirs []string // unclaimed folders, removed with --repair when left empty
	var blobs blob.Store
	if !in.caps().LocalPath {
		var err error
		if blobs, err = in.bytes(ctx); err != nil {
			return nil, err
		}
		err = blobs.List(ctx, markerDir+"/", func(info blob.Info) error {
			if info.Key == markerKey || claimedBy(claimed, info.Key) {
				return nil
			}
			cands = append(cands, orphanCandidate{key: info.Key, path: storageJoin(in.storage.Root, info.Key)})
			return nil
		})
		if err != nil {
			return nil, err
		}
	} else {
		base := filepath.Join(in.storage.Root, markerDir)
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p != base {
					return nil // removed since its folder was read
				}
				return err
			}
			rel, _ := filepath.Rel(in.storage.Root, p)
			key := filepath.ToSlash(rel)
			if d.IsDir() {
				if claimed[key] {
					return filepath.SkipDir
				}
				if p != base {
					dirs = append(dirs, p)
				}
				return nil
			}
			name := d.Name()
			if filepath.Dir(key) == markerDir && (strings.HasPrefix(name, "lamin.db") || name == "storage_uid.txt") {
				return nil
			}
			if !claimed[key] {
				cands = append(cands, orphanCandidate{key: key, path: p})
			}
			return nil
		})
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	cands, err := in.confirmOrphans(ctx, cands)
	if err != nil {
		return nil, err
	}
	var out []Problem
	for _, c := range cands {
		pr := Problem{Kind: ProblemOrphan, Path: c.path, Message: fmt.Sprintf("%s belongs to no artifact", c.path)}
		if repair {
			if blobs != nil {
				if err := blobs.Delete(ctx, c.key); err == nil {
					pr.Repaired = "deleted"
				}
			} else if err := os.Remove(c.path); err == nil || errors.Is(err, fs.ErrNotExist) {
				pr.Repaired = "deleted"
				in.pruneEmptyParents(filepath.Dir(c.path))
			}
		}
		out = append(out, pr)
	}
	if repair {
		for i := len(dirs) - 1; i >= 0; i-- {
			_ = os.Remove(dirs[i]) // only succeeds when empty
		}
	}
	return out, nil
}

// claimedBy reports whether key or one of its parent folders is claimed.
func claimedBy(claimed map[string]bool, key string) bool {
	for k := key; k != "." && k != "/" && k != ""; k = path.Dir(k) {
		if claimed[k] {
			return true
		}
	}
	return false
}

// runProcess is what _aux records about the process that runs a run.
type runProcess struct {
	PID  int    `json:"pid"`
	Host string `json:"host"`
}

// processAux is the _aux value recorded on a run started by this process
// (or by pid, when the run belongs to a parent such as a shell).
func processAux(pid int) *string {
	host, _ := os.Hostname()
	b, _ := json.Marshal(map[string]runProcess{"process": {PID: pid, Host: host}})
	s := string(b)
	return &s
}

// checkRuns finds runs still marked started whose recorded process on this
// host no longer exists.
func (in *Instance) checkRuns(ctx context.Context, repair bool) ([]Problem, error) {
	runs, err := meta.RunsWithProcess(ctx, in.store, StatusStarted, StatusRestarted)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	var out []Problem
	for _, r := range runs {
		var aux map[string]runProcess
		if json.Unmarshal([]byte(*r.Aux), &aux) != nil {
			continue
		}
		proc, ok := aux["process"]
		if !ok || proc.PID <= 0 || proc.Host != host || processAlive(proc.PID) {
			continue
		}
		pr := Problem{Kind: ProblemStaleRun, UID: r.UID,
			Message: fmt.Sprintf("run %s is still marked started, but its process %d is gone", r.UID, proc.PID)}
		if repair {
			now := time.Now().UTC().Truncate(time.Microsecond)
			code := int64(StatusAborted)
			r.StatusCode, r.FinishedAt = &code, &now
			if err := meta.UpdateRun(ctx, in.store, r); err == nil {
				pr.Repaired = "marked aborted"
			}
		}
		out = append(out, pr)
	}
	return out, nil
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// SortProblems orders problems by kind, then uid and path.
func SortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Kind != ps[j].Kind {
			return ps[i].Kind < ps[j].Kind
		}
		return ps[i].UID+ps[i].Path < ps[j].UID+ps[j].Path
	})
}
