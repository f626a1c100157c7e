// Command query measures lamin's queries on a large instance against the
// sqlite3 command-line shell running the same SQL on the same database file.
//
// It creates an instance through the SDK (lamin.Init), bulk-loads it with
// plain SQL in large transactions (1,000,000 artifacts, 100,000 runs, 10,000
// transforms, 20 users and about 1,000,000 run-input links by default), then
// times each figure as the median of several runs: the SDK call in this
// process, the built lamin binary, and sqlite3. bench/query.sh builds the
// binaries and runs it.
//
// The benchmark names the schema's tables (lamindb_*) in its own SQL: it
// bulk-loads and probes the database directly, as the reference tools do,
// rather than through the SDK it measures.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"github.com/lamin-go/lamin/bench/internal/stmts"
	"github.com/lamin-go/lamin/bench/internal/synth"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/meta/sqlite"
	"github.com/lamin-go/lamin/internal/query"
	_ "modernc.org/sqlite"
)

type config struct {
	dir        string
	laminBin   string
	sqlite3    string
	artifacts  int
	runs       int
	transforms int
	users      int
	inputs     int
	repeat     int
	reuse      bool
}

func main() {
	var c config
	flag.StringVar(&c.dir, "dir", "", "work folder (instance, settings); default: a new temporary folder")
	flag.StringVar(&c.laminBin, "lamin", "", "lamin binary to time (default: skip binary timings)")
	flag.StringVar(&c.sqlite3, "sqlite3", "sqlite3", "sqlite3 shell")
	flag.IntVar(&c.artifacts, "artifacts", 1_000_000, "artifacts to generate")
	flag.IntVar(&c.runs, "runs", 100_000, "runs to generate")
	flag.IntVar(&c.transforms, "transforms", 10_000, "transforms to generate")
	flag.IntVar(&c.users, "users", 20, "users to generate")
	flag.IntVar(&c.inputs, "inputs-per-run", 10, "input artifacts linked to each run")
	flag.IntVar(&c.repeat, "repeat", 5, "timed repetitions per figure (the median is reported)")
	flag.BoolVar(&c.reuse, "reuse", false, "reuse the instance in -dir if it exists")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "query bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	if c.dir == "" {
		d, err := os.MkdirTemp("", "lamin-query-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		c.dir = d
	}
	opts := lamin.Options{SettingsDir: filepath.Join(c.dir, "settings"), CacheDir: filepath.Join(c.dir, "cache")}
	root := filepath.Join(c.dir, "inst")
	dbPath := filepath.Join(root, ".lamindb", "lamin.db")
	if _, err := os.Stat(dbPath); err != nil || !c.reuse {
		os.RemoveAll(root)
		t0 := time.Now()
		if err := generate(ctx, c, root, opts); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "generated %d artifacts, %d runs, %d transforms in %.1f s\n",
			c.artifacts, c.runs, c.transforms, time.Since(t0).Seconds())
	}
	in, err := lamin.Open(ctx, root, opts)
	if err != nil {
		return err
	}
	defer in.Close()
	return measure(ctx, c, in, dbPath, opts)
}

// figure is one timed query in its three forms.
type figure struct {
	name   string
	args   []string                  // lamin command line
	sdk    func(context.Context) int // the SDK call; returns the rows found
	sql    string                    // the equivalent SQL for sqlite3
	target float64                   // milliseconds
}

