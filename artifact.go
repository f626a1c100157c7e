package lamin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/blob/backend"
	"github.com/lamin-go/lamin/internal/dataformat"
	"github.com/lamin-go/lamin/internal/hashing"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/uid"
	"github.com/lamin-go/lamin/record"
)

// Artifact is a file or folder registered in an instance, or about to be:
// NewArtifact prepares one and Save writes it.
type Artifact struct {
	record.Artifact

	in       *Instance
	src      string // absolute local path of the content given to NewArtifact
	isDir    bool
	existing bool       // NewArtifact found the same content already registered
	remote   *blob.Info // the object of an artifact registered in place on S3
	inPlace  bool       // the bytes already live at the storage key
	revises  *record.Artifact
	run      *Run
	manifest []meta.ManifestEntry // the files of a folder, recorded on Save
	// set on an existing artifact by NewArtifact, applied by Save
	newDescription *string
	adoptKey       *string
	fromTrash      bool
}

// ArtifactOptions describe an artifact to create.
type ArtifactOptions struct {
	// Key is the artifact's path-like name, e.g. "figures/umap.png".
	Key string
	// Description is free text.
	Description string
	// Kind is "dataset", "model" or any label.
	Kind string
	// Revises makes the new artifact the next version of an existing one.
	Revises *Artifact
	// Run is the creating run; nil means the current run (see Instance.CurrentRun).
	Run *Run
	// NoRun records no creating run even when one is current.
	NoRun bool
	// OverwriteVersions makes all versions share one storage path
	// (default: true for folders, false for files).
	OverwriteVersions *bool
	// StemUID fixes the 16-character stem of the uid (the version suffix
	// is chosen automatically).
	StemUID string
}

// Existing reports whether NewArtifact returned an artifact that was
// already registered with the same content.
func (a *Artifact) Existing() bool { return a.existing }

// StorageKey is where the artifact's bytes live relative to its storage root.
func StorageKey(a *record.Artifact) string {
	if a.RealKey != nil {
		return *a.RealKey
	}
	if a.Key == nil || a.KeyIsVirtual {
		if a.OverwriteVersions && len(a.UID) >= uid.ArtifactStemLen {
			return markerDir + "/" + a.UID[:uid.ArtifactStemLen] + a.Suffix
		}
		return markerDir + "/" + a.UID + a.Suffix
	}
	return *a.Key
}

// Path is the artifact's full storage path: a local path, or an s3:// URL.
func (a *Artifact) Path() string {
	return storageJoin(a.in.storage.Root, StorageKey(&a.Artifact))
}

// ValidateKey checks a user-given artifact key: a relative, slash-separated
// path without '..' or '.lamindb/' that stays inside the storage root, and
// without zero-width or bidirectional-override characters.
func ValidateKey(key string) error {
	if err := checkKeyText(key); err != nil {
		return err
	}
	if err := blob.ValidKey(key); err != nil {
		reason := strings.TrimPrefix(err.Error(), blob.ErrInvalidKey.Error()+" ")
		return invalidf("key %s; pass a relative path such as 'results/table.csv'", reason)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == markerDir {
			return invalidf("key %q contains '.lamindb/', which is managed by lamin; choose another key", key)
		}
	}
	return nil
}

// NewArtifact prepares the file or folder at path for registration. A path
// inside the storage root is registered in place (key = its relative path);
// any other path is copied into the root's .lamindb/ folder on Save. When
// the same content is already registered, the existing artifact is returned
// (Existing reports true) and no new record will be written.
func (in *Instance) NewArtifact(ctx context.Context, path string, o ArtifactOptions) (*Artifact, error) {
	a, err := in.prepareArtifact(ctx, path, o)
	if err != nil {
		return nil, err
	}
	if err := a.measure(ctx); err != nil {
		return nil, err
	}
	if existing, err := in.dedup(ctx, a, o); err != nil || existing != nil {
		return existing, err
	}
	if a.Key == nil && a.Description == nil && a.run == nil {
		return nil, invalidf("pass one of key, description or a run: e.g. --key results/%s or --description TEXT", filepath.Base(path))
	}
	return a, in.finishNew(ctx, a, o, false)
}

