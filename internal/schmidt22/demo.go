package schmidt22

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamin-go/lamin"
	"github.com/lamin-go/lamin/internal/settings"
)

// DemoConfig says where `lamin demo` runs the walkthrough.
type DemoConfig struct {
	// Dir is the storage root of the demo instance; "" means DefaultDir.
	// It must not exist, be empty, or hold an earlier demo instance,
	// which is then replaced.
	Dir string
	// Options are passed to the SDK (settings and cache folders, messages).
	Options lamin.Options
	// Log receives the narration (nil: discarded).
	Log io.Writer
	// Cells is the number of cells in the Perturb-seq experiment.
	Cells int
	// Self is the running executable: the lamin the steps' scripts call
	// when no lamin is on PATH.
	Self string
	// GoOnly lets Go do every step's work even where python3 could run
	// the step's file.
	GoOnly bool
}

// DemoOutcome is what a demo did to the user's folders and settings.
type DemoOutcome struct {
	*Result
	// Dir is the demo instance's storage root.
	Dir string
	// Replaced reports that an earlier demo instance in Dir was removed.
	Replaced bool
	// MovedFrom is the folder the demo instance's settings entry named
	// before, when it was another one (that folder is left as it was).
	MovedFrom string
	// PreviousInstance is the slug of the instance that was current
	// before the demo ("" if none was).
	PreviousInstance string
	// PreviousUser is the handle of the user who was current before the
	// demo and is current again afterwards ("" if none was: the demo's
	// testuser1 then stays logged in).
	PreviousUser string
}

// DefaultDir is where the demo instance lives unless told otherwise:
// schmidt22-demo in lamin's cache folder ($LAMIN_CACHE_DIR or the platform
// cache folder), which, unlike the system temporary folder, is not cleaned
// behind the user's back.
func DefaultDir(o lamin.Options) (string, error) {
	cache := o.CacheDir
	if cache == "" {
		sd, err := settingsDir(o)
		if err != nil {
			return "", err
		}
		if cache, err = sd.CacheDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(cache, DemoName), nil
}

func settingsDir(o lamin.Options) (settings.Dir, error) {
	if o.SettingsDir != "" {
		return settings.Dir{Path: o.SettingsDir}, nil
	}
	return settings.Open()
}

// FolderInUseError is returned by Demo when its folder holds files that
// are not an earlier demo instance; nothing is changed then.
type FolderInUseError struct {
	Dir string
}

// Error names the folder and the way out.
func (e *FolderInUseError) Error() string {
	return fmt.Sprintf("demo folder %s is not empty and holds no earlier demo instance; pass a new folder with --dir", e.Dir)
}

// Demo runs the walkthrough on a local instance of its own,
// testuser1/schmidt22-demo, leaving every other instance's settings entry
// alone: it replaces only an earlier demo instance, makes the demo
// instance current and afterwards logs the previously current user back
// in. The outcome says what was current before, so the caller can tell the
// user how to return. On failure the current instance and user are
// restored.
func Demo(ctx context.Context, cfg DemoConfig) (*DemoOutcome, error) {
	sd, err := settingsDir(cfg.Options)
	if err != nil {
		return nil, err
	}
	out := &DemoOutcome{Dir: cfg.Dir}
	if out.Dir == "" {
		if out.Dir, err = DefaultDir(cfg.Options); err != nil {
			return nil, err
		}
	}
	if out.Dir, err = filepath.Abs(out.Dir); err != nil {
		return nil, err
	}
	prevInst, errInst := sd.CurrentInstance()
	if errInst == nil {
		out.PreviousInstance = prevInst.Slug()
	}
	if u, err := sd.CurrentUser(); err == nil {
		out.PreviousUser = u.Handle
	}
	if out.Replaced, err = clearDemoFolder(out.Dir); err != nil {
		return nil, err
	}
	if out.Replaced && cfg.Log != nil {
		fmt.Fprintf(cfg.Log, "→ replacing the earlier demo instance in %s (only that folder)\n", out.Dir)
	}
	owner := "testuser1"
	if old, err := sd.Instance(owner, DemoName); err == nil && old.Root != out.Dir {
		out.MovedFrom = old.Root
	}
	run, why := Interpreters{}, "--go-only"
	if !cfg.GoOnly {
		run, why = FindInterpreters(cfg.Self)
	}
	if cfg.Log != nil {
		if why != "" {
			fmt.Fprintf(cfg.Log, "→ %s: %s\n", why, run.Describe())
		} else {
			fmt.Fprintf(cfg.Log, "→ %s\n", run.Describe())
		}
	}
	res, err := Run(ctx, Config{Dir: out.Dir, Options: cfg.Options, Log: cfg.Log, Cells: cfg.Cells, Name: DemoName, Run: run})
	out.Result = res
	if err != nil {
		// Leave the user where they were.
		if errInst == nil {
			sd.SetCurrentInstance(prevInst)
		} else {
			sd.ClearCurrentInstance()
		}
		if out.PreviousUser != "" {
			sd.SetCurrentUser(out.PreviousUser)
		}
		return out, err
	}
	if out.PreviousUser != "" {
		if err := sd.SetCurrentUser(out.PreviousUser); err != nil {
			return out, err
		}
	}
	return out, nil
}

// clearDemoFolder makes sure dir can receive a new demo instance: missing
// or empty is fine; an earlier demo instance (its storage marker names
// the demo's instance) is removed; anything else is refused.
func clearDemoFolder(dir string) (replaced bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(entries) == 0) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	marker, err := os.ReadFile(filepath.Join(dir, ".lamindb", "storage_uid.txt"))
	if err != nil || !isDemoMarker(string(marker)) {
		return false, &FolderInUseError{Dir: dir}
	}
	if err := os.RemoveAll(dir); err != nil {
		return false, fmt.Errorf("remove the earlier demo instance in %s: %w", dir, err)
	}
	return true, nil
}

// isDemoMarker reports whether a storage marker's text names an instance
// called DemoName.
func isDemoMarker(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		if slug, ok := strings.CutPrefix(strings.TrimSpace(line), "instance_slug="); ok {
			return strings.HasSuffix(slug, "/"+DemoName)
		}
	}
	return false
}
