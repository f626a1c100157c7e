package record

import "time"

// User is one row of the user registry.
type User struct {
	ID        int64     `json:"id" lamin:"hidden"`
	UID       string    `json:"uid"`
	Handle    string    `json:"handle"`
	Name      *string   `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Storage is one row of the storage registry.
type Storage struct {
	ID          int64     `json:"id" lamin:"hidden"`
	UID         string    `json:"uid"`
	Root        string    `json:"root"`
	Description *string   `json:"description"`
	Type        string    `json:"type"`
	Region      *string   `json:"region"`
	InstanceUID *string   `json:"instance_uid"`
	SpaceID     int64     `json:"space_id" lamin:"fk=space"`
	IsLocked    bool      `json:"is_locked"`
	RunID       *int64    `json:"run_id" lamin:"fk=run"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedByID int64     `json:"created_by_id" lamin:"fk=user"`
	Aux         *string   `json:"_aux" lamin:"json"`
	BranchID    int64     `json:"branch_id" lamin:"sql=_branch_code,fk=branch"`
	UpdatedAt   time.Time `json:"updated_at" lamin:"hidden"`
}

// Transform is one row of the transform registry.
type Transform struct {
	ID            int64     `json:"id" lamin:"hidden"`
	UID           string    `json:"uid"`
	Key           *string   `json:"key"`
	Description   *string   `json:"description"`
	Type          string    `json:"type"`
	SourceCode    *string   `json:"source_code"`
	Hash          *string   `json:"hash"`
	Reference     *string   `json:"reference"`
	ReferenceType *string   `json:"reference_type"`
	SpaceID       int64     `json:"space_id" lamin:"fk=space"`
	TemplateID    *int64    `json:"_template_id" lamin:"fk=transform"`
	Version       *string   `json:"version"`
	IsLatest      bool      `json:"is_latest"`
	IsLocked      bool      `json:"is_locked"`
	CreatedAt     time.Time `json:"created_at"`
	CreatedByID   int64     `json:"created_by_id" lamin:"fk=user"`
	Aux           *string   `json:"_aux" lamin:"json"`
	BranchID      int64     `json:"branch_id" lamin:"sql=_branch_code,fk=branch"`
	UpdatedAt     time.Time `json:"updated_at" lamin:"hidden"`
}

// Run is one row of the run registry.
type Run struct {
	ID               int64      `json:"id" lamin:"hidden"`
	UID              string     `json:"uid"`
	Name             *string    `json:"name"`
	StartedAt        time.Time  `json:"started_at"`
	FinishedAt       *time.Time `json:"finished_at"`
	Reference        *string    `json:"reference"`
	ReferenceType    *string    `json:"reference_type"`
	IsConsecutive    *bool      `json:"_is_consecutive"`
	StatusCode       *int64     `json:"_status_code"`
	SpaceID          int64      `json:"space_id" lamin:"fk=space"`
	TransformID      int64      `json:"transform_id" lamin:"fk=transform"`
	ReportID         *int64     `json:"report_id" lamin:"fk=artifact"`
	LogfileID        *int64     `json:"_logfile_id" lamin:"fk=artifact"`
	EnvironmentID    *int64     `json:"environment_id" lamin:"fk=artifact"`
	InitiatedByRunID *int64     `json:"initiated_by_run_id" lamin:"fk=run"`
	IsLocked         bool       `json:"is_locked"`
	CreatedAt        time.Time  `json:"created_at"`
	CreatedByID      int64      `json:"created_by_id" lamin:"fk=user"`
	Aux              *string    `json:"_aux" lamin:"json"`
	BranchID         int64      `json:"branch_id" lamin:"sql=_branch_code,fk=branch"`
}

// Artifact is one row of the artifact registry.
type Artifact struct {
	ID                int64     `json:"id" lamin:"hidden"`
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
	SpaceID           int64     `json:"space_id" lamin:"fk=space"`
	StorageID         int64     `json:"storage_id" lamin:"fk=storage"`
	SchemaID          *int64    `json:"schema_id"`
	Version           *string   `json:"version"`
	IsLatest          bool      `json:"is_latest"`
	IsLocked          bool      `json:"is_locked"`
	RunID             *int64    `json:"run_id" lamin:"fk=run"`
	CreatedAt         time.Time `json:"created_at"`
	CreatedByID       int64     `json:"created_by_id" lamin:"fk=user"`
	Aux               *string   `json:"_aux" lamin:"json"`
	RealKey           *string   `json:"_real_key"`
	BranchID          int64     `json:"branch_id" lamin:"sql=_branch_code,fk=branch"`
	UpdatedAt         time.Time `json:"updated_at" lamin:"hidden"`
}

// Profile is a user as the settings folder on this machine knows them:
// who lamin acts as. The user's row in an instance (User) is made from it
// when the user first connects to the instance.
type Profile struct {
	Handle string
	UID    string
	Name   string
}

// Collection is one row of the collection registry.
type Collection struct {
	ID             int64     `json:"id" lamin:"hidden"`
	UID            string    `json:"uid"`
	Key            string    `json:"key"`
	Description    *string   `json:"description"`
	Hash           *string   `json:"hash"`
	Reference      *string   `json:"reference"`
	ReferenceType  *string   `json:"reference_type"`
	SpaceID        int64     `json:"space_id" lamin:"fk=space"`
	MetaArtifactID *int64    `json:"meta_artifact_id" lamin:"fk=artifact"`
	Version        *string   `json:"version"`
	IsLatest       bool      `json:"is_latest"`
	IsLocked       bool      `json:"is_locked"`
	RunID          *int64    `json:"run_id" lamin:"fk=run"`
	CreatedAt      time.Time `json:"created_at"`
	CreatedByID    int64     `json:"created_by_id" lamin:"fk=user"`
	Aux            *string   `json:"_aux" lamin:"json"`
	BranchID       int64     `json:"branch_id" lamin:"sql=_branch_code,fk=branch"`
	UpdatedAt      time.Time `json:"updated_at" lamin:"hidden"`
}

// Space is one row of the space registry.
type Space struct {
	ID          int64     `json:"id" lamin:"hidden"`
	UID         string    `json:"uid"`
	Name        string    `json:"name"`
	Description *string   `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedByID int64     `json:"created_by_id" lamin:"fk=user"`
}

// Branch is one row of the branch registry.
type Branch struct {
	ID          int64     `json:"id" lamin:"hidden"`
	UID         string    `json:"uid"`
	Name        string    `json:"name"`
	Description *string   `json:"description"`
	SpaceID     int64     `json:"space_id" lamin:"fk=space"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedByID int64     `json:"created_by_id" lamin:"fk=user"`
}
