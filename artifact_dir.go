package lamin

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ArtifactsFromDir prepares one file artifact per regular file below dir,
// keyed "<folder key>/<relative path>" (like LaminDB's from_dir). The
// folder key is o.Key, else the folder's path in the storage root, else its
// name. Files whose content repeats one seen earlier are dropped with a
// warning. Save them together with SaveAll.
func (in *Instance) ArtifactsFromDir(ctx context.Context, dir string, o ArtifactOptions) ([]*Artifact, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, invalidf("folder %s: %v", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, notFoundf("folder %s does not exist; check the path", dir)
	}
	if !st.IsDir() {
		return nil, invalidf("%s is not a folder; drop --from-dir to register a single file", dir)
	}
	folderKey := o.Key
	if folderKey == "" {
		realKey, inPlace, err := in.keyInStorage(abs)
		if err != nil {
			return nil, err
		}
		if inPlace {
			folderKey = realKey
		} else {
			folderKey = filepath.Base(abs)
		}
	}
	folderKey = strings.TrimSuffix(folderKey, "/")
	var files []string
	err = filepath.WalkDir(abs, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == markerDir {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, invalidf("cannot read folder %s: %v", dir, err)
	}
	if len(files) == 0 {
		return nil, invalidf("folder %s contains no files", dir)
	}
	sort.Strings(files)
	seen := map[string]string{}
	var out []*Artifact
	for _, f := range files {
		rel, _ := filepath.Rel(abs, f)
		fo := o
		fo.Key = folderKey + "/" + filepath.ToSlash(rel)
		fo.StemUID = ""
		a, err := in.NewArtifact(ctx, f, fo)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[*a.Hash]; dup {
			in.msg.Warn("dropping %s: same content as %s", f, prev)
			continue
		}
		seen[*a.Hash] = f
		out = append(out, a)
	}
	return out, nil
}
