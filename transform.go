package lamin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lamin-go/lamin/internal/hashing"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/uid"
	"github.com/lamin-go/lamin/record"
)

// Transform types.
const (
	TypePipeline = "pipeline"
	TypeNotebook = "notebook"
	TypeScript   = "script"
	TypeFunction = "function"
	TypeLinker   = "linker"
)

var transformTypes = []string{TypePipeline, TypeNotebook, TypeScript, TypeFunction, TypeLinker}

// TransformTypeOf guesses a transform type from a source file name.
func TransformTypeOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ipynb", ".rmd", ".qmd":
		return TypeNotebook
	}
	return TypeScript
}

// TransformSpec identifies the code a run executes.
type TransformSpec struct {
	// UID is a 12-character stem or a 16-character full uid (optional).
	UID string
	// Key names the transform (default: the source file's name).
	Key string
	// Type is pipeline, notebook, script, function or linker (default:
	// from the source file, else pipeline).
	Type string
	// Description is free text (a notebook's title).
	Description string
	// Reference is e.g. the URL of an external tool; ReferenceType says what it is.
	Reference, ReferenceType string
	// Version is a free-text version tag such as "7.2.0".
	Version string
	// Path is the source file, whose text and hash are recorded.
	Path string
	// Source, when set, is recorded as the transform's source instead of
	// the file's raw text (e.g. a notebook rendered as py:percent), or
	// without any file (code embedded in a program).
	Source string
}

// transformSource is a source file read for tracking.
type transformSource struct {
	text string
	hash string
}

func readSource(path string) (*transformSource, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, notFoundf("source file %s: %v", path, err)
	}
	return &transformSource{text: string(b), hash: hashing.Bytes(b)}, nil
}

// ResolveTransform finds or creates the transform described by spec,
// following LaminDB's identification rules: by uid (full uid or 12-char
// stem), else by source hash, else by key; a changed source under a known
// family makes a new version. loaded reports whether it existed.
func (in *Instance) ResolveTransform(ctx context.Context, spec TransformSpec) (t *Transform, loaded bool, err error) {
	if spec.Type != "" && !contains(transformTypes, spec.Type) {
		return nil, false, invalidf("transform type %q: use one of %s", spec.Type, strings.Join(transformTypes, ", "))
	}
	var src *transformSource
	if spec.Source != "" {
		src = &transformSource{text: spec.Source, hash: hashing.Bytes([]byte(spec.Source))}
	}
	if spec.Path != "" {
		if src == nil {
			if src, err = readSource(spec.Path); err != nil {
				return nil, false, err
			}
		}
		if spec.Key == "" {
			spec.Key = filepath.Base(spec.Path)
		}
		if spec.Type == "" {
			spec.Type = TransformTypeOf(spec.Path)
		}
	}
	if spec.Type == "" {
		spec.Type = TypePipeline
	}
	if spec.Key != "" && strings.ContainsAny(spec.Key, "\x00\n\r") {
		return nil, false, invalidf("transform key %q must be one line of text", spec.Key)
	}
	if len(spec.Version) > 30 {
		return nil, false, invalidf("version %q is longer than 30 characters", spec.Version)
	}
	for attempt := 0; ; attempt++ {
		t, loaded, err = in.resolveTransform(ctx, spec, src)
		if attempt == maxTransformAttempts-1 || !errors.Is(err, errTransformRaced) {
			break
		}
		// Another writer created a version of this transform in the
		// meantime: decide again, now seeing it.
	}
	if errors.Is(err, errTransformRaced) {
		err = conflictf("transform %s: other writers keep creating versions of it; try again", spec.Key)
	}
	return t, loaded, err
}

// maxTransformAttempts bounds how often one writer decides again after
// losing a race: each round at least one of the racing writers wins.
const maxTransformAttempts = 64

// errTransformRaced reports that a new transform lost a race with another
// writer: for its uid, or for the key's latest version.
var errTransformRaced = errors.New("transform created concurrently")

