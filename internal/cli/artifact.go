package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/records"
	"github.com/lamin-go/lamin/internal/termtext"
	"github.com/lamin-go/lamin/record"
	"github.com/spf13/cobra"
)

type saveOptions struct {
	path, key, description, stemUID, kind, run string
	noRun, fromDir, quiet                      bool
	format, registry                           string
}

func (app *App) saveCmd() *cobra.Command {
	var o saveOptions
	cmd := &cobra.Command{
		Use:   "save PATH [--key K] [--description D] [--kind K] [--run UID|--no-run]",
		Short: "Register a file or folder; prints the artifact uid",
		Long: `Register a file or folder as an artifact. A path inside the storage root is
registered in place; any other path is copied into the root's .lamindb/ folder.
Inside a run (lamin run, lamin track) the artifact becomes an output of that run.
With --from-dir every file below the folder becomes its own artifact.`,
		Args: exactArgs(1, "one path"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(o.format); err != nil {
				return err
			}
			if o.noRun && o.run != "" {
				return usagef("--run and --no-run exclude each other; pass one")
			}
			o.path = args[0]
			return app.saveRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "key, a relative path like results/table.csv")
	f.StringVar(&o.description, "description", "", "description")
	f.StringVar(&o.stemUID, "stem-uid", "", "16-character uid stem to version under")
	f.StringVar(&o.kind, "kind", "", "kind: dataset, model or any label")
	f.StringVar(&o.run, "run", "", "uid of the run that created the data (default: $LAMIN_RUN_UID)")
	f.BoolVar(&o.noRun, "no-run", false, "link no run even inside one")
	f.BoolVar(&o.fromDir, "from-dir", false, "one artifact per file below the folder")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar for large uploads")
	f.StringVar(&o.registry, "registry", "", "artifact or transform (default: transform for .py, .ipynb, .R, .Rmd, .qmd files)")
	addFormatFlag(cmd, &o.format, "table")
	return cmd
}

func (app *App) saveRun(ctx context.Context, o saveOptions) error {
	in, err := app.open(ctx)
	if err != nil {
		return err
	}
	defer in.Close()
	switch o.registry {
	case "":
		if isSourceFile(o.path) && !o.fromDir {
			return app.saveTransformRun(ctx, in, o)
		}
	case "transform":
		return app.saveTransformRun(ctx, in, o)
	case "artifact":
	default:
		return usagef("--registry %q: use artifact or transform", o.registry)
	}
	app.showProgress(in, o.quiet)
	ao := lamin.ArtifactOptions{Key: o.key, Description: o.description, Kind: o.kind, StemUID: o.stemUID, NoRun: o.noRun}
	if o.run != "" {
		if ao.Run, err = in.RunByUID(ctx, o.run); err != nil {
			return err
		}
	}
	var arts []*lamin.Artifact
	if o.fromDir {
		if arts, err = in.ArtifactsFromDir(ctx, o.path, ao); err != nil {
			return err
		}
	} else {
		a, err := in.NewArtifact(ctx, o.path, ao)
		if err != nil {
			return err
		}
		arts = []*lamin.Artifact{a}
	}
	if err := in.SaveAll(ctx, arts); err != nil {
		return err
	}
	return app.printArtifacts(o.format, arts, !o.fromDir)
}

// isSourceFile reports whether lamin save treats path as code (a transform).
func isSourceFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".py", ".ipynb", ".r", ".rmd", ".qmd":
		return true
	}
	return false
}

// saveTransformRun registers a script's or notebook's source as a transform
// after the fact (like lamin-cli's `lamin save script.py`) and prints its uid.
func (app *App) saveTransformRun(ctx context.Context, in *lamin.Instance, o saveOptions) error {
	if _, err := os.Stat(o.path); err != nil {
		return usagef("path %s does not exist; check the path", o.path)
	}
	spec := lamin.TransformSpec{Path: o.path, Key: o.key, Description: o.description}
	if o.stemUID != "" {
		spec.UID = o.stemUID
	}
	if isNotebook(o.path) {
		var err error
		if spec, err = notebookSpec(spec, o.path); err != nil {
			return err
		}
	}
	t, loaded, err := in.ResolveTransform(ctx, spec)
	if err != nil {
		return err
	}
	verb := "created"
	if loaded {
		verb = "saved source of"
	}
	fmt.Fprintf(app.Err, "→ %s Transform('%s') with key '%s'\n", verb, t.UID, *t.Key)
	if o.format == "table" {
		fmt.Fprintln(app.Out, t.UID)
		return nil
	}
	return writeRecord(app.Out, o.format, recordOf(t, "updated_at"))
}

