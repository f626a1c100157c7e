package records_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/lamin-go/lamin/internal/records"
)

func TestJSONKeepsFieldOrderAndEmbedsAux(t *testing.T) {
	key := "raw/x.csv"
	var none *string
	recs := []records.Record{
		{{Name: "uid", Value: "a1"}, {Name: "key", Value: &key}, {Name: "kind", Value: none}, {Name: "_aux", Value: `{"af":{"0":true}}`}},
		{{Name: "uid", Value: "b2"}, {Name: "created_at", Value: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}},
	}
	var b bytes.Buffer
	if err := records.WriteJSON(&b, recs); err != nil {
		t.Fatal(err)
	}
	want := `[{"uid":"a1","key":"raw/x.csv","kind":null,"_aux":{"af":{"0":true}}},
{"uid":"b2","created_at":"2025-01-02T03:04:05Z"}]
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := records.WriteJSONL(&b, recs[1:]); err != nil || b.String() != `{"uid":"b2","created_at":"2025-01-02T03:04:05Z"}`+"\n" {
		t.Errorf("jsonl %q, %v", b.String(), err)
	}
}

func TestTextShowsValuesLikeLaminDB(t *testing.T) {
	var none *int64
	for _, c := range []struct {
		v    any
		want string
	}{
		{none, "None"}, {nil, "None"}, {true, "True"}, {false, "False"}, {int64(7), "7"},
		{time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), "2025-01-02 03:04:05.000006+00:00"},
	} {
		if got := records.Text(c.v, "None"); got != c.want {
			t.Errorf("Text(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}
