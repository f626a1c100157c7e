package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lamin-go/lamin/internal/blob"
)

// Download writes the object at key to the local file dst. Objects larger
// than the part size are fetched with up to Concurrency ranged GETs at
// once. The content goes to a temporary file in dst's directory, which is
// synced and renamed over dst, so dst is never partially written and
// concurrent downloads of the same key to the same dst are safe. Every
// request is conditional on the ETag seen first, so an object replaced
// during the download is an error rather than a mix of two versions.
// dst's parent directories are created as needed; a missing key yields an
// error wrapping blob.ErrNotFound and leaves dst untouched.
func (s *Store) Download(ctx context.Context, key, dst string) error {
	obj, err := s.ObjectKey(key)
	if err != nil {
		return err
	}
	if err := s.download(ctx, key, obj, dst); err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return err
		}
		return fmt.Errorf("download %s: %w", key, err)
	}
	return nil
}

func (s *Store) download(ctx context.Context, key, obj, dst string) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	head, err := s.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &s.cfg.Bucket, Key: &obj})
	if err != nil {
		return opError("download", key, err)
	}
	size := aws.ToInt64(head.ContentLength)
	etag := aws.ToString(head.ETag)

	dir, base := filepath.Split(dst)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, blob.TempPattern(base))
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()

	prog := s.newProgress(size)
	prog.start()
	if size <= s.cfg.PartSize {
		err = s.getRange(ctx, obj, etag, f, 0, size, false, prog)
	} else {
		err = s.getParallel(ctx, obj, etag, f, size, prog)
	}
	if err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	if err := blob.SyncDir(dir); err != nil {
		return fmt.Errorf("sync directory after rename: %w", err)
	}
	return nil
}

// getParallel fetches size bytes in ranges of the part size, up to
// Concurrency at once, writing each at its offset in f.
func (s *Store) getParallel(ctx context.Context, obj, etag string, f *os.File, size int64, prog *progress) error {
	if err := f.Truncate(size); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	offsets := make(chan int64)
	for range s.cfg.Concurrency {
		wg.Go(func() {
			for off := range offsets {
				if ctx.Err() != nil {
					continue
				}
				n := min(s.cfg.PartSize, size-off)
				if err := s.getRange(ctx, obj, etag, f, off, n, true, prog); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
						cancel()
					}
					mu.Unlock()
				}
			}
		})
	}
	for off := int64(0); off < size; off += s.cfg.PartSize {
		select {
		case offsets <- off:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(offsets)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// getRange copies n bytes of the object starting at off into f at the same
// offset, requiring the object's ETag to still be etag. ranged selects a
// Range request; otherwise the whole object is fetched.
func (s *Store) getRange(ctx context.Context, obj, etag string, f *os.File, off, n int64, ranged bool, prog *progress) error {
	in := &awss3.GetObjectInput{Bucket: &s.cfg.Bucket, Key: &obj}
	if etag != "" {
		in.IfMatch = aws.String(etag)
	}
	if ranged {
		in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		if httpStatus(err) == 412 {
			return fmt.Errorf("object changed during download: %w", err)
		}
		return err
	}
	defer out.Body.Close()
	w := &progressWriter{w: io.NewOffsetWriter(f, off), add: prog.add}
	got, err := io.Copy(w, io.LimitReader(blob.ContextReader(ctx, out.Body), n+1))
	if err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("object changed during download: got %d bytes at offset %d, expected %d", got, off, n)
	}
	return nil
}

// progressWriter reports the bytes written through it.
type progressWriter struct {
	w   io.Writer
	add func(int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.add(int64(n))
	return n, err
}
