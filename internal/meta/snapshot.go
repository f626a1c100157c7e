package meta

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lamin-go/lamin/record"
)

// Snapshot is what opening an instance reads before any command: the
// schema version, the identity, the default storage and the acting user.
type Snapshot struct {
	SchemaVersion int
	Instance      Instance
	Storage       *record.Storage
	User          *record.User // nil when no user row has the uid asked for
}

// ReadSnapshot reads a Snapshot in one statement, one round trip on
// PostgreSQL instead of one per row. It fails on a database that is not an
// instance or whose schema differs from the one it was written for; callers
// then fall back to CheckSchema and GetInstance, whose errors say why.
func ReadSnapshot(ctx context.Context, q Querier, userUID string) (*Snapshot, error) {
	query := `SELECT (SELECT MAX(version) FROM lamin_migrations), i.uid, i.owner, i.name, i.storage_id, ` +
		storageTable.selectList("s") + `, u.id, u.uid, u.handle, u.name, u.created_at, u.updated_at
FROM lamin_instance i JOIN lamindb_storage s ON s.id = i.storage_id LEFT JOIN lamindb_user u ON u.uid = ?
WHERE i.id = 1`
	var (
		snap    = &Snapshot{Storage: &record.Storage{}}
		version sql.NullInt64
		uID     sql.NullInt64
		uUID    sql.NullString
		uHandle sql.NullString
		uName   sql.NullString
		uAt     sql.NullTime
		uUpd    sql.NullTime
	)
	dest := []any{&version, &snap.Instance.UID, &snap.Instance.Owner, &snap.Instance.Name, &snap.Instance.StorageID}
	for _, c := range storageTable.cols {
		dest = append(dest, c.ptr(snap.Storage))
	}
	dest = append(dest, &uID, &uUID, &uHandle, &uName, &uAt, &uUpd)
	if err := q.QueryRow(ctx, query, userUID).Scan(dest...); err != nil {
		return nil, fmt.Errorf("read instance snapshot: %w", err)
	}
	snap.SchemaVersion = int(version.Int64)
	if uID.Valid {
		snap.User = &record.User{ID: uID.Int64, UID: uUID.String, Handle: uHandle.String, CreatedAt: uAt.Time, UpdatedAt: uUpd.Time}
		if uName.Valid {
			snap.User.Name = &uName.String
		}
	}
	return snap, nil
}