// prepareArtifact checks the path and options and fills everything but
// size, hash and uid.
func (in *Instance) prepareArtifact(ctx context.Context, path string, o ArtifactOptions) (*Artifact, error) {
	o.Key = NormalizeKey(o.Key)
	if o.Key != "" {
		if err := ValidateKey(o.Key); err != nil {
			return nil, err
		}
	}
	if o.StemUID != "" {
		if err := uid.Valid(o.StemUID, uid.ArtifactStemLen); err != nil {
			return nil, invalidf("stem uid %q: want %d base62 characters", o.StemUID, uid.ArtifactStemLen)
		}
	}
	var src source
	caps, err := backend.CapabilitiesOf(path)
	switch {
	case err != nil:
		err = invalidf("path %s: %v", shown(path), err)
	case caps.LocalPath:
		src, err = in.localSource(backend.Path(path))
	default:
		src, err = in.s3Source(ctx, path)
	}
	if err != nil {
		return nil, err
	}
	abs, realKey, inPlace := src.abs, src.realKey, src.inPlace
	run, err := in.resolveRun(ctx, o.Run, o.NoRun)
	if err != nil {
		return nil, err
	}
	suffix, hint := dataformat.Suffix(filepath.Base(abs))
	if hint != "" {
		in.msg.Hint("%s", hint)
	}
	if o.Key != "" && !dataformat.SuffixMatches(o.Key, suffix) {
		ks, _ := dataformat.Suffix(o.Key)
		return nil, invalidf("the suffix '%s' of key '%s' does not match the data's suffix '%s'; use a key ending in '%s'", ks, o.Key, suffix, suffix)
	}
	a := &Artifact{in: in, src: abs, isDir: src.isDir, run: run, remote: src.remote}
	a.Suffix = suffix
	a.StorageID = in.storage.ID
	a.SpaceID, a.BranchID, a.IsLatest = 1, 1, true
	a.CreatedByID = in.user.ID
	if o.Description != "" {
		a.Description = &o.Description
	}
	if o.Kind != "" {
		a.Kind = &o.Kind
	}
	if ot := dataformat.OType(suffix); ot != "" {
		a.OType = &ot
	}
	if o.Kind == "dataset" {
		if ot := dataformat.DatasetOType(suffix); ot != "" {
			a.OType = &ot
		}
	}
	switch {
	case inPlace && o.Key == "" && NormalizeKey(realKey) != realKey:
		// The file's name on disk is not in NFC: the key is, the bytes
		// stay where they are.
		key := NormalizeKey(realKey)
		a.Key, a.RealKey, a.KeyIsVirtual = &key, &realKey, true
	case inPlace && (o.Key == "" || o.Key == realKey):
		a.Key = &realKey
	case inPlace:
		a.Key, a.RealKey, a.KeyIsVirtual = &o.Key, &realKey, true
	default:
		a.KeyIsVirtual = true
		if o.Key != "" {
			a.Key = &o.Key
		}
	}
	a.OverwriteVersions = a.isDir
	if o.OverwriteVersions != nil {
		a.OverwriteVersions = *o.OverwriteVersions
	}
	a.inPlace = inPlace
	return a, nil
}

// finishNew gives a prepared artifact that matched no existing content its
// uid and says where its bytes will be.
func (in *Instance) finishNew(ctx context.Context, a *Artifact, o ArtifactOptions, quiet bool) error {
	if err := a.assignUID(ctx, o); err != nil {
		return err
	}
	switch {
	case quiet:
	case a.inPlace:
		in.msg.Hint("path in storage '%s' with key '%s'", in.displayRoot(), StorageKey(&a.Artifact))
	default:
		in.msg.willCopy(&a.Artifact)
	}
	return nil
}

// source is what NewArtifact learned about the path it was given.
type source struct {
	abs     string // local absolute path ("" for an S3 object)
	isDir   bool
	inPlace bool
	realKey string     // key relative to the storage root when in place
	remote  *blob.Info // the S3 object, registered in place
}

