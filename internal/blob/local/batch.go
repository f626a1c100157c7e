package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/lamin-go/lamin/internal/blob"
	"golang.org/x/sys/unix"
)

// staged is a file copied to its temporary name, not yet renamed.
type staged struct {
	tmp, dst, dir string
}

// PutFilesFrom stores many local files with one durability barrier: every
// file is copied to a temporary name (several at a time), the filesystem
// is synced once, then the files are renamed into place and each touched
// directory is synced. On error nothing of the batch stays visible, with
// one exception: when a temporary file vanished before its rename, another
// process (a repair that took the write over) has moved or removed the
// batch's files, and they are left to it.
func (s *Store) PutFilesFrom(ctx context.Context, items []blob.FileItem) (err error) {
	for _, it := range items {
		if err := validKey(it.Key); err != nil {
			return err
		}
	}
	st := make([]staged, len(items))
	var renamed int
	takenOver := false
	defer func() {
		if err == nil || takenOver {
			return
		}
		for i, x := range st {
			if x.tmp == "" {
				continue
			}
			if i < renamed {
				os.Remove(x.dst)
			} else {
				os.Remove(x.tmp)
			}
			s.prune(x.dir)
		}
	}()
	if err := s.stageAll(ctx, items, st); err != nil {
		return err
	}
	root, err := os.Open(s.root)
	if err != nil {
		return err
	}
	err = unix.Syncfs(int(root.Fd()))
	root.Close()
	if err != nil {
		return fmt.Errorf("sync %s: %w", s.root, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dirs := map[string]bool{}
	for i, x := range st {
		if err := os.Rename(x.tmp, x.dst); err != nil {
			if _, serr := os.Lstat(x.tmp); errors.Is(serr, fs.ErrNotExist) {
				takenOver = true
				return fmt.Errorf("put %s: its temporary file was moved or removed by another process: %w", items[i].Key, err)
			}
			return fmt.Errorf("put %s: %w", items[i].Key, err)
		}
		renamed = i + 1
		dirs[x.dir] = true
	}
	for d := range dirs {
		if err := blob.SyncDir(d); err != nil {
			return fmt.Errorf("sync directory after rename: %w", err)
		}
	}
	return nil
}

// stageAll copies every item to its temporary name with a few workers.
func (s *Store) stageAll(ctx context.Context, items []blob.FileItem, st []staged) error {
	const workers = 4
	jobs := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				x, err := s.stage(ctx, items[i])
				st[i] = x
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var first error
feed:
	for i := range items {
		select {
		case jobs <- i:
		case first = <-errs:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if first == nil {
		first = <-errs
	}
	return first
}

// stage copies one file to a temporary name next to its destination.
func (s *Store) stage(ctx context.Context, it blob.FileItem) (staged, error) {
	if err := ctx.Err(); err != nil {
		return staged{}, err
	}
	dst := s.path(it.Key)
	dir := filepath.Dir(dst)
	src, err := os.Open(it.Path)
	if err != nil {
		return staged{}, fmt.Errorf("put %s: %w", it.Key, err)
	}
	defer src.Close()
	f, err := s.createTemp(dir, filepath.Base(dst))
	if err != nil {
		s.prune(dir)
		return staged{}, fmt.Errorf("put %s: %w", it.Key, err)
	}
	x := staged{tmp: f.Name(), dst: dst, dir: dir}
	_, err = io.Copy(f, src)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return x, fmt.Errorf("put %s: %w", it.Key, err)
	}
	return x, nil
}
