package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
)

// benchSave times `lamin save DIR --from-dir` of c.files small files into
// a team instance (PostgreSQL + S3) against `s3cmd sync` of the same
// folder. Every measurement gets a fresh database and a fresh bucket; the
// two tools alternate so that drift on the machine hits both alike.
func benchSave(ctx context.Context, c config) ([]result, error) {
	src := filepath.Join(c.work, "smallfiles")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return nil, err
	}
	for i := 1; i <= c.files; i++ {
		body := fmt.Sprintf("sample,%d\nvalue,%d\n", i, i*7)
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("f%d.csv", i)), []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	client := s3Client(c)
	s3cfg := filepath.Join(c.work, "s3cfg")
	// s3cmd reads its settings from a file; the flags below override it,
	// so an empty one keeps any ~/.s3cfg out of the measurement.
	if err := os.WriteFile(s3cfg, []byte("[default]\n"), 0o600); err != nil {
		return nil, err
	}
	host := strings.TrimPrefix(strings.TrimPrefix(c.s3Endpoint, "http://"), "https://")
	s3cmdArgs := []string{"-c", s3cfg, "--host=" + host, "--host-bucket=" + host, "--access_key=" + c.accessKey,
		"--secret_key=" + c.secretKey, "--region=" + c.region, "--no-progress", "--quiet"}
	if strings.HasPrefix(c.s3Endpoint, "http://") {
		s3cmdArgs = append(s3cmdArgs, "--no-ssl")
	}
	awsEnv := []string{"AWS_ENDPOINT_URL=" + c.s3Endpoint, "AWS_ACCESS_KEY_ID=" + c.accessKey,
		"AWS_SECRET_ACCESS_KEY=" + c.secretKey, "AWS_REGION=" + c.region}

	var laminMS, s3cmdMS []float64
	for i := 0; i < c.saveRepeat; i++ {
		ms, err := saveOnce(ctx, c, client, src, i, awsEnv)
		if err != nil {
			return nil, err
		}
		laminMS = append(laminMS, ms)
		fmt.Fprintf(os.Stderr, "  lamin save, try %d: %.0f ms\n", i+1, ms)

		bucket, remove, err := createBucket(ctx, client, "lamin-bench-s3cmd-")
		if err != nil {
			return nil, err
		}
		ms, _, err = runCmd(cmdEnv(), c.s3cmd, append(s3cmdArgs, "sync", src, "s3://"+bucket+"/other/")...)
		if err == nil {
			err = expectObjects(ctx, c, bucket, c.files)
		}
		remove()
		if err != nil {
			return nil, err
		}
		s3cmdMS = append(s3cmdMS, ms)
		fmt.Fprintf(os.Stderr, "  s3cmd sync, try %d: %.0f ms\n", i+1, ms)
	}
	return []result{{
		name:   fmt.Sprintf("`lamin save DIR --from-dir` of %d small files to S3", c.files),
		lamin:  median(laminMS),
		ref:    "`s3cmd sync DIR s3://…/`",
		refMS:  median(s3cmdMS),
		target: target{ratio: 2},
	}}, nil
}

// saveOnce initializes a team instance on a fresh database and bucket,
// times the save and checks that every file arrived, in the database and
// in the bucket.
func saveOnce(ctx context.Context, c config, client *awss3.Client, src string, i int, awsEnv []string) (float64, error) {
	dbURL, drop, err := createDatabase(ctx, c.pgAdmin, "lamin_bench_save_")
	if err != nil {
		return 0, err
	}
	defer drop()
	bucket, remove, err := createBucket(ctx, client, "lamin-bench-save-")
	if err != nil {
		return 0, err
	}
	defer remove()
	dir := filepath.Join(c.work, fmt.Sprintf("save%d", i))
	env := cmdEnv(append([]string{"LAMIN_SETTINGS_DIR=" + filepath.Join(dir, "settings"),
		"LAMIN_CACHE_DIR=" + filepath.Join(dir, "cache")}, awsEnv...)...)
	if _, _, err := runCmd(env, c.lamin, "login", "benchuser"); err != nil {
		return 0, err
	}
	if _, _, err := runCmd(env, c.lamin, "init", "--storage", "s3://"+bucket+"/inst", "--db", dbURL); err != nil {
		return 0, err
	}
	ms, _, err := runCmd(env, c.lamin, "save", src, "--from-dir", "--key", "small")
	if err != nil {
		return 0, err
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	// The records are counted in the database directly: a check that does
	// not rely on the lamin being measured.
	var n int
	err = conn.QueryRow(ctx, "SELECT COUNT(*) FROM lamindb_artifact WHERE key LIKE 'small/%'").Scan(&n)
	conn.Close(ctx)
	if err != nil {
		return 0, err
	}
	if n != c.files {
		return 0, fmt.Errorf("lamin save registered %d artifacts, want %d", n, c.files)
	}
	// The files plus the storage marker.
	return ms, expectObjects(ctx, c, bucket, c.files+1)
}

// expectObjects checks that a bucket holds n objects.
func expectObjects(ctx context.Context, c config, bucket string, n int) error {
	keys, err := listKeys(ctx, s3Client(c), bucket)
	if err != nil {
		return err
	}
	if len(keys) != n {
		return fmt.Errorf("bucket %s holds %d objects, want %d", bucket, len(keys), n)
	}
	return nil
}
