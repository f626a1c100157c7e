// Package dataformat reads what a file is: its suffix, the kind of object it
// holds and how many observations (rows) it contains.
//
// Suffix extraction follows LaminDB's rules exactly so that keys and suffixes
// stored by this module agree with those written by the Python client.
// Observation counts are read cheaply: CSV and TSV files are streamed once,
// Parquet files only have their footer read, and .h5ad files only have the
// HDF5 metadata on the way to the obs index read. Nothing in the package
// panics on truncated or malformed input.
package dataformat
