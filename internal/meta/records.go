package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// User is a row of lamindb_user.
type User struct {
	ID        int64     `json:"id"`
	UID       string    `json:"uid"`
	Handle    string    `json:"handle"`
	Name      *string   `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Storage is a row of lamindb_storage.
type Storage struct {
	ID          int64     `json:"id"`
	UID         string    `json:"uid"`
	Root        string    `json:"root"`
	Description *string   `json:"description"`
	Type        string    `json:"type"`
	Region      *string   `json:"region"`
	InstanceUID *string   `json:"instance_uid"`
	SpaceID     int64     `json:"space_id"`
	IsLocked    bool      `json:"is_locked"`
	RunID       *int64    `json:"run_id"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedByID int64     `json:"created_by_id"`
	Aux         *string   `json:"_aux"`
	BranchID    int64     `json:"branch_id"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Transform is a row of lamindb_transform.
type Transform struct {
	ID            int64     `json:"id"`
	UID           string    `json:"uid"`
	Key           *string   `json:"key"`
	Description   *string   `json:"description"`
	Type          string    `json:"type"`
	SourceCode    *string   `json:"source_code"`
	Hash          *string   `json:"hash"`
	Reference     *string   `json:"reference"`
	ReferenceType *string   `json:"reference_type"`
	SpaceID       int64     `json:"space_id"`
	TemplateID    *int64    `json:"_template_id"`
	Version       *string   `json:"version"`
	IsLatest      bool      `json:"is_latest"`
	IsLocked      bool      `json:"is_locked"`
	CreatedAt     time.Time `json:"created_at"`
	CreatedByID   int64     `json:"created_by_id"`
	Aux           *string   `json:"_aux"`
	BranchID      int64     `json:"branch_id"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Run is a row of lamindb_run.
type Run struct {
	ID               int64      `json:"id"`
	UID              string     `json:"uid"`
	Name             *string    `json:"name"`
	StartedAt        time.Time  `json:"started_at"`
	FinishedAt       *time.Time `json:"finished_at"`
	Reference        *string    `json:"reference"`
	ReferenceType    *string    `json:"reference_type"`
	IsConsecutive    *bool      `json:"_is_consecutive"`
	StatusCode       *int64     `json:"_status_code"`
	SpaceID          int64      `json:"space_id"`
	TransformID      int64      `json:"transform_id"`
	ReportID         *int64     `json:"report_id"`
	LogfileID        *int64     `json:"_logfile_id"`
	EnvironmentID    *int64     `json:"environment_id"`
	InitiatedByRunID *int64     `json:"initiated_by_run_id"`
	IsLocked         bool       `json:"is_locked"`
	CreatedAt        time.Time  `json:"created_at"`
	CreatedByID      int64      `json:"created_by_id"`
	Aux              *string    `json:"_aux"`
	BranchID         int64      `json:"branch_id"`
}

// Artifact is a row of lamindb_artifact.
type Artifact struct {
	ID                int64     `json:"id"`
	UID               string    `json:"uid"`
	Key               *string   `json:"key"`
	Description       *string   `json:"description"`
	Suffix            string    `json:"suffix"`
	Kind              *string   `json:"kind"`
	OType             *string   `json:"otype"`
	Size              *int64    `json:"size"`
	Hash              *string   `json:"hash"`
	NFiles            *int64    `json:"n_files"`
	NObservations     *int64    `json:"n_observations"`
	HashType          *string   `json:"_hash_type"`
	KeyIsVirtual      bool      `json:"_key_is_virtual"`
	OverwriteVersions bool      `json:"_overwrite_versions"`
	SpaceID           int64     `json:"space_id"`
	StorageID         int64     `json:"storage_id"`
	SchemaID          *int64    `json:"schema_id"`
	Version           *string   `json:"version"`
	IsLatest          bool      `json:"is_latest"`
	IsLocked          bool      `json:"is_locked"`
	RunID             *int64    `json:"run_id"`
	CreatedAt         time.Time `json:"created_at"`
	CreatedByID       int64     `json:"created_by_id"`
	Aux               *string   `json:"_aux"`
	RealKey           *string   `json:"_real_key"`
	BranchID          int64     `json:"branch_id"`
	UpdatedAt         time.Time `json:"updated_at"`
}

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

var userTable = table[User]{"lamindb_user", []column[User]{
	col("id", func(v *User) any { return &v.ID }),
	col("uid", func(v *User) any { return &v.UID }),
	col("handle", func(v *User) any { return &v.Handle }),
	col("name", func(v *User) any { return &v.Name }),
	col("created_at", func(v *User) any { return &v.CreatedAt }),
	col("updated_at", func(v *User) any { return &v.UpdatedAt }),
}}

var storageTable = table[Storage]{"lamindb_storage", []column[Storage]{
	col("id", func(v *Storage) any { return &v.ID }),
	col("uid", func(v *Storage) any { return &v.UID }),
	col("root", func(v *Storage) any { return &v.Root }),
	col("description", func(v *Storage) any { return &v.Description }),
	col("type", func(v *Storage) any { return &v.Type }),
	col("region", func(v *Storage) any { return &v.Region }),
	col("instance_uid", func(v *Storage) any { return &v.InstanceUID }),
	col("space_id", func(v *Storage) any { return &v.SpaceID }),
	col("is_locked", func(v *Storage) any { return &v.IsLocked }),
	col("run_id", func(v *Storage) any { return &v.RunID }),
	col("created_at", func(v *Storage) any { return &v.CreatedAt }),
	col("created_by_id", func(v *Storage) any { return &v.CreatedByID }),
	col("_aux", func(v *Storage) any { return &v.Aux }),
	col("_branch_code", func(v *Storage) any { return &v.BranchID }),
	col("updated_at", func(v *Storage) any { return &v.UpdatedAt }),
}}

var transformTable = table[Transform]{"lamindb_transform", []column[Transform]{
	col("id", func(v *Transform) any { return &v.ID }),
	col("uid", func(v *Transform) any { return &v.UID }),
	col("key", func(v *Transform) any { return &v.Key }),
	col("description", func(v *Transform) any { return &v.Description }),
	col("type", func(v *Transform) any { return &v.Type }),
	col("source_code", func(v *Transform) any { return &v.SourceCode }),
	col("hash", func(v *Transform) any { return &v.Hash }),
	col("reference", func(v *Transform) any { return &v.Reference }),
	col("reference_type", func(v *Transform) any { return &v.ReferenceType }),
	col("space_id", func(v *Transform) any { return &v.SpaceID }),
	col("_template_id", func(v *Transform) any { return &v.TemplateID }),
	col("version", func(v *Transform) any { return &v.Version }),
	col("is_latest", func(v *Transform) any { return &v.IsLatest }),
	col("is_locked", func(v *Transform) any { return &v.IsLocked }),
	col("created_at", func(v *Transform) any { return &v.CreatedAt }),
	col("created_by_id", func(v *Transform) any { return &v.CreatedByID }),
	col("_aux", func(v *Transform) any { return &v.Aux }),
	col("_branch_code", func(v *Transform) any { return &v.BranchID }),
	col("updated_at", func(v *Transform) any { return &v.UpdatedAt }),
}}

var runTable = table[Run]{"lamindb_run", []column[Run]{
	col("id", func(v *Run) any { return &v.ID }),
	col("uid", func(v *Run) any { return &v.UID }),
	col("name", func(v *Run) any { return &v.Name }),
	col("started_at", func(v *Run) any { return &v.StartedAt }),
	col("finished_at", func(v *Run) any { return &v.FinishedAt }),
	col("reference", func(v *Run) any { return &v.Reference }),
	col("reference_type", func(v *Run) any { return &v.ReferenceType }),
	col("_is_consecutive", func(v *Run) any { return &v.IsConsecutive }),
	col("_status_code", func(v *Run) any { return &v.StatusCode }),
	col("space_id", func(v *Run) any { return &v.SpaceID }),
	col("transform_id", func(v *Run) any { return &v.TransformID }),
	col("report_id", func(v *Run) any { return &v.ReportID }),
	col("_logfile_id", func(v *Run) any { return &v.LogfileID }),
	col("environment_id", func(v *Run) any { return &v.EnvironmentID }),
	col("initiated_by_run_id", func(v *Run) any { return &v.InitiatedByRunID }),
	col("is_locked", func(v *Run) any { return &v.IsLocked }),
	col("created_at", func(v *Run) any { return &v.CreatedAt }),
	col("created_by_id", func(v *Run) any { return &v.CreatedByID }),
	col("_aux", func(v *Run) any { return &v.Aux }),
	col("_branch_code", func(v *Run) any { return &v.BranchID }),
}}

var artifactTable = table[Artifact]{"lamindb_artifact", []column[Artifact]{
	col("id", func(v *Artifact) any { return &v.ID }),
	col("uid", func(v *Artifact) any { return &v.UID }),
	col("key", func(v *Artifact) any { return &v.Key }),
	col("description", func(v *Artifact) any { return &v.Description }),
	col("suffix", func(v *Artifact) any { return &v.Suffix }),
	col("kind", func(v *Artifact) any { return &v.Kind }),
	col("otype", func(v *Artifact) any { return &v.OType }),
	col("size", func(v *Artifact) any { return &v.Size }),
	col("hash", func(v *Artifact) any { return &v.Hash }),
	col("n_files", func(v *Artifact) any { return &v.NFiles }),
	col("n_observations", func(v *Artifact) any { return &v.NObservations }),
	col("_hash_type", func(v *Artifact) any { return &v.HashType }),
	col("_key_is_virtual", func(v *Artifact) any { return &v.KeyIsVirtual }),
	col("_overwrite_versions", func(v *Artifact) any { return &v.OverwriteVersions }),
	col("space_id", func(v *Artifact) any { return &v.SpaceID }),
	col("storage_id", func(v *Artifact) any { return &v.StorageID }),
	col("schema_id", func(v *Artifact) any { return &v.SchemaID }),
	col("version", func(v *Artifact) any { return &v.Version }),
	col("is_latest", func(v *Artifact) any { return &v.IsLatest }),
	col("is_locked", func(v *Artifact) any { return &v.IsLocked }),
	col("run_id", func(v *Artifact) any { return &v.RunID }),
	col("created_at", func(v *Artifact) any { return &v.CreatedAt }),
	col("created_by_id", func(v *Artifact) any { return &v.CreatedByID }),
	col("_aux", func(v *Artifact) any { return &v.Aux }),
	col("_real_key", func(v *Artifact) any { return &v.RealKey }),
	col("_branch_code", func(v *Artifact) any { return &v.BranchID }),
	col("updated_at", func(v *Artifact) any { return &v.UpdatedAt }),
}}
