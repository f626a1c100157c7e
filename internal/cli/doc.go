// Package cli is the `lamin` command line: one file per group of commands,
// each parsing flags into an options struct and calling a run function
// that writes to the App's streams. Data goes to stdout, human messages to
// stderr; errors map to exit codes in one place (exitCode).
//
// Commands are thin: every behaviour lives in the SDK (package lamin).
package cli
