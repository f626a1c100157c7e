package hashing

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

// bufSize is the read size used while hashing. Large reads keep the cost of
// each ReadAt call and of the cancellation checks between chunks negligible.
const bufSize = 1 << 20

var bufPool = sync.Pool{
	New: func() any {
		b := make([]byte, bufSize)
		return &b
	},
}

// limiter bounds how many ranges are hashed at once, and so how many read
// buffers are live, across all files hashed by one call to File, Reader or
// Dir.
type limiter chan struct{}

func newLimiter() limiter {
	return make(limiter, runtime.GOMAXPROCS(0))
}

func (l limiter) acquire(ctx context.Context) error {
	select {
	case l <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l limiter) release() { <-l }

// Reader hashes size bytes of r starting at offset 0, using the same
// algorithm as File: a single MD5 if size <= PartSize, otherwise a multipart
// MD5 over parts of PartSizeFor(size) bytes, hashed in parallel. It returns
// an error wrapping ErrChanged if r holds fewer or more than size bytes.
func Reader(ctx context.Context, r io.ReaderAt, size int64) (Result, error) {
	return hashReader(ctx, r, size, newLimiter())
}

// File hashes the regular file at path (see Reader for the algorithm). The
// file is stat'ed once before and once after hashing; if its size or
// modification time changed, or it could not be read to exactly the size
// first reported, File returns an error wrapping ErrChanged.
func File(ctx context.Context, path string) (Result, error) {
	return hashFile(ctx, path, os.Open, newLimiter())
}

// openFunc opens a file for reading; tests substitute failing openers.
type openFunc func(name string) (*os.File, error)

func hashFile(ctx context.Context, path string, open openFunc, lim limiter) (Result, error) {
	f, err := open(path)
	if err != nil {
		return Result{}, pathError(path, err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return Result{}, pathError(path, err)
	}
	if !before.Mode().IsRegular() {
		return Result{}, fmt.Errorf("hash %s: not a regular file (mode %s)", path, before.Mode().Type())
	}
	res, err := hashReader(ctx, f, before.Size(), lim)
	if err != nil {
		return Result{}, pathError(path, err)
	}
	after, err := f.Stat()
	if err != nil {
		return Result{}, pathError(path, err)
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		return Result{}, pathError(path, ErrChanged)
	}
	return res, nil
}

// pathError makes sure err names path. Errors from the os package already
// do; others are wrapped.
func pathError(path string, err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok && pe.Path == path {
		return err
	}
	return fmt.Errorf("hash %s: %w", path, err)
}

func hashReader(ctx context.Context, r io.ReaderAt, size int64, lim limiter) (Result, error) {
	if size < 0 {
		return Result{}, fmt.Errorf("invalid size %d", size)
	}
	if size <= PartSize {
		d, err := hashRange(ctx, r, 0, size, lim)
		if err != nil {
			return Result{}, err
		}
		if err := checkEnd(r, size); err != nil {
			return Result{}, err
		}
		return Result{Hash: Encode(d[:]), Type: TypeMD5, Size: size}, nil
	}

	partSize := PartSizeFor(size)
	nParts := (size + partSize - 1) / partSize
	digests := make([]byte, nParts*md5.Size)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		errOnce.Do(func() {
			firstErr = err
			cancel()
		})
	}
	workers := min(int64(runtime.GOMAXPROCS(0)), nParts)
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= nParts {
					return
				}
				start := i * partSize
				d, err := hashRange(ctx, r, start, min(start+partSize, size), lim)
				if err != nil {
					fail(err)
					return
				}
				copy(digests[i*md5.Size:], d[:])
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return Result{}, firstErr
	}
	if err := checkEnd(r, size); err != nil {
		return Result{}, err
	}
	d := md5.Sum(digests)
	return Result{Hash: Encode(d[:]), Type: multipartType(nParts), Size: size}, nil
}

// hashRange returns the MD5 of bytes [start, end) of r. It checks ctx before
// every chunk and fails with ErrChanged if r ends before end.
func hashRange(ctx context.Context, r io.ReaderAt, start, end int64, lim limiter) ([md5.Size]byte, error) {
	var sum [md5.Size]byte
	if err := lim.acquire(ctx); err != nil {
		return sum, err
	}
	defer lim.release()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp

	h := md5.New()
	for off := start; off < end; {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		want := int(min(int64(len(buf)), end-off))
		n, err := r.ReadAt(buf[:want], off)
		h.Write(buf[:n])
		off += int64(n)
		if n < want {
			if err == nil || errors.Is(err, io.EOF) {
				return sum, fmt.Errorf("%w: content ended at byte %d, expected %d bytes", ErrChanged, off, end)
			}
			return sum, err
		}
	}
	h.Sum(sum[:0])
	return sum, nil
}

// checkEnd fails with ErrChanged if r has data at offset size, meaning the
// content grew while it was being hashed.
func checkEnd(r io.ReaderAt, size int64) error {
	var b [1]byte
	if n, _ := r.ReadAt(b[:], size); n > 0 {
		return fmt.Errorf("%w: content extends beyond the expected %d bytes", ErrChanged, size)
	}
	return nil
}
