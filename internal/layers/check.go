package layers

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Graph maps a package's import path to the import paths it imports
// directly (non-test files only).
type Graph map[string][]string

// Check returns one line per forbidden edge in g, sorted; none when the
// graph keeps every rule. Packages of the module outside every layer are
// reported too (except benchmarks, examples and test support), so that a new
// package is placed before it is used.
func Check(g Graph) []string {
	var out []string
	for from, imports := range g {
		rel, inModule := relative(from)
		if !inModule {
			continue
		}
		fromLayer := layerOf(rel)
		example := matches(Examples, rel)
		if fromLayer < 0 && !example && !exempt(rel) {
			out = append(out, fmt.Sprintf("%s is in no layer: add it to internal/layers/rules.go", show(rel)))
		}
		for _, to := range imports {
			if v := edge(rel, fromLayer, example, to); v != "" {
				out = append(out, fmt.Sprintf("%s imports %s: %s", show(rel), to, v))
			}
		}
	}
	sort.Strings(out)
	return out
}

// edge says what is wrong with from importing to, or "".
func edge(from string, fromLayer int, example bool, to string) string {
	toRel, toInModule := relative(to)
	for _, r := range Forbidden {
		if !matches(r.From, from) {
			continue
		}
		if r.To == sqlDrivers {
			for _, d := range SQLDrivers {
				if matches(d, to) {
					return r.Why
				}
			}
		} else if toInModule && matches(r.To, toRel) || !toInModule && matches(r.To, to) {
			return r.Why
		}
	}
	if !toInModule {
		return ""
	}
	if matches(Examples, toRel) && !example {
		return "the product never imports the examples"
	}
	if example {
		for _, p := range Public {
			if matches(p, toRel) {
				return ""
			}
		}
		return "examples use the public SDK only"
	}
	toLayer := layerOf(toRel)
	if fromLayer >= 0 && toLayer >= 0 && toLayer < fromLayer {
		return fmt.Sprintf("layer %q imports layer %q above it", Layers[fromLayer].Name, Layers[toLayer].Name)
	}
	return ""
}

// relative returns p relative to the module, and whether it is in the module.
func relative(p string) (string, bool) {
	if p == Module {
		return "", true
	}
	if strings.HasPrefix(p, Module+"/") {
		return strings.TrimPrefix(p, Module+"/"), true
	}
	return p, false
}

// layerOf returns the index of rel's layer, or -1.
func layerOf(rel string) int {
	for i, l := range Layers {
		for _, p := range l.Packages {
			if matches(p, rel) {
				return i
			}
		}
	}
	return -1
}

// exempt reports packages that are not product code: benchmarks and test
// support.
func exempt(rel string) bool {
	return matches("bench/...", rel) || slices.Contains(testSupport, rel)
}

// testSupport lists the packages only tests import.
var testSupport = []string{"internal/testenv", "internal/layers", "internal/meta/metatest",
	"internal/blob/blobtest", "examples/internal/exampletest"}

// matches reports whether pattern ("a/b" or "a/..." ) covers p.
func matches(pattern, p string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pattern
}

func show(rel string) string {
	if rel == "" {
		return "the module root"
	}
	return rel
}
