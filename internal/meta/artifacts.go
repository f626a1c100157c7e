package meta

import (
	"context"
	"fmt"
	"strings"

	"github.com/lamin-go/lamin/record"
)

// Named reads and writes of lamindb_artifact. A version family is every
// artifact whose uid starts with the same stem; stem arguments are that
// stem without a wildcard.

// ArtifactByID returns the artifact with id, or ErrNotFound.
func ArtifactByID(ctx context.Context, q Querier, id int64) (*record.Artifact, error) {
	return artifactTable.one(ctx, q, "WHERE t.id = ?", id)
}

// ArtifactsByUID returns the artifact with the full uid u (none or one).
func ArtifactsByUID(ctx context.Context, q Querier, u string) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, "WHERE t.uid = ?", u)
}

// PreferredArtifactByPrefix returns the artifact whose uid starts with
// prefix, preferring the latest version and then the newest (none or one).
func PreferredArtifactByPrefix(ctx context.Context, q Querier, prefix string) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, "WHERE t.uid LIKE ? ORDER BY t.is_latest DESC, t.created_at DESC LIMIT 1", prefix+"%")
}

// ArtifactsByPrefix returns at most limit artifacts whose uid starts with
// prefix, in no particular order.
func ArtifactsByPrefix(ctx context.Context, q Querier, prefix string, limit int) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, "WHERE t.uid LIKE ? LIMIT "+fmt.Sprint(limit), prefix+"%")
}

// ArtifactVersions returns every version of a family, newest first.
func ArtifactVersions(ctx context.Context, q Querier, stem string) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, "WHERE t.uid LIKE ? ORDER BY t.created_at DESC, t.uid DESC", stem+"%")
}

// ArtifactFamily returns every version of a family, in no particular order.
func ArtifactFamily(ctx context.Context, q Querier, stem string) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, "WHERE t.uid LIKE ?", stem+"%")
}

// HighestArtifactVersion returns the family's version with the highest uid
// (none or one): the one the next version's uid follows.
func HighestArtifactVersion(ctx context.Context, q Querier, stem string) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, "WHERE t.uid LIKE ? ORDER BY t.uid DESC LIMIT 1", stem+"%")
}

// LatestArtifactVersion returns the family's newest version marked latest
// (none or one).
func LatestArtifactVersion(ctx context.Context, q Querier, stem string) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, "WHERE t.uid LIKE ? AND t.is_latest ORDER BY t.created_at DESC LIMIT 1", stem+"%")
}

// ArtifactByKey returns the latest version with key in storage on the main
// branch, newest first among several marked latest (none or one).
func ArtifactByKey(ctx context.Context, q Querier, storageID int64, key string) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q,
		"WHERE t.key = ? AND t.storage_id = ? AND t._branch_code = 1 ORDER BY t.is_latest DESC, t.created_at DESC LIMIT 1", key, storageID)
}

// NewestArtifactByHash returns the newest artifact in storage with the
// content hash, or ErrNotFound.
func NewestArtifactByHash(ctx context.Context, q Querier, hash string, storageID int64) (*record.Artifact, error) {
	return artifactTable.one(ctx, q, "WHERE t.hash = ? AND t.storage_id = ? ORDER BY t.created_at DESC LIMIT 1", hash, storageID)
}

// ArtifactsByHashes returns the artifacts (any storage, any branch) with
// one of the hashes, newest first.
func ArtifactsByHashes(ctx context.Context, q Querier, hashes []string) ([]*record.Artifact, error) {
	args := make([]any, len(hashes))
	for i, h := range hashes {
		args[i] = h
	}
	return artifactTable.query(ctx, q, "WHERE t.hash IN ("+marks(len(hashes))+") ORDER BY t.created_at DESC", args...)
}

// ArtifactsByKeys returns the non-trashed artifacts in storage with one of
// the keys, the latest versions first and then the newest.
func ArtifactsByKeys(ctx context.Context, q Querier, storageID int64, keys []string) ([]*record.Artifact, error) {
	args := []any{storageID}
	for _, k := range keys {
		args = append(args, k)
	}
	return artifactTable.query(ctx, q, "WHERE t.storage_id = ? AND t.key IN ("+marks(len(keys))+
		") AND t._branch_code >= 0 ORDER BY t.is_latest DESC, t.created_at DESC", args...)
}

// ArtifactsNamingKey returns the artifacts in storage that may keep their
// bytes at key: by their real key, their key, or a uid starting with
// uidPrefix (managed keys are named after the uid).
func ArtifactsNamingKey(ctx context.Context, q Querier, storageID int64, key, uidPrefix string) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, "WHERE t.storage_id = ? AND (t._real_key = ? OR t.key = ? OR t.uid LIKE ?)",
		storageID, key, key, uidPrefix+"%")
}

