package hashing

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// PartSize is the multipart part size in bytes (50 MiB). Content of at most
// PartSize bytes is hashed with a single MD5; larger content is hashed in
// parts.
const PartSize int64 = 52428800

// MaxParts is the largest number of parts a multipart hash may have.
const MaxParts = 10000

// HashLen is the length of every encoded hash string.
const HashLen = 22

// partSizeStep is the granularity that part sizes are rounded up to when
// content is too large for MaxParts parts of PartSize.
const partSizeStep int64 = 5 << 20

// Hash types stored alongside a hash.
const (
	// TypeMD5 marks the MD5 of the full content.
	TypeMD5 = "md5"
	// TypeDir marks a folder hash computed by Dir or Strings.
	TypeDir = "md5-d"
	// typeMultipartPrefix prefixes the part count of a multipart hash.
	typeMultipartPrefix = "md5-"
)

// Result is the hash of a file or folder.
type Result struct {
	// Hash is the 22-character encoded hash.
	Hash string
	// Type is "md5", "md5-<n>" for an n-part multipart hash, or "md5-d" for a folder.
	Type string
	// Size is the number of content bytes hashed (summed over files for a folder).
	Size int64
	// NFiles is the number of files in a folder; it is 0 for a single file.
	NFiles int64
}

// PartSizeFor returns the part size used to hash content of size bytes.
// It is PartSize unless that would need more than MaxParts parts, in which
// case it is ceil(size/MaxParts) rounded up to a multiple of 5 MiB.
func PartSizeFor(size int64) int64 {
	if size <= MaxParts*PartSize {
		return PartSize
	}
	p := (size + MaxParts - 1) / MaxParts
	return (p + partSizeStep - 1) / partSizeStep * partSizeStep
}

// Encode returns digest as URL-safe base64 without padding, truncated to
// HashLen characters.
func Encode(digest []byte) string {
	s := base64.RawURLEncoding.EncodeToString(digest)
	if len(s) > HashLen {
		s = s[:HashLen]
	}
	return s
}

// Bytes returns the encoded MD5 of b, as used for source code hashes.
func Bytes(b []byte) string {
	d := md5.Sum(b)
	return Encode(d[:])
}

// multipartType returns the hash type for an n-part multipart hash.
func multipartType(n int64) string {
	return typeMultipartPrefix + strconv.FormatInt(n, 10)
}

// parseParts parses the decimal part count of a multipart suffix. It accepts
// only the canonical form (no sign, no leading zeros) in 1..MaxParts, so that
// conversions round-trip exactly.
func parseParts(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxParts || strconv.Itoa(n) != s {
		return 0, fmt.Errorf("invalid part count %q: want an integer in 1..%d", s, MaxParts)
	}
	return n, nil
}

// ErrChanged reports that content changed size while it was being hashed.
var ErrChanged = errors.New("file changed while hashing")

// ErrNoETag reports a hash type that has no S3 ETag equivalent.
var ErrNoETag = errors.New("hash type has no ETag equivalent")

// FromETag converts an S3 ETag into a hash and hash type. Surrounding quotes
// are removed. A plain ETag of 32 hex digits yields type "md5"; a multipart
// ETag "<hex>-<n>" yields type "md5-<n>". Any other form is an error.
func FromETag(etag string) (hash, hashType string, err error) {
	s := strings.TrimPrefix(strings.TrimSuffix(etag, `"`), `"`)
	hexPart, parts, multipart := strings.Cut(s, "-")
	if len(hexPart) != 2*md5.Size {
		return "", "", fmt.Errorf("invalid ETag %q: want 32 hex digits, optionally followed by -<parts>", etag)
	}
	digest, err := hex.DecodeString(hexPart)
	if err != nil {
		return "", "", fmt.Errorf("invalid ETag %q: non-hex character in digest", etag)
	}
	if !multipart {
		return Encode(digest), TypeMD5, nil
	}
	n, err := parseParts(parts)
	if err != nil {
		return "", "", fmt.Errorf("invalid ETag %q: %w", etag, err)
	}
	return Encode(digest), multipartType(int64(n)), nil
}

// ETag converts a hash of type "md5" or "md5-<n>" into the S3 ETag (without
// quotes) that an object with that content has: lowercase hex, plus "-<n>"
// for multipart hashes. Other hash types return an error wrapping ErrNoETag.
func ETag(hash, hashType string) (string, error) {
	suffix := ""
	switch {
	case hashType == TypeMD5:
	case hashType == TypeDir:
		return "", fmt.Errorf("%w: %q", ErrNoETag, hashType)
	case strings.HasPrefix(hashType, typeMultipartPrefix):
		n, err := parseParts(hashType[len(typeMultipartPrefix):])
		if err != nil {
			return "", fmt.Errorf("%w: %q: %v", ErrNoETag, hashType, err)
		}
		suffix = "-" + strconv.Itoa(n)
	default:
		return "", fmt.Errorf("%w: %q", ErrNoETag, hashType)
	}
	if len(hash) != HashLen {
		return "", fmt.Errorf("invalid hash %q: want %d base64url characters", hash, HashLen)
	}
	digest, err := base64.RawURLEncoding.Strict().DecodeString(hash)
	if err != nil || len(digest) != md5.Size {
		return "", fmt.Errorf("invalid hash %q: not the encoding of an MD5 digest", hash)
	}
	return hex.EncodeToString(digest) + suffix, nil
}
