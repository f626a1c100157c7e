// Command runcommand runs a command as a tracked run through the SDK, the
// way `lamin run` does: the command's inputs are linked before it starts,
// its output is kept as the run's report, the paths it writes are saved as
// the run's outputs, and the run ends with the command's exit code. Local
// files given with --input-file are saved as artifacts first; --lineage
// draws the run's lineage as SVG.
//
//	go run ./examples/runcommand --input-file scores.csv --output top.csv \
//	    --lineage run.svg -- sh -c 'head -n 2 scores.csv > top.csv'
//
// run.svg (and `lamin lineage <uid of top.csv> --up`) then draws
// scores.csv -> the run -> top.csv.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/lamin-go/lamin"
)

// keys collects a repeatable flag.
type keys []string

func (k *keys) String() string     { return fmt.Sprint(*k) }
func (k *keys) Set(v string) error { *k = append(*k, v); return nil }

// options are the command line: what to link, save and draw around argv.
type options struct {
	inputKeys  []string // keys of saved artifacts the command reads
	inputFiles []string // local files to save as artifacts the command reads
	outputs    []string // paths saved as outputs when the command exits 0
	lineage    string   // file for the run's lineage as SVG, or ""
}

func main() {
	var o options
	flag.Var((*keys)(&o.inputKeys), "input-key", "key of an input artifact (repeatable)")
	flag.Var((*keys)(&o.inputFiles), "input-file", "local file saved as an artifact (key: its name) and used as an input (repeatable)")
	flag.Var((*keys)(&o.outputs), "output", "path saved as an output when the command exits 0 (repeatable)")
	flag.StringVar(&o.lineage, "lineage", "", "write the run's lineage as SVG to this file")
	flag.Parse()
	opts := lamin.Options{Messages: lamin.NewMessages(os.Stderr)}
	code, err := run(context.Background(), opts, o, flag.Args(), os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "✗", err)
	}
	os.Exit(code)
}

// run runs argv as a tracked run on the current instance and returns the
// exit code to end with: the command's, or a shell's for a command that
// could not start.
func run(ctx context.Context, opts lamin.Options, o options, argv []string, stdout, stderr io.Writer) (int, error) {
	in, err := lamin.Open(ctx, "", opts)
	if err != nil {
		return 2, err
	}
	defer in.Close()
	var inputs []*lamin.Artifact
	for _, k := range o.inputKeys {
		a, err := in.ArtifactByKey(ctx, k)
		if err != nil {
			return 1, err
		}
		inputs = append(inputs, a)
	}
	for _, p := range o.inputFiles {
		a, err := in.NewArtifact(ctx, p, lamin.ArtifactOptions{Key: filepath.Base(p)})
		if err != nil {
			return 1, err
		}
		if err := a.Save(ctx); err != nil {
			return 2, err
		}
		inputs = append(inputs, a)
	}
	// SIGINT and SIGTERM reach the command; its run then ends aborted.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	res, err := in.RunCommand(ctx, argv, lamin.RunCommandOptions{
		TransformSpec: lamin.TransformSpec{Description: "run by examples/runcommand"},
		Inputs:        inputs, Outputs: o.outputs,
		Stdin: os.Stdin, Stdout: stdout, Stderr: stderr, Signals: sigs,
	})
	var startErr *lamin.StartError
	switch {
	case errors.As(err, &startErr):
		return startErr.ExitCode, err // nothing was recorded
	case err != nil:
		return 2, err
	case res.Err != nil:
		return res.ExitCode, fmt.Errorf("run %s: %w", res.Run.UID, res.Err)
	}
	fmt.Fprintf(stderr, "run %s ended %s with exit code %d\n", res.Run.UID, lamin.StatusName(res.Run.StatusCode), res.ExitCode)
	if o.lineage != "" {
		if err := drawLineage(ctx, in, res.Run.UID, o.lineage); err != nil {
			return 2, err
		}
	}
	return res.ExitCode, nil
}

// drawLineage writes the lineage around the run as SVG to path: its
// inputs, the runs that made them, its outputs and what used them.
func drawLineage(ctx context.Context, in *lamin.Instance, runUID, path string) error {
	g, err := in.Lineage(ctx, runUID, lamin.LineageOptions{})
	if err != nil {
		return err
	}
	var svg bytes.Buffer
	if err := g.Render(&svg, "svg"); err != nil {
		return fmt.Errorf("draw lineage of run %s: %w", runUID, err)
	}
	return os.WriteFile(path, svg.Bytes(), 0o644)
}
