package lamin

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamin-go/lamin/internal/hashing"
	"github.com/lamin-go/lamin/record"
)

// cheapHashSize is the largest file whose hash reads verify on every read:
// hashing it costs about as much as opening it. Larger files are compared
// by size unless a hash check is asked for.
const cheapHashSize = 8 << 20

// errOutsideRoot marks bytes of an artifact that resolve outside the
// storage root (a symlink swapped in behind the record).
var errOutsideRoot = errors.New("resolves outside the storage root")

// insideRoot reports whether the local path p, with every symlink resolved,
// stays inside the storage root (also resolved). It returns the resolved
// path.
func (in *Instance) insideRoot(p string) (string, bool, error) {
	root := in.storage.Root
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", false, err
	}
	return resolved, within(root, resolved), nil
}

// within reports whether p is root or below it (both cleaned, absolute).
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// escapingLink finds the first entry below the folder dir that is a symlink
// resolving outside root ("" when none).
func escapingLink(root, dir string) (string, error) {
	var bad string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := filepath.EvalSymlinks(p)
		if err != nil || !within(root, target) {
			bad = p
			return filepath.SkipAll
		}
		return nil
	})
	return bad, err
}

// verifyLocal checks the local bytes of an artifact at p before they are
// handed out: they must resolve inside the storage root and have the
// recorded size, and, for small files or when hashes are asked for, the
// recorded hash. Errors are complete one-line messages: ErrPermission for
// bytes outside the root, ErrConflict for bytes that differ from the record.
func (in *Instance) verifyLocal(ctx context.Context, a *record.Artifact, p string, hash bool) error {
	resolved, ok, err := in.insideRoot(p)
	if errors.Is(err, fs.ErrNotExist) {
		return notFoundf("bytes are missing at %s; run `lamin check` to find what else is missing", p)
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	if !ok {
		return &userError{cat: ErrPermission, msg: fmt.Sprintf(
			"artifact %s: %s %s (it points to %s); refusing to read it: restore the original file or re-save it", a.UID, p, errOutsideRoot, resolved)}
	}
	st, err := os.Stat(resolved)
	if err != nil {
		return notFoundf("bytes are missing at %s; run `lamin check` to find what else is missing", p)
	}
	if st.IsDir() {
		root := in.storage.Root
		if r, err := filepath.EvalSymlinks(root); err == nil {
			root = r
		}
		bad, err := escapingLink(root, resolved)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		if bad != "" {
			return &userError{cat: ErrPermission, msg: fmt.Sprintf(
				"artifact %s: %s %s; refusing to read the folder: remove the link or re-save the folder", a.UID, bad, errOutsideRoot)}
		}
	}
	if a.Size == nil {
		return nil
	}
	var res hashing.Result
	switch {
	case st.IsDir() && hash:
		res, err = hashing.Dir(ctx, resolved)
	case st.IsDir():
		res, err = dirSize(resolved)
	case hash || st.Size() <= cheapHashSize:
		res, err = hashing.File(ctx, resolved)
		hash = true
	default:
		res = hashing.Result{Size: st.Size()}
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	if res.Size != *a.Size {
		return modifiedf(a, p, fmt.Sprintf("it has %d bytes, the record says %d", res.Size, *a.Size))
	}
	if hash && a.Hash != nil && res.Hash != *a.Hash && (a.HashType == nil || *a.HashType == res.Type) {
		return modifiedf(a, p, fmt.Sprintf("its content hashes to %s, the record says %s", res.Hash, *a.Hash))
	}
	return nil
}

// verifyDownload compares a downloaded copy of a remote file artifact with
// the record's size.
func verifyDownload(a *record.Artifact, p string) error {
	if a.Size == nil || a.NFiles != nil {
		return nil
	}
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	if st.Size() != *a.Size {
		return modifiedf(a, p, fmt.Sprintf("it has %d bytes, the record says %d", st.Size(), *a.Size))
	}
	return nil
}

func modifiedf(a *record.Artifact, p, why string) error {
	return conflictf("artifact %s was modified: %s; restore the original bytes or save the new content as a new version (`lamin check` lists every such artifact)", a.UID, why+" ("+p+")")
}

// checkInsideRoot is Check's view of verifyLocal's first test: bytes that
// resolve outside the storage root are reported as modified.
func (in *Instance) checkInsideRoot(a *record.Artifact, p string, isDir bool) (Problem, bool) {
	resolved, ok, err := in.insideRoot(p)
	bad := ""
	switch {
	case err != nil:
		return Problem{}, true // the size check below reports it
	case !ok:
		bad = fmt.Sprintf("%s points to %s", p, resolved)
	case isDir:
		root := in.storage.Root
		if r, err := filepath.EvalSymlinks(root); err == nil {
			root = r
		}
		if link, err := escapingLink(root, resolved); err == nil && link != "" {
			bad = fmt.Sprintf("%s is a link", link)
		}
	}
	if bad == "" {
		return Problem{}, true
	}
	return Problem{Kind: ProblemChanged, UID: a.UID, Path: p,
		Message: fmt.Sprintf("artifact %s was modified: %s, outside the storage root", a.UID, bad)}, false
}
