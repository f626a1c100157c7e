package settings

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/lamin-go/lamin/record"
)

// ErrNotSet is returned when a current user or instance has not been chosen yet.
var ErrNotSet = errors.New("not set")

// Dir is a settings folder.
type Dir struct {
	Path string
}

// Open returns the settings folder: $LAMIN_SETTINGS_DIR, else ~/.lamin.
func Open() (Dir, error) {
	if p := os.Getenv("LAMIN_SETTINGS_DIR"); p != "" {
		return Dir{Path: p}, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return Dir{}, fmt.Errorf("find settings folder: %w; set LAMIN_SETTINGS_DIR", err)
	}
	return Dir{Path: filepath.Join(home, ".lamin")}, nil
}

// CacheDir returns $LAMIN_CACHE_DIR, else lamindb_cache_path from
// storage.env, else the platform user cache folder + "/lamindb".
func (d Dir) CacheDir() (string, error) {
	if p := os.Getenv("LAMIN_CACHE_DIR"); p != "" {
		return p, nil
	}
	if env, err := ReadEnv(filepath.Join(d.Path, "storage.env")); err == nil && env["lamindb_cache_path"] != "" {
		return env["lamindb_cache_path"], nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find cache folder: %w; set LAMIN_CACHE_DIR", err)
	}
	return filepath.Join(base, "lamindb"), nil
}

// User is a local user profile.
type User = record.Profile

// Instance is what the settings folder knows about an instance.
type Instance struct {
	Owner string
	Name  string
	UID   string
	// Root is the storage root: an absolute local path or s3://bucket/prefix.
	Root string
	// DB is a PostgreSQL URL, or "" for the SQLite file under Root.
	DB string
}

// Slug is owner/name.
func (i Instance) Slug() string { return i.Owner + "/" + i.Name }

func (d Dir) file(name string) string { return filepath.Join(d.Path, name) }

// SaveUser writes user--<handle>.env.
func (d Dir) SaveUser(u User) error {
	return WriteEnv(d.file("user--"+u.Handle+".env"), map[string]string{
		"lamin_user_handle": u.Handle, "lamin_user_uid": u.UID, "lamin_user_name": u.Name,
	})
}

// User reads the profile of handle; ErrNotSet when there is none.
func (d Dir) User(handle string) (User, error) {
	env, err := ReadEnv(d.file("user--" + handle + ".env"))
	if errors.Is(err, os.ErrNotExist) {
		return User{}, fmt.Errorf("user %s: %w", handle, ErrNotSet)
	}
	if err != nil {
		return User{}, err
	}
	return User{Handle: env["lamin_user_handle"], UID: env["lamin_user_uid"], Name: env["lamin_user_name"]}, nil
}

// SetCurrentUser makes handle the current user.
func (d Dir) SetCurrentUser(handle string) error {
	return WriteEnv(d.file("current_user.env"), map[string]string{"lamin_user_handle": handle})
}

// CurrentUser returns the current user's profile, or ErrNotSet.
func (d Dir) CurrentUser() (User, error) {
	env, err := ReadEnv(d.file("current_user.env"))
	if errors.Is(err, os.ErrNotExist) || (err == nil && env["lamin_user_handle"] == "") {
		return User{}, fmt.Errorf("current user: %w", ErrNotSet)
	}
	if err != nil {
		return User{}, err
	}
	return d.User(env["lamin_user_handle"])
}

func instanceFile(owner, name string) string { return "instance--" + owner + "--" + name + ".env" }

// SaveInstance writes instance--<owner>--<name>.env.
func (d Dir) SaveInstance(in Instance) error {
	return WriteEnv(d.file(instanceFile(in.Owner, in.Name)), map[string]string{
		"lamin_instance_owner": in.Owner, "lamin_instance_name": in.Name, "lamin_instance_uid": in.UID,
		"lamin_instance_storage_root": in.Root, "lamin_instance_db": in.DB,
	})
}

