package lamin

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// measureAll hashes (and counts) many files with a bounded pool of workers.
func measureAll(ctx context.Context, arts []*Artifact) error {
	jobs := make(chan *Artifact)
	errs := make(chan error, len(arts))
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range jobs {
				if err := a.measure(ctx); err != nil {
					errs <- err
				}
			}
		}()
	}
	for _, a := range arts {
		jobs <- a
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return <-errs
}

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
	arts := make([]*Artifact, len(files))
	for i, f := range files {
		rel, _ := filepath.Rel(abs, f)
		fo := o
		fo.Key = folderKey + "/" + filepath.ToSlash(rel)
		fo.StemUID = ""
		if arts[i], err = in.prepareArtifact(ctx, f, fo); err != nil {
			return nil, err
		}
	}
	if err := measureAll(ctx, arts); err != nil {
		return nil, err
	}
	// Content seen earlier in this folder is dropped; the rest is looked up
	// in two queries per few hundred files rather than two per file.
	seen := map[string]string{}
	var unique []*Artifact
	var hashes, keys []string
	for i, a := range arts {
		if prev, dup := seen[*a.Hash]; dup {
			in.msg.Warn("dropping %s: same content as %s", files[i], prev)
			continue
		}
		seen[*a.Hash] = files[i]
		unique = append(unique, a)
		hashes = append(hashes, *a.Hash)
		keys = append(keys, *a.Key)
	}
	byHash, err := in.newestByHash(ctx, hashes)
	if err != nil {
		return nil, err
	}
	byKey, err := in.latestByKey(ctx, in.store, keys)
	if err != nil {
		return nil, err
	}
	var out []*Artifact
	fresh, copied := 0, 0
	for _, a := range unique {
		fo := o
		fo.Key = *a.Key
		if ex := in.applyDedup(a, fo, byHash, byKey); ex != nil {
			out = append(out, ex)
			continue
		}
		if err := in.finishNew(ctx, a, fo, true); err != nil {
			return nil, err
		}
		fresh++
		if !a.inPlace {
			copied++
		}
		out = append(out, a)
	}
	switch {
	case fresh == 0:
	case copied == 0:
		in.msg.Hint("%d files in storage '%s' with keys under '%s/'", fresh, in.displayRoot(), folderKey)
	default:
		in.msg.filesWillCopy(copied, folderKey)
	}
	return out, nil
}
