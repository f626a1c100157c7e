// Package testenv gives tests real services when the environment names
// them: a fresh PostgreSQL database (LAMIN_TEST_POSTGRES) and a fresh S3
// bucket (LAMIN_TEST_S3), each removed when the test ends. Without the
// variable the test is skipped with a message naming it; CI sets both.
//
// Tests that skip for a missing service or tool call Skip (or Missing), and
// each package's TestMain calls Run, which prints after the tests one line
// per missing need, e.g. "skipped 12 tests that need PostgreSQL: set
// LAMIN_TEST_POSTGRES", where plain `go test ./...` shows it.
//
// It is imported by tests only.
package testenv
