package meta

import (
	"context"
	"fmt"
	"strings"
)

// SaveOwner is a row of lamin_artifact_save: the process storing the bytes
// of an unfinished artifact save, and how long its claim holds without a
// renewal. Times are Unix milliseconds of the owner's clock.
type SaveOwner struct {
	ArtifactID int64
	// Token identifies one save (or one repair) across its renewals.
	Token string
	Host  string
	PID   int64
	// StartedAt is when the owner took the record.
	StartedAt int64
	// LeaseUntil is when the claim lapses unless renewed.
	LeaseUntil int64
}

// InsertSaveOwners records the owner of freshly inserted unfinished
// records, one row per artifact, in the transaction that inserts them.
func InsertSaveOwners(ctx context.Context, q Querier, owner SaveOwner, artifactIDs []int64) error {
	for _, id := range artifactIDs {
		if _, err := q.Exec(ctx, `INSERT INTO lamin_artifact_save (artifact_id, token, host, pid, started_at, lease_until) VALUES (?, ?, ?, ?, ?, ?)`,
			id, owner.Token, owner.Host, owner.PID, owner.StartedAt, owner.LeaseUntil); err != nil {
			return fmt.Errorf("record the owner of artifact %d: %w", id, err)
		}
	}
	return nil
}

// RenewSaves extends the lease of every record owned by token to until and
// returns how many records it still owns: fewer than the owner holds means
// a record was taken over or removed under it.
func RenewSaves(ctx context.Context, q Querier, token string, until int64) (int64, error) {
	res, err := q.Exec(ctx, `UPDATE lamin_artifact_save SET lease_until = ? WHERE token = ?`, until, token)
	if err != nil {
		return 0, fmt.Errorf("renew save lease: %w", err)
	}
	return res.RowsAffected()
}

// SaveOwners maps artifact ids to the owners of their unfinished saves.
func SaveOwners(ctx context.Context, q Querier) (map[int64]SaveOwner, error) {
	rows, err := q.Query(ctx, `SELECT artifact_id, token, host, pid, started_at, lease_until FROM lamin_artifact_save`)
	if err != nil {
		return nil, fmt.Errorf("query save owners: %w", err)
	}
	defer rows.Close()
	out := map[int64]SaveOwner{}
	for rows.Next() {
		var o SaveOwner
		if err := rows.Scan(&o.ArtifactID, &o.Token, &o.Host, &o.PID, &o.StartedAt, &o.LeaseUntil); err != nil {
			return nil, fmt.Errorf("scan save owner: %w", err)
		}
		out[o.ArtifactID] = o
	}
	return out, rows.Err()
}

// SaveOwnerOf returns the owner of one unfinished save; ok is false when
// the record has none.
func SaveOwnerOf(ctx context.Context, q Querier, artifactID int64) (o SaveOwner, ok bool, err error) {
	rows, err := q.Query(ctx, `SELECT artifact_id, token, host, pid, started_at, lease_until FROM lamin_artifact_save WHERE artifact_id = ?`, artifactID)
	if err != nil {
		return o, false, fmt.Errorf("query save owner: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&o.ArtifactID, &o.Token, &o.Host, &o.PID, &o.StartedAt, &o.LeaseUntil); err != nil {
			return o, false, fmt.Errorf("scan save owner: %w", err)
		}
		ok = true
	}
	return o, ok, rows.Err()
}

