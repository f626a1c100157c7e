// Package skipper is run by testenv's tests with `go test` to see what a
// developer sees when service-backed tests are skipped.
package skipper

import (
	"os"
	"testing"

	"github.com/lamin-go/lamin/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Run(m)) }

func TestOne(t *testing.T) { testenv.Postgres(t) }

func TestTwo(t *testing.T) {
	t.Run("on PostgreSQL", func(t *testing.T) { testenv.Postgres(t) })
	t.Run("on S3", func(t *testing.T) { testenv.S3(t) })
}

func TestRuns(t *testing.T) {}
