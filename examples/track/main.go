// Command track shows lineage tracking from a Go program through the SDK:
// it tracks itself as a run, loads an input table, writes a summary and
// saves it as the run's output, then finishes the run.
//
//	go run ./examples/track --input-key raw/scores.csv
//
// Afterwards `lamin filter artifact run__transform__key=examples/track`
// lists the summary and `lamin describe <uid>` shows where it came from.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/lamin-go/lamin"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], lamin.Options{Messages: lamin.NewMessages(os.Stderr)}, os.Stdout, os.Stderr))
}

// run is the program behind main: it checks the flags before anything is
// recorded, so a missing --input-key leaves no run behind, and returns the
// exit code (1 for a user error).
func run(ctx context.Context, args []string, opts lamin.Options, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("track", flag.ContinueOnError)
	fs.SetOutput(stderr)
	inputKey := fs.String("input-key", "", "key of the CSV artifact to summarize (required)")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if *inputKey == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "✗ pass --input-key KEY, the key of a CSV artifact to summarize; list them with `lamin filter artifact suffix=.csv`")
		return 1
	}
	uid, err := summarize(ctx, opts, *inputKey)
	if err != nil {
		fmt.Fprintln(stderr, "✗", err)
		return 1
	}
	fmt.Fprintln(stdout, uid)
	return 0
}

// summarize counts the rows and the numeric total of the last column of
// the input table and saves the result as a new artifact; it returns the
// output's uid.
func summarize(ctx context.Context, opts lamin.Options, inputKey string) (uid string, err error) {
	in, err := lamin.Open(ctx, "", opts)
	if err != nil {
		return "", err
	}
	defer in.Close()
	// Find the input first: a key that names nothing is the caller's
	// mistake, not a failed run.
	input, err := in.ArtifactByKey(ctx, inputKey)
	if err != nil {
		return "", err
	}
	run, err := in.Track(ctx, lamin.TrackOptions{TransformSpec: lamin.TransformSpec{
		Key: "examples/track", Type: lamin.TypeFunction, Description: "Summarize a table"}})
	if err != nil {
		return "", err
	}
	defer func() {
		if ferr := run.Finish(ctx, err); err == nil {
			err = ferr
		}
	}()
	table, err := in.Load(ctx, input, lamin.CacheOptions{}) // recorded as the run's input
	if err != nil {
		return "", err
	}
	total := 0.0
	for _, row := range table.Records[1:] {
		if v, err := strconv.ParseFloat(row[len(row)-1], 64); err == nil {
			total += v
		}
	}
	dir, err := os.MkdirTemp("", "summary-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "summary.csv")
	content := fmt.Sprintf("rows,total\n%d,%g\n", len(table.Records)-1, total)
	if err := os.WriteFile(out, []byte(content), 0o644); err != nil {
		return "", err
	}
	a, err := in.NewArtifact(ctx, out, lamin.ArtifactOptions{Key: "summaries/" + filepath.Base(inputKey)})
	if err != nil {
		return "", err
	}
	if err := a.Save(ctx); err != nil { // an output of the run
		return "", err
	}
	return a.UID, nil
}
