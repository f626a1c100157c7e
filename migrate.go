package lamin

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Migrate upgrades the instance's schema to this binary's version. For a
// SQLite instance a consistent copy of the database is written next to it
// first; it returns the versions applied and the backup's path.
func (in *Instance) Migrate(ctx context.Context) (applied []int, backup string, err error) {
	from, err := in.store.SchemaVersion(ctx)
	if err != nil {
		return nil, "", err
	}
	if in.store.Dialect().Name() == "sqlite" {
		backup = filepath.Join(in.storage.Root, markerDir,
			fmt.Sprintf("lamin.db.backup-v%d-%s", from, time.Now().UTC().Format("20060102T150405Z")))
		if _, err := in.store.Exec(ctx, `VACUUM INTO '`+strings.ReplaceAll(backup, "'", "''")+`'`); err != nil {
			return nil, "", fmt.Errorf("back up %s before migrating: %w", in.store.Dialect().Name(), err)
		}
	}
	applied, err = in.store.Migrate(ctx)
	if err != nil {
		return nil, backup, fmt.Errorf("migrate (the database is unchanged; backup at %s): %w", backup, err)
	}
	return applied, backup, nil
}