// resolveTransform finds or creates the transform of a validated spec.
func (in *Instance) resolveTransform(ctx context.Context, spec TransformSpec, src *transformSource) (t *record.Transform, loaded bool, err error) {
	// What is decided below must still hold when a new transform is
	// inserted: the key's latest version, read first, must not have
	// changed by then (writers creating versions of one key queue on it).
	var keyLatest *record.Transform
	claimKey := len(spec.UID) == 0 && spec.Key != ""
	if claimKey {
		if keyLatest, err = first(meta.LatestTransformByKey(ctx, in.store, spec.Key)); err != nil {
			return nil, false, err
		}
	}
	var family *record.Transform // latest of the family the spec points at
	newUID := ""
	switch len(spec.UID) {
	case 0:
	case uid.TransformLen:
		if err := uid.Valid(spec.UID, uid.TransformLen); err != nil {
			return nil, false, invalidf("transform uid %q: %v", spec.UID, err)
		}
		t, err := meta.TransformByUID(ctx, in.store, spec.UID)
		switch {
		case err == nil:
			if src != nil && t.SourceCode != nil && t.Hash != nil && *t.Hash != src.hash {
				next, err := in.nextTransformUID(ctx, spec.UID[:uid.TransformStemLen])
				if err != nil {
					return nil, false, err
				}
				return nil, false, &userError{msg: fmt.Sprintf("source code changed, please update the uid argument to \"%s\" (e.g. `lamin run --uid %s ...`)", next, next), cat: ErrConflict}
			}
			return in.reuseTransform(ctx, t, spec, src)
		case !errors.Is(err, meta.ErrNotFound):
			return nil, false, err
		}
		newUID = spec.UID
	case uid.TransformStemLen:
		if err := uid.Valid(spec.UID, uid.TransformStemLen); err != nil {
			return nil, false, invalidf("transform uid %q: %v", spec.UID, err)
		}
		family, err = first(meta.LatestTransformByStem(ctx, in.store, spec.UID))
		if err != nil {
			return nil, false, err
		}
		if family == nil {
			newUID = spec.UID + "0000"
		}
	default:
		return nil, false, invalidf("Please pass an auto-generated uid instead of \"%s\". Resolve by running: lamin run --uid %s ...", spec.UID, uid.New(uid.TransformStemLen))
	}
	if newUID == "" && family == nil {
		if src != nil {
			same, err := first(meta.LatestTransformByHash(ctx, in.store, src.hash))
			if err != nil {
				return nil, false, err
			}
			if same != nil && derefOr(same.Key, "") == spec.Key {
				family = same
			}
		}
		if family == nil && spec.Key != "" {
			family = keyLatest
		}
	}
	if family != nil {
		reusable := (family.SourceCode == nil && family.CreatedByID == in.user.ID) ||
			(src != nil && family.Hash != nil && *family.Hash == src.hash)
		if src == nil && family.SourceCode == nil && spec.Type != TypeNotebook {
			// Pipelines without a source file are identified by key alone.
			reusable = true
		}
		if spec.Version != "" && derefOr(family.Version, "") != spec.Version {
			reusable = false
		}
		if reusable {
			return in.reuseTransform(ctx, family, spec, src)
		}
		if newUID, err = in.nextTransformUID(ctx, family.UID[:uid.TransformStemLen]); err != nil {
			return nil, false, err
		}
		in.msg.Important("found %s %s, making new version", spec.Type, derefOr(family.Key, family.UID))
	}
	if newUID == "" {
		newUID = uid.NewFamily(uid.TransformStemLen)
	}
	if spec.Version != "" {
		if err := in.checkVersionFree(ctx, newUID[:uid.TransformStemLen], spec.Version); err != nil {
			return nil, false, err
		}
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	t = &record.Transform{UID: newUID, Type: spec.Type, IsLatest: true, SpaceID: 1, BranchID: 1,
		CreatedByID: in.user.ID, CreatedAt: now, UpdatedAt: now}
	setStr(&t.Key, spec.Key)
	setStr(&t.Description, spec.Description)
	setStr(&t.Reference, spec.Reference)
	setStr(&t.ReferenceType, spec.ReferenceType)
	setStr(&t.Version, spec.Version)
	if src != nil {
		t.SourceCode, t.Hash = &src.text, &src.hash
	}
	err = in.store.Tx(ctx, func(tx *meta.Tx) error {
		if claimKey {
			if err := meta.Lock(ctx, tx, meta.LockKey("transform-key "+spec.Key)); err != nil {
				return err
			}
			now, err := meta.LatestTransformByKey(ctx, tx, spec.Key)
			if err != nil {
				return err
			}
			if len(now) > 0 && (keyLatest == nil || now[0].ID != keyLatest.ID) {
				return errTransformRaced
			}
		}
		if err := meta.ClearTransformLatest(ctx, tx, newUID[:uid.TransformStemLen]); err != nil {
			return err
		}
		err := meta.InsertTransform(ctx, tx, t)
		if errors.Is(err, meta.ErrConflict) {
			// Its uid, or its key and source, were taken meanwhile.
			return fmt.Errorf("%w: %v", errTransformRaced, err)
		}
		return err
	})
	if errors.Is(err, errTransformRaced) {
		return nil, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("save transform: %w", err)
	}
	return t, false, nil
}

// reuseTransform returns an existing transform, refreshing what changed:
// key, description, reference, and a source not saved before.
func (in *Instance) reuseTransform(ctx context.Context, t *record.Transform, spec TransformSpec, src *transformSource) (*record.Transform, bool, error) {
	changed := false
	if spec.Key != "" && derefOr(t.Key, "") != spec.Key {
		in.msg.Important("renaming transform %s to %s", derefOr(t.Key, "None"), spec.Key)
		t.Key, changed = &spec.Key, true
	}
	if spec.Description != "" && derefOr(t.Description, "") != spec.Description {
		t.Description, changed = &spec.Description, true
	}
	if spec.Reference != "" && derefOr(t.Reference, "") != spec.Reference {
		t.Reference, changed = &spec.Reference, true
		setStr(&t.ReferenceType, spec.ReferenceType)
	}
	if src != nil && t.SourceCode == nil {
		t.SourceCode, t.Hash, changed = &src.text, &src.hash, true
	}
	if spec.Type != "" && t.Type != spec.Type && spec.Path == "" {
		t.Type, changed = spec.Type, true
	}
	if changed {
		if err := meta.UpdateTransform(ctx, in.store, t); err != nil {
			return nil, false, err
		}
	}
	return t, true, nil
}

// first returns the first of rows, nil when there is none.
func first[T any](rows []*T, err error) (*T, error) {
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0], nil
}