// printArtifacts writes saved artifacts: just the uids in the default
// table format (so `uid=$(lamin save f)` works), records otherwise.
func (app *App) printArtifacts(format string, arts []*lamin.Artifact, single bool) error {
	if format == "table" {
		for _, a := range arts {
			fmt.Fprintln(app.Out, a.UID)
		}
		return nil
	}
	if single && len(arts) == 1 {
		return writeRecord(app.Out, format, artifactRecord(arts[0]))
	}
	recs := make([]records.Record, len(arts))
	for i, a := range arts {
		recs[i] = artifactRecord(a)
	}
	return writeRecords(app.Out, format, recs)
}

// artifactRecord lists an artifact's fields in LaminDB's to_dataframe order.
func artifactRecord(a *lamin.Artifact) records.Record {
	return recordOf(&a.Artifact, "updated_at")
}

// findArtifact resolves a uid argument or --key.
func findArtifact(ctx context.Context, in *lamin.Instance, args []string, key string) (*lamin.Artifact, error) {
	switch {
	case key != "" && len(args) > 0:
		return nil, usagef("pass either a uid or --key, not both")
	case key != "":
		return in.ArtifactByKey(ctx, key)
	case len(args) == 1:
		return in.GetArtifact(ctx, args[0])
	}
	return nil, usagef("pass an artifact uid or --key KEY")
}

type cacheOptions struct {
	key                  string
	isRunInput, noRunInp bool
	preview, quiet       bool
	verifyHash           bool
}

func (o cacheOptions) runInput() (*bool, error) {
	switch {
	case o.isRunInput && o.noRunInp:
		return nil, usagef("--is-run-input and --no-run-input exclude each other; pass one")
	case o.isRunInput:
		t := true
		return &t, nil
	case o.noRunInp:
		f := false
		return &f, nil
	}
	return nil, nil
}

func (app *App) cacheCmd() *cobra.Command { return app.readCmd("cache", false) }
func (app *App) loadCmd() *cobra.Command  { return app.readCmd("load", true) }

func (app *App) readCmd(name string, preview bool) *cobra.Command {
	o := cacheOptions{preview: preview}
	short := "Print a local path holding the artifact; inside a run it becomes an input"
	if preview {
		short = "Print a local path and a preview of the artifact; inside a run it becomes an input"
	}
	cmd := &cobra.Command{
		Use:   name + " UID|--key K [--is-run-input|--no-run-input]",
		Short: short,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.cacheRun(cmd.Context(), args, o)
		},
	}
	cmd.Flags().StringVar(&o.key, "key", "", "artifact key instead of a uid")
	cmd.Flags().BoolVar(&o.isRunInput, "is-run-input", false, "record as input of the current run even if automatic tracking is off")
	cmd.Flags().BoolVar(&o.noRunInp, "no-run-input", false, "do not record as a run input")
	cmd.Flags().BoolVar(&o.quiet, "quiet", false, "no progress bar for large downloads")
	cmd.Flags().BoolVar(&o.verifyHash, "verify-hash", false, "compare the content hash with the record even for large files")
	return cmd
}

func (app *App) cacheRun(ctx context.Context, args []string, o cacheOptions) error {
	ri, err := o.runInput()
	if err != nil {
		return err
	}
	in, err := app.open(ctx)
	if err != nil {
		return err
	}
	defer in.Close()
	app.showProgress(in, o.quiet)
	a, err := findArtifact(ctx, in, args, o.key)
	if err != nil {
		return err
	}
	p, err := in.Cache(ctx, a, lamin.CacheOptions{IsRunInput: ri, VerifyHash: o.verifyHash})
	if err != nil {
		return err
	}
	fmt.Fprintln(app.Out, p)
	if o.preview {
		app.preview(p)
	}
	return nil
}

