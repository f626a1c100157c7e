package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/lamin-go/lamin/internal/blob"
)

// Store is a blob.Store in an S3 bucket. It is safe for concurrent use.
type Store struct {
	// Progress, if not nil, is called as bytes are transferred by Put,
	// PutFileFrom and Download, with the bytes done so far and the total
	// (-1 when Put is given an unknown size). Calls are serialized across
	// the store, so the function need not be safe for concurrent use. Set
	// it before the store is used.
	Progress func(done, total int64)

	cfg       Config // with defaults applied
	client    *awss3.Client
	prefix    string // cfg.Prefix + "/" or ""
	bufPool   sync.Pool
	reportMu  sync.Mutex
	abortWait time.Duration // bound on aborting a failed multipart upload
}

var (
	_ blob.Store      = (*Store)(nil)
	_ blob.FilePutter = (*Store)(nil)
)

// New returns a Store for cfg after checking, with HeadBucket, that the
// bucket exists and the credentials may use it. Errors name the endpoint
// and the bucket on one line, and never contain the secret key.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	client, err := newClient(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{
		cfg:       cfg,
		client:    client,
		abortWait: time.Minute,
	}
	if cfg.Prefix != "" {
		s.prefix = cfg.Prefix + "/"
	}
	s.bufPool.New = func() any {
		b := make([]byte, s.cfg.PartSize)
		return &b
	}
	if _, err := client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String(cfg.Bucket)}); err != nil {
		return nil, bucketError(cfg, err)
	}
	return s, nil
}

// newClient returns an S3 client for cfg, which must have its defaults
// applied. Requests carry Content-MD5 rather than the SDK's default CRC
// checksums, which self-hosted servers do not all understand.
func newClient(ctx context.Context, cfg Config) (*awss3.Client, error) {
	var awsCfg aws.Config
	if cfg.AccessKey != "" {
		awsCfg = aws.Config{
			Region:      cfg.Region,
			Credentials: credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken),
		}
	} else {
		var err error
		awsCfg, err = config.LoadDefaultConfig(ctx, config.WithRegion(cfg.Region))
		if err != nil {
			return nil, fmt.Errorf("s3 store %s at %s: loading AWS configuration: %s", cfg.Root(), cfg.endpointName(), oneLine(err.Error()))
		}
	}
	return awss3.NewFromConfig(awsCfg, func(o *awss3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(strings.TrimSuffix(cfg.Endpoint, "/"))
		}
		o.UsePathStyle = cfg.PathStyle
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}), nil
}

// unsignedPayload makes a request send its body without first reading it
// to compute a SHA-256 for the signature. Uploads carry Content-MD5
// instead, which the server checks.
func unsignedPayload(o *awss3.Options) {
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
}

// storeError is an error whose message is a single line chosen for people,
// while Unwrap still reaches the underlying cause.
type storeError struct {
	msg string
	err error
}

func (e *storeError) Error() string { return e.msg }
func (e *storeError) Unwrap() error { return e.err }

// bucketError explains a failed HeadBucket.
func bucketError(cfg Config, err error) error {
	where := fmt.Sprintf("s3 store %s at %s", cfg.Root(), cfg.endpointName())
	var why string
	status := httpStatus(err)
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		why = "gave up waiting for the endpoint: " + contextError(err).Error()
	case status == 404:
		why = fmt.Sprintf("bucket %q does not exist", cfg.Bucket)
	case status == 401 || status == 403:
		why = fmt.Sprintf("access to bucket %q denied: check the access key and secret key", cfg.Bucket)
	case status == 301 || status == 400:
		why = fmt.Sprintf("bucket %q rejected the request (HTTP %d): check the region (%s) and the endpoint", cfg.Bucket, status, cfg.Region)
	case status != 0:
		why = fmt.Sprintf("checking bucket %q failed with HTTP %d", cfg.Bucket, status)
	case errors.As(err, &dnsErr):
		why = "cannot reach the endpoint: " + oneLine(dnsErr.Error())
	case errors.As(err, &opErr):
		why = "cannot reach the endpoint: " + oneLine(opErr.Error())
	default:
		why = fmt.Sprintf("checking bucket %q failed: %s", cfg.Bucket, oneLine(err.Error()))
	}
	return &storeError{msg: where + ": " + why, err: err}
}

// contextError returns the context error that err wraps, if any.
func contextError(err error) error {
	for _, target := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, target) {
			return target
		}
	}
	return nil
}

// httpStatus returns the HTTP status code of a failed request, or 0 if
// there was no response.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// isNotFound reports whether err says that an object does not exist. A
// missing bucket is not a missing object.
func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchBucket" {
		return false
	}
	return httpStatus(err) == 404
}

// opError wraps err from operation op on key, mapping missing objects to
// blob.ErrNotFound.
func opError(op, key string, err error) error {
	if isNotFound(err) {
		return fmt.Errorf("%s %s: %w", op, key, blob.ErrNotFound)
	}
	return fmt.Errorf("%s %s: %w", op, key, err)
}

