// Package testenv gives tests real services when the environment names
// them: a fresh PostgreSQL database (LAMIN_TEST_POSTGRES) and a fresh S3
// bucket (LAMIN_TEST_S3), each removed when the test ends. Without the
// variable the test is skipped with a message naming it; CI sets both.
//
// It is imported by tests only.
package testenv
