package lineage

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lamin-go/lamin/internal/testenv"
)

func TestOpenLineageEventsValidateAgainstTheSchema(t *testing.T) {
	f := newFixture(t)
	s := f.schmidt()
	// Statuses as in the reference project: some runs never finished, one failed.
	for _, u := range []struct {
		id   int64
		code any
	}{{s.hitRun.ID, -1}, {s.cellranger.ID, -1}, {s.post.ID, 1}, {s.review.ID, 2}} {
		if _, err := f.store.Exec(f.ctx, `UPDATE lamindb_run SET _status_code = ? WHERE id = ?`, u.code, u.id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.Exec(f.ctx, `UPDATE lamindb_run SET finished_at = NULL WHERE id IN (?, ?)`, s.hitRun.ID, s.cellranger.ID); err != nil {
		t.Fatal(err)
	}
	g := f.build(s.umap.UID, Options{})
	var out bytes.Buffer
	if err := WriteExport(&out, g, "openlineage", ExportOptions{Namespace: "testuser1/mydata"}); err != nil {
		t.Fatal(err)
	}
	ol := loadSchema(t, "testdata/openlineage/OpenLineage.json")
	facets := loadSchema(t, "testdata/openlineage/LaminFacets.json")
	type event struct {
		EventType string
		EventTime string
		Run       struct{ RunID string }
		Job       struct{ Namespace, Name string }
		Inputs    []struct{ Namespace, Name string }
		Outputs   []struct{ Namespace, Name string }
	}
	var events []event
	for i, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("line %d is not JSON: %v", i+1, err)
		}
		for _, e := range ol.check(doc, "") {
			t.Errorf("event %d: %s", i+1, e)
		}
		if errs := facets.check(doc["run"].(map[string]any)["facets"].(map[string]any)["lamin"], "#/$defs/LaminRunFacet"); len(errs) > 0 {
			t.Errorf("event %d run facet: %v", i+1, errs)
		}
		for _, side := range []string{"inputs", "outputs"} {
			for _, d := range doc[side].([]any) {
				facet := d.(map[string]any)["facets"].(map[string]any)["lamin"]
				if errs := facets.check(facet, "#/$defs/LaminDatasetFacet"); len(errs) > 0 {
					t.Errorf("event %d dataset facet: %v", i+1, errs)
				}
			}
		}
		var ev event
		json.Unmarshal([]byte(line), &ev)
		events = append(events, ev)
	}
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, ev.Job.Name+" "+ev.EventType)
	}
	want := []string{
		"hit-identification.ipynb START",
		"chromium_10x_upload.py START", "chromium_10x_upload.py COMPLETE",
		"Cell Ranger START",
		"postprocess_cellranger.py START", "postprocess_cellranger.py FAIL",
		"integrated-analysis.ipynb START", "integrated-analysis.ipynb COMPLETE",
		"schmidt22.ipynb START", "schmidt22.ipynb ABORT",
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	post := events[4]
	if post.Run.RunID != RunUUID(s.post.UID) || post.Job.Namespace != "testuser1/mydata" || len(post.Inputs) != 3 ||
		len(post.Outputs) != 1 || post.Outputs[0].Namespace != "/data/mydata" || post.Outputs[0].Name != ".lamindb/"+s.h5ad.UID+".csv" {
		t.Fatalf("post-processing START %+v", post)
	}
	if events[5].EventTime == post.EventTime {
		t.Errorf("the FAIL event carries the finish time, not the start")
	}
}

func TestRunUUIDsAreStableVersion5UUIDs(t *testing.T) {
	a, b := RunUUID("qoMzg2vRRPK0hOcA"), RunUUID("qoMzg2vRRPK0hOcA")
	if a != b || a == RunUUID("33o5MBq5xyz01234") || !uuidRE.MatchString(a) || a[14] != '5' {
		t.Fatalf("uuids %s %s", a, b)
	}
}

// provCounts are the records of a PROV document by kind.
type provCounts struct {
	Entity, Activity, Agent, Plan                                     int
	Used, WasGeneratedBy, WasAssociatedWith, WasAttributedTo, Derived int
}

