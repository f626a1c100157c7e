package lineage

import (
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
)

// selectList is the column list of the graph statement. Rows have three
// shapes told apart by x.rowtype: 1 a run with its transform and creator,
// 2 an artifact or collection with its storage root and creator, 3 an
// input edge: run x.run_id read item x.item_kind, x.item_id.
var selectList = []string{
	"x.rowtype", "x.run_id", "x.item_kind", "x.item_id",
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

// values is one scanned row, read by column name. Values arrive as the
// driver delivers them (SQLite: integers for booleans, text for times in
// derived columns; PostgreSQL: bool and time.Time), so the accessors convert.
type values []any

func (v values) raw(col string) any {
	i, ok := column[col]
	if !ok {
		panic("lineage: unknown column " + col)
	}
	return v[i]
}

func (v values) str(col string) *string {
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

func (v values) text(col string) string {
	if s := v.str(col); s != nil {
		return *s
	}
	return ""
}

func (v values) num(col string) *int64 {
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

func (v values) id(col string) int64 {
	if n := v.num(col); n != nil {
		return *n
	}
	return 0
}

func (v values) flag(col string) *bool {
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

func (v values) truth(col string) bool {
	b := v.flag(col)
	return b != nil && *b
}

var timeLayouts = []string{meta.TimeLayout, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"}

func (v values) when(col string) *time.Time {
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

func (v values) moment(col string) time.Time {
	if t := v.when(col); t != nil {
		return *t
	}
	return time.Time{}
}

func (v values) run() *meta.Run {
	return &meta.Run{
		ID: v.id("r.id"), UID: v.text("r.uid"), Name: v.str("r.name"), StartedAt: v.moment("r.started_at"),
		FinishedAt: v.when("r.finished_at"), Reference: v.str("r.reference"), ReferenceType: v.str("r.reference_type"),
		IsConsecutive: v.flag("r._is_consecutive"), StatusCode: v.num("r._status_code"), SpaceID: v.id("r.space_id"),
		TransformID: v.id("r.transform_id"), ReportID: v.num("r.report_id"), LogfileID: v.num("r._logfile_id"),
		EnvironmentID: v.num("r.environment_id"), InitiatedByRunID: v.num("r.initiated_by_run_id"),
		IsLocked: v.truth("r.is_locked"), CreatedAt: v.moment("r.created_at"), CreatedByID: v.id("r.created_by_id"),
		Aux: v.str("r._aux"), BranchID: v.id("r._branch_code"),
	}
}

func (v values) transform() *meta.Transform {
	if v.num("t.id") == nil {
		return nil
	}
	return &meta.Transform{
		ID: v.id("t.id"), UID: v.text("t.uid"), Key: v.str("t.key"), Description: v.str("t.description"),
		Type: v.text("t.type"), Hash: v.str("t.hash"), Reference: v.str("t.reference"), ReferenceType: v.str("t.reference_type"),
		SpaceID: v.id("t.space_id"), TemplateID: v.num("t._template_id"), Version: v.str("t.version"),
		IsLatest: v.truth("t.is_latest"), IsLocked: v.truth("t.is_locked"), CreatedAt: v.moment("t.created_at"),
		CreatedByID: v.id("t.created_by_id"), Aux: v.str("t._aux"), BranchID: v.id("t._branch_code"),
		UpdatedAt: v.moment("t.updated_at"),
	}
}

func (v values) artifact() *meta.Artifact {
	return &meta.Artifact{
		ID: v.id("a.id"), UID: v.text("a.uid"), Key: v.str("a.key"), Description: v.str("a.description"),
		Suffix: v.text("a.suffix"), Kind: v.str("a.kind"), OType: v.str("a.otype"), Size: v.num("a.size"),
		Hash: v.str("a.hash"), NFiles: v.num("a.n_files"), NObservations: v.num("a.n_observations"),
		HashType: v.str("a._hash_type"), KeyIsVirtual: v.truth("a._key_is_virtual"),
		OverwriteVersions: v.truth("a._overwrite_versions"), SpaceID: v.id("a.space_id"), StorageID: v.id("a.storage_id"),
		SchemaID: v.num("a.schema_id"), Version: v.str("a.version"), IsLatest: v.truth("a.is_latest"),
		IsLocked: v.truth("a.is_locked"), RunID: v.num("a.run_id"), CreatedAt: v.moment("a.created_at"),
		CreatedByID: v.id("a.created_by_id"), Aux: v.str("a._aux"), RealKey: v.str("a._real_key"),
		BranchID: v.id("a._branch_code"), UpdatedAt: v.moment("a.updated_at"),
	}
}

func (v values) collection() *Collection {
	return &Collection{
		ID: v.id("c.id"), UID: v.text("c.uid"), Key: v.text("c.key"), Description: v.str("c.description"),
		Hash: v.str("c.hash"), Reference: v.str("c.reference"), ReferenceType: v.str("c.reference_type"),
		MetaArtifactID: v.num("c.meta_artifact_id"), Version: v.str("c.version"), IsLatest: v.truth("c.is_latest"),
		IsLocked: v.truth("c.is_locked"), RunID: v.num("c.run_id"), SpaceID: v.id("c.space_id"),
		CreatedAt: v.moment("c.created_at"), CreatedByID: v.id("c.created_by_id"), BranchID: v.id("c._branch_code"),
		UpdatedAt: v.moment("c.updated_at"),
	}
}

func (v values) user() *meta.User {
	if v.num("u.id") == nil {
		return nil
	}
	return &meta.User{ID: v.id("u.id"), UID: v.text("u.uid"), Handle: v.text("u.handle"), Name: v.str("u.name"),
		CreatedAt: v.moment("u.created_at"), UpdatedAt: v.moment("u.updated_at")}
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
	switch v.id("x.rowtype") {
	case 1:
		if v.num("r.id") == nil || r.runs[v.id("r.id")] != nil {
			return nil
		}
		run := v.run()
		r.runs[run.ID] = &Node{ID: nodeID(KindRun, run.UID), Kind: KindRun, UID: run.UID, Run: run,
			Transform: v.transform(), User: v.user()}
	case 2:
		k := itemKey{v.id("x.item_kind"), v.id("x.item_id")}
		switch {
		case k.kind == 0 && v.num("a.id") != nil:
			a := v.artifact()
			r.items[k] = &Node{ID: nodeID(KindArtifact, a.UID), Kind: KindArtifact, UID: a.UID, Artifact: a,
				StorageRoot: v.text("s.root"), User: v.user()}
		case k.kind == 1 && v.num("c.id") != nil:
			c := v.collection()
			r.items[k] = &Node{ID: nodeID(KindCollection, c.UID), Kind: KindCollection, UID: c.UID, Collection: c, User: v.user()}
		}
	case 3:
		r.reads = append(r.reads, read{run: v.id("x.run_id"), item: itemKey{v.id("x.item_kind"), v.id("x.item_id")}})
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
		if run, item := r.runs[rd.run], r.items[rd.item]; run != nil && item != nil {
			edges[Edge{From: item.ID, To: run.ID}] = true
		}
	}
	// An item on the main or archive branch whose run is in the graph is
	// that run's output.
	for _, item := range r.items {
		runID, branch := item.madeBy()
		if run := r.runs[runID]; run != nil && (branch == 0 || branch == 1) {
			edges[Edge{From: run.ID, To: item.ID}] = true
		}
	}
	return newGraph(root, nodes, edges)
}

// madeBy is the id of the run that wrote an item (0 if none) and the
// item's branch.
func (n *Node) madeBy() (runID, branch int64) {
	switch {
	case n.Artifact != nil && n.Artifact.RunID != nil:
		return *n.Artifact.RunID, n.Artifact.BranchID
	case n.Collection != nil && n.Collection.RunID != nil:
		return *n.Collection.RunID, n.Collection.BranchID
	}
	return 0, -1
}
