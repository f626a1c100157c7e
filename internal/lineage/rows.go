package lineage

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/record"
)

// selectList is the column list of the graph statement. Rows have three
// shapes told apart by x.rowtype: 1 a run with its transform and creator,
// 2 (and 4, the root item) an artifact or collection with its storage root
// and creator, 3 the inputs of run x.run_id as x.inputs, "kind:id,...".
var selectList = []string{
	"x.rowtype", "x.run_id", "x.item_kind", "x.item_id", "x.inputs",
	"r.id", "r.uid", "r.name", "r.started_at", "r.finished_at", "r.reference", "r.reference_type",
	"r._is_consecutive", "r._status_code", "r.space_id", "r.transform_id", "r.report_id", "r._logfile_id",
	"r.environment_id", "r.initiated_by_run_id", "r.is_locked", "r.created_at", "r.created_by_id", "r._aux", "r._branch_code",
	"t.id", "t.uid", "t.key", "t.description", "t.type", "t.hash", "t.reference", "t.reference_type", "t.space_id",
	"t._template_id", "t.version", "t.is_latest", "t.is_locked", "t.created_at", "t.created_by_id", "t._aux",
	"t._branch_code", "t.updated_at",
	"a.id", "a.uid", "a.key", "a.description", "a.suffix", "a.kind", "a.otype", "a.size", "a.hash", "a.n_files",
	"a.n_observations", "a._hash_type", "a._key_is_virtual", "a._overwrite_versions", "a.space_id", "a.storage_id",
	"a.schema_id", "a.version", "a.is_latest", "a.is_locked", "a.run_id", "a.created_at", "a.created_by_id", "a._aux",
	"a._real_key", "a._branch_code", "a.updated_at", "s.root",
	"c.id", "c.uid", "c.key", "c.description", "c.hash", "c.reference", "c.reference_type", "c.meta_artifact_id",
	"c.version", "c.is_latest", "c.is_locked", "c.run_id", "c.space_id", "c.created_at", "c.created_by_id",
	"c._branch_code", "c.updated_at",
	"u.id", "u.uid", "u.handle", "u.name", "u.created_at", "u.updated_at",
}

var column = func() map[string]int {
	m := make(map[string]int, len(selectList))
	for i, c := range selectList {
		m[c] = i
	}
	return m
}()

