package cli

import (
	"context"
	"io"
	"slices"
	"strings"

	"github.com/lamin-go/lamin/internal/query"
	"github.com/lamin-go/lamin/record"
	"github.com/spf13/cobra"
)

// uidCompletionLimit caps the uids offered for one prefix: enough to pick
// from, few enough that the lookup stops early on a large instance.
const uidCompletionLimit = 50

// registryNames are the registries offered where a command takes one.
var registryNames = record.Names(record.Listed)

// addCompletions wires shell completion (`lamin completion bash|zsh|fish`)
// into the commands of root: registries, filter fields and lookups, uids
// by prefix, and the values of --format and of the field-list flags.
func (app *App) addCompletions(root *cobra.Command) {
	noFiles := cobra.ShellCompDirectiveNoFileComp
	for _, cmd := range root.Commands() {
		switch cmd.Name() {
		case "filter":
			cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				if len(args) == 0 {
					return matching(registryNames, toComplete), noFiles
				}
				return app.completeExpr(cmd, args[0], toComplete, false)
			}
			for _, flag := range []string{"columns", "include", "order", "exclude"} {
				cmd.RegisterFlagCompletionFunc(flag, app.completeFieldFlag(flag))
			}
		case "get":
			cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				if len(args) == 0 {
					return matching(registryNames, toComplete), noFiles
				}
				return app.completeExpr(cmd, args[0], toComplete, len(args) == 1)
			}
		case "search", "lookup":
			cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				if len(args) == 0 {
					return matching(registryNames, toComplete), noFiles
				}
				return nil, noFiles
			}
			if cmd.Name() == "lookup" {
				cmd.RegisterFlagCompletionFunc("field", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
					if len(args) == 0 {
						return nil, noFiles
					}
					return columnNames(args[0], toComplete), noFiles
				})
			}
		case "delete", "restore":
			cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				switch len(args) {
				case 0:
					return matching(record.Names(record.Trashable), toComplete), noFiles
				case 1:
					return app.completeUIDs(cmd, toComplete, args[0]), noFiles
				}
				return nil, noFiles
			}
		case "describe", "lineage", "export":
			cmd.ValidArgsFunction = app.completeFirstUID(record.Names(record.Described)...)
		case "cache", "load":
			cmd.ValidArgsFunction = app.completeFirstUID("artifact")
		}
	}
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		if f := cmd.Flags().Lookup("format"); f != nil {
			values := formatValues(f.Usage)
			cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return values, noFiles
			})
		}
		for _, c := range cmd.Commands() {
			walk(c)
		}
	}
	walk(root)
}

// formatValues reads the allowed values from a --format flag's usage,
// "output format: table|csv|tsv|json|jsonl".
func formatValues(usage string) []string {
	_, rest, ok := strings.Cut(usage, "format: ")
	if !ok {
		return nil
	}
	list, _, _ := strings.Cut(rest, " ")
	return strings.Split(list, "|")
}

// completeExpr completes an argument after REGISTRY: filter expressions
// and, with uids set (get's first argument) or after uid=, uids of the
// registry starting with what is typed.
func (app *App) completeExpr(cmd *cobra.Command, registry, toComplete string, uids bool) ([]string, cobra.ShellCompDirective) {
	reg, err := query.LookupRegistry(registry)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	if field, value, ok := strings.Cut(toComplete, "="); ok {
		switch field {
		case "uid", "uid__startswith", "uid__exact":
			var out []string
			for _, u := range app.completeUIDs(cmd, value, reg.Name) {
				out = append(out, field+"="+u)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	out := query.CompleteFilter(reg, toComplete)
	if uids && toComplete != "" {
		out = append(app.completeUIDs(cmd, toComplete, reg.Name), out...)
	}
	// Expressions go on after "=" or "__"; a complete uid takes a space.
	return out, cobra.ShellCompDirectiveNoFileComp | noSpaceAfterOperators(out)
}

// noSpaceAfterOperators keeps the shell from adding a space when what is
// offered ends in "=" or "__", where the user types on.
func noSpaceAfterOperators(out []string) cobra.ShellCompDirective {
	for _, s := range out {
		if strings.HasSuffix(s, "=") || strings.HasSuffix(s, "__") {
			return cobra.ShellCompDirectiveNoSpace
		}
	}
	return cobra.ShellCompDirectiveDefault
}

// completeFieldFlag completes a comma-separated list of fields (--columns,
// --include, --order) or an expression (--exclude) for filter REGISTRY.
func (app *App) completeFieldFlag(flag string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		reg, err := query.LookupRegistry(args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if flag == "exclude" {
			out := query.CompleteFilter(reg, toComplete)
			return out, cobra.ShellCompDirectiveNoFileComp | noSpaceAfterOperators(out)
		}
		done, last := "", toComplete
		if i := strings.LastIndex(toComplete, ","); i >= 0 {
			done, last = toComplete[:i+1], toComplete[i+1:]
		}
		desc := ""
		if flag == "order" && strings.HasPrefix(last, "-") {
			desc, last = "-", last[1:]
		}
		var out []string
		for _, c := range query.CompleteFilter(reg, last) {
			// A field path without the operator: "created_by__handle".
			if name, ok := strings.CutSuffix(c, "="); ok && !hasLookup(name) {
				out = append(out, done+desc+name)
			} else if strings.HasSuffix(c, "__") && (flag == "include" || flag == "order") {
				if _, isCol := reg.Column(strings.TrimSuffix(c, "__")); !isCol {
					out = append(out, done+desc+c)
				}
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// hasLookup reports whether a field path ends in a lookup (key__startswith).
func hasLookup(path string) bool {
	i := strings.LastIndex(path, "__")
	return i >= 0 && slices.Contains(query.Lookups, path[i+2:])
}

// columnNames lists the columns of registry starting with prefix.
func columnNames(registry, prefix string) []string {
	reg, err := query.LookupRegistry(registry)
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range reg.Columns {
		if strings.HasPrefix(c.Name, prefix) && (strings.HasPrefix(prefix, "_") || !strings.HasPrefix(c.Name, "_")) {
			out = append(out, c.Name)
		}
	}
	return out
}

// completeFirstUID completes a command's one uid argument from the given
// registries.
func (app *App) completeFirstUID(registries ...string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return app.completeUIDs(cmd, toComplete, registries...), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeUIDs lists uids of the registries starting with prefix (at
// least one character: a bare tab would list arbitrary records). Errors,
// such as no current instance, give no candidates rather than output in
// the middle of the user's command line.
func (app *App) completeUIDs(cmd *cobra.Command, prefix string, registries ...string) []string {
	if prefix == "" {
		return nil
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	quiet := *app
	quiet.Err = io.Discard
	in, err := quiet.open(ctx)
	if err != nil {
		return nil
	}
	defer in.Close()
	var out []string
	for _, r := range registries {
		uids, err := in.UIDsWithPrefix(ctx, r, prefix, uidCompletionLimit)
		if err != nil {
			return nil
		}
		out = append(out, uids...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// matching lists the names starting with prefix.
func matching(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}