// Instance reads a known instance by owner and name.
func (d Dir) Instance(owner, name string) (Instance, error) {
	env, err := ReadEnv(d.file(instanceFile(owner, name)))
	if errors.Is(err, os.ErrNotExist) {
		return Instance{}, fmt.Errorf("instance %s/%s: %w", owner, name, ErrNotSet)
	}
	if err != nil {
		return Instance{}, err
	}
	return Instance{Owner: env["lamin_instance_owner"], Name: env["lamin_instance_name"], UID: env["lamin_instance_uid"],
		Root: env["lamin_instance_storage_root"], DB: env["lamin_instance_db"]}, nil
}

// Instances lists every known instance, sorted by slug.
func (d Dir) Instances() ([]Instance, error) {
	matches, err := filepath.Glob(d.file("instance--*--*.env"))
	if err != nil {
		return nil, err
	}
	var out []Instance
	for _, m := range matches {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(m), ".env"), "--")
		if len(parts) != 3 {
			continue
		}
		in, err := d.Instance(parts[1], parts[2])
		if err == nil {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug() < out[j].Slug() })
	return out, nil
}

// SetCurrentInstance makes in the current instance.
func (d Dir) SetCurrentInstance(in Instance) error {
	return WriteEnv(d.file("current_instance.env"), map[string]string{
		"lamin_instance_owner": in.Owner, "lamin_instance_name": in.Name,
	})
}

// ClearCurrentInstance forgets the current instance (lamin disconnect).
func (d Dir) ClearCurrentInstance() error {
	err := os.Remove(d.file("current_instance.env"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// CurrentInstance returns the current instance, or ErrNotSet.
func (d Dir) CurrentInstance() (Instance, error) {
	env, err := ReadEnv(d.file("current_instance.env"))
	if errors.Is(err, os.ErrNotExist) {
		return Instance{}, fmt.Errorf("current instance: %w", ErrNotSet)
	}
	if err != nil {
		return Instance{}, err
	}
	return d.Instance(env["lamin_instance_owner"], env["lamin_instance_name"])
}

// Preferences are per-instance settings changed with `lamin settings set`.
type Preferences map[string]string

// Preference keys and their defaults.
var preferenceDefaults = map[string]string{
	"track-run-inputs":            "true",
	"search-names":                "true",
	"artifact-skip-size-hash":     "false",
	"silence-missing-run-warning": "false",
	"branch":                      "main",
	"space":                       "all",
}

// PreferenceKeys lists the known preference keys, sorted.
func PreferenceKeys() []string {
	keys := make([]string, 0, len(preferenceDefaults))
	for k := range preferenceDefaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func preferencesFile(owner, name string) string {
	return "preferences--" + owner + "--" + name + ".env"
}

// Preferences reads an instance's preferences, defaults filled in.
func (d Dir) Preferences(owner, name string) (Preferences, error) {
	p := Preferences{}
	for k, v := range preferenceDefaults {
		p[k] = v
	}
	env, err := ReadEnv(d.file(preferencesFile(owner, name)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for k, v := range env {
		p[k] = v
	}
	return p, nil
}

// SetPreference validates and stores one preference of an instance.
func (d Dir) SetPreference(owner, name, key, value string) error {
	def, ok := preferenceDefaults[key]
	if !ok {
		return fmt.Errorf("unknown setting %q; known settings: %s", key, strings.Join(PreferenceKeys(), ", "))
	}
	if def == "true" || def == "false" {
		switch strings.ToLower(value) {
		case "true", "1", "yes", "on":
			value = "true"
		case "false", "0", "no", "off":
			value = "false"
		default:
			return fmt.Errorf("setting %s takes true or false, not %q", key, value)
		}
	}
	p, err := ReadEnv(d.file(preferencesFile(owner, name)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if p == nil {
		p = map[string]string{}
	}
	p[key] = value
	return WriteEnv(d.file(preferencesFile(owner, name)), p)
}

// Bool reads a boolean preference.
func (p Preferences) Bool(key string) bool { return p[key] == "true" }

// ReadEnv parses a KEY=VALUE file; blank lines and # comments are skipped.
func ReadEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		env[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return env, sc.Err()
}

// WriteEnv writes a KEY=VALUE file atomically (temp file + rename), keys sorted.
func WriteEnv(path string, env map[string]string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create settings folder: %w", err)
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if strings.ContainsAny(env[k], "\n\r") {
			return fmt.Errorf("setting %s: value must be one line", k)
		}
		fmt.Fprintf(&b, "%s=%s\n", k, env[k])
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