// Column positions in selectList, resolved once.
var (
	colRId                = columnOf("r.id")
	colRUid               = columnOf("r.uid")
	colRName              = columnOf("r.name")
	colRStartedAt         = columnOf("r.started_at")
	colRFinishedAt        = columnOf("r.finished_at")
	colRReference         = columnOf("r.reference")
	colRReferenceType     = columnOf("r.reference_type")
	colRIsConsecutive     = columnOf("r._is_consecutive")
	colRStatusCode        = columnOf("r._status_code")
	colRSpaceId           = columnOf("r.space_id")
	colRTransformId       = columnOf("r.transform_id")
	colRReportId          = columnOf("r.report_id")
	colRLogfileId         = columnOf("r._logfile_id")
	colREnvironmentId     = columnOf("r.environment_id")
	colRInitiatedByRunId  = columnOf("r.initiated_by_run_id")
	colRIsLocked          = columnOf("r.is_locked")
	colRCreatedAt         = columnOf("r.created_at")
	colRCreatedById       = columnOf("r.created_by_id")
	colRAux               = columnOf("r._aux")
	colRBranchCode        = columnOf("r._branch_code")
	colTId                = columnOf("t.id")
	colTUid               = columnOf("t.uid")
	colTKey               = columnOf("t.key")
	colTDescription       = columnOf("t.description")
	colTType              = columnOf("t.type")
	colTHash              = columnOf("t.hash")
	colTReference         = columnOf("t.reference")
	colTReferenceType     = columnOf("t.reference_type")
	colTSpaceId           = columnOf("t.space_id")
	colTTemplateId        = columnOf("t._template_id")
	colTVersion           = columnOf("t.version")
	colTIsLatest          = columnOf("t.is_latest")
	colTIsLocked          = columnOf("t.is_locked")
	colTCreatedAt         = columnOf("t.created_at")
	colTCreatedById       = columnOf("t.created_by_id")
	colTAux               = columnOf("t._aux")
	colTBranchCode        = columnOf("t._branch_code")
	colTUpdatedAt         = columnOf("t.updated_at")
	colAId                = columnOf("a.id")
	colAUid               = columnOf("a.uid")
	colAKey               = columnOf("a.key")
	colADescription       = columnOf("a.description")
	colASuffix            = columnOf("a.suffix")
	colAKind              = columnOf("a.kind")
	colAOtype             = columnOf("a.otype")
	colASize              = columnOf("a.size")
	colAHash              = columnOf("a.hash")
	colANFiles            = columnOf("a.n_files")
	colANObservations     = columnOf("a.n_observations")
	colAHashType          = columnOf("a._hash_type")
	colAKeyIsVirtual      = columnOf("a._key_is_virtual")
	colAOverwriteVersions = columnOf("a._overwrite_versions")
	colASpaceId           = columnOf("a.space_id")
	colAStorageId         = columnOf("a.storage_id")
	colASchemaId          = columnOf("a.schema_id")
	colAVersion           = columnOf("a.version")
	colAIsLatest          = columnOf("a.is_latest")
	colAIsLocked          = columnOf("a.is_locked")
	colARunId             = columnOf("a.run_id")
	colACreatedAt         = columnOf("a.created_at")
	colACreatedById       = columnOf("a.created_by_id")
	colAAux               = columnOf("a._aux")
	colARealKey           = columnOf("a._real_key")
	colABranchCode        = columnOf("a._branch_code")
	colAUpdatedAt         = columnOf("a.updated_at")
	colCId                = columnOf("c.id")
	colCUid               = columnOf("c.uid")
	colCKey               = columnOf("c.key")
	colCDescription       = columnOf("c.description")
	colCHash              = columnOf("c.hash")
	colCReference         = columnOf("c.reference")
	colCReferenceType     = columnOf("c.reference_type")
	colCMetaArtifactId    = columnOf("c.meta_artifact_id")
	colCVersion           = columnOf("c.version")
	colCIsLatest          = columnOf("c.is_latest")
	colCIsLocked          = columnOf("c.is_locked")
	colCRunId             = columnOf("c.run_id")
	colCSpaceId           = columnOf("c.space_id")
	colCCreatedAt         = columnOf("c.created_at")
	colCCreatedById       = columnOf("c.created_by_id")
	colCBranchCode        = columnOf("c._branch_code")
	colCUpdatedAt         = columnOf("c.updated_at")
	colUId                = columnOf("u.id")
	colUUid               = columnOf("u.uid")
	colUHandle            = columnOf("u.handle")
	colUName              = columnOf("u.name")
	colUCreatedAt         = columnOf("u.created_at")
	colUUpdatedAt         = columnOf("u.updated_at")
	colXRowtype           = columnOf("x.rowtype")
	colXItemKind          = columnOf("x.item_kind")
	colXItemId            = columnOf("x.item_id")
	colXInputs            = columnOf("x.inputs")
	colSRoot              = columnOf("s.root")
	colXRunId             = columnOf("x.run_id")
)

// columnOf is the position of col in selectList.
func columnOf(col string) int {
	i, ok := column[col]
	if !ok {
		panic("lineage: unknown column " + col)
	}
	return i
}

// values is one scanned row, read by column name. Values arrive as the
// driver delivers them (SQLite: integers for booleans, text for times in
// derived columns; PostgreSQL: bool and time.Time), so the accessors convert.
type values []any

func (v values) raw(col int) any { return v[col] }

func (v values) str(col int) *string {
	switch x := v.raw(col).(type) {
	case nil:
		return nil
	case string:
		return &x
	case []byte:
		s := string(x)
		return &s
	default:
		s := fmt.Sprint(x)
		return &s
	}
}

func (v values) text(col int) string {
	if s := v.str(col); s != nil {
		return *s
	}
	return ""
}

func (v values) num(col int) *int64 {
	switch x := v.raw(col).(type) {
	case int64:
		return &x
	case int32:
		n := int64(x)
		return &n
	case int:
		n := int64(x)
		return &n
	case float64:
		n := int64(x)
		return &n
	case bool:
		n := int64(0)
		if x {
			n = 1
		}
		return &n
	case []byte:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return &n
		}
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return &n
		}
	}
	return nil
}

func (v values) id(col int) int64 {
	if n := v.num(col); n != nil {
		return *n
	}
	return 0
}

