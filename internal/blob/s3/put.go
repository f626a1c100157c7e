package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/hashing"
)

// Put implements blob.Store. Content of at most the part size is read
// into memory and written with one PutObject; larger content is written as
// a multipart upload with parts of exactly the part size (the last one
// shorter), up to Concurrency parts at a time, each buffered in memory.
// On any error, including a size mismatch or a cancelled context, the
// multipart upload is aborted and nothing is stored. The returned ETag is
// the one the service reported.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) (blob.Info, error) {
	obj, err := s.ObjectKey(key)
	if err != nil {
		return blob.Info{}, err
	}
	info, err := s.putReader(ctx, obj, blob.ContextReader(ctx, r), size)
	if err != nil {
		return blob.Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	info.Key = key
	return info, nil
}

// PutFileFrom implements blob.FilePutter. It works like Put, but the parts
// of a multipart upload are read from the file with ReadAt instead of
// being buffered. A file that changes size during the upload is an error
// and nothing is stored.
func (s *Store) PutFileFrom(ctx context.Context, key, path string) (blob.Info, error) {
	obj, err := s.ObjectKey(key)
	if err != nil {
		return blob.Info{}, err
	}
	info, err := s.putFile(ctx, obj, path)
	if err != nil {
		return blob.Info{}, fmt.Errorf("put file %s: %w", key, err)
	}
	info.Key = key
	return info, nil
}

func (s *Store) putFile(ctx context.Context, obj, path string) (blob.Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return blob.Info{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return blob.Info{}, err
	}
	if !fi.Mode().IsRegular() {
		return blob.Info{}, fmt.Errorf("%s is not a regular file", path)
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, err
	}
	size := fi.Size()
	prog := s.newProgress(size)
	prog.start()
	if size <= s.cfg.PartSize {
		body := io.NewSectionReader(f, 0, size)
		sum, err := md5Of(ctx, body, size)
		if err != nil {
			return blob.Info{}, err
		}
		if err := checkEnd(f, size); err != nil {
			return blob.Info{}, err
		}
		return s.putSingle(ctx, obj, body, size, sum, prog)
	}
	partSize, err := s.partSizeFor(size)
	if err != nil {
		return blob.Info{}, err
	}
	return s.putMultipart(ctx, obj, &fileParts{f: f, size: size, partSize: partSize}, prog)
}

// putReader stores size bytes of r (any number if size < 0) at obj.
func (s *Store) putReader(ctx context.Context, obj string, r io.Reader, size int64) (blob.Info, error) {
	if err := ctx.Err(); err != nil {
		return blob.Info{}, err
	}
	prog := s.newProgress(max(size, -1))
	prog.start()
	ps := s.cfg.PartSize
	switch {
	case size >= 0 && size <= ps:
		buf := make([]byte, size)
		if n, err := io.ReadFull(r, buf); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return blob.Info{}, sizeError(int64(n), size)
			}
			return blob.Info{}, err
		}
		if err := expectEOF(r, size); err != nil {
			return blob.Info{}, err
		}
		return s.putSingle(ctx, obj, bytes.NewReader(buf), size, md5.Sum(buf), prog)
	case size < 0:
		head, err := io.ReadAll(io.LimitReader(r, ps+1))
		if err != nil {
			return blob.Info{}, err
		}
		if n := int64(len(head)); n <= ps {
			return s.putSingle(ctx, obj, bytes.NewReader(head), n, md5.Sum(head), prog)
		}
		src := &readerParts{
			s:        s,
			r:        io.MultiReader(bytes.NewReader(head[ps:]), r),
			size:     -1,
			partSize: ps,
			first:    head[:ps],
		}
		return s.putMultipart(ctx, obj, src, prog)
	default:
		partSize, err := s.partSizeFor(size)
		if err != nil {
			return blob.Info{}, err
		}
		return s.putMultipart(ctx, obj, &readerParts{s: s, r: r, size: size, partSize: partSize}, prog)
	}
}

// partSizeFor returns the part size for an object of size bytes: the
// configured part size unless that would need more than hashing.MaxParts
// parts, in which case it grows the way hashing.PartSizeFor does.
func (s *Store) partSizeFor(size int64) (int64, error) {
	ps := s.cfg.PartSize
	if ps == hashing.PartSize {
		ps = hashing.PartSizeFor(size)
	} else if size > hashing.MaxParts*ps {
		ps = (size + hashing.MaxParts - 1) / hashing.MaxParts
		ps = (ps + MinPartSize - 1) / MinPartSize * MinPartSize
	}
	if ps > MaxPartSize {
		return 0, fmt.Errorf("%d bytes is too large for one S3 object", size)
	}
	return ps, nil
}

// putSingle writes size bytes of body, whose MD5 is sum, with one
// PutObject.
func (s *Store) putSingle(ctx context.Context, obj string, body io.ReadSeeker, size int64, sum [md5.Size]byte, prog *progress) (blob.Info, error) {
	if err := ctx.Err(); err != nil {
		return blob.Info{}, err
	}
	out, err := s.client.PutObject(ctx, &awss3.PutObjectInput{
		Bucket:        &s.cfg.Bucket,
		Key:           &obj,
		Body:          &countingBody{r: body, add: prog.add},
		ContentLength: aws.Int64(size),
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	}, unsignedPayload)
	if err != nil {
		return blob.Info{}, err
	}
	return blob.Info{Size: size, ETag: trimETag(aws.ToString(out.ETag)), ModTime: serverTime(out.ResultMetadata)}, nil
}

