package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

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
	var status, inputs int
	var key, typ string
	in.Store().QueryRow(ctx, `SELECT r._status_code, t.key, t.type FROM lamindb_run r JOIN lamindb_transform t ON t.id = r.transform_id WHERE r.id = ?`, *out.RunID).Scan(&status, &key, &typ)
	in.Store().QueryRow(ctx, `SELECT COUNT(*) FROM lamindb_artifact_input_of_runs WHERE run_id = ? AND artifact_id = ?`, *out.RunID, raw.ID).Scan(&inputs)
	if status != 0 || key != "examples/track" || typ != "function" || inputs != 1 {
		t.Fatalf("run status %d, transform %s (%s), input links %d", status, key, typ, inputs)
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
