package lamin

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/hashing"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/record"
)

// storedFile is one file found below a folder's storage key.
type storedFile struct {
	rel   string // slash-separated, relative to the folder
	size  int64
	etag  string // S3 only
	local string // local path ("" on S3)
}

// listStored lists every file below the folder at key, temporary names
// included (on local storage they are what an interrupted write leaves).
// A folder that does not exist lists nothing.
func (in *Instance) listStored(ctx context.Context, key string) ([]storedFile, error) {
	var out []storedFile
	if !in.caps().LocalPath {
		blobs, err := in.bytes(ctx)
		if err != nil {
			return nil, err
		}
		err = blobs.List(ctx, key+"/", func(info blob.Info) error {
			out = append(out, storedFile{rel: strings.TrimPrefix(info.Key, key+"/"), size: info.Size, etag: info.ETag})
			return nil
		})
		return out, err
	}
	dir := storageJoin(in.storage.Root, key)
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		dir = resolved
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, storedFile{rel: filepath.ToSlash(rel), size: info.Size(), local: p})
		return nil
	})
	return out, err
}

// folderDiff is how a stored folder differs from its manifest.
type folderDiff struct {
	missing, extra, resized, corrupted []string
}

func (d folderDiff) empty() bool {
	return len(d.missing)+len(d.extra)+len(d.resized)+len(d.corrupted) == 0
}

// String summarizes the differences in one line.
func (d folderDiff) String() string {
	var parts []string
	add := func(names []string, what string) {
		if len(names) == 0 {
			return
		}
		shown := names
		if len(shown) > 3 {
			shown = shown[:3]
		}
		s := fmt.Sprintf("%d %s (%s", len(names), what, strings.Join(shown, ", "))
		if len(names) > 3 {
			s += ", ..."
		}
		parts = append(parts, s+")")
	}
	add(d.missing, "files missing")
	add(d.extra, "files not in its manifest")
	add(d.resized, "files of another size")
	add(d.corrupted, "files whose content hash differs")
	return strings.Join(parts, ", ")
}

// compareFolder compares the files found below a folder with its manifest:
// names and sizes, and with verify the content hashes (re-hashed locally,
// from the ETags on S3).
func compareFolder(ctx context.Context, files []storedFile, manifest []meta.ManifestEntry, verify bool) (folderDiff, error) {
	var d folderDiff
	found := make(map[string]storedFile, len(files))
	for _, f := range files {
		found[f.rel] = f
	}
	for _, m := range manifest {
		f, ok := found[m.Path]
		if !ok {
			d.missing = append(d.missing, m.Path)
			continue
		}
		delete(found, m.Path)
		if f.size != m.Size {
			d.resized = append(d.resized, m.Path)
			continue
		}
		if !verify {
			continue
		}
		same, err := sameContent(ctx, f, m)
		if err != nil {
			return d, err
		}
		if !same {
			d.corrupted = append(d.corrupted, m.Path)
		}
	}
	for rel := range found {
		d.extra = append(d.extra, rel)
	}
	sort.Strings(d.extra)
	return d, nil
}

// sameContent reports whether a stored file has the manifest's hash.
func sameContent(ctx context.Context, f storedFile, m meta.ManifestEntry) (bool, error) {
	if f.local == "" {
		want, err := hashing.ETag(m.Hash, m.HashType)
		if err != nil {
			return false, nil
		}
		return strings.EqualFold(strings.Trim(f.etag, `"`), want), nil
	}
	res, err := hashing.File(ctx, f.local)
	if err != nil {
		return false, err
	}
	return res.Hash == m.Hash, nil
}

