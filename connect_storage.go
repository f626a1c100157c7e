package lamin

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/settings"
)

// storageMarker is what a storage root's marker file says about the
// instance that manages it.
type storageMarker struct {
	storageUID, slug, instanceUID string
}

// readStorageMarker reads the marker at the root of blobs; ErrNotFound
// when the root carries none.
func readStorageMarker(ctx context.Context, blobs blob.Store, root string) (storageMarker, error) {
	r, err := blobs.Open(ctx, markerKey)
	if errors.Is(err, blob.ErrNotFound) {
		return storageMarker{}, notFoundf("%s is not the storage of an instance (no %s); create one with `lamin init --storage %s`",
			root, storageJoin(root, markerKey), root)
	}
	if err != nil {
		return storageMarker{}, fmt.Errorf("read %s: %w", storageJoin(root, markerKey), err)
	}
	defer r.Close()
	var m storageMarker
	sc := bufio.NewScanner(io.LimitReader(r, 64<<10))
	for first := true; sc.Scan(); first = false {
		line := strings.TrimSpace(sc.Text())
		if first {
			m.storageUID = line
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "instance_slug":
			m.slug = v
		case "instance_uid":
			m.instanceUID = v
		}
	}
	if err := sc.Err(); err != nil {
		return m, fmt.Errorf("read %s: %w", storageJoin(root, markerKey), err)
	}
	if m.instanceUID == "" {
		return m, invalidf("%s names no instance (no instance_uid line); run `lamin check` on the instance that owns %s",
			storageJoin(root, markerKey), root)
	}
	return m, nil
}

// resolveByStorage finds the instance whose metadata live outside a
// storage root (an S3 bucket, or a folder whose metadata are in
// PostgreSQL) from the root's marker: the marker names the instance, the
// settings folder knows its database. The identity in that database must
// be the marker's.
func resolveByStorage(ctx context.Context, sd settings.Dir, root string) (settings.Instance, error) {
	blobs, err := openBlobs(ctx, root)
	if err != nil {
		return settings.Instance{}, err
	}
	m, err := readStorageMarker(ctx, blobs, root)
	if err != nil {
		return settings.Instance{}, err
	}
	all, err := sd.Instances()
	if err != nil {
		return settings.Instance{}, err
	}
	var si *settings.Instance
	for i := range all {
		if all[i].UID == m.instanceUID && all[i].DB != "" {
			si = &all[i]
			break
		}
	}
	name := m.slug
	if name == "" {
		name = "instance " + m.instanceUID
	}
	if si == nil {
		return settings.Instance{}, notFoundf("%s belongs to %s, whose metadata are in a PostgreSQL database this machine does not know yet; connect once with `lamin connect postgresql://USER@HOST:PORT/DB`",
			root, name)
	}
	store, err := openStore(ctx, si.DB, root)
	if err != nil {
		return settings.Instance{}, err
	}
	defer store.Close()
	id, err := meta.GetInstance(ctx, store)
	if err != nil {
		return settings.Instance{}, fmt.Errorf("read instance of %s: %w", redactURL(si.DB), err)
	}
	if id.UID != m.instanceUID {
		return settings.Instance{}, conflictf("%s belongs to instance %s, but database %s now holds %s/%s; connect with `lamin connect postgresql://...` to the database of %s",
			root, m.instanceUID, redactURL(si.DB), id.Owner, id.Name, name)
	}
	st, err := meta.StorageByID(ctx, store, id.StorageID)
	if err != nil {
		return settings.Instance{}, err
	}
	found := settings.Instance{Owner: id.Owner, Name: id.Name, UID: id.UID, Root: st.Root, DB: si.DB}
	return found, sd.SaveInstance(found)
}
