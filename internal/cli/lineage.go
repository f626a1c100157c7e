package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/termtext"
	"github.com/lamin-go/lamin/record"
	"github.com/spf13/cobra"
)

type lineageOptions struct {
	uid      string
	up, down bool
	depth    int
	versions bool
	format   string
	output   string
}

func (app *App) lineageCmd() *cobra.Command {
	var o lineageOptions
	cmd := &cobra.Command{
		Use:   "lineage UID",
		Short: "Show where a record came from and what was made from it",
		Long: `Show the lineage around an artifact, run, transform or collection: the runs
that made its inputs (ancestors, recursively) and the runs that used its
run's outputs (descendants, recursively), like LaminDB's view_lineage().
UID is an artifact uid or prefix, a run uid, or a transform uid (a
12-character stem means its latest version; the graph joins all its runs).

Formats: text (a tree, the default), dot (Graphviz, LaminDB's styling), svg
(rendered in-process), mermaid, json (nodes with their records, and edges).`,
		Args: exactArgs(1, "one uid"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.uid = args[0]
			return app.lineageRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.up, "up", false, "ancestors only")
	fl.BoolVar(&o.down, "down", false, "descendants only")
	fl.IntVar(&o.depth, "depth", 0, "stop after N run hops in each direction (0: no limit)")
	fl.BoolVar(&o.versions, "versions", false, "for a transform: join the runs of all its versions")
	fl.StringVar(&o.format, "format", "text", "output format: "+strings.Join(lamin.LineageFormats(), "|"))
	fl.StringVarP(&o.output, "output", "o", "", "write to FILE instead of stdout")
	return cmd
}

func (app *App) lineageRun(ctx context.Context, o lineageOptions) error {
	if !slices.Contains(lamin.LineageFormats(), o.format) {
		return usagef("unknown --format %q; use one of %s", o.format, strings.Join(lamin.LineageFormats(), ", "))
	}
	if o.depth < 0 {
		return usagef("--depth %d: pass 0 (no limit) or a positive number of run hops", o.depth)
	}
	in, err := app.open(ctx)
	if err != nil {
		return err
	}
	defer in.Close()
	g, err := in.Lineage(ctx, o.uid, lamin.LineageOptions{Up: o.up, Down: o.down, Depth: o.depth, Versions: o.versions})
	if err != nil {
		return err
	}
	return app.writeOutput(o.output, func(w io.Writer) error { return g.Render(w, o.format) })
}

type exportOptions struct {
	uid    string
	format string
	output string
}

func (app *App) exportCmd() *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   "export UID --format openlineage|prov-json",
		Short: "Export the lineage around a record as OpenLineage events or W3C PROV-JSON",
		Long: `Export the lineage graph around UID (as lamin lineage draws it) for other tools.

openlineage: OpenLineage 2-0-2 run events, one JSON object per line: a START
event per run and a COMPLETE, FAIL or ABORT event once it ended. The job is
the transform (namespace: the instance slug), datasets are artifacts (namespace:
storage root) with a "lamin" facet carrying uid and hash.

prov-json: one W3C PROV-JSON document: artifacts are entities, runs
activities, users agents, transforms plans; used, wasGeneratedBy,
wasAssociatedWith, wasAttributedTo and wasDerivedFrom relate them.`,
		Args: exactArgs(1, "one uid"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.uid = args[0]
			return app.exportRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.format, "format", "openlineage", "export format: "+strings.Join(lamin.ExportFormats(), "|"))
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write to FILE instead of stdout")
	return cmd
}

func (app *App) exportRun(ctx context.Context, o exportOptions) error {
	if !slices.Contains(lamin.ExportFormats(), o.format) {
		return usagef("unknown --format %q; use one of %s", o.format, strings.Join(lamin.ExportFormats(), ", "))
	}
	in, err := app.open(ctx)
	if err != nil {
		return err
	}
	defer in.Close()
	g, err := in.Lineage(ctx, o.uid, lamin.LineageOptions{})
	if err != nil {
		return err
	}
	return app.writeOutput(o.output, func(w io.Writer) error {
		return g.Export(w, o.format)
	})
}

// writeOutput renders to stdout, or completely into memory first and then to
// path, so a failed rendering leaves no partial file behind.
func (app *App) writeOutput(path string, render func(io.Writer) error) error {
	if path == "" {
		return render(app.Out)
	}
	var b bytes.Buffer
	if err := render(&b); err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(app.Err, "→ wrote %s\n", path)
	return nil
}

// Describe prints the card of the record uid names, the work behind
// `lamin describe UID`: an artifact's card (20 characters or a prefix), a
// run's (16 characters naming a run) or a transform's (16 characters naming
// a transform, or a 12-character stem). A 16-character uid is looked up as
// a run first, then as a transform, then as an artifact stem.
func (app *App) Describe(ctx context.Context, uid string) error {
	in, err := app.open(ctx)
	if err != nil {
		return err
	}
	defer in.Close()
	root, err := in.ResolveUID(ctx, uid)
	if err != nil {
		return err
	}
	switch root.Kind {
	case record.KindRun:
		d, err := in.DescribeRun(ctx, root.UID)
		if err != nil {
			return err
		}
		writeRunCard(app, d)
	case record.KindTransform:
		d, err := in.DescribeTransform(ctx, root.UID)
		if err != nil {
			return err
		}
		writeTransformCard(app, d)
	case record.KindArtifact:
		a, err := in.GetArtifact(ctx, root.UID)
		if err != nil {
			return err
		}
		d, err := in.DescribeArtifact(ctx, a)
		if err != nil {
			return err
		}
		writeArtifactCard(app, d)
	default:
		return usagef("describe does not show %ss yet; try `lamin lineage %s`", root.Kind, uid)
	}
	return nil
}

