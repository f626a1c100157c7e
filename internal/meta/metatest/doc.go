// Package metatest is the conformance suite of the metadata store. Every
// dialect runs it: SQLite in the plain test run, PostgreSQL when
// LAMIN_TEST_POSTGRES is set. It asserts what the domain relies on:
// migrations, seed rows, constraints, cascades, transactions and time
// round trips.
package metatest
