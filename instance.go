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
	"github.com/lamin-go/lamin/internal/blob/backend"
	"github.com/lamin-go/lamin/internal/blob/local"
	"github.com/lamin-go/lamin/internal/meta"
	"github.com/lamin-go/lamin/internal/meta/sqlite"
	"github.com/lamin-go/lamin/internal/settings"
	"github.com/lamin-go/lamin/internal/uid"
	"github.com/lamin-go/lamin/record"
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
	storage          *record.Storage
	blobs            *lazyBlobs // opened on first use; see bytes
	user             *record.User
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
func (in *Instance) User() User { return *in.user }

// Storage is the instance's default storage location.
func (in *Instance) Storage() Storage { return *in.storage }

// CacheDir is where downloads, run logs and temporary files go.
func (in *Instance) CacheDir() string { return in.cacheDir }

// Preferences are the instance's settings (`lamin settings`), by key.
func (in *Instance) Preferences() map[string]string { return in.prefs }

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

// Init creates an instance whose storage root is dir (a local folder,
// created if missing, or s3://bucket/prefix), makes it the current instance
// and returns it open. Metadata go to SQLite under the root, or to the
// PostgreSQL database o.DB. Nothing is left behind when it fails.
func Init(ctx context.Context, dir string, o InitOptions) (*Instance, error) {
	sd, err := o.settingsDir()
	if err != nil {
		return nil, err
	}
	su, err := currentOrDefaultUser(sd, o.Messages)
	if err != nil {
		return nil, err
	}
	root, err := backend.Normalize(dir)
	if err != nil {
		return nil, invalidf("storage %s: %v", dir, err)
	}
	name := instanceNameFor(root)
	if o.Name != "" {
		name = o.Name
	}
	if strings.Contains(name, "/") || !instanceNameRE.MatchString(name) {
		return nil, invalidf("instance name %q: use lower-case letters, digits, '.', '_' or '-'; pass --name", name)
	}
	if o.DB != "" && !isPostgresURL(o.DB) {
		return nil, invalidf("--db %s: pass a PostgreSQL URL such as postgresql://user@host:5432/lamin", redactURL(o.DB))
	}
	if !capsOf(root).LocalPath {
		return initTeam(ctx, root, name, su, sd, o)
	}
	managed := filepath.Join(root, markerDir)
	if _, err := os.Stat(managed); err == nil {
		return nil, conflictf("storage %s is already managed by an instance (%s exists); connect to it with `lamin connect %s`", root, managed, dir)
	}
	if st, err := os.Stat(root); err == nil && !st.IsDir() {
		return nil, invalidf("storage %s is a file, not a folder; pass a folder to --storage", root)
	}
	createdRoot := false
	if _, err := os.Stat(root); errors.Is(err, os.ErrNotExist) {
		createdRoot = true
	}
	if err := os.MkdirAll(managed, 0o755); err != nil {
		return nil, invalidf("cannot create %s: %v; choose a writable folder", managed, err)
	}
	cleanup := func() {
		os.RemoveAll(managed)
		if createdRoot {
			os.Remove(root)
		}
	}
	if o.DB != "" {
		in, err := initTeam(ctx, root, name, su, sd, o)
		if err != nil {
			cleanup()
		}
		return in, err
	}
	store, err := sqlite.Open(ctx, filepath.Join(managed, "lamin.db"))
	if err != nil {
		cleanup()
		return nil, err
	}
	blobs, err := local.New(root)
	if err == nil {
		var in *Instance
		if in, err = initInstance(ctx, store, blobs, root, "local", name, su, sd, o); err == nil {
			return in, nil
		}
	}
	store.Close()
	cleanup()
	return nil, err
}

// initTeam creates an instance whose metadata live in PostgreSQL (and
// whose bytes may live on S3). Every service is reached before anything is
// written, so a bad URL, credentials or bucket leave nothing behind.
func initTeam(ctx context.Context, root, name string, su settings.User, sd settings.Dir, o InitOptions) (*Instance, error) {
	if o.DB == "" {
		if err := sqliteUnder(root); err != nil {
			return nil, err
		}
	}
	store, err := openStore(ctx, o.DB, root)
	if err != nil {
		return nil, err
	}
	blobs, err := openBlobs(ctx, root)
	if err != nil {
		store.Close()
		return nil, err
	}
	if v, err := store.SchemaVersion(ctx); err == nil && v > 0 {
		if id, err := meta.GetInstance(ctx, store); err == nil {
			store.Close()
			return nil, conflictf("database %s already holds instance %s/%s; connect to it with `lamin connect %s`",
				redactURL(o.DB), id.Owner, id.Name, redactURL(o.DB))
		}
	}
	if managed, err := storageManaged(ctx, blobs); err != nil || managed {
		store.Close()
		if err != nil {
			return nil, err
		}
		return nil, conflictf("storage %s is already managed by an instance (%s exists)", root, storageJoin(root, markerKey))
	}
	b, _ := backend.Lookup(root)
	in, err := initInstance(ctx, store, blobs, root, b.Type, name, su, sd, o)
	if err != nil {
		store.Close()
	}
	return in, err
}

