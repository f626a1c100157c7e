package lamin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/lamin-go/lamin/internal/blob"
	"github.com/lamin-go/lamin/internal/blob/local"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/meta/sqlite"
	"github.com/lamin-go/lamin/internal/settings"
	"github.com/lamin-go/lamin/internal/uid"
)

// Options configure how the SDK finds its settings and where it talks.
// The zero value uses $LAMIN_SETTINGS_DIR or ~/.lamin, $LAMIN_CACHE_DIR or
// the platform cache folder, and prints no messages.
type Options struct {
	// SettingsDir overrides the settings folder.
	SettingsDir string
	// CacheDir overrides the cache folder.
	CacheDir string
	// Messages receives human messages; nil prints nothing.
	Messages *Messages
	// Getenv reads the process environment (LAMIN_RUN_UID); nil means os.Getenv.
	Getenv func(string) string
}

func (o Options) settingsDir() (settings.Dir, error) {
	if o.SettingsDir != "" {
		return settings.Dir{Path: o.SettingsDir}, nil
	}
	return settings.Open()
}

func (o Options) getenv(k string) string {
	if o.Getenv != nil {
		return o.Getenv(k)
	}
	return os.Getenv(k)
}

// Instance is an open lamin instance: its metadata store, its default
// storage location and the user acting on it.
type Instance struct {
	owner, name, uid string
	store            *meta.Store
	storage          *meta.Storage
	blobs            blob.Store
	user             *meta.User
	dir              settings.Dir
	prefs            settings.Preferences
	cacheDir         string
	opts             Options
	msg              *Messages
	active           *Run // the run started by Track, until Finish
}

// Slug is owner/name, e.g. "testuser1/mydata".
func (in *Instance) Slug() string { return in.owner + "/" + in.name }

// UID is the instance's 12-character uid.
func (in *Instance) UID() string { return in.uid }

// User is the user acting on the instance.
func (in *Instance) User() meta.User { return *in.user }

// Storage is the instance's default storage location.
func (in *Instance) Storage() meta.Storage { return *in.storage }

// CacheDir is where downloads, run logs and temporary files go.
func (in *Instance) CacheDir() string { return in.cacheDir }

// Store exposes the metadata store to the packages of this module that
// need raw SQL (queries, lineage).
func (in *Instance) Store() *meta.Store { return in.store }

// Preferences are the instance's settings (`lamin settings`).
func (in *Instance) Preferences() settings.Preferences { return in.prefs }

// Close releases the database.
func (in *Instance) Close() error { return in.store.Close() }

// InitOptions configure Init.
type InitOptions struct {
	Options
	// Name overrides the instance name (default: the storage folder's name, lower-cased).
	Name string
	// DB is a PostgreSQL URL for team instances; "" keeps metadata in SQLite under the storage root.
	DB string
}

var instanceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// markerDir is the managed folder inside a storage root.
const markerDir = ".lamindb"

// Init creates an instance whose storage root is dir (created if missing),
// makes it the current instance and returns it open.
func Init(ctx context.Context, dir string, o InitOptions) (*Instance, error) {
	if o.DB != "" {
		return nil, invalidf("--db %s: PostgreSQL instances are not supported by this build yet; omit --db to keep metadata in SQLite", redactURL(o.DB))
	}
	sd, err := o.settingsDir()
	if err != nil {
		return nil, err
	}
	su, err := currentOrDefaultUser(sd, o.Messages)
	if err != nil {
		return nil, err
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, invalidf("storage %s: %v", dir, err)
	}
	name := strings.ToLower(filepath.Base(root))
	if o.Name != "" {
		name = o.Name
	}
	if strings.Contains(name, "/") || !instanceNameRE.MatchString(name) {
		return nil, invalidf("instance name %q: use lower-case letters, digits, '.', '_' or '-'; pass --name", name)
	}
	managed := filepath.Join(root, markerDir)
	if _, err := os.Stat(managed); err == nil {
		return nil, conflictf("storage %s is already managed by an instance (%s exists); connect to it with `lamin connect %s`", root, managed, dir)
	}
	if st, err := os.Stat(root); err == nil && !st.IsDir() {
		return nil, invalidf("storage %s is a file, not a folder; pass a folder to --storage", root)
	}
	if err := os.MkdirAll(managed, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", managed, err)
	}
	in, err := initLocal(ctx, root, name, su, sd, o.Options)
	if err != nil {
		os.RemoveAll(managed)
		return nil, err
	}
	in.msg.Important("initialized lamindb: %s", in.Slug())
	return in, nil
}