func measure(ctx context.Context, c config, in *lamin.Instance, dbPath string, opts lamin.Options) error {
	// A connection of its own for what the SDK does not expose: the search's
	// statements, recorded, and the pick of a search target.
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	desc, err := searchTarget(ctx, store)
	if err != nil {
		return err
	}
	filterFig := func(name, expr string) (figure, error) {
		o := lamin.FilterOptions{Limit: 100}
		text, args, err := in.FilterSQL("artifact", []string{expr}, o)
		if err != nil {
			return figure{}, err
		}
		return figure{
			name: name,
			args: []string{"filter", "artifact", expr, "--limit", "100"},
			sdk: func(ctx context.Context) int {
				rows, err := in.Filter(ctx, "artifact", []string{expr}, o)
				check(err)
				return rows.Len()
			},
			sql:    inline(text, args),
			target: 50,
		}, nil
	}
	// The floor: process start and opening the instance, with a query that
	// reads one row.
	floorSQL, floorArgs, err := in.FilterSQL("storage", []string{"id=1"}, lamin.FilterOptions{})
	if err != nil {
		return err
	}
	figs := []figure{{
		name: "filter storage id=1 (start-up floor)",
		args: []string{"filter", "storage", "id=1"},
		sdk: func(ctx context.Context) int {
			rows, err := in.Filter(ctx, "storage", []string{"id=1"}, lamin.FilterOptions{})
			check(err)
			return rows.Len()
		},
		sql: inline(floorSQL, floorArgs),
	}}
	for _, f := range []struct{ name, expr string }{
		{"filter artifact key__startswith=project-17/ --limit 100", "key__startswith=project-17/"},
		{"filter artifact created_by__handle=user-3 --limit 100", "created_by__handle=user-3"},
	} {
		fig, err := filterFig(f.name, f.expr)
		if err != nil {
			return err
		}
		figs = append(figs, fig)
	}
	figs = append(figs, figure{
		name: fmt.Sprintf("search transform %q", desc),
		args: []string{"search", "transform", desc},
		sdk: func(ctx context.Context) int {
			rows, _, err := in.Search(ctx, "transform", desc, 0)
			check(err)
			return rows.Len()
		},
		sql:    searchSQL(ctx, in, store, desc),
		target: 50,
	})
	// Shell completion of a uid prefix (`lamin get artifact Q<TAB>`): a
	// one-character prefix matches 1/62 of the artifacts, cut at 50.
	prefixSQL, prefixArgs, err := in.UIDPrefixSQL("artifact", "Q", 50)
	if err != nil {
		return err
	}
	figs = append(figs, figure{
		name: "__complete get artifact Q (uid completion)",
		args: []string{"__complete", "get", "artifact", "Q"},
		sdk: func(ctx context.Context) int {
			uids, err := in.UIDsWithPrefix(ctx, "artifact", "Q", 50)
			check(err)
			return len(uids)
		},
		sql:    inline(prefixSQL, prefixArgs),
		target: 50,
	})
	var viewSQL []string
	for _, r := range query.Registries() {
		if !r.HasBranch() {
			continue
		}
		text, args, err := in.FilterSQL(r.Name, nil, lamin.FilterOptions{Limit: lamin.DefaultViewLimit})
		if err != nil {
			return err
		}
		viewSQL = append(viewSQL, inline(text, args))
	}
	figs = append(figs, figure{
		name: "view",
		args: []string{"view"},
		sdk: func(ctx context.Context) int {
			all, err := in.View(ctx, 0)
			check(err)
			n := 0
			for _, r := range all {
				n += r.Len()
			}
			return n
		},
		sql:    strings.Join(viewSQL, ";\n"),
		target: 100,
	})

	env := append(os.Environ(), "LAMIN_SETTINGS_DIR="+opts.SettingsDir, "LAMIN_CACHE_DIR="+opts.CacheDir)
	type result struct {
		fig                   figure
		rows                  int
		sdk, binary, sqlite3m float64
	}
	var results []result
	for _, f := range figs {
		r := result{fig: f}
		r.rows = f.sdk(ctx)
		r.sdk = median(c.repeat, func() { f.sdk(ctx) })
		if c.laminBin != "" {
			cmd := func() {
				x := exec.Command(c.laminBin, f.args...)
				x.Env = env
				out, err := x.CombinedOutput()
				if err != nil {
					check(fmt.Errorf("%s %v: %v\n%s", c.laminBin, f.args, err, out))
				}
			}
			cmd()
			r.binary = median(c.repeat, cmd)
		}
		sq := func() {
			x := exec.Command(c.sqlite3, "-readonly", dbPath, f.sql)
			out, err := x.CombinedOutput()
			if err != nil {
				check(fmt.Errorf("sqlite3: %v\n%s\n%s", err, out, f.sql))
			}
		}
		sq()
		r.sqlite3m = median(c.repeat, sq)
		results = append(results, r)
	}

	fmt.Printf("| figure | rows | lamin (binary) | lamin (in process) | sqlite3 | ratio | target |\n|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		bin, ratio, verdict := "-", "-", ""
		if c.laminBin != "" {
			bin = fmt.Sprintf("%.1f ms", r.binary)
			q := r.binary / r.sqlite3m
			ratio = fmt.Sprintf("%.2f", q)
			met := r.binary < r.fig.target
			goal := fmt.Sprintf("< %.0f ms", r.fig.target)
			if r.fig.target == 50 {
				goal += " and ratio ≤ 2"
				met = met && q <= 2
			}
			verdict = goal + ": " + map[bool]string{true: "met", false: "missed"}[met]
			if r.fig.target == 0 {
				verdict = "reference"
			}
		}
		fmt.Printf("| `lamin %s` | %d | %s | %.1f ms | %.1f ms | %s | %s |\n",
			r.fig.name, r.rows, bin, r.sdk, r.sqlite3m, ratio, verdict)
	}
	mem := "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			if kb, err := strconv.Atoi(f[1]); err == nil {
				mem = fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
			}
		}
	}
	load := "?"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	fmt.Printf("\n%s, %d cores, %s memory, load average %s; %d artifacts, %d runs, %d transforms; median of %d\n",
		time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), mem, load, c.artifacts, c.runs, c.transforms, c.repeat)
	return nil
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "query bench:", err)
		os.Exit(1)
	}
}

