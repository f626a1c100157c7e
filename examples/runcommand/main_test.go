package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
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
	code, err := run(ctx, opts, options{inputKeys: []string{"raw/scores.csv"}, outputs: []string{"top.csv"}},
		[]string{"sh", "-c", "head -n 2 scores.csv > top.csv"}, &out, &out)
	if err != nil || code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	if !strings.Contains(out.String(), "ended completed with exit code 0") {
		t.Errorf("printed %q", out.String())
	}
	d := onlyRun(t, in)
	if d.Status != "completed" || len(d.Inputs) != 1 || d.Inputs[0].UID != raw.UID || len(d.Outputs) != 1 || d.Report == nil {
		t.Fatalf("run %s, inputs %d, outputs %d, report %v", d.Status, len(d.Inputs), len(d.Outputs), d.Report)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "top.csv")); err != nil || string(b) != "gene,score\nA,1.5\n" {
		t.Errorf("top.csv %q, %v", b, err)
	}

	// A failing command ends with its exit code; one that cannot start records nothing.
	if code, err := run(ctx, opts, options{}, []string{"sh", "-c", "exit 4"}, &out, &out); code != 4 || err != nil {
		t.Errorf("failing command: exit %d, %v", code, err)
	}
	code, err = run(ctx, opts, options{}, []string{"no-such-command-xyz"}, &out, &out)
	var se *lamin.StartError
	if code != lamin.ExitNotFound || !errors.As(err, &se) {
		t.Errorf("missing command: exit %d, %v", code, err)
	}
}

func TestLineageOfTheRunIsDrawnAsSVG(t *testing.T) {
	ctx := context.Background()
	in := exampletest.New(t)
	dir, opts := in.Dir, in.Options
	t.Chdir(dir)
	if err := os.WriteFile("genes.csv", []byte("gene\nA\nB\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	o := options{inputFiles: []string{"genes.csv"}, outputs: []string{"first.csv"}, lineage: "run.svg"}
	code, err := run(ctx, opts, o, []string{"sh", "-c", "head -n 2 genes.csv > first.csv"}, &out, &out)
	if err != nil || code != 0 {
		t.Fatalf("exit %d: %v\n%s", code, err, out.String())
	}
	input, err := in.ArtifactByKey(ctx, "genes.csv")
	if err != nil {
		t.Fatalf("the input file was not saved as an artifact: %v", err)
	}
	d := onlyRun(t, in)
	if len(d.Inputs) != 1 || d.Inputs[0].UID != input.UID || len(d.Outputs) != 1 {
		t.Fatalf("run inputs %v, outputs %v", d.Inputs, d.Outputs)
	}
	output := d.Outputs[0]

	svg, err := os.ReadFile("run.svg")
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var root string
	var texts []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("run.svg is not valid XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = el.Name.Local
			}
		case xml.CharData:
			texts = append(texts, string(el))
		}
	}
	all := strings.Join(texts, "\n")
	if root != "svg" {
		t.Errorf("run.svg starts with <%s>, want <svg>", root)
	}
	for _, want := range []string{"uid=" + output.UID, "genes.csv", "uid=" + input.UID, "run by examples/runcommand"} {
		if !strings.Contains(all, want) {
			t.Errorf("run.svg does not show %q:\n%s", want, all)
		}
	}
}

// onlyRun describes the one run of the instance.
func onlyRun(t *testing.T, in *exampletest.Instance) *lamin.RunDescription {
	t.Helper()
	ctx := context.Background()
	runs, err := in.Filter(ctx, "run", nil, lamin.FilterOptions{})
	if err != nil || runs.Len() != 1 {
		t.Fatalf("runs %v: %v", runs, err)
	}
	d, err := in.DescribeRun(ctx, runs.Map(0)["uid"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return d
}