func initLocal(ctx context.Context, root, name string, su settings.User, sd settings.Dir, o Options) (*Instance, error) {
	store, err := sqlite.Open(ctx, filepath.Join(root, markerDir, "lamin.db"))
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Instance, error) {
		store.Close()
		return nil, err
	}
	if _, err := store.Migrate(ctx); err != nil {
		return fail(err)
	}
	instUID := uid.New(uid.InstanceLen)
	now := time.Now().UTC()
	st := &meta.Storage{UID: uid.New(uid.StorageLen), Root: root, Type: "local", InstanceUID: &instUID,
		SpaceID: 1, BranchID: 1, CreatedAt: now, UpdatedAt: now}
	u := &meta.User{UID: su.UID, Handle: su.Handle, CreatedAt: now, UpdatedAt: now}
	if su.Name != "" {
		u.Name = &su.Name
	}
	err = store.Tx(ctx, func(tx *meta.Tx) error {
		if err := meta.InsertUser(ctx, tx, u); err != nil {
			return err
		}
		st.CreatedByID = u.ID
		if err := meta.InsertStorage(ctx, tx, st); err != nil {
			return err
		}
		return meta.SetInstance(ctx, tx, meta.Instance{UID: instUID, Owner: su.Handle, Name: name, StorageID: st.ID})
	})
	if err != nil {
		return fail(fmt.Errorf("initialize instance: %w", err))
	}
	if err := writeMarker(root, st.UID, su.Handle+"/"+name, instUID); err != nil {
		return fail(err)
	}
	si := settings.Instance{Owner: su.Handle, Name: name, UID: instUID, Root: root}
	if err := sd.SaveInstance(si); err != nil {
		return fail(err)
	}
	if err := sd.SetCurrentInstance(si); err != nil {
		return fail(err)
	}
	return open(ctx, store, si, sd, o)
}

func writeMarker(root, storageUID, slug, instUID string) error {
	id := make([]byte, 16)
	rand.Read(id)
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	text := fmt.Sprintf("%s\ncreation info:\ninstance_slug=%s\ninstance_id=%x-%x-%x-%x-%x\ninstance_uid=%s\n",
		storageUID, slug, id[0:4], id[4:6], id[6:8], id[8:10], id[10:], instUID)
	return os.WriteFile(filepath.Join(root, markerDir, "storage_uid.txt"), []byte(text), 0o644)
}

// Connect opens an instance and makes it current. target is a storage
// folder holding .lamindb/lamin.db, an instance slug owner/name or a bare
// name known in the settings folder, or "" for the current instance.
func Connect(ctx context.Context, target string, o Options) (*Instance, error) {
	in, err := connect(ctx, target, o, false)
	if err != nil {
		return nil, err
	}
	if target != "" {
		if err := in.dir.SetCurrentInstance(settings.Instance{Owner: in.owner, Name: in.name}); err != nil {
			in.Close()
			return nil, err
		}
		in.msg.Important("connected lamindb: %s", in.Slug())
	}
	return in, nil
}

// Open opens an instance like Connect but does not change the current
// instance and prints nothing; the CLI uses it for every command.
func Open(ctx context.Context, target string, o Options) (*Instance, error) {
	return connect(ctx, target, o, false)
}

// OpenForMigration opens an instance whose schema is older than this
// binary, so that Migrate can upgrade it.
func OpenForMigration(ctx context.Context, target string, o Options) (*Instance, error) {
	return connect(ctx, target, o, true)
}

