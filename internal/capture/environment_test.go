package capture

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestEnvironmentDescribesTheToolsACommandUses(t *testing.T) {
	ctx := context.Background()
	t.Run("a Go binary lists its modules", func(t *testing.T) {
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		p, err := Environment(ctx, []string{self}, t.TempDir())
		if err != nil || p == "" {
			t.Fatalf("environment of a Go binary: %q, %v", p, err)
		}
		b, _ := os.ReadFile(p)
		if !strings.Contains(string(b), "github.com/lamin-go/lamin") || !strings.Contains(string(b), "go1.") {
			t.Fatalf("environment file:\n%s", b)
		}
	})
	t.Run("a shell command records nothing", func(t *testing.T) {
		p, err := Environment(ctx, []string{"sh", "-c", "true"}, t.TempDir())
		if err != nil || p != "" {
			t.Fatalf("got %q, %v", p, err)
		}
	})
	t.Run("the process environment is never recorded", func(t *testing.T) {
		t.Setenv("LAMIN_TEST_SECRET", "hunter2")
		self, _ := os.Executable()
		p, _ := Environment(ctx, []string{self}, t.TempDir())
		if b, _ := os.ReadFile(p); strings.Contains(string(b), "hunter2") {
			t.Fatal("the environment file holds an environment variable's value")
		}
	})
}
