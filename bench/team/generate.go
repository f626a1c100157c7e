package main

import (
	"context"
	"fmt"
	"github.com/lamin-go/lamin/bench/internal/synth"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// The big tables, whose secondary indexes are dropped during the load and
// built again afterwards. The generator names the schema's tables itself:
// it bulk-loads millions of rows with COPY, which the SDK (one record per
// statement, the way users save) would take hours to insert, and it
// measures reads, not writes.
var bigTables = []string{"lamindb_transform", "lamindb_run", "lamindb_artifact", "lamindb_artifact_input_of_runs"}

// shape is what generate loaded, for choosing the queried records.
type shape struct {
	// lineageRun is the last run of the middle chain.
	lineageRun int64
}

// generate bulk-loads an initialized, empty instance database: users,
// transforms, runs, artifacts and run inputs with COPY, in the shape of the
// SQLite query benchmark, except that runs form chains: run r (from 1)
// writes artifacts 10(r-1)+1 … 10r (one sample's ten files) and, unless it
// starts a chain of c.chain runs, reads the ten files of run r-1. A lineage
// graph therefore stays within one chain however large the instance is.
func generate(ctx context.Context, c config, dbURL string) (shape, error) {
	var sh shape
	t0 := time.Now()
	conn, err := loadConn(ctx, dbURL)
	if err != nil {
		return sh, err
	}
	defer conn.Close(ctx)

	var storageID, firstUser int
	if err := conn.QueryRow(ctx, "SELECT id FROM lamindb_storage ORDER BY id LIMIT 1").Scan(&storageID); err != nil {
		return sh, fmt.Errorf("read storage: %w", err)
	}
	if err := conn.QueryRow(ctx, "SELECT max(id) FROM lamindb_user").Scan(&firstUser); err != nil {
		return sh, fmt.Errorf("read users: %w", err)
	}
	type index struct{ name, def, table string }
	var indexes []index
	rows, err := conn.Query(ctx, `SELECT ic.relname, pg_get_indexdef(i.indexrelid), tc.relname
		FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
		WHERE tc.relname = ANY($1) AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))`,
		bigTables)
	if err != nil {
		return sh, err
	}
	for rows.Next() {
		var ix index
		if err := rows.Scan(&ix.name, &ix.def, &ix.table); err != nil {
			return sh, err
		}
		indexes = append(indexes, ix)
	}
	if err := rows.Err(); err != nil {
		return sh, err
	}
	for _, ix := range indexes {
		if _, err := conn.Exec(ctx, "DROP INDEX "+pgx.Identifier{ix.name}.Sanitize()); err != nil {
			return sh, err
		}
	}
	phase("init", t0)

	t0 = time.Now()
	rng := rand.New(rand.NewPCG(17, 42))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	// Records are spread over about a year, in id order.
	step := 365 * 24 * time.Hour / time.Duration(c.artifacts+1)
	ts := func(i, scale int) time.Time { return base.Add(time.Duration(i*scale) * step) }

	// Users: the one lamin init created (user-0) and user-1 … user-<n-1>.
	userIDs := []int{firstUser}
	var users [][]any
	for u := 1; u < c.users; u++ {
		id := firstUser + u
		userIDs = append(userIDs, id)
		users = append(users, []any{id, synth.UID(rng, 8, ""), fmt.Sprintf("user-%d", u), fmt.Sprintf("User %d", u), base, base})
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"lamindb_user"}, []string{"id", "uid", "handle", "name", "created_at", "updated_at"},
		pgx.CopyFromRows(users)); err != nil {
		return sh, fmt.Errorf("users: %w", err)
	}

	creator := make([]int, c.transforms+1)
	tScale := c.artifacts / max(c.transforms, 1)
	err = copyRows(ctx, conn, "lamindb_transform", []string{"id", "uid", "key", "description", "type", "source_code", "hash",
		"reference", "reference_type", "version", "created_at", "created_by_id", "updated_at"}, c.transforms, func(i int) []any {
		id := i + 1
		creator[id] = userIDs[rng.IntN(len(userIDs))]
		tr := synth.NewTransform(rng, id)
		at := ts(id, tScale)
		return []any{id, synth.UID(rng, 16, "0000"), tr.Key, tr.Description, tr.Type, tr.SourceCode, tr.Hash, tr.Reference,
			tr.ReferenceType, tr.Version, at, creator[id], at}
	})
	if err != nil {
		return sh, fmt.Errorf("transforms: %w", err)
	}

	runUser := make([]int, c.runs+1)
	rScale := c.artifacts / max(c.runs, 1)
	err = copyRows(ctx, conn, "lamindb_run", []string{"id", "uid", "transform_id", "started_at", "finished_at", "_is_consecutive",
		"_status_code", "created_at", "created_by_id"}, c.runs, func(i int) []any {
		id := i + 1
		tr := 1 + rng.IntN(c.transforms)
		runUser[id] = creator[tr]
		if rng.IntN(5) == 0 {
			runUser[id] = userIDs[rng.IntN(len(userIDs))]
		}
		started := ts(id, rScale)
		var finished any = started.Add(time.Duration(rng.IntN(3600)) * time.Second)
		status := int16(0)
		switch rng.IntN(20) {
		case 0:
			status = 1
		case 1:
			status, finished = -1, nil
		}
		return []any{int64(id), synth.UID(rng, 16, ""), tr, started, finished, true, status, started, runUser[id]}
	})
	if err != nil {
		return sh, fmt.Errorf("runs: %w", err)
	}
	phase("users, transforms, runs", t0)

	// Artifacts and run inputs load at the same time on two connections.
	t0 = time.Now()
	perRun := max(c.artifacts/max(c.runs, 1), 1)
	runOf := func(artifactIndex int) int { return min(artifactIndex/perRun+1, c.runs) }
	var wg sync.WaitGroup
	var linkErr error
	var nLinks int
	wg.Add(1)
	go func() {
		defer wg.Done()
		conn2, err := loadConn(ctx, dbURL)
		if err != nil {
			linkErr = err
			return
		}
		defer conn2.Close(ctx)
		// Run r reads the outputs of run r-1 within its chain.
		type link struct{ a, r int }
		var links []link
		for r := 2; r <= c.runs; r++ {
			if (r-1)%c.chain == 0 {
				continue
			}
			for a := (r-2)*perRun + 1; a <= min((r-1)*perRun, c.artifacts); a++ {
				links = append(links, link{a, r})
			}
		}
		nLinks = len(links)
		linkErr = copyRows(ctx, conn2, "lamindb_artifact_input_of_runs", []string{"id", "artifact_id", "run_id"}, len(links),
			func(i int) []any { return []any{int64(i + 1), links[i].a, int64(links[i].r)} })
	}()
	err = copyRows(ctx, conn, "lamindb_artifact", []string{"id", "uid", "key", "description", "storage_id", "suffix", "kind", "otype",
		"size", "hash", "n_observations", "_hash_type", "run_id", "_key_is_virtual", "_overwrite_versions", "_branch_code",
		"created_at", "created_by_id", "updated_at"}, c.artifacts, func(i int) []any {
		id := i + 1
		f := i % len(synth.FileNames)
		sample := i / len(synth.FileNames)
		project := sample % 200
		key := fmt.Sprintf("project-%d/sample-%d/%s", project, sample, synth.FileNames[f])
		run := runOf(i)
		var kind, otype, nobs, desc any
		if synth.Suffixes[f] == ".h5ad" {
			kind, otype, nobs = "dataset", "AnnData", int64(1000+rng.IntN(100000))
			desc = fmt.Sprintf("counts of sample %d", sample)
		}
		branch := 1
		if rng.IntN(100) == 0 {
			branch = -1
		}
		at := ts(id, 1)
		return []any{id, synth.UID(rng, 20, "0000"), key, desc, storageID, synth.Suffixes[f], kind, otype, int64(1000 + rng.IntN(1<<30)),
			synth.UID(rng, 22, ""), nobs, "md5", int64(run), false, false, branch, at, runUser[run], at}
	})
	wg.Wait()
	if err != nil {
		return sh, fmt.Errorf("artifacts: %w", err)
	}
	if linkErr != nil {
		return sh, fmt.Errorf("run inputs: %w", linkErr)
	}
	phase(fmt.Sprintf("artifacts, %d run inputs", nLinks), t0)

	// Indexes, two at a time (the machine may have two cores), the
	// slowest (trigram GIN) first.
	t0 = time.Now()
	sort.SliceStable(indexes, func(i, j int) bool {
		cost := func(ix index) int {
			n := 0
			if strings.Contains(ix.def, "gin") {
				n += 4
			}
			if ix.table == "lamindb_artifact" {
				n += 2
			}
			return n
		}
		return cost(indexes[i]) > cost(indexes[j])
	})
	jobs := make(chan index)
	errs := make(chan error, 2)
	for w := 0; w < 2; w++ {
		go func() {
			wc, err := loadConn(ctx, dbURL)
			if err != nil {
				errs <- err
				for range jobs {
				}
				return
			}
			defer wc.Close(ctx)
			var first error
			for ix := range jobs {
				if first != nil {
					continue
				}
				if _, err := wc.Exec(ctx, ix.def); err != nil {
					first = fmt.Errorf("recreate %s: %w", ix.name, err)
				}
			}
			errs <- first
		}()
	}
	for _, ix := range indexes {
		jobs <- ix
	}
	close(jobs)
	for w := 0; w < 2; w++ {
		if err := <-errs; err != nil {
			return sh, err
		}
	}
	phase(fmt.Sprintf("%d indexes", len(indexes)), t0)

	t0 = time.Now()
	for _, t := range []string{"lamindb_user", "lamindb_transform", "lamindb_run", "lamindb_artifact", "lamindb_artifact_input_of_runs"} {
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))", t, t)
		if _, err := conn.Exec(ctx, q); err != nil {
			return sh, fmt.Errorf("sequence of %s: %w", t, err)
		}
	}
	// VACUUM sets the visibility map as autovacuum would on a live
	// instance; ANALYZE gives the planner its statistics.
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE)"); err != nil {
		return sh, err
	}
	phase("vacuum, analyze", t0)

	chains := (c.runs + c.chain - 1) / c.chain
	sh.lineageRun = int64(min((chains/2+1)*c.chain, c.runs))
	return sh, nil
}

// loadConn connects for bulk loading: foreign-key triggers off (the data
// are consistent by construction), no waiting for WAL flushes, memory for
// index builds.
func loadConn(ctx context.Context, dbURL string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	for _, s := range []string{"SET session_replication_role = replica", "SET synchronous_commit = off",
		"SET maintenance_work_mem = '512MB'"} {
		if _, err := conn.Exec(ctx, s); err != nil {
			conn.Close(ctx)
			return nil, fmt.Errorf("%s: %w", s, err)
		}
	}
	return conn, nil
}

// copyRows loads n rows made by row into table with COPY, 250,000 rows per
// statement.
func copyRows(ctx context.Context, conn *pgx.Conn, table string, cols []string, n int, row func(i int) []any) error {
	const batch = 250_000
	for start := 0; start < n; start += batch {
		i, end := start, min(start+batch, n)
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i >= end {
				return nil, nil
			}
			i++
			return row(i - 1), nil
		})
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{table}, cols, src); err != nil {
			return err
		}
	}
	return nil
}

// phase reports how long a generation step took.
func phase(name string, t0 time.Time) {
	fmt.Fprintf(os.Stderr, "  %-32s %6.1f s\n", name, time.Since(t0).Seconds())
}