// part is one part of a multipart upload.
type part struct {
	num     int32 // 1-based part number
	size    int64
	body    io.ReadSeeker // positioned at the part's start
	release func()        // returns the part's buffer, if any
}

func (p part) done() {
	if p.release != nil {
		p.release()
	}
}

// partSource yields the parts of one upload in order.
type partSource interface {
	// next returns the next part, or ok == false after the last one.
	next() (p part, ok bool, err error)
	// finish is called after every part was uploaded and checks that the
	// source holds no more content than was uploaded.
	finish() error
}

// putMultipart uploads the parts of src to obj as a multipart upload and
// completes it, or aborts it on any error.
func (s *Store) putMultipart(ctx context.Context, obj string, src partSource, prog *progress) (blob.Info, error) {
	created, err := s.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: &s.cfg.Bucket, Key: &obj})
	if err != nil {
		return blob.Info{}, fmt.Errorf("starting multipart upload: %w", err)
	}
	uploadID := aws.ToString(created.UploadId)

	partCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu        sync.Mutex
		firstErr  error
		completed []types.CompletedPart
		total     int64
		wg        sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	parts := make(chan part)
	for range s.cfg.Concurrency {
		wg.Go(func() {
			for p := range parts {
				if partCtx.Err() == nil {
					cp, err := s.uploadPart(partCtx, obj, uploadID, p, prog)
					if err != nil {
						fail(err)
					} else {
						mu.Lock()
						completed = append(completed, cp)
						mu.Unlock()
					}
				}
				p.done()
			}
		})
	}
produce:
	for {
		p, ok, err := src.next()
		if err != nil {
			fail(err)
			break
		}
		if !ok {
			break
		}
		total += p.size
		select {
		case parts <- p:
		case <-partCtx.Done():
			p.done()
			break produce
		}
	}
	close(parts)
	wg.Wait()

	err = firstErr
	if err == nil {
		err = src.finish()
	}
	if err == nil {
		err = ctx.Err()
	}
	var out *awss3.CompleteMultipartUploadOutput
	if err == nil {
		slices.SortFunc(completed, func(a, b types.CompletedPart) int {
			return int(aws.ToInt32(a.PartNumber) - aws.ToInt32(b.PartNumber))
		})
		out, err = s.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{
			Bucket:          &s.cfg.Bucket,
			Key:             &obj,
			UploadId:        &uploadID,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: completed},
		})
		if err != nil {
			err = fmt.Errorf("completing multipart upload: %w", err)
		}
	}
	if err != nil {
		return blob.Info{}, s.abort(ctx, obj, uploadID, err)
	}
	return blob.Info{Size: total, ETag: trimETag(aws.ToString(out.ETag)), ModTime: serverTime(out.ResultMetadata)}, nil
}

// abort aborts a multipart upload after cause made it fail, even if ctx is
// done, and returns cause, noting a failure to abort.
func (s *Store) abort(ctx context.Context, obj, uploadID string, cause error) error {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.abortWait)
	defer cancel()
	_, err := s.client.AbortMultipartUpload(actx, &awss3.AbortMultipartUploadInput{
		Bucket:   &s.cfg.Bucket,
		Key:      &obj,
		UploadId: &uploadID,
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("%w (aborting multipart upload %s also failed: %s)", cause, uploadID, oneLine(err.Error()))
	}
	return cause
}

// uploadPart computes the MD5 of one part and uploads it with that
// Content-MD5, so the service rejects a part that changed in between.
func (s *Store) uploadPart(ctx context.Context, obj, uploadID string, p part, prog *progress) (types.CompletedPart, error) {
	sum, err := md5Of(ctx, p.body, p.size)
	if err != nil {
		return types.CompletedPart{}, fmt.Errorf("part %d: %w", p.num, err)
	}
	out, err := s.client.UploadPart(ctx, &awss3.UploadPartInput{
		Bucket:        &s.cfg.Bucket,
		Key:           &obj,
		UploadId:      &uploadID,
		PartNumber:    aws.Int32(p.num),
		Body:          &countingBody{r: p.body, add: prog.add},
		ContentLength: aws.Int64(p.size),
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	}, unsignedPayload)
	if err != nil {
		return types.CompletedPart{}, fmt.Errorf("part %d: %w", p.num, err)
	}
	return types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(p.num)}, nil
}

