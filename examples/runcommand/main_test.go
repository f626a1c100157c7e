package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/examples/internal/exampletest"
)

func TestRunRecordsTheCommandAsARunWithItsInputAndOutput(t *testing.T) {
	ctx := context.Background()
	in := exampletest.New(t)
	dir, opts := in.Dir, in.Options
	raw := in.SaveCSV(t, "scores.csv", "raw/scores.csv", "gene,score\nA,1.5\nB,2.5\n")
	t.Chdir(dir)

	var out bytes.Buffer
	code, err := run(ctx, opts, []string{"raw/scores.csv"}, []string{"top.csv"},
		[]string{"sh", "-c", "head -n 2 scores.csv > top.csv"}, &out, &out)
	if err != nil || code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	if !strings.Contains(out.String(), "ended completed with exit code 0") {
		t.Errorf("printed %q", out.String())
	}
	runs, err := in.Filter(ctx, "run", nil, lamin.FilterOptions{})
	if err != nil || runs.Len() != 1 {
		t.Fatalf("runs %v: %v", runs, err)
	}
	d, err := in.DescribeRun(ctx, runs.Map(0)["uid"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != "completed" || len(d.Inputs) != 1 || d.Inputs[0].UID != raw.UID || len(d.Outputs) != 1 || d.Report == nil {
		t.Fatalf("run %s, inputs %d, outputs %d, report %v", d.Status, len(d.Inputs), len(d.Outputs), d.Report)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "top.csv")); err != nil || string(b) != "gene,score\nA,1.5\n" {
		t.Errorf("top.csv %q, %v", b, err)
	}

	// A failing command ends with its exit code; one that cannot start records nothing.
	if code, err := run(ctx, opts, nil, nil, []string{"sh", "-c", "exit 4"}, &out, &out); code != 4 || err != nil {
		t.Errorf("failing command: exit %d, %v", code, err)
	}
	code, err = run(ctx, opts, nil, nil, []string{"no-such-command-xyz"}, &out, &out)
	var se *lamin.StartError
	if code != lamin.ExitNotFound || !errors.As(err, &se) {
		t.Errorf("missing command: exit %d, %v", code, err)
	}
}
