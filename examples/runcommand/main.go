// Command runcommand runs a command as a tracked run through the SDK, the
// way `lamin run` does: the command's inputs are linked before it starts,
// its output is kept as the run's report, the paths it writes are saved as
// the run's outputs, and the run ends with the command's exit code.
//
//	go run ./examples/runcommand --input-key raw/scores.csv --output top.csv -- \
//	    sh -c 'head -n 2 scores.csv > top.csv'
//
// Afterwards `lamin lineage <uid of top.csv> --up` draws raw/scores.csv ->
// the run -> top.csv.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/lamin-go/lamin"
)

// keys collects a repeatable flag.
type keys []string

func (k *keys) String() string     { return fmt.Sprint(*k) }
func (k *keys) Set(v string) error { *k = append(*k, v); return nil }

func main() {
	var inputs, outputs keys
	flag.Var(&inputs, "input-key", "key of an input artifact (repeatable)")
	flag.Var(&outputs, "output", "path saved as an output when the command exits 0 (repeatable)")
	flag.Parse()
	opts := lamin.Options{Messages: lamin.NewMessages(os.Stderr)}
	code, err := run(context.Background(), opts, inputs, outputs, flag.Args(), os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "✗", err)
	}
	os.Exit(code)
}

// run runs argv as a tracked run on the current instance and returns the
// exit code to end with: the command's, or a shell's for a command that
// could not start.
func run(ctx context.Context, opts lamin.Options, inputKeys, outputs, argv []string, stdout, stderr io.Writer) (int, error) {
	in, err := lamin.Open(ctx, "", opts)
	if err != nil {
		return 2, err
	}
	defer in.Close()
	var inputs []*lamin.Artifact
	for _, k := range inputKeys {
		a, err := in.ArtifactByKey(ctx, k)
		if err != nil {
			return 1, err
		}
		inputs = append(inputs, a)
	}
	// SIGINT and SIGTERM reach the command; its run then ends aborted.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	res, err := in.RunCommand(ctx, argv, lamin.RunCommandOptions{
		TransformSpec: lamin.TransformSpec{Description: "run by examples/runcommand"},
		Inputs:        inputs, Outputs: outputs,
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
	return res.ExitCode, nil
}