// ArtifactsInStorage returns every artifact in storage (any branch), in
// no particular order.
func ArtifactsInStorage(ctx context.Context, q Querier, storageID int64) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, "WHERE t.storage_id = ?", storageID)
}

// ArtifactsInStorageByID returns every artifact in storage (any branch)
// in id order.
func ArtifactsInStorageByID(ctx context.Context, q Querier, storageID int64) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, "WHERE t.storage_id = ? ORDER BY t.id", storageID)
}

// InputsOfRun returns the artifacts (main and archive branches) run read,
// in the order they were linked.
func InputsOfRun(ctx context.Context, q Querier, runID int64) ([]*record.Artifact, error) {
	return ArtifactsSQL(ctx, q, `SELECT `+ArtifactColumns("t")+` FROM lamindb_artifact_input_of_runs l
		JOIN lamindb_artifact t ON t.id = l.artifact_id WHERE l.run_id = ? AND t._branch_code IN (0, 1) ORDER BY l.id`, runID)
}

// OutputsOfRun returns the artifacts (main and archive branches) run
// wrote, in id order.
func OutputsOfRun(ctx context.Context, q Querier, runID int64) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, `WHERE t.run_id = ? AND t._branch_code IN (0, 1) ORDER BY t.id`, runID)
}

// TrashArtifact moves an artifact to the trash (branch -1) and clears its
// latest mark.
func TrashArtifact(ctx context.Context, q Querier, id int64) error {
	return setBranch(ctx, q, "lamindb_artifact", id, branchTrash, true)
}

// RestoreArtifact puts an artifact back on the main branch (branch 1).
func RestoreArtifact(ctx context.Context, q Querier, id int64) error {
	return setBranch(ctx, q, "lamindb_artifact", id, branchMain, false)
}

// SetArtifactLatest sets or clears one artifact's latest mark.
func SetArtifactLatest(ctx context.Context, q Querier, id int64, latest bool) error {
	if _, err := q.Exec(ctx, `UPDATE lamindb_artifact SET is_latest = ? WHERE id = ?`, latest, id); err != nil {
		return fmt.Errorf("set latest of artifact %d: %w", id, err)
	}
	return nil
}

// SetArtifactDescription replaces an artifact's description.
func SetArtifactDescription(ctx context.Context, q Querier, id int64, description string) error {
	if _, err := q.Exec(ctx, `UPDATE lamindb_artifact SET description = ? WHERE id = ?`, description, id); err != nil {
		return fmt.Errorf("set description of artifact %d: %w", id, err)
	}
	return nil
}

// SetArtifactKey replaces an artifact's key.
func SetArtifactKey(ctx context.Context, q Querier, id int64, key string) error {
	if _, err := q.Exec(ctx, `UPDATE lamindb_artifact SET key = ? WHERE id = ?`, key, id); err != nil {
		return fmt.Errorf("set key of artifact %d: %w", id, err)
	}
	return nil
}

// SetArtifactRun records the run that created an artifact.
func SetArtifactRun(ctx context.Context, q Querier, id, runID int64) error {
	if _, err := q.Exec(ctx, `UPDATE lamindb_artifact SET run_id = ? WHERE id = ?`, runID, id); err != nil {
		return fmt.Errorf("set run of artifact %d: %w", id, err)
	}
	return nil
}

// SetArtifactAux replaces an artifact's _aux (nil clears it).
func SetArtifactAux(ctx context.Context, q Querier, id int64, aux *string) error {
	if _, err := q.Exec(ctx, `UPDATE lamindb_artifact SET _aux = ? WHERE id = ?`, aux, id); err != nil {
		return fmt.Errorf("set _aux of artifact %d: %w", id, err)
	}
	return nil
}

// PromoteLatestArtifact marks the newest non-trashed version of a family
// as its latest (and no other) and returns it, nil when none is left.
func PromoteLatestArtifact(ctx context.Context, q Querier, stem string) (*record.Artifact, error) {
	rows, err := artifactTable.query(ctx, q, "WHERE t.uid LIKE ? AND t._branch_code <> -1 ORDER BY t.created_at DESC, t.uid DESC LIMIT 1", stem+"%")
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	if _, err := q.Exec(ctx, `UPDATE lamindb_artifact SET is_latest = (id = ?) WHERE uid LIKE ?`, rows[0].ID, stem+"%"); err != nil {
		return nil, fmt.Errorf("set latest version of %s: %w", stem, err)
	}
	rows[0].IsLatest = true
	return rows[0], nil
}

// marks is n comma-separated '?' placeholders.
func marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
