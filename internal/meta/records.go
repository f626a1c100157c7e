package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/lamin-go/lamin/record"
)

// Instance is the single row of lamin_instance: the instance's identity.
type Instance struct {
	UID       string
	Owner     string
	Name      string
	StorageID int64
}

// column binds a SQL column to a struct field for scanning and writing.
type column[T any] struct {
	name string
	ptr  func(*T) any
}

type table[T any] struct {
	name string
	cols []column[T]
}

func (t table[T]) selectList(alias string) string {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = alias + "." + c.name
	}
	return strings.Join(names, ", ")
}

func (t table[T]) scan(sc interface{ Scan(...any) error }) (*T, error) {
	var v T
	ptrs := make([]any, len(t.cols))
	for i, c := range t.cols {
		ptrs[i] = c.ptr(&v)
	}
	if err := sc.Scan(ptrs...); err != nil {
		return nil, err
	}
	return &v, nil
}

// get returns the rows matching a WHERE clause written against alias "t".
func (t table[T]) query(ctx context.Context, q Querier, where string, args ...any) ([]*T, error) {
	rows, err := q.Query(ctx, "SELECT "+t.selectList("t")+" FROM "+t.name+" t "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", t.name, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := t.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", t.name, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (t table[T]) one(ctx context.Context, q Querier, where string, args ...any) (*T, error) {
	v, err := t.scan(q.QueryRow(ctx, "SELECT "+t.selectList("t")+" FROM "+t.name+" t "+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", t.name, err)
	}
	return v, nil
}

func col[T any](name string, ptr func(*T) any) column[T] { return column[T]{name, ptr} }

var userTable = table[record.User]{"lamindb_user", []column[record.User]{
	col("id", func(v *record.User) any { return &v.ID }),
	col("uid", func(v *record.User) any { return &v.UID }),
	col("handle", func(v *record.User) any { return &v.Handle }),
	col("name", func(v *record.User) any { return &v.Name }),
	col("created_at", func(v *record.User) any { return &v.CreatedAt }),
	col("updated_at", func(v *record.User) any { return &v.UpdatedAt }),
}}

var storageTable = table[record.Storage]{"lamindb_storage", []column[record.Storage]{
	col("id", func(v *record.Storage) any { return &v.ID }),
	col("uid", func(v *record.Storage) any { return &v.UID }),
	col("root", func(v *record.Storage) any { return &v.Root }),
	col("description", func(v *record.Storage) any { return &v.Description }),
	col("type", func(v *record.Storage) any { return &v.Type }),
	col("region", func(v *record.Storage) any { return &v.Region }),
	col("instance_uid", func(v *record.Storage) any { return &v.InstanceUID }),
	col("space_id", func(v *record.Storage) any { return &v.SpaceID }),
	col("is_locked", func(v *record.Storage) any { return &v.IsLocked }),
	col("run_id", func(v *record.Storage) any { return &v.RunID }),
	col("created_at", func(v *record.Storage) any { return &v.CreatedAt }),
	col("created_by_id", func(v *record.Storage) any { return &v.CreatedByID }),
	col("_aux", func(v *record.Storage) any { return &v.Aux }),
	col("_branch_code", func(v *record.Storage) any { return &v.BranchID }),
	col("updated_at", func(v *record.Storage) any { return &v.UpdatedAt }),
}}

var transformTable = table[record.Transform]{"lamindb_transform", []column[record.Transform]{
	col("id", func(v *record.Transform) any { return &v.ID }),
	col("uid", func(v *record.Transform) any { return &v.UID }),
	col("key", func(v *record.Transform) any { return &v.Key }),
	col("description", func(v *record.Transform) any { return &v.Description }),
	col("type", func(v *record.Transform) any { return &v.Type }),
	col("source_code", func(v *record.Transform) any { return &v.SourceCode }),
	col("hash", func(v *record.Transform) any { return &v.Hash }),
	col("reference", func(v *record.Transform) any { return &v.Reference }),
	col("reference_type", func(v *record.Transform) any { return &v.ReferenceType }),
	col("space_id", func(v *record.Transform) any { return &v.SpaceID }),
	col("_template_id", func(v *record.Transform) any { return &v.TemplateID }),
	col("version", func(v *record.Transform) any { return &v.Version }),
	col("is_latest", func(v *record.Transform) any { return &v.IsLatest }),
	col("is_locked", func(v *record.Transform) any { return &v.IsLocked }),
	col("created_at", func(v *record.Transform) any { return &v.CreatedAt }),
	col("created_by_id", func(v *record.Transform) any { return &v.CreatedByID }),
	col("_aux", func(v *record.Transform) any { return &v.Aux }),
	col("_branch_code", func(v *record.Transform) any { return &v.BranchID }),
	col("updated_at", func(v *record.Transform) any { return &v.UpdatedAt }),
}}

var runTable = table[record.Run]{"lamindb_run", []column[record.Run]{
	col("id", func(v *record.Run) any { return &v.ID }),
	col("uid", func(v *record.Run) any { return &v.UID }),
	col("name", func(v *record.Run) any { return &v.Name }),
	col("started_at", func(v *record.Run) any { return &v.StartedAt }),
	col("finished_at", func(v *record.Run) any { return &v.FinishedAt }),
	col("reference", func(v *record.Run) any { return &v.Reference }),
	col("reference_type", func(v *record.Run) any { return &v.ReferenceType }),
	col("_is_consecutive", func(v *record.Run) any { return &v.IsConsecutive }),
	col("_status_code", func(v *record.Run) any { return &v.StatusCode }),
	col("space_id", func(v *record.Run) any { return &v.SpaceID }),
	col("transform_id", func(v *record.Run) any { return &v.TransformID }),
	col("report_id", func(v *record.Run) any { return &v.ReportID }),
	col("_logfile_id", func(v *record.Run) any { return &v.LogfileID }),
	col("environment_id", func(v *record.Run) any { return &v.EnvironmentID }),
	col("initiated_by_run_id", func(v *record.Run) any { return &v.InitiatedByRunID }),
	col("is_locked", func(v *record.Run) any { return &v.IsLocked }),
	col("created_at", func(v *record.Run) any { return &v.CreatedAt }),
	col("created_by_id", func(v *record.Run) any { return &v.CreatedByID }),
	col("_aux", func(v *record.Run) any { return &v.Aux }),
	col("_branch_code", func(v *record.Run) any { return &v.BranchID }),
}}

var artifactTable = table[record.Artifact]{"lamindb_artifact", []column[record.Artifact]{
	col("id", func(v *record.Artifact) any { return &v.ID }),
	col("uid", func(v *record.Artifact) any { return &v.UID }),
	col("key", func(v *record.Artifact) any { return &v.Key }),
	col("description", func(v *record.Artifact) any { return &v.Description }),
	col("suffix", func(v *record.Artifact) any { return &v.Suffix }),
	col("kind", func(v *record.Artifact) any { return &v.Kind }),
	col("otype", func(v *record.Artifact) any { return &v.OType }),
	col("size", func(v *record.Artifact) any { return &v.Size }),
	col("hash", func(v *record.Artifact) any { return &v.Hash }),
	col("n_files", func(v *record.Artifact) any { return &v.NFiles }),
	col("n_observations", func(v *record.Artifact) any { return &v.NObservations }),
	col("_hash_type", func(v *record.Artifact) any { return &v.HashType }),
	col("_key_is_virtual", func(v *record.Artifact) any { return &v.KeyIsVirtual }),
	col("_overwrite_versions", func(v *record.Artifact) any { return &v.OverwriteVersions }),
	col("space_id", func(v *record.Artifact) any { return &v.SpaceID }),
	col("storage_id", func(v *record.Artifact) any { return &v.StorageID }),
	col("schema_id", func(v *record.Artifact) any { return &v.SchemaID }),
	col("version", func(v *record.Artifact) any { return &v.Version }),
	col("is_latest", func(v *record.Artifact) any { return &v.IsLatest }),
	col("is_locked", func(v *record.Artifact) any { return &v.IsLocked }),
	col("run_id", func(v *record.Artifact) any { return &v.RunID }),
	col("created_at", func(v *record.Artifact) any { return &v.CreatedAt }),
	col("created_by_id", func(v *record.Artifact) any { return &v.CreatedByID }),
	col("_aux", func(v *record.Artifact) any { return &v.Aux }),
	col("_real_key", func(v *record.Artifact) any { return &v.RealKey }),
	col("_branch_code", func(v *record.Artifact) any { return &v.BranchID }),
	col("updated_at", func(v *record.Artifact) any { return &v.UpdatedAt }),
}}