// md5Of returns the MD5 of the size bytes of r and seeks r back to its
// start. Fewer or more bytes than size are an error.
func md5Of(ctx context.Context, r io.ReadSeeker, size int64) ([md5.Size]byte, error) {
	var sum [md5.Size]byte
	if br, ok := r.(*bytes.Reader); ok && br.Size() == size && br.Len() == int(size) {
		// In-memory parts need no copy: hash the reader's bytes in place.
		h := md5.New()
		if _, err := br.WriteTo(h); err != nil {
			return sum, err
		}
		h.Sum(sum[:0])
		_, err := br.Seek(0, io.SeekStart)
		return sum, err
	}
	h := md5.New()
	buf := make([]byte, 256<<10)
	n, err := io.CopyBuffer(h, io.LimitReader(blob.ContextReader(ctx, r), size+1), buf)
	if err != nil {
		return sum, err
	}
	if n != size {
		return sum, fmt.Errorf("content changed while uploading: %w", sizeError(n, size))
	}
	h.Sum(sum[:0])
	_, err = r.Seek(0, io.SeekStart)
	return sum, err
}

// readerParts cuts parts from an io.Reader into pooled buffers.
type readerParts struct {
	s        *Store
	r        io.Reader
	size     int64 // expected total, or -1
	partSize int64
	first    []byte // an already read first part, if any
	read     int64
	num      int32
	eof      bool
}

func (rp *readerParts) next() (part, bool, error) {
	if rp.first != nil {
		buf := rp.first
		rp.first = nil
		rp.num++
		rp.read += int64(len(buf))
		return part{num: rp.num, size: int64(len(buf)), body: bytes.NewReader(buf)}, true, nil
	}
	if rp.eof {
		return part{}, false, nil
	}
	want := rp.partSize
	if rp.size >= 0 {
		want = min(want, rp.size-rp.read)
		if want == 0 {
			rp.eof = true
			return part{}, false, nil
		}
	}
	if rp.num >= hashing.MaxParts {
		return part{}, false, fmt.Errorf("content of unknown size exceeds %d parts of %d bytes", hashing.MaxParts, rp.partSize)
	}
	buf, release := rp.buffer(want)
	n, err := io.ReadFull(rp.r, buf)
	rp.read += int64(n)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if rp.size >= 0 {
			release()
			return part{}, false, sizeError(rp.read, rp.size)
		}
		rp.eof = true
		if n == 0 {
			release()
			return part{}, false, nil
		}
	default:
		release()
		return part{}, false, err
	}
	rp.num++
	return part{num: rp.num, size: int64(n), body: bytes.NewReader(buf[:n]), release: release}, true, nil
}

// buffer returns a buffer of n bytes and the function that releases it.
func (rp *readerParts) buffer(n int64) ([]byte, func()) {
	if n > rp.s.cfg.PartSize {
		return make([]byte, n), func() {}
	}
	bp := rp.s.bufPool.Get().(*[]byte)
	return (*bp)[:n], func() { rp.s.bufPool.Put(bp) }
}

func (rp *readerParts) finish() error {
	if rp.size < 0 {
		return nil
	}
	return expectEOF(rp.r, rp.size)
}

// fileParts cuts parts from a file with io.SectionReader.
type fileParts struct {
	f        *os.File
	size     int64
	partSize int64
	off      int64
	num      int32
}

func (fp *fileParts) next() (part, bool, error) {
	if fp.off >= fp.size {
		return part{}, false, nil
	}
	n := min(fp.partSize, fp.size-fp.off)
	fp.num++
	p := part{num: fp.num, size: n, body: io.NewSectionReader(fp.f, fp.off, n)}
	fp.off += n
	return p, true, nil
}

func (fp *fileParts) finish() error {
	if err := checkEnd(fp.f, fp.size); err != nil {
		return err
	}
	fi, err := fp.f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != fp.size {
		return fmt.Errorf("content changed while uploading: %w", sizeError(fi.Size(), fp.size))
	}
	return nil
}

// checkEnd fails if the file holds data beyond size bytes.
func checkEnd(f io.ReaderAt, size int64) error {
	var b [1]byte
	if n, _ := f.ReadAt(b[:], size); n > 0 {
		return fmt.Errorf("content changed while uploading: %w", sizeError(size+1, size))
	}
	return nil
}

// expectEOF fails if r has more data after size bytes were read.
func expectEOF(r io.Reader, size int64) error {
	var b [1]byte
	n, err := io.ReadFull(r, b[:])
	if n > 0 {
		return sizeError(size+1, size)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// sizeError reports content of got bytes where want were expected.
func sizeError(got, want int64) error {
	if got > want {
		return fmt.Errorf("size mismatch: content is longer than the expected %d bytes", want)
	}
	return fmt.Errorf("size mismatch: content is %d bytes, expected %d", got, want)
}

// countingBody reports the bytes of a request body as the transport reads
// them. Bytes read again after a rewind, as when a request is retried, are
// counted once.
type countingBody struct {
	mu   sync.Mutex
	r    io.ReadSeeker
	pos  int64
	high int64
	add  func(int64)
}

func (c *countingBody) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.r.Read(p)
	c.pos += int64(n)
	if c.pos > c.high {
		c.add(c.pos - c.high)
		c.high = c.pos
	}
	return n, err
}

func (c *countingBody) Seek(offset int64, whence int) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pos, err := c.r.Seek(offset, whence)
	if err == nil {
		c.pos = pos
	}
	return pos, err
}
