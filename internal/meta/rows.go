package meta

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/lamin-go/lamin/record"
)

// arg turns a field pointer into the value bound for its column.
func arg(d Dialect, p any) any {
	v := reflect.ValueOf(p).Elem().Interface()
	switch t := v.(type) {
	case time.Time:
		return d.TimeArg(t)
	case *time.Time:
		if t == nil {
			return nil
		}
		return d.TimeArg(*t)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return rv.Elem().Interface()
	}
	return v
}

// insert writes every column but id and returns the new id.
func (t table[T]) insert(ctx context.Context, q Querier, v *T) (int64, error) {
	var names, marks []string
	var args []any
	for _, c := range t.cols {
		if c.name == "id" {
			continue
		}
		names = append(names, c.name)
		marks = append(marks, "?")
		args = append(args, arg(q.Dialect(), c.ptr(v)))
	}
	var id int64
	err := q.QueryRow(ctx, "INSERT INTO "+t.name+" ("+strings.Join(names, ", ")+") VALUES ("+
		strings.Join(marks, ", ")+") RETURNING id", args...).Scan(&id)
	if err != nil {
		if q.Dialect().IsUniqueViolation(err) {
			return 0, fmt.Errorf("insert %s: %w: %v", t.name, ErrConflict, err)
		}
		return 0, fmt.Errorf("insert %s: %w", t.name, err)
	}
	return id, nil
}

// insertMany inserts rows with one prepared statement and sets their ids
// through setID: preparing once matters when thousands of rows go in.
func (t table[T]) insertMany(ctx context.Context, tx *Tx, vs []*T, setID func(*T, int64)) error {
	var names, marks []string
	for _, c := range t.cols {
		if c.name != "id" {
			names = append(names, c.name)
			marks = append(marks, "?")
		}
	}
	stmt, err := tx.tx.PrepareContext(ctx, tx.dialect.Rebind("INSERT INTO "+t.name+" ("+strings.Join(names, ", ")+") VALUES ("+
		strings.Join(marks, ", ")+") RETURNING id"))
	if err != nil {
		return fmt.Errorf("insert %s: %w", t.name, err)
	}
	defer stmt.Close()
	args := make([]any, 0, len(names))
	for _, v := range vs {
		args = args[:0]
		for _, c := range t.cols {
			if c.name != "id" {
				args = append(args, arg(tx.dialect, c.ptr(v)))
			}
		}
		var id int64
		if err := stmt.QueryRowContext(ctx, args...).Scan(&id); err != nil {
			if tx.dialect.IsUniqueViolation(err) {
				return fmt.Errorf("insert %s: %w: %v", t.name, ErrConflict, err)
			}
			return fmt.Errorf("insert %s: %w", t.name, err)
		}
		setID(v, id)
	}
	return nil
}

// update writes every column of the row with v's id.
func (t table[T]) update(ctx context.Context, q Querier, v *T) error {
	var sets []string
	var args []any
	var id any
	for _, c := range t.cols {
		if c.name == "id" {
			id = arg(q.Dialect(), c.ptr(v))
			continue
		}
		sets = append(sets, c.name+" = ?")
		args = append(args, arg(q.Dialect(), c.ptr(v)))
	}
	res, err := q.Exec(ctx, "UPDATE "+t.name+" SET "+strings.Join(sets, ", ")+" WHERE id = ?", append(args, id)...)
	if err != nil {
		if q.Dialect().IsUniqueViolation(err) {
			return fmt.Errorf("update %s: %w: %v", t.name, ErrConflict, err)
		}
		return fmt.Errorf("update %s: %w", t.name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update %s id %v: %w", t.name, id, ErrNotFound)
	}
	return nil
}

func (t table[T]) deleteID(ctx context.Context, q Querier, id int64) error {
	_, err := q.Exec(ctx, "DELETE FROM "+t.name+" WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete from %s: %w", t.name, err)
	}
	return nil
}

// InsertUser adds u and sets its id.
func InsertUser(ctx context.Context, q Querier, u *record.User) error {
	id, err := userTable.insert(ctx, q, u)
	u.ID = id
	return err
}

