package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/records"
	"github.com/lamin-go/lamin/internal/schmidt22"
	"github.com/spf13/cobra"
)

type demoOptions struct {
	dir    string
	cells  int
	goOnly bool
}

func (app *App) demoCmd() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo [--dir DIR]",
		Short: "Run the Schmidt et al. (2022) project end to end on a local demo instance",
		Long: `Run LaminDB's Schmidt et al. (2022) walkthrough on a local instance of its
own, testuser1/schmidt22-demo: a CRISPRa screen uploaded without a run, hit
identification, a sequencer upload, Cell Ranger, post-processing to an h5ad,
an integrated analysis drawing two figures, and a review that reads a figure;
then the walkthrough's queries and the figure's lineage. The data are
generated; nothing is downloaded. The steps' Python scripts and Jupyter
notebooks are written to project-flow-scripts/ in the demo folder and
recorded as the transforms' source. With python3 installed the scripts run
for real, their lamindb calls running lamin, and so does the review notebook
with jupyter nbconvert; otherwise, for the two analysis notebooks (which
need pandas, pyarrow and scanpy) and with --go-only, Go does the work. The
records are the same either way.

The demo folder is schmidt22-demo in lamin's cache folder unless --dir says
otherwise; running the demo again replaces the earlier demo instance there
and nothing else. Afterwards the demo instance is current, so the next lamin
command inspects it; the demo prints what was current before and how to go
back. Your own instances and your current user are left as they were.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return app.demoRun(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.dir, "dir", "", "folder for the demo instance: new, empty or an earlier demo's (default: schmidt22-demo in the cache folder)")
	cmd.Flags().IntVar(&o.cells, "cells", 600, "cells in the mock Perturb-seq experiment")
	cmd.Flags().BoolVar(&o.goOnly, "go-only", false, "let Go do every step's work, even with python3 installed")
	cmd.AddCommand(app.demoDatasetCmd())
	return cmd
}

// demoDatasetCmd writes the example data the demo's scripts ask for
// through their lamindb stand-in (ln.core.datasets); it is hidden, as only
// those scripts call it.
func (app *App) demoDatasetCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "dataset NAME BASEDIR",
		Short:  "Write an example data set of the demo under BASEDIR and print its path",
		Hidden: true,
		Args:   exactArgs(2, "a data set name and a base folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cells, _ := strconv.Atoi(app.Getenv("LAMIN_DEMO_CELLS"))
			hits, _ := strconv.Atoi(app.Getenv("LAMIN_DEMO_HITS"))
			path, err := schmidt22.WriteDataset(args[0], args[1], cells, hits)
			if err != nil {
				return usagef("%v", err)
			}
			fmt.Fprintln(app.Out, path)
			return nil
		},
	}
}

func (app *App) demoRun(ctx context.Context, o demoOptions) error {
	if o.cells < 10 {
		return usagef("--cells %d: use at least 10", o.cells)
	}
	self, _ := os.Executable()
	out, err := schmidt22.Demo(ctx, schmidt22.DemoConfig{Dir: o.dir, Options: app.options(), Log: app.Err, Cells: o.cells, Self: self, GoOnly: o.goOnly})
	var inUse *schmidt22.FolderInUseError
	if errors.As(err, &inUse) {
		dir := o.dir
		if dir == "" {
			dir = inUse.Dir
		}
		return usagef("demo folder %s is not empty and holds no earlier demo instance; pass a new folder with --dir", dir)
	}
	if err != nil {
		return err
	}
	in, err := lamin.Open(ctx, out.Slug, app.options())
	if err != nil {
		return err
	}
	defer in.Close()
	return app.demoSummary(ctx, in, out)
}

// demoSummary runs the walkthrough's queries and shows where the figure came from.
func (app *App) demoSummary(ctx context.Context, in *lamin.Instance, out *schmidt22.DemoOutcome) error {
	res := out.Result
	fmt.Fprintf(app.Err, "\n== which artifacts did the hit-identification notebook create?\n   lamin filter artifact transform__uid=%s\n", res.HitTransform)
	q, err := in.Query("artifact", []string{"transform__uid=" + res.HitTransform})
	if err != nil {
		return err
	}
	arts, err := in.FilterArtifacts(ctx, q)
	if err != nil {
		return err
	}
	recs := make([]records.Record, len(arts))
	for i, a := range arts {
		recs[i] = records.Record{{Name: "uid", Value: a.UID}, {Name: "description", Value: a.Description}, {Name: "suffix", Value: a.Suffix}, {Name: "otype", Value: a.OType}, {Name: "n_observations", Value: a.NObservations}}
	}
	if err := writeRecords(app.Out, "table", recs); err != nil {
		return err
	}
	fmt.Fprintf(app.Err, "\n== where did the matrixplot figure come from?\n   lamin lineage %s\n", res.FigureMatrixPlot)
	g, err := in.Lineage(ctx, res.FigureMatrixPlot, lamin.LineageOptions{})
	if err != nil {
		return err
	}
	if err := g.Render(app.Out, "text"); err != nil {
		return err
	}
	svgPath := filepath.Join(in.Storage().Root, "lineage.svg")
	if err := app.writeOutput(svgPath, func(w io.Writer) error { return g.Render(w, "svg") }); err != nil {
		return err
	}
	fmt.Fprintf(app.Err, "\n→ the demo instance %s in %s is now current\n", in.Slug(), out.Dir)
	if out.MovedFrom != "" {
		fmt.Fprintf(app.Err, "→ %s was in %s before; that folder is left as it was\n", in.Slug(), out.MovedFrom)
	}
	if out.PreviousInstance != "" && out.PreviousInstance != in.Slug() {
		fmt.Fprintf(app.Err, "→ was current: %s; go back with: lamin connect %s\n", out.PreviousInstance, out.PreviousInstance)
	}
	if out.PreviousUser != "" {
		fmt.Fprintf(app.Err, "→ current user: %s, as before the demo\n", out.PreviousUser)
	} else {
		fmt.Fprintf(app.Err, "→ logged in as testuser1, the demo's user; switch with: lamin login HANDLE\n")
	}
	fmt.Fprintf(app.Err, "try:\n")
	fmt.Fprintf(app.Err, "  lamin view\n  lamin search transform \"GWS CRIPSRa analysis\"\n  lamin filter transform created_by__handle=testuser1 type=notebook\n")
	fmt.Fprintf(app.Err, "  lamin describe %s\n  lamin lineage %s --format dot\n  lamin export %s --format prov-json\n", res.FigureMatrixPlot, res.H5AD, res.FigureMatrixPlot)
	return nil
}
