package lamin

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
)

// Migrate upgrades the instance's schema to this binary's version. For a
// SQLite instance a consistent copy of the database is written next to it
// first (only when there is something to migrate); it returns the versions
// applied and the backup's path.
func (in *Instance) Migrate(ctx context.Context) (applied []int, backup string, err error) {
	from, err := in.store.SchemaVersion(ctx)
	if err != nil {
		return nil, "", err
	}
	if from >= meta.LatestVersion(in.store.Dialect()) {
		return nil, "", nil // nothing to migrate, nothing to back up
	}
	if in.store.Dialect().Name() == "sqlite" {
		backup = filepath.Join(in.storage.Root, markerDir, backupName(from, time.Now()))
		if err := in.store.BackupTo(ctx, backup); err != nil {
			return nil, "", fmt.Errorf("back up %s before migrating: %w", in.store.Dialect().Name(), err)
		}
	}
	applied, err = in.store.Migrate(ctx)
	if err != nil {
		return nil, backup, fmt.Errorf("migrate (the database is unchanged; backup at %s): %w", backup, err)
	}
	return applied, backup, nil
}

// backupName names the copy of lamin.db written before a migration from
// schema version from: the time to the nanosecond and a random tag, so two
// migrations within one second (or two processes) never pick one name.
func backupName(from int, now time.Time) string {
	var tag [4]byte
	rand.Read(tag[:])
	return fmt.Sprintf("lamin.db.backup-v%d-%s-%x", from, now.UTC().Format("20060102T150405.000000000Z"), tag)
}
