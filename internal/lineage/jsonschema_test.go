package lineage

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// schemaChecker validates JSON values against the subset of JSON Schema
// (draft 2020-12) that the OpenLineage schema uses: local $ref, allOf,
// anyOf, oneOf, type, properties, required, additionalProperties, items,
// enum and the formats date-time, uri and uuid. Other keywords are ignored.
type schemaChecker struct {
	root map[string]any
}

func loadSchema(t *testing.T, path string) *schemaChecker {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &schemaChecker{root: root}
}

// check returns one message per violation of the schema at pointer ref
// ("" for the root schema).
func (c *schemaChecker) check(doc any, ref string) []string {
	s := c.root
	if ref != "" {
		s = c.resolve(ref)
	}
	return c.validate(doc, s, "$")
}

func (c *schemaChecker) resolve(ref string) map[string]any {
	frag, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		panic("only local references are supported: " + ref)
	}
	var cur any = c.root
	for _, part := range strings.Split(frag, "/") {
		cur = cur.(map[string]any)[part]
	}
	return cur.(map[string]any)
}

func (c *schemaChecker) validate(v any, s map[string]any, at string) []string {
	var errs []string
	if ref, ok := s["$ref"].(string); ok {
		errs = append(errs, c.validate(v, c.resolve(ref), at)...)
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			errs = append(errs, c.validate(v, sub.(map[string]any), at)...)
		}
	}
	if any_, ok := s["anyOf"].([]any); ok {
		var why []string
		matched := false
		for _, sub := range any_ {
			e := c.validate(v, sub.(map[string]any), at)
			matched = matched || len(e) == 0
			why = append(why, e...)
		}
		if !matched {
			errs = append(errs, at+": matches none of anyOf: "+strings.Join(why, "; "))
		}
	}
	if one, ok := s["oneOf"].([]any); ok {
		n := 0
		for _, sub := range one {
			if len(c.validate(v, sub.(map[string]any), at)) == 0 {
				n++
			}
		}
		if n != 1 {
			errs = append(errs, fmt.Sprintf("%s: matches %d of oneOf, want 1", at, n))
		}
	}
	if typ, ok := s["type"]; ok && !typeMatches(v, typ) {
		return append(errs, fmt.Sprintf("%s: %s is not of type %v", at, jsonType(v), typ))
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
	}
	if f, ok := s["format"].(string); ok {
		if str, isStr := v.(string); isStr && !formatMatches(f, str) {
			errs = append(errs, fmt.Sprintf("%s: %q is not a %s", at, str, f))
		}
	}
	if obj, ok := v.(map[string]any); ok {
		for _, r := range asList(s["required"]) {
			if _, has := obj[r.(string)]; !has {
				errs = append(errs, fmt.Sprintf("%s: missing required %q", at, r))
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, val := range obj {
			if p, ok := props[k]; ok {
				errs = append(errs, c.validate(val, p.(map[string]any), at+"."+k)...)
				continue
			}
			switch extra := s["additionalProperties"].(type) {
			case bool:
				if !extra {
					errs = append(errs, fmt.Sprintf("%s: unexpected property %q", at, k))
				}
			case map[string]any:
				errs = append(errs, c.validate(val, extra, at+"."+k)...)
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := s["items"].(map[string]any); ok {
			for i, el := range arr {
				errs = append(errs, c.validate(el, items, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func typeMatches(v any, typ any) bool {
	got := jsonType(v)
	for _, t := range append(asList(typ), typ) {
		if t == got || (t == "number" && got == "integer") {
			return true
		}
	}
	return false
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func formatMatches(format, s string) bool {
	switch format {
	case "date-time":
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil
	case "uri":
		u, err := url.Parse(s)
		return err == nil && u.Scheme != ""
	case "uuid":
		return uuidRE.MatchString(strings.ToLower(s))
	}
	return true
}

func TestTheSchemaCheckerRejectsWhatItShould(t *testing.T) {
	c := loadSchema(t, "testdata/openlineage/OpenLineage.json")
	good := map[string]any{"eventType": "START", "eventTime": "2025-10-07T12:39:41.937Z", "producer": "https://x.org/p",
		"schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
		"run":       map[string]any{"runId": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}, "job": map[string]any{"namespace": "n", "name": "j"}}
	tests := []struct {
		name   string
		change func(map[string]any)
		want   string
	}{
		{"a complete event passes", func(map[string]any) {}, ""},
		{"an unknown event type fails", func(e map[string]any) { e["eventType"] = "DONE" }, "is not one of"},
		{"a missing job fails", func(e map[string]any) { delete(e, "job") }, `missing required "job"`},
		{"a time without zone fails", func(e map[string]any) { e["eventTime"] = "2025-10-07 12:39:41" }, "is not a date-time"},
		{"a relative producer fails", func(e map[string]any) { e["producer"] = "lamin" }, "is not a uri"},
		{"a run id that is no UUID fails", func(e map[string]any) { e["run"] = map[string]any{"runId": "abc"} }, "is not a uuid"},
		{"a facet without _producer fails", func(e map[string]any) {
			e["inputs"] = []any{map[string]any{"namespace": "n", "name": "d", "facets": map[string]any{"x": map[string]any{"_schemaURL": "https://x"}}}}
		}, `missing required "_producer"`},
		{"a job name of the wrong type fails", func(e map[string]any) { e["job"] = map[string]any{"namespace": "n", "name": 3.0} }, "is not of type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := json.Marshal(good)
			var ev map[string]any
			json.Unmarshal(b, &ev)
			tt.change(ev)
			errs := strings.Join(c.check(ev, ""), "\n")
			if (tt.want == "") != (errs == "") || !strings.Contains(errs, tt.want) {
				t.Fatalf("errors %q, want one containing %q", errs, tt.want)
			}
		})
	}
}
