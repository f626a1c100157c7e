// Package parquet reads and writes the small part of Apache Parquet that
// lamin needs, without a Parquet library: the row count from a file's footer
// (for n_observations, reading nothing but the footer), and flat tables of
// string, int64 and float64 columns written and read back with PLAIN
// encoding and no compression (the demo's hits table).
//
// Footers are Thrift compact-protocol structs. They are walked once to check
// that every length and count fits in the bytes that remain before anything
// is decoded, so a damaged or hostile file costs memory in proportion to its
// footer only and ends in an error, never a panic.
package parquet
