package blob

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// MaxKeyLen is the maximum length of a key in bytes.
	MaxKeyLen = 1024
	// MaxSegmentLen is the maximum length in bytes of one slash-separated
	// segment of a key.
	MaxSegmentLen = 255
)

// ValidKey reports whether key is usable as an object key. A key is a
// relative, slash-separated path of valid UTF-8 whose segments are
// non-empty, not "." or "..", at most MaxSegmentLen bytes long, and free of
// backslashes, NUL bytes and control characters; the whole key is at most
// MaxKeyLen bytes. The returned error wraps ErrInvalidKey and names the key
// and the problem on one line.
func ValidKey(key string) error {
	if reason := checkKey(key, false); reason != "" {
		return fmt.Errorf("%w %s: %s", ErrInvalidKey, quoteKey(key), reason)
	}
	return nil
}

// ValidPrefix reports whether prefix is usable as a List prefix. The empty
// prefix matches everything. Otherwise every complete segment must be valid
// as in ValidKey, while the final segment may be partial: it may be empty
// (a trailing slash), ".", or ".." because it only has to be the start of a
// valid segment. The returned error wraps ErrInvalidKey.
func ValidPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if reason := checkKey(prefix, true); reason != "" {
		return fmt.Errorf("%w prefix %s: %s", ErrInvalidKey, quoteKey(prefix), reason)
	}
	return nil
}

// checkKey returns a description of what is wrong with s, or "" if it is
// valid. If prefix is set, the last segment is treated as a partial one.
func checkKey(s string, prefix bool) string {
	if s == "" {
		return "empty"
	}
	if len(s) > MaxKeyLen {
		return fmt.Sprintf("%d bytes long, limit is %d", len(s), MaxKeyLen)
	}
	if s[0] == '/' {
		return "absolute path (leading slash)"
	}
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return fmt.Sprintf("invalid UTF-8 at byte %d", i)
		case r == 0:
			return fmt.Sprintf("NUL byte at byte %d", i)
		case r == '\\':
			return fmt.Sprintf("backslash at byte %d", i)
		case unicode.IsControl(r):
			return fmt.Sprintf("control character %q at byte %d", r, i)
		}
	}
	segs := strings.Split(s, "/")
	for i, seg := range segs {
		if len(seg) > MaxSegmentLen {
			return fmt.Sprintf("segment %d is %d bytes long, limit is %d", i+1, len(seg), MaxSegmentLen)
		}
		last := i == len(segs)-1
		if prefix && last {
			continue
		}
		switch {
		case seg == "" && last:
			return "trailing slash"
		case seg == "":
			return fmt.Sprintf("empty segment %d", i+1)
		case seg == "." || seg == "..":
			return fmt.Sprintf("segment %d is %q", i+1, seg)
		}
	}
	return ""
}

// quoteKey quotes s for an error message, shortening very long keys.
func quoteKey(s string) string {
	const show = 64
	if len(s) <= show {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:show]), len(s))
}