// checkFolder compares a folder artifact that has a manifest with its
// stored files, by path. handled is false for folders saved before
// manifests, which keep the total-size and md5-d checks.
func (in *Instance) checkFolder(ctx context.Context, a *record.Artifact, p string, verify bool) (pr Problem, ok, handled bool) {
	manifest, has, err := meta.Manifest(ctx, in.store, a.ID)
	if err != nil {
		return Problem{Kind: ProblemMissing, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s: %v", a.UID, err)}, false, true
	}
	if !has {
		return in.checkOldFolder(ctx, a, p)
	}
	files, err := in.listStored(ctx, StorageKey(a))
	if err != nil {
		return Problem{Kind: ProblemMissing, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s: cannot read %s: %v", a.UID, p, err)}, false, true
	}
	if len(files) == 0 {
		return Problem{Kind: ProblemMissing, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s has no bytes at %s", a.UID, p)}, false, true
	}
	d, err := compareFolder(ctx, files, manifest, verify)
	if err != nil {
		return Problem{Kind: ProblemMissing, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s: cannot read %s: %v", a.UID, p, err)}, false, true
	}
	if d.empty() {
		return Problem{}, true, true
	}
	kind := ProblemChanged
	switch {
	case len(d.missing) > 0:
		kind = ProblemMissing
	case len(d.extra)+len(d.resized) == 0:
		kind = ProblemCorrupted
	}
	return Problem{Kind: kind, UID: a.UID, Path: p, Message: fmt.Sprintf("artifact %s: the folder %s differs from its record: %s", a.UID, p, d)}, false, true
}

// checkOldFolder looks for what md5-d cannot see in a folder saved before
// manifests: files under the temporary names of an interrupted write. The
// rest of its check is by total size and md5-d (handled is false then).
func (in *Instance) checkOldFolder(ctx context.Context, a *record.Artifact, p string) (pr Problem, ok, handled bool) {
	if !in.caps().LocalPath {
		return Problem{}, true, false
	}
	files, err := in.listStored(ctx, StorageKey(a))
	if err != nil {
		return Problem{}, true, false
	}
	var tmp []string
	for _, f := range files {
		if tempBase(path.Base(f.rel)) != "" {
			tmp = append(tmp, f.rel)
		}
	}
	if len(tmp) == 0 {
		return Problem{}, true, false
	}
	d := folderDiff{extra: tmp}
	return Problem{Kind: ProblemChanged, UID: a.UID, Path: p,
		Message: fmt.Sprintf("artifact %s: the folder %s holds temporary files of an interrupted write: %s", a.UID, p, d)}, false, true
}

// tempBase returns the name a temporary file of an interrupted local write
// was going to get (".<base>.tmp-<random>" -> "<base>"), or "" for other names.
func tempBase(name string) string {
	if !strings.HasPrefix(name, ".") {
		return ""
	}
	i := strings.LastIndex(name, ".tmp-")
	if i <= 1 {
		return ""
	}
	return name[1:i]
}

// settleLocalFolder finishes the renames of an interrupted folder write on
// local storage: every manifest file missing (or wrong) under its own name
// is taken from a temporary file next to it whose size and hash match it.
// With pruneAll, files not in the manifest are removed afterwards (the
// folder belongs to an unfinished save); otherwise only temporary names
// are. It returns how many files it renamed.
func settleLocalFolder(ctx context.Context, dir string, manifest []meta.ManifestEntry, pruneAll bool) (int, error) {
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		dir = resolved
	}
	want := make(map[string]meta.ManifestEntry, len(manifest))
	for _, m := range manifest {
		want[m.Path] = m
	}
	renamed := 0
	for _, m := range manifest {
		dst := filepath.Join(dir, filepath.FromSlash(m.Path))
		if ok, err := fileMatches(ctx, dst, m); err != nil || ok {
			if err != nil {
				return renamed, err
			}
			continue
		}
		parent := filepath.Dir(dst)
		entries, err := os.ReadDir(parent)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return renamed, err
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || tempBase(e.Name()) != path.Base(m.Path) {
				continue
			}
			tmp := filepath.Join(parent, e.Name())
			if ok, err := fileMatches(ctx, tmp, m); err != nil || !ok {
				continue
			}
			if err := os.Rename(tmp, dst); err != nil {
				return renamed, err
			}
			renamed++
			if err := blob.SyncDir(parent); err != nil {
				return renamed, err
			}
			break
		}
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if _, ok := want[filepath.ToSlash(rel)]; ok {
			return nil
		}
		if pruneAll || tempBase(d.Name()) != "" {
			return os.Remove(p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return renamed, err
	}
	removeEmptyDirs(dir)
	return renamed, nil
}

// fileMatches reports whether the local file p has the size and hash of m.
func fileMatches(ctx context.Context, p string, m meta.ManifestEntry) (bool, error) {
	st, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && (!st.Mode().IsRegular() || st.Size() != m.Size)) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	res, err := hashing.File(ctx, p)
	if err != nil {
		return false, nil
	}
	return res.Hash == m.Hash, nil
}

// removeEmptyDirs removes the empty folders below dir (dir itself is kept).
func removeEmptyDirs(dir string) {
	var dirs []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && p != dir {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		_ = os.Remove(dirs[i]) // fails, as it should, when not empty
	}
}

// removeLocalBytes removes a file or folder below the managed folder of a
// local storage root, with the temporary files of interrupted writes next
// to it, and then the folders this leaves empty (up to .lamindb/).
func (in *Instance) removeLocalBytes(key string) error {
	p := storageJoin(in.storage.Root, key)
	if err := os.RemoveAll(p); err != nil {
		return err
	}
	in.removeTempSiblings(p)
	in.pruneEmptyParents(filepath.Dir(p))
	return nil
}

// removeTempSiblings removes the temporary files that interrupted writes
// of the local path p left next to it.
func (in *Instance) removeTempSiblings(p string) {
	parent := filepath.Dir(p)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if tempBase(e.Name()) == filepath.Base(p) {
			_ = os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

// pruneEmptyParents removes dir and its parents while they are empty,
// stopping at the storage root's managed folder, which stays.
func (in *Instance) pruneEmptyParents(dir string) {
	stop := filepath.Join(in.storage.Root, markerDir)
	for strings.HasPrefix(dir, stop+string(filepath.Separator)) {
		if err := os.Remove(dir); err != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// removeUnclaimedBytes deletes the bytes at key unless a record claims them
// (versions of a folder share one key). Failures are left to `lamin check`.
func (in *Instance) removeUnclaimedBytes(ctx context.Context, key string) {
	if in.keyClaimed(ctx, key) {
		return
	}
	if !in.caps().LocalPath {
		_ = in.deleteBytes(ctx, key)
		return
	}
	if strings.HasPrefix(key, markerDir+"/") {
		_ = in.removeLocalBytes(key)
	}
}

// keyClaimed reports whether some record of the storage keeps its bytes at
// key (on error it answers yes, so that nothing is deleted on a guess).
func (in *Instance) keyClaimed(ctx context.Context, key string) bool {
	rows, err := meta.ArtifactsNamingKey(ctx, in.store, in.storage.ID, key, uidFromKey(key))
	if err != nil {
		return true
	}
	for _, r := range rows {
		if StorageKey(r) == key {
			return true
		}
	}
	return false
}

// uidFromKey returns the uid (or stem) a managed key is named after.
func uidFromKey(key string) string {
	base := path.Base(key)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	if base == "" || base == "." {
		return "\x00"
	}
	return base
}