// ClaimSave makes next the owner of the unfinished save of artifactID,
// provided the owner is still prev (same token and lease, so an owner that
// renewed in the meantime keeps it) or, with prev nil, the record has no
// owner yet. It reports whether the claim succeeded.
func ClaimSave(ctx context.Context, q Querier, artifactID int64, prev *SaveOwner, next SaveOwner) (bool, error) {
	if prev == nil {
		// INSERT ... SELECT ... WHERE NOT EXISTS: a concurrent claimer
		// either sees this row or fails on the primary key.
		res, err := q.Exec(ctx, `INSERT INTO lamin_artifact_save (artifact_id, token, host, pid, started_at, lease_until)
SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM lamin_artifact_save WHERE artifact_id = ?)`,
			artifactID, next.Token, next.Host, next.PID, next.StartedAt, next.LeaseUntil, artifactID)
		if err != nil {
			if q.Dialect().IsUniqueViolation(err) {
				return false, nil
			}
			return false, fmt.Errorf("claim unfinished save: %w", err)
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	res, err := q.Exec(ctx, `UPDATE lamin_artifact_save SET token = ?, host = ?, pid = ?, started_at = ?, lease_until = ?
WHERE artifact_id = ? AND token = ? AND lease_until = ?`,
		next.Token, next.Host, next.PID, next.StartedAt, next.LeaseUntil, artifactID, prev.Token, prev.LeaseUntil)
	if err != nil {
		return false, fmt.Errorf("claim unfinished save: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// OwnsSave reports whether token still owns the unfinished save of
// artifactID. Inside a transaction that then changes the record it fences
// off an owner that lost the record.
func OwnsSave(ctx context.Context, q Querier, artifactID int64, token string) (bool, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM lamin_artifact_save WHERE artifact_id = ? AND token = ?`, artifactID, token).Scan(&n); err != nil {
		return false, fmt.Errorf("query save owner: %w", err)
	}
	return n == 1, nil
}

// FinishSave marks the record stored (its _aux set to storedAux, nil for
// a record registered in place) and drops its owner, provided token still
// owns it; it reports whether it did.
func FinishSave(ctx context.Context, q Querier, artifactID int64, token string, storedAux *string) (bool, error) {
	res, err := q.Exec(ctx, `UPDATE lamindb_artifact SET _aux = ? WHERE id = ? AND EXISTS (SELECT 1 FROM lamin_artifact_save s WHERE s.artifact_id = ? AND s.token = ?)`,
		storedAux, artifactID, artifactID, token)
	if err != nil {
		return false, fmt.Errorf("mark artifact stored: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	if _, err := q.Exec(ctx, `DELETE FROM lamin_artifact_save WHERE artifact_id = ?`, artifactID); err != nil {
		return false, fmt.Errorf("release save owner: %w", err)
	}
	return true, nil
}

// ReleaseSave drops the owner row of artifactID held by token.
func ReleaseSave(ctx context.Context, q Querier, artifactID int64, token string) error {
	if _, err := q.Exec(ctx, `DELETE FROM lamin_artifact_save WHERE artifact_id = ? AND token = ?`, artifactID, token); err != nil {
		return fmt.Errorf("release save owner: %w", err)
	}
	return nil
}

// MarkUnstored turns a stored record back into an unfinished save owned by
// owner (its _aux set to storingAux), so that its missing bytes can be
// stored again under the same protection as a new save. It fails with
// ErrConflict when another process already owns the record.
func MarkUnstored(ctx context.Context, tx *Tx, artifactID int64, storingAux string, owner SaveOwner) error {
	if _, err := tx.Exec(ctx, `UPDATE lamindb_artifact SET _aux = ? WHERE id = ?`, storingAux, artifactID); err != nil {
		return fmt.Errorf("mark artifact unfinished: %w", err)
	}
	ok, err := ClaimSave(ctx, tx, artifactID, nil, owner)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("artifact %d is being saved by another process: %w", artifactID, ErrConflict)
	}
	return nil
}

// ManifestEntry is a row of lamin_artifact_file: one file of a folder
// artifact, by its slash-separated path relative to the folder.
type ManifestEntry struct {
	Path     string
	Size     int64
	Hash     string
	HashType string
}

// InsertManifest records the files of a folder artifact.
func InsertManifest(ctx context.Context, q Querier, artifactID int64, files []ManifestEntry) error {
	const chunk = 150 // 5 values per row stays below every engine's limit
	for start := 0; start < len(files); start += chunk {
		part := files[start:min(start+chunk, len(files))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO lamin_artifact_file (artifact_id, path, size, hash, hash_type) VALUES `)
		args := make([]any, 0, 5*len(part))
		for i, f := range part {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?)")
			args = append(args, artifactID, f.Path, f.Size, f.Hash, f.HashType)
		}
		if _, err := q.Exec(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("record the files of artifact %d: %w", artifactID, err)
		}
	}
	return nil
}

// Manifest returns the files recorded for a folder artifact, by path; ok
// is false when none were recorded (folders saved before manifests).
func Manifest(ctx context.Context, q Querier, artifactID int64) (files []ManifestEntry, ok bool, err error) {
	rows, err := q.Query(ctx, `SELECT path, size, hash, hash_type FROM lamin_artifact_file WHERE artifact_id = ? ORDER BY path`, artifactID)
	if err != nil {
		return nil, false, fmt.Errorf("query the files of artifact %d: %w", artifactID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f ManifestEntry
		if err := rows.Scan(&f.Path, &f.Size, &f.Hash, &f.HashType); err != nil {
			return nil, false, fmt.Errorf("scan the files of artifact %d: %w", artifactID, err)
		}
		files = append(files, f)
	}
	return files, len(files) > 0, rows.Err()
}

// DeleteManifest removes the files recorded for a folder artifact, before
// a new manifest replaces them.
func DeleteManifest(ctx context.Context, q Querier, artifactID int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM lamin_artifact_file WHERE artifact_id = ?`, artifactID); err != nil {
		return fmt.Errorf("delete the files of artifact %d: %w", artifactID, err)
	}
	return nil
}
