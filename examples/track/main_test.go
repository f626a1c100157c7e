package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/examples/internal/exampletest"
)

func TestSummarizeRecordsItsInputOutputAndRun(t *testing.T) {
	ctx := context.Background()
	in := exampletest.New(t)
	opts := in.Options
	raw := in.SaveCSV(t, "scores.csv", "raw/scores.csv", "gene,score\nA,1.5\nB,2.5\n")

	uid, err := summarize(ctx, opts, "raw/scores.csv")
	if err != nil {
		t.Fatal(err)
	}
	out, err := in.GetArtifact(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out.Path())
	if string(b) != "rows,total\n2,4\n" || *out.Key != "summaries/scores.csv" || out.RunID == nil {
		t.Fatalf("output %s with %q", out.Repr(), b)
	}
	runs, err := in.Filter(ctx, "run", []string{fmt.Sprintf("id=%d", *out.RunID)}, lamin.FilterOptions{})
	if err != nil || runs.Len() != 1 {
		t.Fatalf("the output's run %d: %v", *out.RunID, err)
	}
	run, err := in.DescribeRun(ctx, runs.Map(0)["uid"].(string))
	if err != nil {
		t.Fatal(err)
	}
	inputs := 0
	for _, a := range run.Inputs {
		if a.ID == raw.ID {
			inputs++
		}
	}
	if run.Status != "completed" || *run.Transform.Key != "examples/track" || run.Transform.Type != "function" || inputs != 1 {
		t.Fatalf("run status %s, transform %s (%s), input links %d", run.Status, *run.Transform.Key, run.Transform.Type, inputs)
	}
}

func TestAMissingOrUnknownInputKeyFailsBeforeRecordingARun(t *testing.T) {
	ctx := context.Background()
	in := exampletest.New(t)
	opts := in.Options
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "✗ pass --input-key KEY, the key of a CSV artifact to summarize; list them with `lamin filter artifact suffix=.csv`\n"},
		{[]string{"--input-key", "raw/nothing.csv"}, "raw/nothing.csv"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(ctx, tc.args, opts, &stdout, &stderr); code != 1 {
			t.Errorf("%v: exit %d, want 1", tc.args, code)
		}
		if !strings.Contains(stderr.String(), tc.want) || stdout.Len() != 0 {
			t.Errorf("%v: stdout %q, stderr %q; want %q on stderr", tc.args, stdout.String(), stderr.String(), tc.want)
		}
	}
	for _, reg := range []string{"run", "transform"} {
		if n, err := in.Count(ctx, reg, nil); err != nil || n != 0 {
			t.Errorf("%d %s records after failed starts (err %v), want none", n, reg, err)
		}
	}
}