func connect(ctx context.Context, target string, o Options, allowOlder bool) (*Instance, error) {
	sd, err := o.settingsDir()
	if err != nil {
		return nil, err
	}
	si, err := resolveInstance(ctx, sd, target)
	if err != nil {
		return nil, err
	}
	dbPath := filepath.Join(si.Root, markerDir, "lamin.db")
	if _, err := os.Stat(dbPath); err != nil {
		return nil, notFoundf("instance %s: no database at %s; re-create it with `lamin init --storage %s`", si.Slug(), dbPath, si.Root)
	}
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	if err := store.CheckSchema(ctx); err != nil && !(allowOlder && errors.Is(err, meta.ErrSchemaOlder)) {
		store.Close()
		return nil, &userError{msg: fmt.Sprintf("instance %s: %v", si.Slug(), err), cat: ErrConflict}
	}
	in, err := open(ctx, store, si, sd, o)
	if err != nil {
		store.Close()
		return nil, err
	}
	return in, nil
}

// resolveInstance turns a connect target into the instance's settings,
// reading the identity from the database when given a folder.
func resolveInstance(ctx context.Context, sd settings.Dir, target string) (settings.Instance, error) {
	if target == "" {
		si, err := sd.CurrentInstance()
		if errors.Is(err, settings.ErrNotSet) {
			return si, notFoundf("no current instance; create one with `lamin init --storage DIR` or choose one with `lamin connect DIR`")
		}
		return si, err
	}
	if st, err := os.Stat(target); err == nil && st.IsDir() {
		root, err := filepath.Abs(target)
		if err != nil {
			return settings.Instance{}, err
		}
		dbPath := filepath.Join(root, markerDir, "lamin.db")
		if _, err := os.Stat(dbPath); err != nil {
			return settings.Instance{}, notFoundf("%s is not an instance (no %s); create one with `lamin init --storage %s`", target, dbPath, target)
		}
		store, err := sqlite.Open(ctx, dbPath)
		if err != nil {
			return settings.Instance{}, err
		}
		defer store.Close()
		id, err := meta.GetInstance(ctx, store)
		if err != nil {
			return settings.Instance{}, err
		}
		si := settings.Instance{Owner: id.Owner, Name: id.Name, UID: id.UID, Root: root}
		return si, sd.SaveInstance(si)
	}
	owner, name, hasOwner := strings.Cut(target, "/")
	if hasOwner {
		si, err := sd.Instance(owner, name)
		if errors.Is(err, settings.ErrNotSet) {
			return si, notFoundf("unknown instance %s; connect by storage folder first: `lamin connect DIR`", target)
		}
		return si, err
	}
	all, err := sd.Instances()
	if err != nil {
		return settings.Instance{}, err
	}
	var found []settings.Instance
	for _, si := range all {
		if si.Name == target {
			found = append(found, si)
		}
	}
	switch len(found) {
	case 0:
		return settings.Instance{}, notFoundf("unknown instance %q: not a folder and not a known instance name; see `lamin info` or pass the storage folder", target)
	case 1:
		return found[0], nil
	}
	return settings.Instance{}, invalidf("instance name %q is ambiguous; pass owner/name", target)
}

