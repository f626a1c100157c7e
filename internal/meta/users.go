package meta

import (
	"context"
	"fmt"

	"github.com/lamin-go/lamin/record"
)

// Named reads of lamindb_user, lamindb_storage and the instance's own rows.

// UserByUID returns the user with uid u, or ErrNotFound.
func UserByUID(ctx context.Context, q Querier, u string) (*record.User, error) {
	return userTable.one(ctx, q, "WHERE t.uid = ?", u)
}

// UserByHandle returns the user with handle, or ErrNotFound.
func UserByHandle(ctx context.Context, q Querier, handle string) (*record.User, error) {
	return userTable.one(ctx, q, "WHERE t.handle = ?", handle)
}

// UserHandle returns the handle of the user with id.
func UserHandle(ctx context.Context, q Querier, id int64) (string, error) {
	var h string
	if err := q.QueryRow(ctx, `SELECT handle FROM lamindb_user WHERE id = ?`, id).Scan(&h); err != nil {
		return "", fmt.Errorf("read handle of user %d: %w", id, err)
	}
	return h, nil
}

// RecordNames are the names a record's card shows for its user, space and
// branch ids.
type RecordNames struct {
	Handle, Space, Branch string
}

// NamesOf reads the handle of a user, the name of a space and the name of
// a branch in one statement.
func NamesOf(ctx context.Context, q Querier, userID, spaceID, branchID int64) (RecordNames, error) {
	var n RecordNames
	err := q.QueryRow(ctx, `SELECT u.handle, s.name, b.name FROM lamindb_user u, lamindb_space s, lamindb_branch b
		WHERE u.id = ? AND s.id = ? AND b.id = ?`, userID, spaceID, branchID).Scan(&n.Handle, &n.Space, &n.Branch)
	return n, err
}

// StorageByID returns the storage location with id, or ErrNotFound.
func StorageByID(ctx context.Context, q Querier, id int64) (*record.Storage, error) {
	return storageTable.one(ctx, q, "WHERE t.id = ?", id)
}

// ClearInstance removes the instance identity and every storage location:
// it undoes the seed rows of an instance whose creation failed.
func ClearInstance(ctx context.Context, q Querier) error {
	for _, stmt := range []string{`DELETE FROM lamin_instance`, `DELETE FROM lamindb_storage`} {
		if _, err := q.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}