// initInstance migrates the store, writes the seed rows (user, storage,
// identity) in one transaction, marks the storage root and records the
// instance in the settings.
func initInstance(ctx context.Context, store *meta.Store, blobs blob.Store, root, typ, name string, su settings.User, sd settings.Dir, o InitOptions) (*Instance, error) {
	if _, err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	instUID := uid.New(uid.InstanceLen)
	now := time.Now().UTC().Truncate(time.Microsecond)
	st := &record.Storage{UID: uid.New(uid.StorageLen), Root: root, Type: typ, InstanceUID: &instUID,
		SpaceID: 1, BranchID: 1, CreatedAt: now, UpdatedAt: now}
	err := store.Tx(ctx, func(tx *meta.Tx) error {
		u, err := meta.UserByUID(ctx, tx, su.UID)
		if errors.Is(err, meta.ErrNotFound) {
			u = &record.User{UID: su.UID, Handle: su.Handle, CreatedAt: now, UpdatedAt: now}
			if su.Name != "" {
				u.Name = &su.Name
			}
			err = meta.InsertUser(ctx, tx, u)
		}
		if err != nil {
			return err
		}
		st.ID = 0
		st.CreatedByID = u.ID
		if err := meta.InsertStorage(ctx, tx, st); err != nil {
			return err
		}
		return meta.SetInstance(ctx, tx, meta.Instance{UID: instUID, Owner: su.Handle, Name: name, StorageID: st.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("initialize instance: %w", err)
	}
	undo := func() {
		ctx := context.WithoutCancel(ctx)
		store.Tx(ctx, func(tx *meta.Tx) error { return meta.ClearInstance(ctx, tx) })
	}
	if err := writeStorageMarker(ctx, blobs, st.UID, su.Handle+"/"+name, instUID); err != nil {
		undo()
		return nil, fmt.Errorf("mark storage %s: %w", root, err)
	}
	si := settings.Instance{Owner: su.Handle, Name: name, UID: instUID, Root: root, DB: o.DB}
	if err := sd.SaveInstance(si); err != nil {
		return nil, err
	}
	if err := sd.SetCurrentInstance(si); err != nil {
		return nil, err
	}
	in, err := open(ctx, store, si, sd, o.Options, su, nil)
	if err != nil {
		return nil, err
	}
	in.blobs.store = blobs
	in.msg.Important("initialized lamindb: %s", in.Slug())
	return in, nil
}

// newUUID returns a random version-4 UUID.
func newUUID() string {
	id := make([]byte, 16)
	rand.Read(id)
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:])
}

// Connect opens an instance and makes it current. target is a storage
// root: a folder holding .lamindb/lamin.db, or a folder or s3://bucket/prefix
// whose storage marker names an instance with metadata in PostgreSQL (known
// from an earlier `lamin connect postgresql://...`); an instance slug
// owner/name or a bare name known in the settings folder; or "" for the
// instance named by LAMIN_INSTANCE (inside a run), else the current one.
func Connect(ctx context.Context, target string, o Options) (*Instance, error) {
	in, err := connect(ctx, target, o, false)
	if err != nil {
		return nil, err
	}
	if _, err := in.bytes(ctx); err != nil {
		// Connecting checks the storage too; other commands open it on
		// first use.
		in.Close()
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
	if target == "" {
		// Inside `lamin run` or `lamin track`: the run's instance.
		target = o.getenv(InstanceEnv)
	}
	si, err := resolveInstance(ctx, sd, target)
	if err != nil {
		return nil, err
	}
	if err := checkDatabaseFile(si); err != nil {
		return nil, err
	}
	su, err := currentOrDefaultUser(sd, o.Messages)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, si.DB, si.Root)
	if err != nil && si.DB == "" && damagedSQLite(err) {
		return nil, schemaProblem(ctx, nil, si, err)
	}
	if err != nil {
		return nil, err
	}
	// Everything opening needs, in one statement; anything unusual (an
	// older or newer schema, a damaged database) takes the step-by-step
	// path, whose errors say what is wrong.
	snap, err := meta.ReadSnapshot(ctx, store, su.UID)
	if err != nil || snap.SchemaVersion != meta.LatestVersion(store.Dialect()) {
		snap = nil
		err := store.CheckSchema(ctx)
		if err != nil && allowOlder && errors.Is(err, meta.ErrSchemaOlder) {
			if v, verr := store.SchemaVersion(ctx); verr == nil && v > 0 {
				err = nil
			}
		}
		if err != nil {
			err = schemaProblem(ctx, store, si, err)
			store.Close()
			return nil, err
		}
	}
	in, err := open(ctx, store, si, sd, o, su, snap)
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
	if isPostgresURL(target) {
		store, err := openStore(ctx, target, "")
		if err != nil {
			return settings.Instance{}, err
		}
		defer store.Close()
		id, err := meta.GetInstance(ctx, store)
		if err != nil {
			return settings.Instance{}, notFoundf("database %s holds no lamin instance; create one with `lamin init --storage DIR --db %s`", redactURL(target), redactURL(target))
		}
		st, err := meta.StorageByID(ctx, store, id.StorageID)
		if err != nil {
			return settings.Instance{}, err
		}
		si := settings.Instance{Owner: id.Owner, Name: id.Name, UID: id.UID, Root: st.Root, DB: target}
		return si, sd.SaveInstance(si)
	}
	caps, err := backend.CapabilitiesOf(target)
	if err != nil {
		return settings.Instance{}, invalidf("connect %s: %v", target, err)
	}
	if !caps.LocalPath {
		root, _ := backend.Normalize(target)
		return resolveByStorage(ctx, sd, root)
	}
	target = backend.Path(target)
	if st, err := os.Stat(target); err == nil && st.IsDir() {
		root, err := filepath.Abs(target)
		if err != nil {
			return settings.Instance{}, err
		}
		dbPath := filepath.Join(root, markerDir, "lamin.db")
		if _, err := os.Stat(dbPath); err != nil {
			if _, merr := os.Stat(filepath.Join(root, filepath.FromSlash(markerKey))); merr == nil {
				// Metadata in PostgreSQL, bytes in this folder.
				return resolveByStorage(ctx, sd, root)
			}
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

// open completes an Instance for user su from snap, or reading row by row
// when snap is nil.
func open(ctx context.Context, store *meta.Store, si settings.Instance, sd settings.Dir, o Options, su settings.User, snap *meta.Snapshot) (*Instance, error) {
	if snap == nil {
		id, err := meta.GetInstance(ctx, store)
		if err != nil {
			return nil, err
		}
		st, err := meta.StorageByID(ctx, store, id.StorageID)
		if err != nil {
			return nil, fmt.Errorf("read default storage: %w", err)
		}
		snap = &meta.Snapshot{Instance: id, Storage: st}
	}
	id, st := snap.Instance, snap.Storage
	if st.Type == "local" && st.Root != si.Root && si.Root != "" && si.DB == "" {
		// The folder moved (or is mounted elsewhere): bytes live where we found the database.
		st.Root = si.Root
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
	in := &Instance{owner: id.Owner, name: id.Name, uid: id.UID, store: store, storage: st, blobs: &lazyBlobs{},
		dir: sd, prefs: prefs, cacheDir: cache, opts: o, msg: o.Messages}
	if in.user = snap.User; in.user == nil {
		if in.user, err = in.ensureUser(ctx, su); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// ensureUser finds the current user's row by uid, inserting it on first use.
func (in *Instance) ensureUser(ctx context.Context, su settings.User) (*record.User, error) {
	u, err := meta.UserByUID(ctx, in.store, su.UID)
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, meta.ErrNotFound) {
		return nil, err
	}
	if same, err := meta.UserByHandle(ctx, in.store, su.Handle); err == nil {
		// The same handle was registered from another settings folder: the
		// instance is the authority on who a handle is.
		su.UID = same.UID
		if err := in.dir.SaveUser(su); err != nil {
			return nil, err
		}
		return same, nil
	}
	now := time.Now().UTC()
	u = &record.User{UID: su.UID, Handle: su.Handle, CreatedAt: now, UpdatedAt: now}
	if su.Name != "" {
		u.Name = &su.Name
	}
	if err := meta.InsertUser(ctx, in.store, u); err != nil {
		if errors.Is(err, meta.ErrConflict) {
			return meta.UserByUID(ctx, in.store, su.UID)
		}
		return nil, err
	}
	return u, nil
}

var handleRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$`)

// Login makes handle the current user, creating a local profile with a new
// uid the first time. The user row is added to an instance when the user
// first connects to it.
func Login(handle, name string, o Options) (record.Profile, error) {
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