// median runs fn n times and returns the median wall time in milliseconds.
func median(n int, fn func()) float64 {
	ts := make([]float64, n)
	for i := range ts {
		t0 := time.Now()
		fn()
		ts[i] = float64(time.Since(t0).Microseconds()) / 1000
	}
	sort.Float64s(ts)
	return ts[n/2]
}

// inline substitutes the arguments for the '?' placeholders of a statement
// whose text has no other question marks or quotes (the query package's SQL).
func inline(text string, args []any) string {
	var sb strings.Builder
	i := 0
	for _, r := range text {
		if r != '?' || i >= len(args) {
			sb.WriteRune(r)
			continue
		}
		switch v := args[i].(type) {
		case string:
			sb.WriteString("'" + strings.ReplaceAll(v, "'", "''") + "'")
		case bool:
			sb.WriteString(map[bool]string{true: "1", false: "0"}[v])
		default:
			sb.WriteString(fmt.Sprint(v))
		}
		i++
	}
	return sb.String()
}

// searchSQL is what Instance.Search sends for text (the candidate
// selection and the fetch of the hits by id), recorded from the SDK; the
// ranking happens in Go.
func searchSQL(ctx context.Context, in *lamin.Instance, store *meta.Store, text string) string {
	rec := &stmts.Recorder{Querier: store, Inline: inline}
	res, err := query.Search(ctx, rec, query.Transform, text, query.SearchOptions{})
	check(err)
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = strconv.FormatInt(h.ID, 10)
	}
	fetch, args, err := in.FilterSQL("transform", []string{"id__in=" + strings.Join(ids, ",")}, lamin.FilterOptions{})
	check(err)
	return strings.Join(append(rec.Stmts, inline(fetch, args)), ";\n")
}

// searchTarget picks the description of a transform in the middle of the
// registry, with SQL of its own, so that what the benchmark searches for
// does not depend on the code it measures.
func searchTarget(ctx context.Context, store *meta.Store) (string, error) {
	var desc string
	err := store.QueryRow(ctx, `SELECT description FROM lamindb_transform WHERE description IS NOT NULL
		ORDER BY id LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM lamindb_transform)`).Scan(&desc)
	return desc, err
}

