package lamin

import (
	"fmt"
	"strings"
	"time"

	"github.com/lamin-go/lamin/record"
)

// reprBuilder renders records like LaminDB's repr: public non-null fields,
// then foreign-key ids, then created_at.
type reprBuilder struct {
	parts []string
}

func (r *reprBuilder) str(name string, v *string) {
	if v != nil {
		r.parts = append(r.parts, fmt.Sprintf("%s='%s'", name, *v))
	}
}

func (r *reprBuilder) num(name string, v *int64) {
	if v != nil {
		r.parts = append(r.parts, fmt.Sprintf("%s=%d", name, *v))
	}
}

func (r *reprBuilder) raw(name string, v any) {
	r.parts = append(r.parts, fmt.Sprintf("%s=%v", name, v))
}

func (r *reprBuilder) time(name string, t time.Time) {
	r.parts = append(r.parts, name+"="+t.UTC().Format("2006-01-02 15:04:05 MST"))
}

func (r *reprBuilder) String(registry string) string {
	return registry + "(" + strings.Join(r.parts, ", ") + ")"
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// ArtifactRepr renders an artifact row as LaminDB prints it in messages.
func ArtifactRepr(a *record.Artifact) string {
	var r reprBuilder
	uid := a.UID
	r.str("uid", &uid)
	r.str("version", a.Version)
	r.raw("is_latest", pyBool(a.IsLatest))
	r.str("key", a.Key)
	r.str("description", a.Description)
	suffix := a.Suffix
	r.str("suffix", &suffix)
	r.str("kind", a.Kind)
	r.str("otype", a.OType)
	r.num("size", a.Size)
	r.str("hash", a.Hash)
	r.num("n_files", a.NFiles)
	r.num("n_observations", a.NObservations)
	r.raw("branch_id", a.BranchID)
	r.raw("space_id", a.SpaceID)
	r.raw("storage_id", a.StorageID)
	r.num("run_id", a.RunID)
	r.num("schema_id", a.SchemaID)
	r.raw("created_by_id", a.CreatedByID)
	r.time("created_at", a.CreatedAt)
	return r.String("Artifact")
}

// Repr renders the artifact as LaminDB prints it in messages.
func (a *Artifact) Repr() string { return ArtifactRepr(&a.Artifact) }
