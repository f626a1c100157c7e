package uid

import (
	"crypto/rand"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Alphabet is the set of characters a uid is made of, in base-62 digit order.
// It is also in ASCII order, so comparing two equal-length uids as strings
// compares them as base-62 numbers.
const Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Full uid lengths per record type.
const (
	// ArtifactLen is the length of an artifact uid (stem plus version suffix).
	ArtifactLen = 20
	// CollectionLen is the length of a collection uid (stem plus version suffix).
	CollectionLen = 20
	// TransformLen is the length of a transform uid (stem plus version suffix).
	TransformLen = 16
	// RunLen is the length of a run uid.
	RunLen = 16
	// UserLen is the length of a user uid.
	UserLen = 8
	// StorageLen is the length of a storage location uid.
	StorageLen = 12
	// SpaceLen is the length of a space uid.
	SpaceLen = 12
	// BranchLen is the length of a branch uid.
	BranchLen = 12
	// InstanceLen is the length of an instance uid.
	InstanceLen = 12
)

// Stem and version suffix lengths for versioned record types.
const (
	// ArtifactStemLen is the length of the stem shared by all versions of an
	// artifact (and of a collection).
	ArtifactStemLen = 16
	// TransformStemLen is the length of the stem shared by all versions of a
	// transform.
	TransformStemLen = 12
	// VersionLen is the length of the base62 version suffix.
	VersionLen = 4
)

// firstVersion is the version suffix of the first member of a family.
const firstVersion = "0000"

// maxVersion is the largest value a VersionLen-digit base-62 suffix can hold.
const maxVersion = 62*62*62*62 - 1

// ErrInvalid is wrapped by every error reporting a malformed uid or suffix.
var ErrInvalid = errors.New("invalid uid")

// ErrFamilyExhausted is returned when a version family has used its last
// suffix ("zzzz") and cannot be incremented further.
var ErrFamilyExhausted = errors.New("version family exhausted")

// digit maps a byte to its base-62 value, or -1 if it is not in Alphabet.
var digit = func() [256]int8 {
	var d [256]int8
	for i := range d {
		d[i] = -1
	}
	for i := 0; i < len(Alphabet); i++ {
		d[Alphabet[i]] = int8(i)
	}
	return d
}()

// New returns a random uid of n characters, each drawn uniformly from
// Alphabet using crypto/rand. It returns "" for n <= 0.
func New(n int) string {
	if n <= 0 {
		return ""
	}
	out := make([]byte, 0, n)
	// Each random byte yields a 6-bit candidate; 62 and 63 are rejected so
	// every accepted value is equally likely (no modulo bias). About 97% of
	// candidates are accepted, so a small margin usually suffices.
	buf := make([]byte, n+n/8+8)
	for len(out) < n {
		rand.Read(buf) // never returns an error; it aborts the program instead
		for _, b := range buf {
			v := b >> 2
			if v >= 62 {
				continue
			}
			out = append(out, Alphabet[v])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}

// NewFamily returns a uid for the first version of a new record family: a
// random stem of stemLen characters followed by the suffix "0000".
func NewFamily(stemLen int) string {
	return New(stemLen) + firstVersion
}

// Increment returns the version suffix following suffix. The suffix is read
// as a 4-digit base-62 number in Alphabet order, incremented, and re-encoded
// left-padded with '0'. Incrementing "zzzz" returns ErrFamilyExhausted; a
// suffix of the wrong length or with characters outside Alphabet returns an
// error wrapping ErrInvalid.
func Increment(suffix string) (string, error) {
	if err := check("version suffix", suffix, VersionLen); err != nil {
		return "", err
	}
	v := 0
	for i := 0; i < len(suffix); i++ {
		v = v*62 + int(digit[suffix[i]])
	}
	if v >= maxVersion {
		return "", ErrFamilyExhausted
	}
	v++
	var out [VersionLen]byte
	for i := VersionLen - 1; i >= 0; i-- {
		out[i] = Alphabet[v%62]
		v /= 62
	}
	return string(out[:]), nil
}

// NextVersion returns the uid of the version after uid in its family: the
// same stem with the version suffix incremented. uid must be exactly
// stemLen+VersionLen base62 characters.
func NextVersion(uid string, stemLen int) (string, error) {
	if stemLen < 0 {
		return "", &invalidError{what: "uid", input: uid, reason: fmt.Sprintf("negative stem length %d", stemLen)}
	}
	if err := Valid(uid, stemLen+VersionLen); err != nil {
		return "", err
	}
	next, err := Increment(uid[stemLen:])
	if err != nil {
		return "", err
	}
	return uid[:stemLen] + next, nil
}

// Stem returns the first stemLen characters of uid, the part shared by all
// versions of a record. If uid is shorter than stemLen it is returned whole;
// a negative stemLen yields "".
func Stem(uid string, stemLen int) string {
	if stemLen <= 0 {
		return ""
	}
	if len(uid) <= stemLen {
		return uid
	}
	return uid[:stemLen]
}

// Valid reports whether s is a well-formed uid of n characters: it returns
// nil iff len(s) == n and every character is in Alphabet, and otherwise an
// error wrapping ErrInvalid with a one-line description of the problem.
func Valid(s string, n int) error {
	return check("uid", s, n)
}

// check validates s as n base62 characters, describing it as what in errors.
func check(what, s string, n int) error {
	if len(s) != n {
		return &invalidError{what: what, input: s, reason: fmt.Sprintf("want %d base62 characters, got length %d", n, len(s))}
	}
	for i := 0; i < len(s); i++ {
		if digit[s[i]] < 0 {
			return &invalidError{what: what, input: s, reason: fmt.Sprintf("%s at index %d is not base62; want %d base62 characters", describe(s[i:]), i, n)}
		}
	}
	return nil
}

// describe names the character at the start of s for an error message.
func describe(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("byte 0x%02x", s[0])
	}
	return fmt.Sprintf("character %q", r)
}

// maxQuoted bounds how much of a bad input is echoed in an error message.
const maxQuoted = 64

// invalidError describes a malformed uid or suffix. It matches ErrInvalid
// under errors.Is.
type invalidError struct {
	what   string // "uid" or "version suffix"
	input  string
	reason string
}

func (e *invalidError) Error() string {
	in := e.input
	more := ""
	if len(in) > maxQuoted {
		in, more = in[:maxQuoted], "..."
	}
	return fmt.Sprintf("invalid %s %q%s: %s", e.what, in, more, e.reason)
}

func (e *invalidError) Unwrap() error { return ErrInvalid }