func (in *Instance) nextTransformUID(ctx context.Context, stem string) (string, error) {
	rows, err := meta.HighestTransformVersion(ctx, in.store, stem)
	if err != nil {
		return "", err
	}
	if len(rows) == 0 {
		return stem + "0000", nil
	}
	next, err := uid.NextVersion(rows[0].UID, uid.TransformStemLen)
	if err != nil {
		return "", invalidf("new version of transform %s: %v", stem, err)
	}
	return next, nil
}

func (in *Instance) checkVersionFree(ctx context.Context, stem, version string) error {
	rows, err := meta.TransformWithVersion(ctx, in.store, stem, version)
	if err != nil || len(rows) == 0 {
		return err
	}
	return conflictf("version '%s' is already taken by Transform('%s'); please set another version, e.g., --version %s.1", version, rows[0].UID, version)
}

// TransformByUID loads a transform by uid or uid prefix (latest version preferred).
func (in *Instance) TransformByUID(ctx context.Context, idlike string) (*Transform, error) {
	if idlike == "" || strings.Trim(idlike, uid.Alphabet) != "" || len(idlike) > uid.TransformLen {
		return nil, notFoundf("No record found with uid '%s'. Did you forget a keyword as in `lamin get transform key=%s`?", idlike, idlike)
	}
	rows, err := meta.PreferredTransformByPrefix(ctx, in.store, idlike)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, notFoundf("No record found with uid '%s'. Did you forget a keyword as in `lamin get transform key=%s`?", idlike, idlike)
	}
	return rows[0], nil
}

func setStr(dst **string, v string) {
	if v != "" {
		*dst = &v
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
