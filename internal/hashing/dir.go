package hashing

import (
	"context"
	"crypto/md5"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Dir hashes the folder at path. Every regular file below it, at any depth,
// is hashed with File, and the per-file hashes are combined with Strings;
// the result has type "md5-d", Size is the total size of the files, and
// NFiles their number. Files are hashed in parallel.
//
// Symbolic links inside the folder are not followed: a link to a file is not
// hashed and a link to a directory is not descended into. Other non-regular
// entries (devices, sockets, named pipes) are also ignored. The folder itself
// may be given as a symbolic link. An unreadable file or directory fails the
// whole hash with an error naming its path, and a folder without regular
// files is an error.
func Dir(ctx context.Context, path string) (Result, error) {
	res, _, err := hashDirFiles(ctx, path, os.Open)
	return res, err
}

// FileResult is the hash of one file of a folder, by its slash-separated
// path relative to the folder.
type FileResult struct {
	Path string
	Result
}

// DirFiles is Dir that also returns the hash of every file it combined, in
// lexical path order: the folder's manifest.
func DirFiles(ctx context.Context, path string) (Result, []FileResult, error) {
	return hashDirFiles(ctx, path, os.Open)
}

func hashDir(ctx context.Context, path string, open openFunc) (Result, error) {
	res, _, err := hashDirFiles(ctx, path, open)
	return res, err
}

func hashDirFiles(ctx context.Context, path string, open openFunc) (Result, []FileResult, error) {
	root := path
	st, err := os.Lstat(path)
	if err != nil {
		return Result{}, nil, err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		if root, err = filepath.EvalSymlinks(path); err != nil {
			return Result{}, nil, err
		}
		if st, err = os.Stat(root); err != nil {
			return Result{}, nil, err
		}
	}
	if !st.IsDir() {
		return Result{}, nil, fmt.Errorf("hash folder %s: not a directory", path)
	}

	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return Result{}, nil, err
	}
	if len(files) == 0 {
		return Result{}, nil, fmt.Errorf("folder %s contains no files", path)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		hashes   = make([]string, len(files))
		sizes    = make([]int64, len(files))
		types    = make([]string, len(files))
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	lim := newLimiter()
	workers := min(runtime.GOMAXPROCS(0), len(files))
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				res, err := hashFile(ctx, files[i], open, lim)
				if err != nil {
					errOnce.Do(func() {
						firstErr = err
						cancel()
					})
					return
				}
				hashes[i], sizes[i], types[i] = res.Hash, res.Size, res.Type
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return Result{}, nil, firstErr
	}
	var total int64
	out := make([]FileResult, len(files))
	for i, s := range sizes {
		total += s
		rel, err := filepath.Rel(root, files[i])
		if err != nil {
			return Result{}, nil, err
		}
		out[i] = FileResult{Path: filepath.ToSlash(rel), Result: Result{Hash: hashes[i], Type: types[i], Size: s}}
	}
	slices.SortFunc(out, func(a, b FileResult) int { return strings.Compare(a.Path, b.Path) })
	return Result{Hash: Strings(hashes), Type: TypeDir, Size: total, NFiles: int64(len(files))}, out, nil
}

// Strings combines per-file hash strings into a folder hash: the strings are
// sorted ascending, the raw MD5 digests of their UTF-8 bytes are
// concatenated, and the MD5 of that concatenation is encoded. Dir uses it
// with file hashes; for S3 folders it is applied to the objects' ETags. The
// input slice is not modified.
func Strings(hashes []string) string {
	sorted := slices.Clone(hashes)
	slices.Sort(sorted)
	h := md5.New()
	for _, s := range sorted {
		d := md5.Sum([]byte(s))
		h.Write(d[:])
	}
	return Encode(h.Sum(nil))
}

// HashSet returns the hash of a set of hash strings: they are sorted, joined
// with ":", and the MD5 of the result is encoded. A repeated hash is an
// error. Empty strings are not special here; callers drop them beforehand.
// The input slice is not modified.
func HashSet(hashes []string) (string, error) {
	sorted := slices.Clone(hashes)
	slices.Sort(sorted)
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return "", fmt.Errorf("hash set contains %q more than once", sorted[i])
		}
	}
	return Bytes([]byte(strings.Join(sorted, ":"))), nil
}