// writeCardSection prints a titled section of a card as a tree; a pair
// with a second half prints both halves side by side.
func writeCardSection(w io.Writer, title string, last bool, lines [][2]string) {
	branch, indent := "├──", "│   "
	if last {
		branch, indent = "└──", "    "
	}
	fmt.Fprintf(w, "%s %s\n", branch, title)
	for i, p := range lines {
		b := "├──"
		if i == len(lines)-1 {
			b = "└──"
		}
		line := termtext.Line(p[0])
		if p[1] != "" {
			line = fmt.Sprintf("%-40s %s", line, termtext.Line(p[1]))
		}
		fmt.Fprintf(w, "%s%s %s\n", indent, b, line)
	}
}

func cardTime(t time.Time) string { return t.UTC().Format(time.DateTime) }

// artifactLine names an artifact in a card: description or key, uid, suffix.
func artifactLine(a record.Artifact) string {
	title := a.UID
	if a.Description != nil {
		title = *a.Description
	} else if a.Key != nil {
		title = *a.Key
	}
	return fmt.Sprintf("📄 %s [%s%s]", title, a.UID, a.Suffix)
}

// writeRunCard prints a run's card: what ran, when, how it ended, and what
// it read and wrote.
func writeRunCard(app *App, d *lamin.RunDescription) {
	r, t := d.Run, d.Transform
	key := text(t.Key, t.UID)
	fmt.Fprintf(app.Out, "Run %s %s · %s\n", record.Emoji(t.Type), key, t.Type)
	finished, duration := "None", "None"
	if r.FinishedAt != nil {
		finished = cardTime(*r.FinishedAt)
		duration = d.Duration.Round(time.Millisecond).String()
	}
	general := [][2]string{
		{"uid: " + r.UID, "status: " + d.Status},
		{"transform: " + key, "transform uid: " + t.UID},
		{"started_at: " + cardTime(r.StartedAt), "finished_at: " + finished},
		{"duration: " + duration, "created_by: " + d.CreatedBy},
	}
	if r.Name != nil {
		general = append(general, [2]string{"name: " + *r.Name, ""})
	}
	if d.InitiatedBy != "" {
		general = append(general, [2]string{"initiated_by run: " + d.InitiatedBy, ""})
	}
	for _, ref := range []struct {
		name string
		a    *record.Artifact
	}{{"report", d.Report}, {"environment", d.Environment}} {
		v := "None"
		if ref.a != nil {
			v = fmt.Sprintf("%s (%s)", ref.a.UID, text(ref.a.Description, ref.a.Suffix))
		}
		general = append(general, [2]string{ref.name + ": " + v, ""})
	}
	writeCardSection(app.Out, "General", false, general)
	list := func(arts []record.Artifact) [][2]string {
		if len(arts) == 0 {
			return [][2]string{{"None", ""}}
		}
		var out [][2]string
		for _, a := range arts {
			out = append(out, [2]string{artifactLine(a), ""})
		}
		return out
	}
	writeCardSection(app.Out, fmt.Sprintf("Inputs (%d)", len(d.Inputs)), false, list(d.Inputs))
	writeCardSection(app.Out, fmt.Sprintf("Outputs (%d)", len(d.Outputs)), true, list(d.Outputs))
}

// writeTransformCard prints a transform's card: its fields and its runs,
// newest first.
func writeTransformCard(app *App, d *lamin.TransformDescription) {
	t := d.Transform
	fmt.Fprintf(app.Out, "Transform %s %s · %s\n", record.Emoji(t.Type), text(t.Key, t.UID), t.Type)
	general := [][2]string{
		{"key: " + text(t.Key, "None"), ""},
		{"description: " + text(t.Description, "None"), ""},
		{"uid: " + t.UID, "hash: " + text(t.Hash, "None")},
		{"type: " + t.Type, "version: " + text(t.Version, "None")},
		{"created_by: " + d.CreatedBy, "created_at: " + cardTime(t.CreatedAt)},
	}
	if t.Reference != nil {
		general = append(general, [2]string{fmt.Sprintf("reference: %s (%s)", *t.Reference, text(t.ReferenceType, "None")), ""})
	}
	if t.SourceCode != nil {
		n := strings.Count(strings.TrimRight(*t.SourceCode, "\n"), "\n") + 1
		unit := "lines"
		if n == 1 {
			unit = "line"
		}
		general = append(general, [2]string{fmt.Sprintf("source code: %d %s", n, unit), ""})
	}
	if !t.IsLatest {
		general = append(general, [2]string{"! this is not the latest version", ""})
	}
	writeCardSection(app.Out, "General", false, general)
	var runs [][2]string
	for _, r := range d.Runs {
		runs = append(runs, [2]string{fmt.Sprintf("%s  %s  %-10s %s  inputs: %d, outputs: %d",
			r.UID, cardTime(r.StartedAt), r.Status, r.CreatedBy, r.Inputs, r.Outputs), ""})
	}
	if len(runs) == 0 {
		runs = [][2]string{{"None", ""}}
	}
	writeCardSection(app.Out, fmt.Sprintf("Runs (%d)", len(d.Runs)), true, runs)
}
