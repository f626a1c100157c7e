package schmidt22

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/meta/postgres"
	"github.com/lamin-go/lamin/internal/meta/sqlite"
	"github.com/lamin-go/lamin/internal/testenv"
)

// TestTheWalkthroughEndsInTheSeedsState runs the whole Schmidt22 flow on a
// fresh instance and checks the records, edges and files it leaves, row by
// row against the seed's tables.
func TestTheWalkthroughEndsInTheSeedsState(t *testing.T) {
	t.Run("on SQLite and a local folder", func(t *testing.T) {
		dir := t.TempDir()
		checkWalkthrough(t, dir, filepath.Join(dir, "mydata"), "")
	})
	t.Run("on PostgreSQL and S3", func(t *testing.T) {
		db, bucket := testenv.PostgresAndS3(t)
		checkWalkthrough(t, t.TempDir(), "s3://"+bucket+"/mydata", db)
	})
}

// openStore opens the instance's database beside the SDK's connection, for
// checking rows with SQL: PostgreSQL when db is set, else the SQLite file
// in the storage root.
func openStore(ctx context.Context, storage, db string) (*meta.Store, error) {
	if db != "" {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, filepath.Join(storage, ".lamindb", "lamin.db"))
}

func checkWalkthrough(t *testing.T, dir, storage, db string) {
	ctx := context.Background()
	var msgs bytes.Buffer
	opts := lamin.Options{SettingsDir: filepath.Join(dir, "settings"), CacheDir: filepath.Join(dir, "cache"),
		Messages: lamin.NewMessages(&msgs), Getenv: func(string) string { return "" }}
	res, err := Run(ctx, Config{Dir: storage, DB: db, Options: opts, Cells: 200})
	if err != nil {
		t.Fatalf("%v\n%s", err, msgs.String())
	}
	in, err := lamin.Open(ctx, "", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	store, err := openStore(ctx, storage, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rows := func(query string, args ...any) string {
		t.Helper()
		r, err := store.Query(ctx, query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		cols, _ := r.Columns()
		var out []string
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			r.Scan(ptrs...)
			parts := make([]string, len(vals))
			for i, v := range vals {
				switch b, isBool := v.(bool); {
				case v == nil:
					parts[i] = "NULL"
				case isBool && b: // PostgreSQL booleans read like SQLite's
					parts[i] = "1"
				case isBool:
					parts[i] = "0"
				default:
					parts[i] = fmt.Sprint(v)
				}
			}
			out = append(out, strings.Join(parts, "|"))
		}
		return strings.Join(out, "\n")
	}
	check := func(name, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", name, got, want)
		}
	}
	check("users", rows(`SELECT id, handle FROM lamindb_user ORDER BY id`), "1|testuser1\n2|testuser2")
	check("transforms", rows(`SELECT id, uid, key, type, created_by_id, version FROM lamindb_transform ORDER BY id`), strings.Join([]string{
		"1|T0T28btuB0PG0000|hit-identification.ipynb|notebook|2|NULL",
		"2|qCJPkOuZAi9q0000|chromium_10x_upload.py|script|1|NULL",
		"3|3fkyE88RrVHT0000|Cell Ranger|pipeline|2|7.2.0",
		"4|YqmbO6oMXjRj0000|postprocess_cellranger.py|script|2|NULL",
		"5|lB3IyPLQSmvt0000|integrated-analysis.ipynb|notebook|2|NULL",
		"6|1LCd8kco9lZU0000|schmidt22.ipynb|notebook|1|NULL",
	}, "\n"))
	check("transform 1 description", rows(`SELECT description FROM lamindb_transform WHERE id = 1`), "GWS CRIPSRa analysis")
	check("runs", rows(`SELECT id, transform_id, _status_code, finished_at IS NOT NULL, environment_id IS NOT NULL, created_by_id FROM lamindb_run ORDER BY id`), strings.Join([]string{
		"1|1|-1|0|0|2", "2|2|0|1|1|1", "3|3|-1|0|0|2", "4|4|-1|0|1|2", "5|5|-1|0|0|2", "6|6|-1|0|0|1",
	}, "\n"))
	check("runs 2 and 4 share one environment", rows(`SELECT COUNT(DISTINCT environment_id) FROM lamindb_run WHERE environment_id IS NOT NULL`), "1")
	// Files written into a local root are registered in place; on S3 the
	// tools write locally and lamin uploads them under the same keys.
	inPlace := "0"
	if db != "" {
		inPlace = "1"
	}
	check("visible artifacts", rows(`SELECT COALESCE(key, description), suffix, run_id, _key_is_virtual FROM lamindb_artifact WHERE kind IS NULL OR kind <> '__lamindb_run__' ORDER BY id`), strings.Join([]string{
		"schmidt22-crispra-gws-IFNG.csv|.csv|NULL|" + inPlace,
		"hits from schmidt22 crispra GWS|.parquet|1|1",
		"fastq/perturbseq_R1_001.fastq.gz|.fastq.gz|2|" + inPlace,
		"fastq/perturbseq_R2_001.fastq.gz|.fastq.gz|2|" + inPlace,
		"perturbseq/filtered_feature_bc_matrix/barcodes.tsv.gz|.tsv.gz|3|" + inPlace,
		"perturbseq/filtered_feature_bc_matrix/features.tsv.gz|.tsv.gz|3|" + inPlace,
		"perturbseq/filtered_feature_bc_matrix/matrix.mtx.gz|.mtx.gz|3|" + inPlace,
		"schmidt22_perturbseq.h5ad|.h5ad|4|" + inPlace,
		"figures/umap_fig1_score-wgs-hits.png|.png|5|1",
		"figures/matrixplot_fig2_score-wgs-hits-per-cluster.png|.png|5|1",
	}, "\n"))
	check("hits", rows(`SELECT kind, otype, n_observations FROM lamindb_artifact WHERE uid = ?`, res.Hits), fmt.Sprintf("dataset|DataFrame|%d", res.NHits))
	if res.NHits != 123 {
		t.Errorf("%d hits, want the 123 planted", res.NHits)
	}
	check("h5ad", rows(`SELECT otype, kind, description FROM lamindb_artifact WHERE uid = ?`, res.H5AD), "AnnData|NULL|perturbseq counts")
	check("inputs", rows(`SELECT l.run_id, COALESCE(a.key, a.description) FROM lamindb_artifact_input_of_runs l JOIN lamindb_artifact a ON a.id = l.artifact_id ORDER BY l.run_id, a.id`), strings.Join([]string{
		"1|schmidt22-crispra-gws-IFNG.csv",
		"3|fastq/perturbseq_R1_001.fastq.gz",
		"3|fastq/perturbseq_R2_001.fastq.gz",
		"4|perturbseq/filtered_feature_bc_matrix/barcodes.tsv.gz",
		"4|perturbseq/filtered_feature_bc_matrix/features.tsv.gz",
		"4|perturbseq/filtered_feature_bc_matrix/matrix.mtx.gz",
		"5|hits from schmidt22 crispra GWS",
		"5|schmidt22_perturbseq.h5ad",
		"6|figures/matrixplot_fig2_score-wgs-hits-per-cluster.png",
	}, "\n"))
	if !strings.Contains(msgs.String(), "! no run & transform got linked") {
		t.Errorf("the upload did not warn about the missing run")
	}
	// The queries of the seed's last section.
	hitArts, err := in.Query("artifact", []string{"transform__uid=" + UIDHitIdentification})
	if err != nil {
		t.Fatal(err)
	}
	found, err := in.FilterArtifacts(ctx, hitArts)
	if err != nil || len(found) != 1 || found[0].UID != res.Hits || *found[0].NObservations != int64(res.NHits) {
		t.Fatalf("filter artifact transform=%s: %v %v", UIDHitIdentification, found, err)
	}
	fig, err := in.FindArtifact(ctx, []string{"key__contains=figures/matrixplot"})
	if err != nil || fig.UID != res.FigureMatrixPlot {
		t.Fatalf("get key__contains=figures/matrixplot: %v %v", fig, err)
	}
}