// UpdateUser writes every field of u.
func UpdateUser(ctx context.Context, q Querier, u *record.User) error {
	return userTable.update(ctx, q, u)
}

// Users returns users matching a WHERE clause over alias t ("" for all).
func Users(ctx context.Context, q Querier, where string, args ...any) ([]*record.User, error) {
	return userTable.query(ctx, q, where, args...)
}

// UserWhere returns the one user matching where, or ErrNotFound.
func UserWhere(ctx context.Context, q Querier, where string, args ...any) (*record.User, error) {
	return userTable.one(ctx, q, where, args...)
}

// InsertStorage adds s and sets its id.
func InsertStorage(ctx context.Context, q Querier, s *record.Storage) error {
	id, err := storageTable.insert(ctx, q, s)
	s.ID = id
	return err
}

// UpdateStorage writes every field of s.
func UpdateStorage(ctx context.Context, q Querier, s *record.Storage) error {
	return storageTable.update(ctx, q, s)
}

// Storages returns storages matching where.
func Storages(ctx context.Context, q Querier, where string, args ...any) ([]*record.Storage, error) {
	return storageTable.query(ctx, q, where, args...)
}

// StorageWhere returns the one storage matching where, or ErrNotFound.
func StorageWhere(ctx context.Context, q Querier, where string, args ...any) (*record.Storage, error) {
	return storageTable.one(ctx, q, where, args...)
}

// InsertTransform adds t and sets its id.
func InsertTransform(ctx context.Context, q Querier, t *record.Transform) error {
	id, err := transformTable.insert(ctx, q, t)
	t.ID = id
	return err
}

// UpdateTransform writes every field of t.
func UpdateTransform(ctx context.Context, q Querier, t *record.Transform) error {
	return transformTable.update(ctx, q, t)
}

// DeleteTransform removes the transform row (its runs cascade).
func DeleteTransform(ctx context.Context, q Querier, id int64) error {
	return transformTable.deleteID(ctx, q, id)
}

// Transforms returns transforms matching where.
func Transforms(ctx context.Context, q Querier, where string, args ...any) ([]*record.Transform, error) {
	return transformTable.query(ctx, q, where, args...)
}

// TransformWhere returns the one transform matching where, or ErrNotFound.
func TransformWhere(ctx context.Context, q Querier, where string, args ...any) (*record.Transform, error) {
	return transformTable.one(ctx, q, where, args...)
}

// InsertRun adds r and sets its id.
func InsertRun(ctx context.Context, q Querier, r *record.Run) error {
	id, err := runTable.insert(ctx, q, r)
	r.ID = id
	return err
}

// UpdateRun writes every field of r.
func UpdateRun(ctx context.Context, q Querier, r *record.Run) error {
	return runTable.update(ctx, q, r)
}

// DeleteRun removes the run row.
func DeleteRun(ctx context.Context, q Querier, id int64) error { return runTable.deleteID(ctx, q, id) }

// Runs returns runs matching where.
func Runs(ctx context.Context, q Querier, where string, args ...any) ([]*record.Run, error) {
	return runTable.query(ctx, q, where, args...)
}

// RunWhere returns the one run matching where, or ErrNotFound.
func RunWhere(ctx context.Context, q Querier, where string, args ...any) (*record.Run, error) {
	return runTable.one(ctx, q, where, args...)
}

// InsertArtifact adds a and sets its id.
func InsertArtifact(ctx context.Context, q Querier, a *record.Artifact) error {
	id, err := artifactTable.insert(ctx, q, a)
	a.ID = id
	return err
}

// InsertArtifacts adds many artifacts in tx with one prepared statement
// and sets their ids.
func InsertArtifacts(ctx context.Context, tx *Tx, as []*record.Artifact) error {
	return artifactTable.insertMany(ctx, tx, as, func(a *record.Artifact, id int64) { a.ID = id })
}

// UpdateArtifact writes every field of a.
func UpdateArtifact(ctx context.Context, q Querier, a *record.Artifact) error {
	return artifactTable.update(ctx, q, a)
}

