package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
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

// TablePrefix is the prefix of every registry and link table: the
// declarations in package record name tables without it.
const TablePrefix = "lamindb_"

// Table is the SQL name of a declared table ("artifact" →
// "lamindb_artifact").
func Table(name string) string { return TablePrefix + name }

// bind makes the table of a registry from its declaration: one column per
// field of the row type T, in field order, each read and written through
// the field's address.
func bind[T any](d *record.Registry) table[T] {
	if _, ok := d.Row.(T); !ok {
		panic(fmt.Sprintf("meta: registry %s does not declare rows of type %T", d.Name, *new(T)))
	}
	fields := d.Fields()
	cols := make([]column[T], len(fields))
	for i, f := range fields {
		idx := f.Index
		cols[i] = column[T]{name: f.Column, ptr: func(v *T) any {
			return reflect.ValueOf(v).Elem().Field(idx).Addr().Interface()
		}}
	}
	return table[T]{Table(d.Table), cols}
}

var (
	userTable      = bind[record.User](record.UserRegistry)
	storageTable   = bind[record.Storage](record.StorageRegistry)
	transformTable = bind[record.Transform](record.TransformRegistry)
	runTable       = bind[record.Run](record.RunRegistry)
	artifactTable  = bind[record.Artifact](record.ArtifactRegistry)
)
