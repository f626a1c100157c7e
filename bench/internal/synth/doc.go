// Package synth makes the synthetic records the query benchmarks load
// into a generated instance (bench/query on SQLite, bench/team on
// PostgreSQL): realistic keys, descriptions and transforms drawn from one
// vocabulary with a seeded random source, so both benchmarks query data
// of the same shape.
package synth
