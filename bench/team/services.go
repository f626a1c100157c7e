package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/jackc/pgx/v5"
)

func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// createDatabase creates a new, empty database on the server of the admin
// URL and returns its URL and a function that drops it.
func createDatabase(ctx context.Context, admin, prefix string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("connect %s: %w", admin, err)
	}
	defer conn.Close(ctx)
	name := randomName(prefix)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			fmt.Fprintf(os.Stderr, "team bench: drop database %s: %v\n", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "team bench: drop database %s: %v\n", name, err)
		}
	}
	return u.String(), drop, nil
}

// s3Client is a path-style client for the S3 server at endpoint.
func s3Client(c config) *awss3.Client {
	return awss3.New(awss3.Options{
		BaseEndpoint: aws.String(c.s3Endpoint), Region: c.region, UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(c.accessKey, c.secretKey, ""),
	})
}

// createBucket creates a new bucket and returns its name and a function
// that empties and removes it.
func createBucket(ctx context.Context, client *awss3.Client, prefix string) (string, func(), error) {
	name := randomName(prefix)
	if _, err := client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: &name}); err != nil {
		return "", nil, fmt.Errorf("create bucket %s: %w", name, err)
	}
	return name, func() {
		if err := removeBucket(context.Background(), client, name); err != nil {
			fmt.Fprintf(os.Stderr, "team bench: remove bucket %s: %v\n", name, err)
		}
	}, nil
}

// listKeys returns every object key in a bucket.
func listKeys(ctx context.Context, client *awss3.Client, bucket string) ([]string, error) {
	var keys []string
	p := awss3.NewListObjectsV2Paginator(client, &awss3.ListObjectsV2Input{Bucket: &bucket})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// removeBucket deletes every object of a bucket, then the bucket: in
// batches of 1,000 keys, or one by one (8 at a time) where the server does
// not accept batch deletes.
func removeBucket(ctx context.Context, client *awss3.Client, bucket string) error {
	keys, err := listKeys(ctx, client, bucket)
	if err != nil {
		return err
	}
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		objs := make([]types.ObjectIdentifier, n)
		for i, k := range keys[:n] {
			objs[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		_, err := client.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: &bucket,
			Delete: &types.Delete{Objects: objs, Quiet: aws.Bool(true)}})
		if err != nil {
			if err := deleteEach(ctx, client, bucket, keys); err != nil {
				return err
			}
			break
		}
		keys = keys[n:]
	}
	if left, err := listKeys(ctx, client, bucket); err == nil && len(left) > 0 {
		if err := deleteEach(ctx, client, bucket, left); err != nil {
			return err
		}
	}
	_, err = client.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: &bucket})
	return err
}

func deleteEach(ctx context.Context, client *awss3.Client, bucket string, keys []string) error {
	jobs := make(chan string)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				if _, err := client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: &bucket, Key: aws.String(k)}); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, k := range keys {
		jobs <- k
	}
	close(jobs)
	wg.Wait()
	return first
}

// cmdEnv is the environment of the timed commands: this process's, without
// any LAMIN_ or AWS_ variables that could point them elsewhere, plus extra.
func cmdEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "LAMIN_") || strings.HasPrefix(kv, "AWS_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// runCmd runs a command to completion and returns its wall time in
// milliseconds (process start to exit) and its standard output; a failure
// is an error carrying the command's output.
func runCmd(env []string, name string, args ...string) (float64, []byte, error) {
	x := exec.Command(name, args...)
	x.Env = env
	var stdout, stderr strings.Builder
	x.Stdout, x.Stderr = &stdout, &stderr
	t0 := time.Now()
	err := x.Run()
	ms := float64(time.Since(t0).Microseconds()) / 1000
	if err != nil {
		return ms, nil, fmt.Errorf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return ms, []byte(stdout.String()), nil
}

// median returns the median of xs (the upper middle one for an even count).
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