// localSource checks a local path and decides whether it is in place.
func (in *Instance) localSource(path string) (source, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return source{}, invalidf("path %s: %v", shown(path), err)
	}
	st, err := os.Stat(abs)
	if errors.Is(err, os.ErrNotExist) {
		return source{}, notFoundf("path %s does not exist; check the path", shown(path))
	}
	if err != nil {
		return source{}, invalidf("path %s: %v", shown(path), err)
	}
	if !st.Mode().IsRegular() && !st.IsDir() {
		return source{}, invalidf("path %s is not a regular file or folder", shown(path))
	}
	src := source{abs: abs, isDir: st.IsDir()}
	if in.caps().LocalPath {
		src.realKey, src.inPlace, err = in.keyInStorage(abs)
	}
	return src, err
}

// s3Source describes an object already in the instance's S3 storage, to be
// registered in place from its metadata, without downloading it.
func (in *Instance) s3Source(ctx context.Context, path string) (source, error) {
	root := strings.TrimSuffix(in.storage.Root, "/")
	if in.caps().LocalPath || !strings.HasPrefix(path, root+"/") {
		return source{}, invalidf("%s is outside the instance's storage %s; copy it into %s/ first or pass a local path", path, in.storage.Root, root)
	}
	key := strings.TrimPrefix(path, root+"/")
	if err := ValidateKey(key); err != nil {
		return source{}, err
	}
	blobs, err := in.bytes(ctx)
	if err != nil {
		return source{}, err
	}
	info, err := blobs.Stat(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return source{}, notFoundf("object %s does not exist; check the path", path)
	}
	if err != nil {
		return source{}, err
	}
	return source{inPlace: true, realKey: key, remote: &info}, nil
}

// keyInStorage decides whether abs lies inside the storage root. Symlinks
// are resolved first: a link inside the root that points outside it is
// copied, never registered in place.
func (in *Instance) keyInStorage(abs string) (key string, inPlace bool, err error) {
	root := in.storage.Root
	resolvedRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		resolvedRoot = root
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", false, invalidf("path %s: %v", abs, err)
	}
	for _, cand := range [][2]string{{root, abs}, {resolvedRoot, resolved}} {
		rel, err := filepath.Rel(cand[0], cand[1])
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		if rel == "." {
			return "", false, invalidf("path %s is the storage root itself; register a file or folder inside it", abs)
		}
		key := filepath.ToSlash(rel)
		if key == markerDir || strings.HasPrefix(key, markerDir+"/") {
			return "", false, invalidf("path %s is inside the managed folder .lamindb/; refer to the artifact by its uid instead", abs)
		}
		if cand[0] == root && resolved != abs {
			// Inside the root by name, but a link somewhere resolves elsewhere:
			// in place only if the target is inside the root too.
			if r2, err := filepath.Rel(resolvedRoot, resolved); err != nil || r2 == ".." || strings.HasPrefix(r2, ".."+string(filepath.Separator)) {
				return "", false, nil
			}
		}
		if err := ValidateKey(key); err != nil {
			return "", false, err
		}
		return key, true, nil
	}
	return "", false, nil
}

// displayRoot is the storage root relative to the working directory when below it.
func (in *Instance) displayRoot() string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, in.storage.Root); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return in.storage.Root
}

// countsObservations says whether saving records n_observations: always
// for datasets (kind "dataset": CSV/TSV, Parquet, h5ad), and for plain
// tables with a header row (.csv, .tsv, .parquet). Other files keep NULL,
// as LaminDB's plain constructor does (compressed Cell Ranger TSVs have no
// header, an h5ad is only read as a dataset).
func (a *Artifact) countsObservations() bool {
	if a.Kind != nil && *a.Kind == "dataset" {
		return true
	}
	switch a.Suffix {
	case ".csv", ".tsv", ".parquet":
		return true
	}
	return false
}