func open(ctx context.Context, store *meta.Store, si settings.Instance, sd settings.Dir, o Options) (*Instance, error) {
	id, err := meta.GetInstance(ctx, store)
	if err != nil {
		return nil, err
	}
	st, err := meta.StorageWhere(ctx, store, "WHERE t.id = ?", id.StorageID)
	if err != nil {
		return nil, fmt.Errorf("read default storage: %w", err)
	}
	if st.Type == "local" && st.Root != si.Root && si.Root != "" {
		// The folder moved (or is mounted elsewhere): bytes live where we found the database.
		st.Root = si.Root
	}
	blobs, err := local.New(st.Root)
	if err != nil {
		return nil, fmt.Errorf("open storage %s: %w", st.Root, err)
	}
	prefs, err := sd.Preferences(id.Owner, id.Name)
	if err != nil {
		return nil, err
	}
	cache := o.CacheDir
	if cache == "" {
		if cache, err = sd.CacheDir(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, fmt.Errorf("create cache folder %s: %w; set LAMIN_CACHE_DIR to a writable folder", cache, err)
	}
	in := &Instance{owner: id.Owner, name: id.Name, uid: id.UID, store: store, storage: st, blobs: blobs,
		dir: sd, prefs: prefs, cacheDir: cache, opts: o, msg: o.Messages}
	su, err := currentOrDefaultUser(sd, o.Messages)
	if err != nil {
		return nil, err
	}
	if in.user, err = in.ensureUser(ctx, su); err != nil {
		return nil, err
	}
	return in, nil
}

// ensureUser finds the current user's row by uid, inserting it on first use.
func (in *Instance) ensureUser(ctx context.Context, su settings.User) (*meta.User, error) {
	u, err := meta.UserWhere(ctx, in.store, "WHERE t.uid = ?", su.UID)
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, meta.ErrNotFound) {
		return nil, err
	}
	if same, err := meta.UserWhere(ctx, in.store, "WHERE t.handle = ?", su.Handle); err == nil {
		// The same handle was registered from another settings folder: the
		// instance is the authority on who a handle is.
		su.UID = same.UID
		if err := in.dir.SaveUser(su); err != nil {
			return nil, err
		}
		return same, nil
	}
	now := time.Now().UTC()
	u = &meta.User{UID: su.UID, Handle: su.Handle, CreatedAt: now, UpdatedAt: now}
	if su.Name != "" {
		u.Name = &su.Name
	}
	if err := meta.InsertUser(ctx, in.store, u); err != nil {
		if errors.Is(err, meta.ErrConflict) {
			return meta.UserWhere(ctx, in.store, "WHERE t.uid = ?", su.UID)
		}
		return nil, err
	}
	return u, nil
}

var handleRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$`)

// Login makes handle the current user, creating a local profile with a new
// uid the first time. The user row is added to an instance when the user
// first connects to it.
func Login(handle, name string, o Options) (settings.User, error) {
	if !handleRE.MatchString(handle) {
		return settings.User{}, invalidf("handle %q: use 1-30 letters, digits, '.', '_' or '-', starting with a letter or digit", handle)
	}
	sd, err := o.settingsDir()
	if err != nil {
		return settings.User{}, err
	}
	u, err := sd.User(handle)
	switch {
	case errors.Is(err, settings.ErrNotSet):
		u = settings.User{Handle: handle, UID: uid.New(uid.UserLen), Name: name}
	case err != nil:
		return u, err
	case name != "":
		u.Name = name
	}
	if err := sd.SaveUser(u); err != nil {
		return u, err
	}
	return u, sd.SetCurrentUser(handle)
}

// currentOrDefaultUser returns the logged-in user, logging in the operating
// system's user the first time so that a fresh machine works without setup.
func currentOrDefaultUser(sd settings.Dir, msg *Messages) (settings.User, error) {
	u, err := sd.CurrentUser()
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, settings.ErrNotSet) {
		return u, err
	}
	handle := "anonymous"
	if osu, err := user.Current(); err == nil {
		if h := regexp.MustCompile(`[^A-Za-z0-9_.-]`).ReplaceAllString(osu.Username, ""); handleRE.MatchString(h) {
			handle = h
		}
	}
	u, err = Login(handle, "", Options{SettingsDir: sd.Path})
	if err == nil {
		msg.Hint("logged in as %s (a local profile); switch with `lamin login HANDLE`", handle)
	}
	return u, err
}

// redactURL hides the password of a connection URL.
func redactURL(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			cred := rest[:at]
			if c := strings.Index(cred, ":"); c >= 0 {
				return s[:i+3] + cred[:c] + ":***" + rest[at:]
			}
		}
	}
	return s
}

// SetPreference changes one of the instance's settings (see `lamin settings`).
func (in *Instance) SetPreference(key, value string) error {
	if err := in.dir.SetPreference(in.owner, in.name, key, value); err != nil {
		return invalidf("%v", err)
	}
	p, err := in.dir.Preferences(in.owner, in.name)
	if err != nil {
		return err
	}
	in.prefs = p
	return nil
}
