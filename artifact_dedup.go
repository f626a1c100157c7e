package lamin

import (
	"context"

	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/record"
)

// dedup looks for the same content (any branch) and, with a key, for the
// key's version family. It returns the existing artifact on a hash hit.
func (in *Instance) dedup(ctx context.Context, a *Artifact, o ArtifactOptions) (*Artifact, error) {
	byHash, err := in.newestByHash(ctx, []string{*a.Hash})
	if err != nil {
		return nil, err
	}
	var byKey map[string]*record.Artifact
	if _, hit := byHash[*a.Hash]; !hit && a.Key != nil && o.Revises == nil {
		if byKey, err = in.latestByKey(ctx, in.store, []string{*a.Key}); err != nil {
			return nil, err
		}
	}
	return in.applyDedup(a, o, byHash, byKey), nil
}

// applyDedup decides from looked-up candidates: a record with the same
// content is returned (with what the caller passed applied on Save);
// otherwise a record with the same key becomes the version revised.
func (in *Instance) applyDedup(a *Artifact, o ArtifactOptions, byHash, byKey map[string]*record.Artifact) *Artifact {
	if same, ok := byHash[*a.Hash]; ok {
		ex := &Artifact{Artifact: *same, in: in, existing: true, run: a.run,
			src: a.src, isDir: a.isDir, remote: a.remote, manifest: a.manifest}
		if a.Description != nil && (ex.Description == nil || *ex.Description != *a.Description) {
			ex.newDescription = a.Description
			ex.Description = a.Description
		}
		if o.Key != "" && (ex.Key == nil || *ex.Key != o.Key) {
			if ex.Key == nil && ex.KeyIsVirtual {
				ex.adoptKey = &o.Key
				ex.Key = &o.Key
			} else {
				in.msg.Warn("key %s on existing artifact differs from passed key %s", derefOr(ex.Key, "None"), o.Key)
			}
		}
		if ex.BranchID == -1 {
			ex.fromTrash = true
			ex.BranchID = 1
		}
		in.msg.sameHash(&ex.Artifact, ex.fromTrash)
		return ex
	}
	if o.Revises != nil {
		a.revises = &o.Revises.Artifact
		return nil
	}
	if a.Key != nil {
		if fam, ok := byKey[*a.Key]; ok {
			a.revises = fam
			in.msg.Important("creating new artifact version for key='%s' (storage: '%s')", *a.Key, in.storage.Root)
		}
	}
	return nil
}

// lookupChunk bounds the number of values bound in one IN (...) list.
const lookupChunk = 400

// newestByHash maps each hash to its newest artifact (any branch).
func (in *Instance) newestByHash(ctx context.Context, hashes []string) (map[string]*record.Artifact, error) {
	out := map[string]*record.Artifact{}
	for start := 0; start < len(hashes); start += lookupChunk {
		chunk := hashes[start:min(start+lookupChunk, len(hashes))]
		rows, err := meta.ArtifactsByHashes(ctx, in.store, chunk)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if _, seen := out[*r.Hash]; !seen {
				out[*r.Hash] = r
			}
		}
	}
	return out, nil
}

// latestByKey maps each key to the latest non-trashed artifact with that
// key in the default storage: the version a new save would revise.
func (in *Instance) latestByKey(ctx context.Context, q meta.Querier, keys []string) (map[string]*record.Artifact, error) {
	out := map[string]*record.Artifact{}
	for start := 0; start < len(keys); start += lookupChunk {
		chunk := keys[start:min(start+lookupChunk, len(keys))]
		rows, err := meta.ArtifactsByKeys(ctx, q, in.storage.ID, chunk)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if _, seen := out[*r.Key]; !seen {
				out[*r.Key] = r
			}
		}
	}
	return out, nil
}
