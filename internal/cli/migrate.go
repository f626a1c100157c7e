package cli

import (
	"fmt"

	"github.com/lamin-go/lamin"
	"github.com/spf13/cobra"
)

func (app *App) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Upgrade the current instance's schema (a SQLite instance is backed up first)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			in, err := lamin.OpenForMigration(ctx, "", app.options())
			if err != nil {
				return err
			}
			defer in.Close()
			applied, backup, err := in.Migrate(ctx)
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintf(app.Err, "✓ instance %s is up to date\n", in.Slug())
				return nil
			}
			fmt.Fprintf(app.Err, "✓ applied migrations %v to %s", applied, in.Slug())
			if backup != "" {
				fmt.Fprintf(app.Err, "; backup of the previous database: %s", backup)
			}
			fmt.Fprintln(app.Err)
			return nil
		},
	}
}
