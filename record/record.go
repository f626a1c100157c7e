package record

import "time"

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

// Profile is a user as the settings folder on this machine knows them:
// who lamin acts as. The user's row in an instance (User) is made from it
// when the user first connects to the instance.
type Profile struct {
	Handle string
	UID    string
	Name   string
}

// Collection is the part of a lamindb_collection row a lineage graph shows.
type Collection struct {
	ID             int64     `json:"id"`
	UID            string    `json:"uid"`
	Key            string    `json:"key"`
	Description    *string   `json:"description"`
	Hash           *string   `json:"hash"`
	Reference      *string   `json:"reference"`
	ReferenceType  *string   `json:"reference_type"`
	MetaArtifactID *int64    `json:"meta_artifact_id"`
	Version        *string   `json:"version"`
	IsLatest       bool      `json:"is_latest"`
	IsLocked       bool      `json:"is_locked"`
	RunID          *int64    `json:"run_id"`
	SpaceID        int64     `json:"space_id"`
	CreatedAt      time.Time `json:"created_at"`
	CreatedByID    int64     `json:"created_by_id"`
	BranchID       int64     `json:"branch_id"`
	UpdatedAt      time.Time `json:"updated_at"`
}
