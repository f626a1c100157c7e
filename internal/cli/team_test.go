package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lamin-go/lamin/internal/testenv"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestTeamScripts runs the scenarios in testdata/team on instances whose
// metadata live in PostgreSQL and whose bytes live on S3 or in a local
// folder. Each script gets $DB and $DB2 (fresh databases) and $BUCKET (a
// fresh bucket shared by the scripts, on the server of LAMIN_TEST_S3). It
// skips unless LAMIN_TEST_POSTGRES and LAMIN_TEST_S3 are set.
func TestTeamScripts(t *testing.T) {
	bucket := testenv.S3(t)
	if os.Getenv(testenv.PostgresEnv) == "" {
		t.Skip(testenv.PostgresEnv + " not set; skipping tests against a real PostgreSQL server")
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/team",
		Setup: func(e *testscript.Env) error {
			tb := e.T().(testing.TB)
			e.Setenv("DB", testenv.Postgres(tb))
			e.Setenv("DB2", testenv.Postgres(tb))
			e.Setenv("BUCKET", bucket)
			for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
				e.Setenv(k, os.Getenv(k))
			}
			e.Setenv("LAMIN_SETTINGS_DIR", filepath.Join(e.WorkDir, ".lamin"))
			e.Setenv("LAMIN_CACHE_DIR", filepath.Join(e.WorkDir, ".cache"))
			e.Setenv("HOME", e.WorkDir)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"capture": cmdCapture},
	})
}
