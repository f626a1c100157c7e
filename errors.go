package lamin

import (
	"errors"
	"fmt"
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
