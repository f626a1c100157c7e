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
	"os"
	"path/filepath"
	"strconv"

	"github.com/lamin-go/lamin"
)

func main() {
	inputKey := flag.String("input-key", "", "key of the CSV artifact to summarize")
	flag.Parse()
	opts := lamin.Options{Messages: lamin.NewMessages(os.Stderr)}
	uid, err := summarize(context.Background(), opts, *inputKey)
	if err != nil {
		fmt.Fprintln(os.Stderr, "✗", err)
		os.Exit(1)
	}
	fmt.Println(uid)
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
	input, err := in.ArtifactByKey(ctx, inputKey)
	if err != nil {
		return "", err
	}
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