// DeleteArtifact removes the artifact row and its link rows.
func DeleteArtifact(ctx context.Context, q Querier, id int64) error {
	// The save owner and the manifest go with the record (explicitly, so
	// that no engine setting about foreign keys matters).
	for _, t := range []string{"lamin_artifact_save", "lamin_artifact_file"} {
		if _, err := q.Exec(ctx, `DELETE FROM `+t+` WHERE artifact_id = ?`, id); err != nil {
			return fmt.Errorf("delete from %s: %w", t, err)
		}
	}
	return artifactTable.deleteID(ctx, q, id)
}

// Artifacts returns artifacts matching where.
func Artifacts(ctx context.Context, q Querier, where string, args ...any) ([]*record.Artifact, error) {
	return artifactTable.query(ctx, q, where, args...)
}

// ArtifactWhere returns the one artifact matching where, or ErrNotFound.
func ArtifactWhere(ctx context.Context, q Querier, where string, args ...any) (*record.Artifact, error) {
	return artifactTable.one(ctx, q, where, args...)
}

// ArtifactColumns is the select list of an artifact row over alias, for
// callers that join and scan with ScanArtifact.
func ArtifactColumns(alias string) string { return artifactTable.selectList(alias) }

// AddRunInputs links artifacts as inputs of a run; existing links are kept.
func AddRunInputs(ctx context.Context, q Querier, runID int64, artifactIDs ...int64) error {
	for _, id := range artifactIDs {
		if _, err := q.Exec(ctx, `INSERT INTO lamindb_artifact_input_of_runs (artifact_id, run_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, runID); err != nil {
			return fmt.Errorf("link input artifact %d to run %d: %w", id, runID, err)
		}
	}
	return nil
}

// AddRecreatingRun records that run recreated the content of an existing artifact.
func AddRecreatingRun(ctx context.Context, q Querier, artifactID, runID int64) error {
	if _, err := q.Exec(ctx, `INSERT INTO lamindb_artifact__previous_runs (artifact_id, run_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, artifactID, runID); err != nil {
		return fmt.Errorf("link recreating run %d to artifact %d: %w", runID, artifactID, err)
	}
	return nil
}

// SetInstance writes the instance identity row.
func SetInstance(ctx context.Context, q Querier, in Instance) error {
	_, err := q.Exec(ctx, `INSERT INTO lamin_instance (id, uid, owner, name, storage_id) VALUES (1, ?, ?, ?, ?)`,
		in.UID, in.Owner, in.Name, in.StorageID)
	if err != nil {
		return fmt.Errorf("write instance identity: %w", err)
	}
	return nil
}

// GetInstance reads the instance identity row.
func GetInstance(ctx context.Context, q Querier) (Instance, error) {
	var in Instance
	err := q.QueryRow(ctx, `SELECT uid, owner, name, storage_id FROM lamin_instance WHERE id = 1`).
		Scan(&in.UID, &in.Owner, &in.Name, &in.StorageID)
	if err != nil {
		return in, fmt.Errorf("read instance identity: %w", err)
	}
	return in, nil
}

// ArtifactsSQL runs a full SELECT whose select list is ArtifactColumns("t")
// and scans the rows.
func ArtifactsSQL(ctx context.Context, q Querier, query string, args ...any) ([]*record.Artifact, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query artifacts: %w", err)
	}
	defer rows.Close()
	var out []*record.Artifact
	for rows.Next() {
		a, err := artifactTable.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan artifact: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Branch codes of records: on the main branch or in the trash.
const (
	branchMain  = 1
	branchTrash = -1
)

// setBranch moves record id of table to a branch, clearing its latest mark
// when asked (a versioned record going to the trash). Callers add which
// record it was, by uid, to the error.
func setBranch(ctx context.Context, q Querier, table string, id int64, branch int, clearLatest bool) error {
	set := "_branch_code = ?"
	args := []any{branch}
	if clearLatest {
		set += ", is_latest = ?"
		args = append(args, false)
	}
	_, err := q.Exec(ctx, "UPDATE "+table+" SET "+set+" WHERE id = ?", append(args, id)...)
	return err
}
