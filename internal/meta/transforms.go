package meta

import (
	"context"
	"fmt"

	"github.com/lamin-go/lamin/record"
)

// Named reads and writes of lamindb_transform. A version family is every
// transform whose uid starts with the same stem; stem arguments are that
// stem without a wildcard.

// TransformByID returns the transform with id, or ErrNotFound.
func TransformByID(ctx context.Context, q Querier, id int64) (*record.Transform, error) {
	return transformTable.one(ctx, q, "WHERE t.id = ?", id)
}

// TransformByUID returns the transform with the full uid u, or ErrNotFound.
func TransformByUID(ctx context.Context, q Querier, u string) (*record.Transform, error) {
	return transformTable.one(ctx, q, "WHERE t.uid = ?", u)
}

// PreferredTransformByPrefix returns the transform whose uid starts with
// prefix, preferring the latest version and then the newest (none or one).
func PreferredTransformByPrefix(ctx context.Context, q Querier, prefix string) ([]*record.Transform, error) {
	return transformTable.query(ctx, q, "WHERE t.uid LIKE ? ORDER BY t.is_latest DESC, t.created_at DESC LIMIT 1", prefix+"%")
}

// latestTransformOrder picks, among the non-trashed rows, the one marked
// latest, then the newest, then the highest uid.
const latestTransformOrder = " AND t._branch_code >= 0 ORDER BY t.is_latest DESC, t.created_at DESC, t.uid DESC LIMIT 1"

// LatestTransformByKey returns the latest non-trashed transform with key
// (none or one).
func LatestTransformByKey(ctx context.Context, q Querier, key string) ([]*record.Transform, error) {
	return transformTable.query(ctx, q, "WHERE t.key = ?"+latestTransformOrder, key)
}

// LatestTransformByStem returns the latest non-trashed version of a
// family (none or one).
func LatestTransformByStem(ctx context.Context, q Querier, stem string) ([]*record.Transform, error) {
	return transformTable.query(ctx, q, "WHERE t.uid LIKE ?"+latestTransformOrder, stem+"%")
}

// LatestTransformByHash returns the latest non-trashed transform whose
// source has hash (none or one).
func LatestTransformByHash(ctx context.Context, q Querier, hash string) ([]*record.Transform, error) {
	return transformTable.query(ctx, q, "WHERE t.hash = ?"+latestTransformOrder, hash)
}

// HighestTransformVersion returns the family's version with the highest
// uid (none or one): the one the next version's uid follows.
func HighestTransformVersion(ctx context.Context, q Querier, stem string) ([]*record.Transform, error) {
	return transformTable.query(ctx, q, "WHERE t.uid LIKE ? ORDER BY t.uid DESC LIMIT 1", stem+"%")
}

// TransformWithVersion returns a version of the family whose version
// label is version (none or one).
func TransformWithVersion(ctx context.Context, q Querier, stem, version string) ([]*record.Transform, error) {
	return transformTable.query(ctx, q, "WHERE t.uid LIKE ? AND t.version = ? LIMIT 1", stem+"%", version)
}

// TrashTransform moves a transform to the trash (branch -1) and clears its
// latest mark.
func TrashTransform(ctx context.Context, q Querier, id int64) error {
	return setBranch(ctx, q, "lamindb_transform", id, branchTrash, true)
}

// RestoreTransform puts a transform back on the main branch (branch 1).
func RestoreTransform(ctx context.Context, q Querier, id int64) error {
	return setBranch(ctx, q, "lamindb_transform", id, branchMain, false)
}

// ClearTemplate unlinks the transforms made from a template transform.
func ClearTemplate(ctx context.Context, q Querier, templateID int64) error {
	if _, err := q.Exec(ctx, `UPDATE lamindb_transform SET _template_id = NULL WHERE _template_id = ?`, templateID); err != nil {
		return fmt.Errorf("unlink transforms made from %d: %w", templateID, err)
	}
	return nil
}

// DeleteTransformWithoutRuns removes a transform provided no run uses it.
func DeleteTransformWithoutRuns(ctx context.Context, q Querier, id int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM lamindb_transform WHERE id = ? AND NOT EXISTS (SELECT 1 FROM lamindb_run WHERE transform_id = ?)`, id, id); err != nil {
		return fmt.Errorf("delete transform %d: %w", id, err)
	}
	return nil
}

// ClearTransformLatest clears the latest mark of every version of a
// family, before a new latest version is inserted.
func ClearTransformLatest(ctx context.Context, q Querier, stem string) error {
	if _, err := q.Exec(ctx, `UPDATE lamindb_transform SET is_latest = ? WHERE uid LIKE ?`, false, stem+"%"); err != nil {
		return fmt.Errorf("clear latest version of %s: %w", stem, err)
	}
	return nil
}

// PromoteLatestTransform marks the newest non-trashed version of a family
// as its latest (and no other).
func PromoteLatestTransform(ctx context.Context, q Querier, stem string) error {
	rows, err := transformTable.query(ctx, q, "WHERE t.uid LIKE ? AND t._branch_code <> -1 ORDER BY t.created_at DESC, t.uid DESC LIMIT 1", stem+"%")
	if err != nil || len(rows) == 0 {
		return err
	}
	if _, err := q.Exec(ctx, `UPDATE lamindb_transform SET is_latest = (id = ?) WHERE uid LIKE ?`, rows[0].ID, stem+"%"); err != nil {
		return fmt.Errorf("set latest version of %s: %w", stem, err)
	}
	return nil
}
