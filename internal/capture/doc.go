// Package capture runs the child process behind `lamin run [flags] -- CMD ARGS`.
//
// Run starts the command in lamin's own process group, tees its stdout and
// stderr to the terminal and to a log file (with carriage-return progress
// lines collapsed, see NewLogWriter), forwards signals, and maps the outcome
// to a shell-style exit code. Interpreted finds the script a command runs.
//
// The package knows nothing about runs or databases: the caller creates the
// run record before calling Run and finishes it from the Result.
package capture