// Root returns the store's location, "s3://bucket" or "s3://bucket/prefix".
func (s *Store) Root() string { return s.cfg.Root() }

// Bucket returns the name of the store's bucket.
func (s *Store) Bucket() string { return s.cfg.Bucket }

// ObjectKey returns the key of the S3 object that holds key: the store's
// prefix, a slash, and key. It fails if key is invalid or the result
// exceeds S3's 1024-byte limit.
func (s *Store) ObjectKey(key string) (string, error) {
	if err := blob.ValidKey(key); err != nil {
		return "", err
	}
	if n := len(s.prefix) + len(key); n > maxObjectKeyLen {
		return "", fmt.Errorf("%w %q: %d bytes long with the store prefix %q, S3's limit is %d", blob.ErrInvalidKey, truncate(key, 64), n, s.prefix, maxObjectKeyLen)
	}
	return s.prefix + key, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Open implements blob.Store. The returned reader streams the object's
// body; closing it releases the connection.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	obj, err := s.ObjectKey(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	out, err := s.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: &s.cfg.Bucket, Key: &obj})
	if err != nil {
		return nil, opError("open", key, err)
	}
	return out.Body, nil
}

// Stat implements blob.Store. Info.ETag is the object's ETag without
// quotes and Info.ModTime its LastModified time.
func (s *Store) Stat(ctx context.Context, key string) (blob.Info, error) {
	obj, err := s.ObjectKey(key)
	if err != nil {
		return blob.Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("stat %s: %w", key, err)
	}
	out, err := s.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &s.cfg.Bucket, Key: &obj})
	if err != nil {
		return blob.Info{}, opError("stat", key, err)
	}
	return blob.Info{
		Key:     key,
		Size:    aws.ToInt64(out.ContentLength),
		ModTime: aws.ToTime(out.LastModified),
		ETag:    trimETag(aws.ToString(out.ETag)),
	}, nil
}

// List implements blob.Store with ListObjectsV2, in the order the service
// returns keys (lexical byte order on S3). Objects whose names are not
// valid keys below the store's prefix, such as folder markers ending in a
// slash, are skipped.
func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Info) error) error {
	if err := blob.ValidPrefix(prefix); err != nil {
		return err
	}
	full := s.prefix + prefix
	in := &awss3.ListObjectsV2Input{Bucket: &s.cfg.Bucket}
	if full != "" {
		in.Prefix = &full
	}
	pages := awss3.NewListObjectsV2Paginator(s.client, in)
	for pages.HasMorePages() {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s/%s: %w", s.Root(), prefix, err)
		}
		for _, obj := range page.Contents {
			name := aws.ToString(obj.Key)
			if !strings.HasPrefix(name, full) {
				continue
			}
			key := name[len(s.prefix):]
			if blob.ValidKey(key) != nil {
				continue
			}
			info := blob.Info{
				Key:     key,
				Size:    aws.ToInt64(obj.Size),
				ModTime: aws.ToTime(obj.LastModified),
				ETag:    trimETag(aws.ToString(obj.ETag)),
			}
			if err := fn(info); err != nil {
				return err
			}
		}
	}
	return nil
}

// Delete implements blob.Store with DeleteObject. Deleting a missing key
// returns nil.
func (s *Store) Delete(ctx context.Context, key string) error {
	obj, err := s.ObjectKey(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	_, err = s.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: &s.cfg.Bucket, Key: &obj})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// trimETag removes the quotes around an ETag.
func trimETag(etag string) string {
	return strings.TrimSuffix(strings.TrimPrefix(etag, `"`), `"`)
}

// serverTime returns the server's Date of a response, or the local time if
// the response had none.
func serverTime(md middleware.Metadata) time.Time {
	if t, ok := awsmiddleware.GetServerTime(md); ok && !t.IsZero() {
		return t
	}
	return time.Now()
}

// progress reports the bytes transferred by one operation through the
// store's Progress function.
type progress struct {
	s     *Store
	fn    func(done, total int64)
	total int64
	done  int64
}

func (s *Store) newProgress(total int64) *progress {
	return &progress{s: s, fn: s.Progress, total: total}
}

// add records n more bytes done.
func (p *progress) add(n int64) {
	if p.fn == nil || n == 0 {
		return
	}
	p.s.reportMu.Lock()
	defer p.s.reportMu.Unlock()
	p.done += n
	p.fn(p.done, p.total)
}

// start reports that the operation began, with nothing done yet.
func (p *progress) start() {
	if p.fn == nil {
		return
	}
	p.s.reportMu.Lock()
	defer p.s.reportMu.Unlock()
	p.fn(p.done, p.total)
}

// SetProgress sets the Progress callback (see Store.Progress).
func (s *Store) SetProgress(fn func(done, total int64)) { s.Progress = fn }