// measure computes size, hash and, for tables, the observation count.
func (a *Artifact) measure(ctx context.Context) error {
	if a.remote != nil {
		return a.measureRemote(ctx)
	}
	type obsResult struct {
		n   int64
		ok  bool
		err error
	}
	obs := make(chan obsResult, 1)
	if !a.isDir && a.countsObservations() {
		go func() {
			n, ok, err := dataformat.Observations(ctx, a.src, a.Suffix)
			obs <- obsResult{n, ok, err}
		}()
	} else {
		obs <- obsResult{}
	}
	var res hashing.Result
	var err error
	if a.isDir {
		var files []hashing.FileResult
		res, files, err = hashing.DirFiles(ctx, a.src)
		a.manifest = make([]meta.ManifestEntry, len(files))
		for i, f := range files {
			a.manifest[i] = meta.ManifestEntry{Path: f.Path, Size: f.Size, Hash: f.Hash, HashType: f.Type}
		}
	} else {
		res, err = hashing.File(ctx, a.src)
	}
	o := <-obs
	if err != nil {
		return invalidf("cannot read %s: %v", a.src, unwrapAll(err))
	}
	a.Size, a.Hash, a.HashType = &res.Size, &res.Hash, &res.Type
	if a.isDir {
		a.NFiles = &res.NFiles
	}
	switch {
	case o.err != nil:
		a.in.msg.Warn("could not count observations of %s: %v", a.src, o.err)
	case o.ok:
		a.NObservations = &o.n
	}
	return nil
}

// measureRemote takes size and hash of an S3 object from its ETag; an
// ETag lamin cannot interpret (another part size, server-side encryption)
// means downloading and hashing the bytes.
func (a *Artifact) measureRemote(ctx context.Context) error {
	size := a.remote.Size
	a.Size = &size
	hash, typ, err := hashing.FromETag(a.remote.ETag)
	if !a.in.caps().ETagHashing {
		err = errors.New("the storage's ETags are not content hashes")
	}
	if err == nil && typ != hashing.TypeMD5 {
		var n int64
		fmt.Sscanf(strings.TrimPrefix(typ, "md5-"), "%d", &n)
		p := hashing.PartSizeFor(size)
		if n != (size+p-1)/p {
			err = fmt.Errorf("ETag has %d parts, lamin's part size gives %d", n, (size+p-1)/p)
		}
	}
	if err != nil {
		local, err := a.in.localCopy(ctx, StorageKey(&a.Artifact), false)
		if err != nil {
			return err
		}
		res, err := hashing.File(ctx, local)
		if err != nil {
			return err
		}
		hash, typ = res.Hash, res.Type
	}
	a.Hash, a.HashType = &hash, &typ
	return nil
}

func unwrapAll(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe
	}
	return err
}

// assignUID picks a new family uid or the next version of the revised family.
func (a *Artifact) assignUID(ctx context.Context, o ArtifactOptions) error {
	stem := o.StemUID
	if a.revises != nil {
		stem = a.revises.UID[:uid.ArtifactStemLen]
	}
	if stem == "" {
		a.UID = uid.NewFamily(uid.ArtifactStemLen)
		return nil
	}
	latest, err := meta.HighestArtifactVersion(ctx, a.in.store, stem)
	if err != nil {
		return err
	}
	if len(latest) == 0 {
		a.UID = stem + "0000"
		return nil
	}
	fam, err := meta.LatestArtifactVersion(ctx, a.in.store, stem)
	if err != nil {
		return err
	}
	if len(fam) > 0 {
		if a.revises != nil && a.revises.ID != fam[0].ID {
			a.in.msg.Warn("didn't pass the latest version in `revises`, retrieved it: %s", a.in.msg.artifact(fam[0]))
		}
		a.revises = fam[0]
		if a.Key == nil {
			a.Key, a.KeyIsVirtual = fam[0].Key, true
		}
		if a.Description == nil {
			a.Description = fam[0].Description
		}
	}
	next, err := uid.NextVersion(latest[0].UID, uid.ArtifactStemLen)
	if err != nil {
		return invalidf("new version of %s: %v", stem, err)
	}
	a.UID = next
	return nil
}

func (in *Instance) resolveRun(ctx context.Context, explicit *Run, none bool) (*Run, error) {
	if none {
		return nil, nil
	}
	if explicit != nil {
		return explicit, nil
	}
	return in.CurrentRun(ctx)
}

func derefOr(s *string, def string) string {
	if s == nil {
		return def
	}
	return *s
}
