package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Environment variables naming the test services.
const (
	PostgresEnv = "LAMIN_TEST_POSTGRES"
	S3Env       = "LAMIN_TEST_S3"
	// S3 credentials of the test server (versitygw in CI).
	S3AccessKey = "test"
	S3SecretKey = "testsecret"
)

func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Postgres returns the URL of a new, empty database on the server named by
// LAMIN_TEST_POSTGRES, dropped when t ends; it skips t when unset.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		Skip(t, NeedPostgres, "")
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := randomName("lamin_test_")
	if _, err := db.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err == nil {
			db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			db.Close()
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// S3 creates a new bucket on the server named by LAMIN_TEST_S3, points the
// standard AWS variables (endpoint, region, credentials) at that server
// for the rest of the test, and returns the bucket name. The bucket and
// everything in it is removed when t ends; t is skipped when unset.
func S3(t testing.TB) string {
	t.Helper()
	endpoint := os.Getenv(S3Env)
	if endpoint == "" {
		Skip(t, NeedS3, "")
	}
	for k, v := range map[string]string{"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": S3AccessKey, "AWS_SECRET_ACCESS_KEY": S3SecretKey} {
		t.Setenv(k, v)
	}
	client := Client(endpoint)
	name := randomName("lamin-test-")
	if _, err := client.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	t.Cleanup(func() { removeBucket(client, name) })
	return name
}

// Client is an S3 client for the test server.
func Client(endpoint string) *awss3.Client {
	return awss3.New(awss3.Options{
		BaseEndpoint: aws.String(endpoint), Region: "us-east-1", UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(S3AccessKey, S3SecretKey, ""),
	})
}

func removeBucket(client *awss3.Client, bucket string) {
	ctx := context.Background()
	p := awss3.NewListObjectsV2Paginator(client, &awss3.ListObjectsV2Input{Bucket: &bucket})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			break
		}
		for _, o := range page.Contents {
			client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: &bucket, Key: o.Key})
		}
	}
	client.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: &bucket})
}

// ETag returns the ETag the server reports for an object.
func ETag(t testing.TB, bucket, key string) string {
	t.Helper()
	out, err := Client(os.Getenv(S3Env)).HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("head s3://%s/%s: %v", bucket, key, err)
	}
	return fmt.Sprint(aws.ToString(out.ETag))
}

// Put uploads bytes as an object, like a tool writing into the bucket
// directly (not through lamin).
func Put(t testing.TB, bucket, key string, body []byte) {
	t.Helper()
	_, err := Client(os.Getenv(S3Env)).PutObject(context.Background(), &awss3.PutObjectInput{
		Bucket: &bucket, Key: &key, Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("put s3://%s/%s: %v", bucket, key, err)
	}
}

// PostgresAndS3 returns a fresh database URL (see Postgres) and bucket (see
// S3) for a team-mode test. When either service is missing it records
// every missing one for the report of Run and skips t.
func PostgresAndS3(t testing.TB) (db, bucket string) {
	t.Helper()
	var missing []Need
	if os.Getenv(PostgresEnv) == "" {
		missing = append(missing, NeedPostgres)
	}
	if os.Getenv(S3Env) == "" {
		missing = append(missing, NeedS3)
	}
	if len(missing) > 0 {
		for _, n := range missing[1:] {
			Missing(t, n)
		}
		Skip(t, missing[0], "")
	}
	return Postgres(t), S3(t)
}