// preview prints the first lines of a text file to stderr.
func (app *App) preview(p string) {
	f, err := os.Open(p)
	if err != nil {
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return
	}
	r := bufio.NewReader(f)
	head, _ := r.Peek(4096)
	if strings.ContainsRune(string(head), 0) {
		fmt.Fprintf(app.Err, "• binary file, %d bytes\n", st.Size())
		return
	}
	sc := bufio.NewScanner(r)
	for i := 0; i < 10 && sc.Scan(); i++ {
		fmt.Fprintln(app.Err, termtext.Text(truncateLine(sc.Text(), 160)))
	}
}

func truncateLine(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

type deleteOptions struct {
	permanent, force bool
	keepFile, delete bool
}

func (app *App) deleteCmd() *cobra.Command {
	var o deleteOptions
	cmd := &cobra.Command{
		Use:   "delete artifact|transform|run UID [--permanent]",
		Short: "Move a record to the trash; delete it for good with --permanent or a second delete",
		Long: `Move an artifact, transform or run to the trash, where queries no longer see
it (lamin restore brings it back). Deleting a record in the trash, or passing
--permanent, deletes it for good: an artifact with the bytes lamin manages, a
transform with its runs, a run with its report, log and environment. Records
other records depend on are refused with what to do instead: an artifact a run
read (unless --force), a transform or run that made artifacts.`,
		Args: exactArgs(2, "a registry and a uid, e.g. `lamin delete artifact UID`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := trashable(args[0])
			if err != nil {
				return err
			}
			if o.keepFile && o.delete {
				return usagef("--keep-file and --delete-file exclude each other")
			}
			if reg != "artifact" && (o.keepFile || o.delete || o.force) {
				return usagef("--keep-file, --delete-file and --force apply to artifacts only")
			}
			ctx := cmd.Context()
			in, err := app.open(ctx)
			if err != nil {
				return err
			}
			defer in.Close()
			switch reg {
			case "transform":
				t, err := in.TransformByUID(ctx, args[1])
				if err != nil {
					return err
				}
				return in.DeleteTransform(ctx, t, o.permanent)
			case "run":
				r, err := in.RunByUID(ctx, args[1])
				if err != nil {
					return err
				}
				return in.DeleteRun(ctx, &r.Run, o.permanent)
			}
			a, err := in.GetArtifact(ctx, args[1])
			if err != nil {
				return err
			}
			if !o.permanent && a.BranchID != -1 {
				return in.Delete(ctx, a)
			}
			do := lamin.DeleteOptions{Force: o.force}
			if o.keepFile || o.delete {
				v := o.delete
				do.Storage = &v
			}
			return in.DeletePermanently(ctx, a, do)
		},
	}
	cmd.Flags().BoolVar(&o.permanent, "permanent", false, "delete the record (and managed bytes) for good")
	cmd.Flags().BoolVar(&o.force, "force", false, "delete an artifact even if a run used it")
	cmd.Flags().BoolVar(&o.keepFile, "keep-file", false, "keep an artifact's bytes")
	cmd.Flags().BoolVar(&o.delete, "delete-file", false, "also delete a file registered in place")
	return cmd
}

func (app *App) restoreCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "restore artifact|transform|run UID",
		Short: "Bring a record back from the trash",
		Args:  exactArgs(2, "a registry and a uid, e.g. `lamin restore artifact UID`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := trashable(args[0])
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			in, err := app.open(ctx)
			if err != nil {
				return err
			}
			defer in.Close()
			switch reg {
			case "transform":
				t, err := in.TransformByUID(ctx, args[1])
				if err != nil {
					return err
				}
				return in.RestoreTransform(ctx, t)
			case "run":
				r, err := in.RunByUID(ctx, args[1])
				if err != nil {
					return err
				}
				return in.RestoreRun(ctx, &r.Run)
			}
			a, err := in.GetArtifact(ctx, args[1])
			if err != nil {
				return err
			}
			return in.Restore(ctx, a)
		},
	}
}

// trashable names the registry of delete and restore in the singular.
func trashable(reg string) (string, error) {
	r := strings.TrimSuffix(strings.ToLower(reg), "s")
	names := record.Names(record.Trashable)
	if slices.Contains(names, r) {
		return r, nil
	}
	return "", usagef("cannot delete or restore %s records; use %s", reg, orList(names))
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
