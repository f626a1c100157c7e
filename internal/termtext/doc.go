// Package termtext makes text from records safe to print on a terminal:
// control characters (C0, DEL, C1) and invalid UTF-8 are shown as escapes
// such as \x1b, so a description cannot retitle the terminal, clear the
// screen or overwrite a line with a carriage return.
//
// It is for human output only; machine formats (JSON, CSV, TSV) carry
// values exactly and must not pass through it.
package termtext
