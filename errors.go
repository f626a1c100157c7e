package lamin

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Error categories. Every error returned by the SDK wraps one of them, so
// callers (the CLI's exit codes, the server's HTTP statuses) map errors once.
var (
	// ErrNotFound: the record or file asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the caller passed something unusable.
	ErrInvalid = errors.New("invalid argument")
	// ErrConflict: the request clashes with existing state.
	ErrConflict = errors.New("conflict")
	// ErrPermission: the caller may not do this.
	ErrPermission = errors.New("permission denied")
)

// userError is an error whose message is complete for a user: the CLI prints
// it as it is, while errors.Is still sees its category.
type userError struct {
	msg string
	cat error
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.cat }

func invalidf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...), cat: ErrInvalid}
}

func notFoundf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...), cat: ErrNotFound}
}

func conflictf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...), cat: ErrConflict}
}

// shown renders user-given text for an error message: as is when it is
// printable, Go-quoted when it holds control characters (a newline or NUL
// must never split or truncate a one-line message).
func shown(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return strconv.Quote(s)
		}
	}
	return s
}
