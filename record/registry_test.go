package record

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestDeclarationsAreConsistent checks what the compiler of each face
// relies on: names are unique, every foreign key and relation points at a
// declared registry, the display field is a text column, and every row
// starts with its id and uid.
func TestDeclarationsAreConsistent(t *testing.T) {
	declared := map[string]bool{}
	for _, r := range Registries() {
		if declared[r.Name] {
			t.Errorf("registry %s is declared twice", r.Name)
		}
		declared[r.Name] = true
	}
	for _, r := range Registries() {
		fields := r.Fields()
		if len(fields) < 2 || fields[0].Name != "id" || !fields[0].Hidden || fields[1].Name != "uid" {
			t.Errorf("%s: the row must start with a hidden id and the uid, got %v", r.Name, fields[:min(2, len(fields))])
		}
		names := map[string]Field{}
		for _, f := range fields {
			if _, dup := names[f.Name]; dup {
				t.Errorf("%s: field %s is declared twice", r.Name, f.Name)
			}
			names[f.Name] = f
			if f.FK != "" && !declared[f.FK] {
				t.Errorf("%s.%s references undeclared registry %q", r.Name, f.Name, f.FK)
			}
			if f.FK != "" && !strings.HasSuffix(f.Name, "_id") {
				t.Errorf("%s.%s is a foreign key whose name does not end in _id", r.Name, f.Name)
			}
		}
		if r.DisplayField != "" && names[r.DisplayField].Type != Text {
			t.Errorf("%s: display field %q is not a text column", r.Name, r.DisplayField)
		}
		for _, rel := range r.Relations {
			if !declared[rel.Target] {
				t.Errorf("%s.%s targets undeclared registry %q", r.Name, rel.Name, rel.Target)
			}
			if rel.Kind == Forward {
				t.Errorf("%s.%s: forward relations come from fk options, not Relations", r.Name, rel.Name)
			}
			if (rel.Kind == ManyToMany) != (rel.Through != "") {
				t.Errorf("%s.%s: a link table goes with many-to-many relations only", r.Name, rel.Name)
			}
			if _, clash := names[rel.Name]; clash {
				t.Errorf("%s.%s: a relation has the name of a field", r.Name, rel.Name)
			}
		}
	}
	if got, want := Names(Listed), []string{"artifact", "transform", "run", "user", "storage", "collection"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names(Listed) = %v, want %v", got, want)
	}
	if got, want := Names(Trashable), []string{"artifact", "transform", "run"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names(Trashable) = %v, want %v", got, want)
	}
}

func TestFieldsOfReadsTypesAndTags(t *testing.T) {
	type row struct {
		ID      int64      `json:"id" lamin:"hidden"`
		Name    *string    `json:"name"`
		Seen    *time.Time `json:"seen_at"`
		OK      bool       `json:"ok"`
		OwnerID int64      `json:"owner_id" lamin:"sql=_owner,fk=user"`
		Aux     *string    `json:"_aux" lamin:"json"`
		Skip    string     `json:"-"`
	}
	want := []Field{
		{Name: "id", Column: "id", Type: Int, Hidden: true, Index: 0},
		{Name: "name", Column: "name", Type: Text, Nullable: true, Index: 1},
		{Name: "seen_at", Column: "seen_at", Type: Time, Nullable: true, Index: 2},
		{Name: "ok", Column: "ok", Type: Bool, Index: 3},
		{Name: "owner_id", Column: "_owner", Type: Int, FK: "user", Index: 4},
		{Name: "_aux", Column: "_aux", Type: JSON, Nullable: true, Index: 5},
	}
	if got := FieldsOf(reflect.TypeOf(row{})); !reflect.DeepEqual(got, want) {
		t.Errorf("FieldsOf() =\n%+v\nwant\n%+v", got, want)
	}
}

func TestFieldsOfRefusesWhatItCannotMap(t *testing.T) {
	tests := []struct {
		name string
		row  any
	}{
		{"a float column", struct {
			X float64 `json:"x"`
		}{}},
		{"an unknown tag option", struct {
			X string `json:"x" lamin:"indexed"`
		}{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("FieldsOf(%T) did not panic", tt.row)
				}
			}()
			FieldsOf(reflect.TypeOf(tt.row))
		})
	}
}
