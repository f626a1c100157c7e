package schmidt22

import (
	"os"
	"testing"

	"github.com/lamin-go/lamin/internal/testenv"
)

// TestMain runs the tests and then says which ones did not run for want of
// a service or tool (PostgreSQL, S3, ...) and how to provide it.
func TestMain(m *testing.M) { os.Exit(testenv.Run(m)) }