func TestPROVJSONCountsRecordsAndRelations(t *testing.T) {
	f := newFixture(t)
	s := f.schmidt()
	g := f.build(s.umap.UID, Options{})
	var out bytes.Buffer
	if err := WriteExport(&out, g, "prov-json", ExportOptions{Namespace: "testuser1/mydata"}); err != nil {
		t.Fatal(err)
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &sections); err != nil {
		t.Fatal(err)
	}
	var prefix map[string]string
	json.Unmarshal(sections["prefix"], &prefix)
	delete(sections, "prefix")
	doc := map[string]map[string]map[string]any{}
	for k, raw := range sections {
		var recs map[string]map[string]any
		if err := json.Unmarshal(raw, &recs); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		doc[k] = recs
	}
	got := provCounts{Entity: len(doc["entity"]), Activity: len(doc["activity"]), Agent: len(doc["agent"]),
		Used: len(doc["used"]), WasGeneratedBy: len(doc["wasGeneratedBy"]), WasAssociatedWith: len(doc["wasAssociatedWith"]),
		WasAttributedTo: len(doc["wasAttributedTo"]), Derived: len(doc["wasDerivedFrom"])}
	for _, e := range doc["entity"] {
		if typ, ok := e["prov:type"].(map[string]any); ok && typ["$"] == "prov:Plan" {
			got.Plan++
		}
	}
	// 10 artifacts and 6 transforms (plans); 6 runs; 1 user. Inputs:
	// 1+0+2+3+2+1 = 9; outputs: 1+2+3+1+2+0 = 9; derivations (outputs ×
	// inputs per run): 1·1 + 2·0 + 3·2 + 1·3 + 2·2 + 0·1 = 14.
	want := provCounts{Entity: 16, Activity: 6, Agent: 1, Plan: 6, Used: 9, WasGeneratedBy: 9, WasAssociatedWith: 6,
		WasAttributedTo: 10, Derived: 14}
	if got != want {
		t.Fatalf("counts %+v, want %+v", got, want)
	}
	assoc := doc["wasAssociatedWith"]
	for _, a := range assoc {
		if !strings.HasPrefix(a["prov:plan"].(string), "lamin:transform_") || a["prov:agent"] != "lamin:user_usr00001" {
			t.Fatalf("association %v", a)
		}
	}
	if prefix["lamin"] != "urn:lamin:testuser1/mydata/" {
		t.Fatal("no lamin prefix")
	}
	t.Run("the prov package reads the document", func(t *testing.T) {
		python := pythonWithProv(t)
		path := filepath.Join(t.TempDir(), "lineage.json")
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		script := `import json, sys
from prov.model import ProvDocument, ProvEntity, ProvActivity, ProvAgent, ProvUsage, ProvGeneration, ProvAssociation, ProvAttribution, ProvDerivation
doc = ProvDocument.deserialize(content=open(sys.argv[1]).read(), format="json")
n = lambda cls: sum(1 for r in doc.get_records() if type(r) is cls)
print(json.dumps({"Entity": n(ProvEntity), "Activity": n(ProvActivity), "Agent": n(ProvAgent), "Used": n(ProvUsage),
  "WasGeneratedBy": n(ProvGeneration), "WasAssociatedWith": n(ProvAssociation), "WasAttributedTo": n(ProvAttribution),
  "Derived": n(ProvDerivation)}))`
		res, err := exec.Command(python, "-c", script, path).CombinedOutput()
		if err != nil {
			t.Fatalf("prov could not read the document: %v\n%s", err, res)
		}
		var read provCounts
		if err := json.Unmarshal(res, &read); err != nil {
			t.Fatalf("%v: %s", err, res)
		}
		read.Plan = want.Plan
		if read != want {
			t.Fatalf("prov read %+v, want %+v", read, want)
		}
	})
}

// pythonWithProv finds a Python that can import the prov package (Debian:
// python3-prov), or skips.
func pythonWithProv(t *testing.T) string {
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import prov").Run() == nil {
			return p
		}
	}
	testenv.Skip(t, testenv.NeedProv, "no python3 with the prov package")
	return ""
}
