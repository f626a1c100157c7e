package s3

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/blob/blobtest"
	"github.com/lamin-go/lamin/internal/testenv"
)

// realS3Env names the variable holding the endpoint of a real S3 server
// for the integration tests (region us-east-1, access key "test", secret
// "testsecret", path-style addressing).
const realS3Env = "LAMIN_TEST_S3"

// testServer is an S3 service the tests run against.
type testServer struct {
	endpoint  string
	accessKey string
	secretKey string
	// fake marks gofakes3, which accepts any credentials and reports the
	// multipart ETag only in the CompleteMultipartUpload response: the
	// stored object then carries the plain MD5 of its content.
	fake  bool
	admin *awss3.Client
}

var (
	fakeServer *testServer
	runID      string
	bucketSeq  atomic.Int64
)

func TestMain(m *testing.M) {
	faker := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog()), gofakes3.WithAutoBucket(false))
	hs := httptest.NewServer(faker.Server())
	var id [4]byte
	if _, err := rand.Read(id[:]); err != nil {
		panic(err)
	}
	runID = hex.EncodeToString(id[:])
	var err error
	fakeServer, err = newTestServer(hs.URL, "fake-access", "fake-secret", true)
	if err != nil {
		panic(err)
	}
	code := testenv.Run(m)
	hs.Close()
	os.Exit(code)
}

func newTestServer(endpoint, accessKey, secretKey string, fake bool) (*testServer, error) {
	srv := &testServer{endpoint: endpoint, accessKey: accessKey, secretKey: secretKey, fake: fake}
	admin, err := newClient(context.Background(), srv.config("").withDefaults())
	if err != nil {
		return nil, err
	}
	srv.admin = admin
	return srv, nil
}

// realServer returns the server named by LAMIN_TEST_S3, or skips t.
func realServer(t *testing.T) *testServer {
	t.Helper()
	endpoint := os.Getenv(realS3Env)
	if endpoint == "" {
		testenv.Skip(t, testenv.NeedS3, "")
	}
	srv, err := newTestServer(endpoint, "test", "testsecret", false)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// forEachServer runs fn against gofakes3 and, when LAMIN_TEST_S3 is set,
// against a real S3 server.
func forEachServer(t *testing.T, fn func(t *testing.T, srv *testServer)) {
	t.Helper()
	t.Run("on gofakes3", func(t *testing.T) { fn(t, fakeServer) })
	t.Run("on a real S3 server", func(t *testing.T) { fn(t, realServer(t)) })
}

func (srv *testServer) config(bucket string) Config {
	return Config{
		Bucket:    bucket,
		Endpoint:  srv.endpoint,
		Region:    "us-east-1",
		AccessKey: srv.accessKey,
		SecretKey: srv.secretKey,
		PathStyle: true,
	}
}

// newBucket creates a bucket unique to this test run and removes it, with
// everything in it, when t ends.
func (srv *testServer) newBucket(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("lamin-test-%s-%d", runID, bucketSeq.Add(1))
	if _, err := srv.admin.CreateBucket(t.Context(), &awss3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("creating bucket %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := srv.removeBucket(context.Background(), name); err != nil {
			t.Errorf("removing bucket %s: %v", name, err)
		}
	})
	return name
}

func (srv *testServer) removeBucket(ctx context.Context, bucket string) error {
	for _, id := range srv.pendingUploads(ctx, bucket) {
		_, err := srv.admin.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: &bucket, Key: &id[0], UploadId: &id[1]})
		if err != nil {
			return err
		}
	}
	pages := awss3.NewListObjectsV2Paginator(srv.admin, &awss3.ListObjectsV2Input{Bucket: &bucket})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, obj := range page.Contents {
			if _, err := srv.admin.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: &bucket, Key: obj.Key}); err != nil {
				return err
			}
		}
	}
	_, err := srv.admin.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: &bucket})
	return err
}

// pendingUploads lists the (key, upload ID) pairs of unfinished multipart
// uploads in bucket.
func (srv *testServer) pendingUploads(ctx context.Context, bucket string) [][2]string {
	out, err := srv.admin.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		return nil
	}
	var ids [][2]string
	for _, u := range out.Uploads {
		ids = append(ids, [2]string{aws.ToString(u.Key), aws.ToString(u.UploadId)})
	}
	return ids
}

