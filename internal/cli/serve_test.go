package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lamin-go/lamin"
)

// TestServeAnswersUntilInterrupted starts `lamin serve` in-process on a free
// port, asks it for the instance, then cancels its context the way SIGINT
// does and expects a clean exit.
func TestServeAnswersUntilInterrupted(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"LAMIN_SETTINGS_DIR": filepath.Join(dir, "settings"),
		"LAMIN_CACHE_DIR":    filepath.Join(dir, "cache"),
	}
	opts := lamin.Options{SettingsDir: env["LAMIN_SETTINGS_DIR"], CacheDir: env["LAMIN_CACHE_DIR"], Getenv: func(string) string { return "" }}
	if _, err := lamin.Login("testuser1", "", opts); err != nil {
		t.Fatal(err)
	}
	in, err := lamin.Init(t.Context(), filepath.Join(dir, "mydata"), lamin.InitOptions{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	in.Close()

	const token = "cli-test-token-7d3f"
	errR, errW := io.Pipe()
	app := &App{In: strings.NewReader(""), Out: io.Discard, Err: errW, Getenv: func(k string) string { return env[k] }}
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	exit := make(chan int, 1)
	go func() {
		exit <- app.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--token", token})
		errW.Close()
	}()

	// The start-up line names the address bound and carries the token.
	started := regexp.MustCompile(`^→ serving testuser1/mydata at (http://127\.0\.0\.1:[0-9]+)/\?token=` + token + `$`)
	lines := bufio.NewScanner(errR)
	var base string
	for base == "" && lines.Scan() {
		if m := started.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		} else {
			t.Logf("stderr: %s", lines.Text())
		}
	}
	if base == "" {
		t.Fatalf("no start-up line; exit %d", <-exit)
	}
	go io.Copy(io.Discard, errR)

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/api/instance", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]string
	err = json.NewDecoder(res.Body).Decode(&info)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || info["instance"] != "testuser1/mydata" || info["user"] != "testuser1" {
		t.Fatalf("GET /api/instance: %s %v %v", res.Status, info, err)
	}

	stop()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d after the interrupt, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("lamin serve did not stop after the interrupt")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still answers after it stopped")
	}
}

func TestServeRefusesATokenThatCannotTravelInHeaders(t *testing.T) {
	var errOut strings.Builder
	app := &App{In: strings.NewReader(""), Out: io.Discard, Err: &errOut, Getenv: func(string) string { return "" }}
	code := app.Run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--token", "two words"})
	if code != 1 || !strings.Contains(errOut.String(), "use only letters, digits") || strings.Count(errOut.String(), "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestServeRefusesShortTokensAndUnreadableProxies(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--token", "short-token"}, "✗ token is 11 characters, too easy to guess; use at least 16"},
		{[]string{"--token", "long-enough-token-1", "--trusted-proxy", "proxy.example"}, `✗ trusted proxy "proxy.example" is neither an IP address nor a CIDR range`},
	} {
		var errOut strings.Builder
		app := &App{In: strings.NewReader(""), Out: io.Discard, Err: &errOut, Getenv: func(string) string { return "" }}
		code := app.Run(t.Context(), append([]string{"serve", "--addr", "127.0.0.1:0"}, tt.args...))
		if code != 1 || !strings.HasPrefix(errOut.String(), tt.want) || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", tt.args, code, errOut.String())
		}
	}
	var errOut strings.Builder
	app := &App{In: strings.NewReader(""), Out: io.Discard, Err: &errOut, Getenv: func(k string) string {
		if k == serveTokenEnv {
			return "tiny"
		}
		return ""
	}}
	if code := app.Run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0"}); code != 1 || !strings.Contains(errOut.String(), "token is 4 characters") {
		t.Errorf("a short $%s: exit %d, stderr %q", serveTokenEnv, code, errOut.String())
	}
}