func (v values) flag(col int) *bool {
	switch x := v.raw(col).(type) {
	case bool:
		return &x
	case nil:
		return nil
	}
	if n := v.num(col); n != nil {
		b := *n != 0
		return &b
	}
	return nil
}

func (v values) truth(col int) bool {
	b := v.flag(col)
	return b != nil && *b
}

var timeLayouts = []string{meta.TimeLayout, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"}

func (v values) when(col int) *time.Time {
	var s string
	switch x := v.raw(col).(type) {
	case nil:
		return nil
	case time.Time:
		t := x.UTC()
		return &t
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

func (v values) moment(col int) time.Time {
	if t := v.when(col); t != nil {
		return *t
	}
	return time.Time{}
}

func (v values) run() *record.Run {
	return &record.Run{
		ID: v.id(colRId), UID: v.text(colRUid), Name: v.str(colRName), StartedAt: v.moment(colRStartedAt),
		FinishedAt: v.when(colRFinishedAt), Reference: v.str(colRReference), ReferenceType: v.str(colRReferenceType),
		IsConsecutive: v.flag(colRIsConsecutive), StatusCode: v.num(colRStatusCode), SpaceID: v.id(colRSpaceId),
		TransformID: v.id(colRTransformId), ReportID: v.num(colRReportId), LogfileID: v.num(colRLogfileId),
		EnvironmentID: v.num(colREnvironmentId), InitiatedByRunID: v.num(colRInitiatedByRunId),
		IsLocked: v.truth(colRIsLocked), CreatedAt: v.moment(colRCreatedAt), CreatedByID: v.id(colRCreatedById),
		Aux: v.str(colRAux), BranchID: v.id(colRBranchCode),
	}
}

func (v values) transform() *record.Transform {
	if v.num(colTId) == nil {
		return nil
	}
	return &record.Transform{
		ID: v.id(colTId), UID: v.text(colTUid), Key: v.str(colTKey), Description: v.str(colTDescription),
		Type: v.text(colTType), Hash: v.str(colTHash), Reference: v.str(colTReference), ReferenceType: v.str(colTReferenceType),
		SpaceID: v.id(colTSpaceId), TemplateID: v.num(colTTemplateId), Version: v.str(colTVersion),
		IsLatest: v.truth(colTIsLatest), IsLocked: v.truth(colTIsLocked), CreatedAt: v.moment(colTCreatedAt),
		CreatedByID: v.id(colTCreatedById), Aux: v.str(colTAux), BranchID: v.id(colTBranchCode),
		UpdatedAt: v.moment(colTUpdatedAt),
	}
}

func (v values) artifact() *record.Artifact {
	return &record.Artifact{
		ID: v.id(colAId), UID: v.text(colAUid), Key: v.str(colAKey), Description: v.str(colADescription),
		Suffix: v.text(colASuffix), Kind: v.str(colAKind), OType: v.str(colAOtype), Size: v.num(colASize),
		Hash: v.str(colAHash), NFiles: v.num(colANFiles), NObservations: v.num(colANObservations),
		HashType: v.str(colAHashType), KeyIsVirtual: v.truth(colAKeyIsVirtual),
		OverwriteVersions: v.truth(colAOverwriteVersions), SpaceID: v.id(colASpaceId), StorageID: v.id(colAStorageId),
		SchemaID: v.num(colASchemaId), Version: v.str(colAVersion), IsLatest: v.truth(colAIsLatest),
		IsLocked: v.truth(colAIsLocked), RunID: v.num(colARunId), CreatedAt: v.moment(colACreatedAt),
		CreatedByID: v.id(colACreatedById), Aux: v.str(colAAux), RealKey: v.str(colARealKey),
		BranchID: v.id(colABranchCode), UpdatedAt: v.moment(colAUpdatedAt),
	}
}

func (v values) collection() *Collection {
	return &Collection{
		ID: v.id(colCId), UID: v.text(colCUid), Key: v.text(colCKey), Description: v.str(colCDescription),
		Hash: v.str(colCHash), Reference: v.str(colCReference), ReferenceType: v.str(colCReferenceType),
		MetaArtifactID: v.num(colCMetaArtifactId), Version: v.str(colCVersion), IsLatest: v.truth(colCIsLatest),
		IsLocked: v.truth(colCIsLocked), RunID: v.num(colCRunId), SpaceID: v.id(colCSpaceId),
		CreatedAt: v.moment(colCCreatedAt), CreatedByID: v.id(colCCreatedById), BranchID: v.id(colCBranchCode),
		UpdatedAt: v.moment(colCUpdatedAt),
	}
}

func (v values) user() *record.User {
	if v.num(colUId) == nil {
		return nil
	}
	return &record.User{ID: v.id(colUId), UID: v.text(colUUid), Handle: v.text(colUHandle), Name: v.str(colUName),
		CreatedAt: v.moment(colUCreatedAt), UpdatedAt: v.moment(colUUpdatedAt)}
}

type itemKey struct {
	kind int64
	id   int64
}

type read struct {
	run  int64
	item itemKey
}

// rowReader collects the rows of the graph statement; edges are resolved
// to node ids once every record has been read.
type rowReader struct {
	vals  values
	ptrs  []any
	runs  map[int64]*Node
	items map[itemKey]*Node
	reads []read
}

func (r *rowReader) scan(rows *sql.Rows) error {
	if r.ptrs == nil {
		r.vals = make(values, len(selectList))
		r.ptrs = make([]any, len(selectList))
		for i := range r.vals {
			r.ptrs[i] = &r.vals[i]
		}
		r.runs, r.items = map[int64]*Node{}, map[itemKey]*Node{}
	}
	if err := rows.Scan(r.ptrs...); err != nil {
		return err
	}
	v := r.vals
	switch v.id(colXRowtype) {
	case 1:
		if v.num(colRId) == nil || r.runs[v.id(colRId)] != nil {
			return nil
		}
		run := v.run()
		r.runs[run.ID] = &Node{ID: nodeID(KindRun, run.UID), Kind: KindRun, UID: run.UID, Run: run,
			Transform: v.transform(), User: v.user()}
	case 2, 4:
		k := itemKey{v.id(colXItemKind), v.id(colXItemId)}
		switch {
		case k.kind == 0 && v.num(colAId) != nil:
			a := v.artifact()
			r.items[k] = &Node{ID: nodeID(KindArtifact, a.UID), Kind: KindArtifact, UID: a.UID, Artifact: a,
				StorageRoot: v.text(colSRoot), User: v.user()}
		case k.kind == 1 && v.num(colCId) != nil:
			c := v.collection()
			r.items[k] = &Node{ID: nodeID(KindCollection, c.UID), Kind: KindCollection, UID: c.UID, Collection: c, User: v.user()}
		}
	case 3:
		run := v.id(colXRunId)
		for _, in := range strings.Split(v.text(colXInputs), ",") {
			kind, id, ok := strings.Cut(in, ":")
			k, err1 := strconv.ParseInt(kind, 10, 64)
			n, err2 := strconv.ParseInt(id, 10, 64)
			if !ok || err1 != nil || err2 != nil {
				return fmt.Errorf("inputs of run %d: malformed item %q", run, in)
			}
			r.reads = append(r.reads, read{run: run, item: itemKey{k, n}})
		}
	}
	return nil
}

func (r *rowReader) graph(root Root) *Graph {
	nodes := map[string]*Node{}
	for _, n := range r.runs {
		nodes[n.ID] = n
	}
	for _, n := range r.items {
		nodes[n.ID] = n
	}
	edges := map[Edge]bool{}
	for _, rd := range r.reads {
		run, item := r.runs[rd.run], r.items[rd.item]
		if run == nil || item == nil {
			continue // not drawn: another branch
		}
		if madeBy, _ := madeBy(item); madeBy == rd.run {
			continue // drawn as the run's output only
		}
		edges[Edge{From: item.ID, To: run.ID}] = true
	}
	// An item on the main or archive branch whose run is in the graph is
	// that run's output.
	for _, item := range r.items {
		runID, branch := madeBy(item)
		if run := r.runs[runID]; run != nil && (branch == 0 || branch == 1) {
			edges[Edge{From: run.ID, To: item.ID}] = true
		}
	}
	return newGraph(root, nodes, edges)
}

// madeBy is the id of the run that wrote an item (0 if none) and the
// item's branch.
func madeBy(n *Node) (runID, branch int64) {
	switch {
	case n.Artifact != nil && n.Artifact.RunID != nil:
		return *n.Artifact.RunID, n.Artifact.BranchID
	case n.Collection != nil && n.Collection.RunID != nil:
		return *n.Collection.RunID, n.Collection.BranchID
	}
	return 0, -1
}
