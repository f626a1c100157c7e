// Command team measures lamin's team mode (PostgreSQL metadata, S3 bytes)
// against reference tools in the same run and prints one table:
//
//  1. `lamin save DIR --from-dir` of 10,000 small files into a team
//     instance against `s3cmd sync` of the same folder to the same server
//     (fresh database and bucket per measurement, median of 3);
//  2. lamin filter, search and lineage on an instance of 1,000,000
//     artifacts, 100,000 runs and 10,000 transforms in PostgreSQL, each
//     against psql running the statements lamin runs, on the same database
//     (median of 5, whole processes timed).
//
// bench/team.sh builds the binaries and runs it.
//
// The benchmark names the schema's tables (lamindb_*) in its own SQL: it
// bulk-loads and probes the database directly, as the reference tools do,
// rather than through the SDK it measures.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type config struct {
	lamin, s3cmd, psql string
	pgAdmin            string
	s3Endpoint         string
	accessKey          string
	secretKey          string
	region             string
	work               string
	only               string
	files, saveRepeat  int
	artifacts, runs    int
	transforms, users  int
	chain, repeat      int
	explain, keep      bool
}

// target is a figure's goal: an absolute time, a ratio to the reference,
// or neither (a reference row).
type target struct {
	ms    float64
	ratio float64
}

func (t target) String() string {
	switch {
	case t.ms > 0:
		return fmt.Sprintf("< %.0f ms", t.ms)
	case t.ratio > 0:
		return fmt.Sprintf("ratio ≤ %g", t.ratio)
	}
	return "-"
}

func (t target) met(ms, ratio float64) bool {
	switch {
	case t.ms > 0:
		return ms < t.ms
	case t.ratio > 0:
		return ratio <= t.ratio
	}
	return true
}

// result is one row of the table.
type result struct {
	name   string
	lamin  float64
	served float64 // through `lamin serve`; 0 when not measured
	ref    string
	refMS  float64
	target target
}

func main() {
	var c config
	flag.StringVar(&c.lamin, "lamin", "", "lamin binary to time (required)")
	flag.StringVar(&c.s3cmd, "s3cmd", "s3cmd", "s3cmd")
	flag.StringVar(&c.psql, "psql", "psql", "psql")
	flag.StringVar(&c.pgAdmin, "pg", envOr("LAMIN_TEST_POSTGRES", "postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable"),
		"PostgreSQL URL of a role that may create databases")
	flag.StringVar(&c.s3Endpoint, "s3", envOr("LAMIN_TEST_S3", "http://127.0.0.1:7070"), "S3 endpoint URL")
	flag.StringVar(&c.accessKey, "access-key", envOr("AWS_ACCESS_KEY_ID", "test"), "S3 access key")
	flag.StringVar(&c.secretKey, "secret-key", envOr("AWS_SECRET_ACCESS_KEY", "testsecret"), "S3 secret key")
	flag.StringVar(&c.region, "region", envOr("AWS_REGION", "us-east-1"), "S3 region")
	flag.StringVar(&c.work, "dir", "", "work folder (default: a new temporary folder, removed at the end)")
	flag.StringVar(&c.only, "only", "", "run one part only: save or query")
	flag.IntVar(&c.files, "files", 10_000, "small files saved to S3")
	flag.IntVar(&c.saveRepeat, "save-repeat", 3, "measurements of each save (the median is reported)")
	flag.IntVar(&c.artifacts, "artifacts", 1_000_000, "artifacts to generate")
	flag.IntVar(&c.runs, "runs", 100_000, "runs to generate")
	flag.IntVar(&c.transforms, "transforms", 10_000, "transforms to generate")
	flag.IntVar(&c.users, "users", 20, "users to generate")
	flag.IntVar(&c.chain, "chain", 100, "runs per lineage chain")
	flag.IntVar(&c.repeat, "repeat", 5, "timed repetitions per query (the median is reported)")
	flag.BoolVar(&c.explain, "explain", false, "print EXPLAIN ANALYZE of every reference statement to stderr")
	flag.BoolVar(&c.keep, "keep", false, "keep the query database (its URL is printed)")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "team bench:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, c config) error {
	if c.lamin == "" {
		return fmt.Errorf("-lamin is required")
	}
	if c.runs < 1 || c.transforms < 1 || c.users < 1 || c.chain < 1 || c.repeat < 1 || c.saveRepeat < 1 {
		return fmt.Errorf("-runs, -transforms, -users, -chain, -repeat and -save-repeat must be positive")
	}
	if c.work == "" {
		d, err := os.MkdirTemp("", "lamin-team-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		c.work = d
	} else if err := os.MkdirAll(c.work, 0o755); err != nil {
		return err
	}
	var results []result
	var notes []string
	if c.only == "" || c.only == "save" {
		fmt.Fprintf(os.Stderr, "saving %d small files to S3 (%d times each tool)\n", c.files, c.saveRepeat)
		r, err := benchSave(ctx, c)
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		results = append(results, r...)
		notes = append(notes, fmt.Sprintf("save: %d files of ~20 bytes, median of %d, fresh database and bucket each", c.files, c.saveRepeat))
	}
	if c.only == "" || c.only == "query" {
		fmt.Fprintf(os.Stderr, "generating an instance of %d artifacts in PostgreSQL\n", c.artifacts)
		r, note, err := benchQuery(ctx, c)
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		results = append(results, r...)
		notes = append(notes, fmt.Sprintf("queries: %s; median of %d after one warm-up", note, c.repeat))
	}

	fmt.Printf("| figure | lamin (CLI) | lamin serve | reference | reference | ratio (CLI) | target |\n|---|---|---|---|---|---|---|\n")
	verdict := func(r result, ms, ratio float64) string {
		return map[bool]string{true: "met", false: "**missed**"}[r.target.met(ms, ratio)]
	}
	for _, r := range results {
		ratio := r.lamin / r.refMS
		served, v := "-", "reference"
		if r.served > 0 {
			served = fmtMS(r.served) + " ms"
		}
		if r.target != (target{}) {
			v = r.target.String() + ": CLI " + verdict(r, r.lamin, ratio)
			if r.served > 0 {
				v += ", served " + verdict(r, r.served, r.served/r.refMS)
			}
		}
		fmt.Printf("| %s | %s ms | %s | %s | %s ms | %.2f | %s |\n", r.name, fmtMS(r.lamin), served, r.ref, fmtMS(r.refMS), ratio, v)
	}
	fmt.Printf("\n%s, %d cores, %s memory, load average %s\n", time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), memory(), loadAvg())
	for _, n := range notes {
		fmt.Println("- " + n)
	}
	return nil
}

func fmtMS(ms float64) string {
	if ms >= 1000 {
		return strconv.FormatFloat(ms, 'f', 0, 64)
	}
	return strconv.FormatFloat(ms, 'f', 1, 64)
}

func memory() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return "?"
	}
	kb, err := strconv.Atoi(f[1])
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
