package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/records"
	"github.com/lamin-go/lamin/internal/settings"
	"github.com/spf13/cobra"
)

type initOptions struct {
	storage, name, db string
}

func (app *App) initCmd() *cobra.Command {
	var o initOptions
	cmd := &cobra.Command{
		Use:   "init --storage DIR [--name NAME] [--db postgresql://...]",
		Short: "Create an instance whose storage root is DIR",
		Args:  exactArgs(0, "no arguments (pass --storage DIR)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.storage == "" {
				return usagef("lamin init needs --storage DIR, the folder that will hold the data")
			}
			return app.initRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.storage, "storage", "", "storage root: a local folder")
	cmd.Flags().StringVar(&o.name, "name", "", "instance name (default: the folder's name)")
	cmd.Flags().StringVar(&o.db, "db", "", "PostgreSQL URL for metadata (default: SQLite under the storage root)")
	return cmd
}

func (app *App) initRun(ctx context.Context, o initOptions) error {
	in, err := lamin.Init(ctx, o.storage, lamin.InitOptions{Options: app.options(), Name: o.name, DB: o.db})
	if err != nil {
		return err
	}
	return in.Close()
}

func (app *App) connectCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "connect DIR|s3://BUCKET/PREFIX|OWNER/NAME|NAME|postgresql://...",
		Short: "Make an instance the current one",
		Long: `Make an instance the current one. Name it by its storage root (a local folder
or s3://bucket/prefix, found by the storage marker there), by owner/name or
name as known in the settings folder, or by its PostgreSQL database URL. An
instance whose metadata live in PostgreSQL is reached by its storage root
once its database is known here (from lamin init --db or a first lamin
connect postgresql://...).`,
		Args: exactArgs(1, "one instance: a storage folder or s3:// root, owner/name, name or a PostgreSQL URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := lamin.Connect(cmd.Context(), args[0], app.options())
			if err != nil {
				return err
			}
			return in.Close()
		},
	}
}

func (app *App) disconnectCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "disconnect",
		Short: "Forget the current instance (its data stays)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			sd, err := app.settingsDir()
			if err != nil {
				return err
			}
			if err := sd.ClearCurrentInstance(); err != nil {
				return err
			}
			fmt.Fprintln(app.Err, "→ disconnected")
			return nil
		},
	}
}

func (app *App) loginCmd() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "login HANDLE [--name NAME]",
		Short: "Become a user (a local profile is created the first time)",
		Args:  exactArgs(1, "one user handle"),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := lamin.Login(args[0], name, app.options())
			if err != nil {
				return err
			}
			fmt.Fprintf(app.Err, "→ logged in with handle %s (uid: %s)\n", u.Handle, u.UID)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "full name")
	return cmd
}

func (app *App) infoCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show the current instance, user, storage and settings",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			sd, err := app.settingsDir()
			if err != nil {
				return err
			}
			r := records.Record{}
			if u, err := sd.CurrentUser(); err == nil {
				r = append(r, records.Field{Name: "user", Value: u.Handle}, records.Field{Name: "user_uid", Value: u.UID})
			} else {
				r = append(r, records.Field{Name: "user", Value: nil})
			}
			r = append(r, records.Field{Name: "settings_dir", Value: sd.Path})
			if _, err := sd.CurrentInstance(); errors.Is(err, settings.ErrNotSet) && app.Getenv(lamin.InstanceEnv) == "" {
				r = append(r, records.Field{Name: "instance", Value: nil})
				return writeRecord(app.Out, format, r)
			}
			in, err := app.open(cmd.Context())
			if err != nil {
				// An instance is set but cannot be opened: say why, not "None".
				return err
			}
			defer in.Close()
			st := in.Storage()
			r = append(r, records.Field{Name: "instance", Value: in.Slug()}, records.Field{Name: "instance_uid", Value: in.UID()},
				records.Field{Name: "storage", Value: st.Root}, records.Field{Name: "storage_uid", Value: st.UID}, records.Field{Name: "cache_dir", Value: in.CacheDir()})
			for _, k := range settings.PreferenceKeys() {
				r = append(r, records.Field{Name: k, Value: in.Preferences()[k]})
			}
			return writeRecord(app.Out, format, r)
		},
	}
	addFormatFlag(cmd, &format, "table")
	return cmd
}

func (app *App) settingsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "settings get|set KEY [VALUE]",
		Short: "Read or change a setting of the current instance",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "get KEY",
		Short: "Print a setting",
		Args:  exactArgs(1, "one setting name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := app.open(cmd.Context())
			if err != nil {
				return err
			}
			defer in.Close()
			v, ok := in.Preferences()[args[0]]
			if !ok {
				return usagef("unknown setting %q; known settings: %v", args[0], settings.PreferenceKeys())
			}
			fmt.Fprintln(app.Out, v)
			return nil
		},
	}, &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change a setting, e.g. track-run-inputs false",
		Args:  exactArgs(2, "a setting name and a value"),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := app.open(cmd.Context())
			if err != nil {
				return err
			}
			defer in.Close()
			if err := in.SetPreference(args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(app.Err, "→ set %s = %s\n", args[0], in.Preferences()[args[0]])
			return nil
		},
	})
	return cmd
}
