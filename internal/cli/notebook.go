package cli

import (
	"path/filepath"
	"strings"

	"github.com/lamin-go/lamin"
)

func isNotebook(p string) bool { return strings.EqualFold(filepath.Ext(p), ".ipynb") }

// notebookSpec reads a notebook's title and py:percent source into the
// transform spec (lamin save of a notebook).
func notebookSpec(spec lamin.TransformSpec, path string) (lamin.TransformSpec, error) {
	return lamin.NotebookTransform(spec, path)
}