// newStore returns a Store on a fresh bucket of srv, after applying opts
// to its Config.
func (srv *testServer) newStore(t *testing.T, opts ...func(*Config)) *Store {
	t.Helper()
	cfg := srv.config(srv.newBucket(t))
	for _, o := range opts {
		o(&cfg)
	}
	s, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func withPartSize(n int64) func(*Config) { return func(c *Config) { c.PartSize = n } }

func TestConformance(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *testServer) {
		blobtest.Run(t, func(t *testing.T) blob.Store { return srv.newStore(t) })
	})
}

// pattern returns n bytes with byte i = i mod 251, as in the hashing test
// vectors.
func pattern(n int64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// multipartETag returns the ETag S3 gives content uploaded with parts of
// partSize bytes: the plain MD5 for a single PUT, else the MD5 of the part
// MD5s followed by "-<parts>".
func multipartETag(content []byte, partSize int64) string {
	if int64(len(content)) <= partSize {
		sum := md5.Sum(content)
		return hex.EncodeToString(sum[:])
	}
	var digests []byte
	n := 0
	for part := range slices.Chunk(content, int(partSize)) {
		sum := md5.Sum(part)
		digests = append(digests, sum[:]...)
		n++
	}
	sum := md5.Sum(digests)
	return fmt.Sprintf("%s-%d", hex.EncodeToString(sum[:]), n)
}

func plainMD5(content []byte) string {
	sum := md5.Sum(content)
	return hex.EncodeToString(sum[:])
}

func requireMissing(t *testing.T, s blob.Store, key string) {
	t.Helper()
	if _, err := s.Stat(t.Context(), key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Stat(%q) error = %v, want ErrNotFound", key, err)
	}
}

func listKeys(t *testing.T, s blob.Store, prefix string) []string {
	t.Helper()
	keys := []string{}
	err := s.List(t.Context(), prefix, func(info blob.Info) error {
		keys = append(keys, info.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return keys
}

// hidden hides all methods of r but Read from the store.
type hidden struct{ io.Reader }

func writeFile(t *testing.T, content []byte) string {
	t.Helper()
	path := t.TempDir() + "/src.bin"
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrefix(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *testServer) {
		s := srv.newStore(t, func(c *Config) { c.Prefix = "team/data" })
		ctx := t.Context()
		if got, want := s.Root(), "s3://"+s.Bucket()+"/team/data"; got != want {
			t.Errorf("Root() = %q, want %q", got, want)
		}
		for _, k := range []string{"a.txt", "b/c"} {
			if _, err := s.Put(ctx, k, strings.NewReader(k), int64(len(k))); err != nil {
				t.Fatal(err)
			}
		}
		// Neighbours that share the prefix's characters but not its
		// directory must stay invisible.
		for _, k := range []string{"team/data.txt", "team/database/x", "other/y"} {
			_, err := srv.admin.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String(k), Body: strings.NewReader("n")})
			if err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name   string
			prefix string
			want   []string
		}{
			{"the empty prefix lists only keys below the store prefix", "", []string{"a.txt", "b/c"}},
			{"a partial segment is relative to the store prefix", "b", []string{"b/c"}},
			{"a prefix matching nothing lists nothing", "team", []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := listKeys(t, s, tt.prefix); !slices.Equal(got, tt.want) {
					t.Fatalf("List(%q) = %q, want %q", tt.prefix, got, tt.want)
				}
			})
		}
		t.Run("objects are stored below the prefix", func(t *testing.T) {
			out, err := srv.admin.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String("team/data/b/c")})
			if err != nil {
				t.Fatal(err)
			}
			defer out.Body.Close()
			if b, _ := io.ReadAll(out.Body); string(b) != "b/c" {
				t.Fatalf("object team/data/b/c holds %q, want %q", b, "b/c")
			}
		})
		t.Run("a key too long with the prefix is invalid", func(t *testing.T) {
			key := strings.Repeat("k", 255) + "/" + strings.Repeat("k", 255) + "/" + strings.Repeat("k", 255) + "/" + strings.Repeat("k", 255)
			if _, err := s.Put(ctx, key, strings.NewReader("x"), 1); !errors.Is(err, blob.ErrInvalidKey) {
				t.Fatalf("Put of a %d-byte key below a prefix = %v, want ErrInvalidKey", len(key), err)
			}
		})
	})
}

func TestListSkipsFolderMarkers(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *testServer) {
		s := srv.newStore(t)
		ctx := t.Context()
		if _, err := s.Put(ctx, "dir/file", strings.NewReader("f"), 1); err != nil {
			t.Fatal(err)
		}
		_, err := srv.admin.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String("marker/"), Body: strings.NewReader("")})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := listKeys(t, s, ""), []string{"dir/file"}; !slices.Equal(got, want) {
			t.Fatalf("List = %q, want %q", got, want)
		}
	})
}