// Vocabulary for realistic keys and descriptions.
// generate creates the instance and loads it.
func generate(ctx context.Context, c config, root string, opts lamin.Options) error {
	t0 := time.Now()
	if _, err := lamin.Login("user-0", "", opts); err != nil {
		return err
	}
	in, err := lamin.Init(ctx, root, lamin.InitOptions{Options: opts})
	if err != nil {
		return err
	}
	if err := in.Close(); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", filepath.Join(root, ".lamindb", "lamin.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, p := range []string{"journal_mode=OFF", "synchronous=OFF", "cache_size=-524288", "temp_store=MEMORY", "foreign_keys=OFF"} {
		if _, err := db.ExecContext(ctx, "PRAGMA "+p); err != nil {
			return err
		}
	}
	// Build the big tables without their secondary indexes, then recreate
	// them. The generator names the schema's tables itself: it bulk-loads
	// millions of rows with prepared INSERTs in a few transactions, which
	// the SDK (one record at a time, the way users save) would take hours
	// to insert, and the benchmark measures reads, not writes.
	tables := []string{"lamindb_transform", "lamindb_run", "lamindb_artifact", "lamindb_artifact_input_of_runs"}
	var indexes []string
	rows, err := db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (?, ?, ?, ?)`,
		tables[0], tables[1], tables[2], tables[3])
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name, text string
		if err := rows.Scan(&name, &text); err != nil {
			return err
		}
		names, indexes = append(names, name), append(indexes, text)
	}
	rows.Close()
	for _, n := range names {
		if _, err := db.ExecContext(ctx, "DROP INDEX "+n); err != nil {
			return err
		}
	}
	phase("init", t0)
	t0 = time.Now()
	rng := rand.New(rand.NewPCG(17, 42))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	// Records are spread over about a year, in id order.
	step := 365 * 24 * time.Hour / time.Duration(c.artifacts+1)
	ts := func(i int, scale int) string { return meta.FormatTime(base.Add(time.Duration(i*scale) * step)) }

	err = tx(ctx, db, func(t *sql.Tx) error {
		ins, err := t.PrepareContext(ctx, `INSERT INTO lamindb_user (uid, handle, name) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		for u := 1; u < c.users; u++ {
			if _, err := ins.ExecContext(ctx, synth.UID(rng, 8, ""), fmt.Sprintf("user-%d", u), fmt.Sprintf("User %d", u)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}

	creator := make([]int, c.transforms+1)
	tScale := c.artifacts / max(c.transforms, 1)
	err = bulk(ctx, db, `INSERT INTO lamindb_transform (id, uid, key, description, type, source_code, hash, reference, reference_type,
		version, created_at, created_by_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.transforms, func(i int) []any {
		id := i + 1
		creator[id] = 1 + rng.IntN(c.users)
		tr := synth.NewTransform(rng, id)
		at := ts(id, tScale)
		return []any{id, synth.UID(rng, 16, "0000"), tr.Key, tr.Description, tr.Type, tr.SourceCode, tr.Hash, tr.Reference,
			tr.ReferenceType, tr.Version, at, creator[id], at}
	})
	if err != nil {
		return fmt.Errorf("transforms: %w", err)
	}
	phase("transforms", t0)
	t0 = time.Now()

	runUser := make([]int, c.runs+1)
	rScale := c.artifacts / max(c.runs, 1)
	err = bulk(ctx, db, `INSERT INTO lamindb_run (id, uid, transform_id, started_at, finished_at, _is_consecutive, _status_code,
		created_at, created_by_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.runs, func(i int) []any {
		id := i + 1
		tr := 1 + rng.IntN(c.transforms)
		runUser[id] = creator[tr]
		if rng.IntN(5) == 0 {
			runUser[id] = 1 + rng.IntN(c.users)
		}
		started := ts(id, rScale)
		var finished any = meta.FormatTime(base.Add(time.Duration(id*rScale)*step + time.Duration(rng.IntN(3600))*time.Second))
		status := 0
		switch rng.IntN(20) {
		case 0:
			status = 1
		case 1:
			status, finished = -1, nil
		}
		return []any{id, synth.UID(rng, 16, ""), tr, started, finished, true, status, started, runUser[id]}
	})
	if err != nil {
		return fmt.Errorf("runs: %w", err)
	}
	phase("runs", t0)
	t0 = time.Now()

	perRun := max(c.artifacts/max(c.runs, 1), 1)
	err = bulk(ctx, db, `INSERT INTO lamindb_artifact (id, uid, key, description, storage_id, suffix, kind, otype, size, hash,
		n_observations, _hash_type, run_id, _key_is_virtual, _overwrite_versions, _branch_code, created_at, created_by_id, updated_at)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, 'md5', ?, 0, 0, ?, ?, ?, ?)`, c.artifacts, func(i int) []any {
		id := i + 1
		f := i % len(synth.FileNames)
		sample := i / len(synth.FileNames)
		project := sample % 200
		key := fmt.Sprintf("project-%d/sample-%d/%s", project, sample, synth.FileNames[f])
		run := min(i/perRun+1, c.runs)
		var kind, otype, nobs, desc any
		if synth.Suffixes[f] == ".h5ad" {
			kind, otype, nobs = "dataset", "AnnData", 1000+rng.IntN(100000)
			desc = fmt.Sprintf("counts of sample %d", sample)
		}
		branch := 1
		if rng.IntN(100) == 0 {
			branch = -1
		}
		at := ts(id, 1)
		return []any{id, synth.UID(rng, 20, "0000"), key, desc, synth.Suffixes[f], kind, otype, 1000 + rng.IntN(1<<30), synth.UID(rng, 22, ""),
			nobs, run, branch, at, runUser[run], at}
	})
	if err != nil {
		return fmt.Errorf("artifacts: %w", err)
	}
	phase("artifacts", t0)
	t0 = time.Now()

	// Each run reads inputs-per-run artifacts made by earlier runs.
	type link struct{ a, r int }
	var links []link
	for r := 2; r <= c.runs; r++ {
		made := min((r-1)*perRun, c.artifacts)
		seen := map[int]bool{}
		for k := 0; k < c.inputs && len(seen) < made; k++ {
			a := 1 + rng.IntN(made)
			if !seen[a] {
				seen[a] = true
				links = append(links, link{a, r})
			}
		}
	}
	err = bulk(ctx, db, `INSERT INTO lamindb_artifact_input_of_runs (artifact_id, run_id) VALUES (?, ?)`, len(links), func(i int) []any {
		return []any{links[i].a, links[i].r}
	})
	if err != nil {
		return fmt.Errorf("run inputs: %w", err)
	}
	phase("run inputs", t0)
	t0 = time.Now()
	for _, text := range indexes {
		if _, err := db.ExecContext(ctx, text); err != nil {
			return fmt.Errorf("recreate index: %w", err)
		}
	}
	phase("indexes", t0)
	_, err = db.ExecContext(ctx, "PRAGMA journal_mode=WAL")
	return err
}

// phase reports how long a generation step took.
func phase(name string, t0 time.Time) {
	fmt.Fprintf(os.Stderr, "  %-12s %6.1f s\n", name, time.Since(t0).Seconds())
}

func tx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	t, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(t); err != nil {
		t.Rollback()
		return err
	}
	return t.Commit()
}

// bulk inserts n rows with a prepared statement, 200,000 rows per transaction.
func bulk(ctx context.Context, db *sql.DB, stmt string, n int, row func(i int) []any) error {
	const batch = 200_000
	for start := 0; start < n; start += batch {
		err := tx(ctx, db, func(t *sql.Tx) error {
			ins, err := t.PrepareContext(ctx, stmt)
			if err != nil {
				return err
			}
			defer ins.Close()
			for i := start; i < min(start+batch, n); i++ {
				if _, err := ins.ExecContext(ctx, row(i)...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
