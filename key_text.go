package lamin

import (
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// invisibleRunes are characters that change how a key looks or reads
// without being seen: zero-width characters and bidirectional controls
// (a right-to-left override can make "gpj.exe" look like "exe.jpg").
// Keys holding them are refused, so two keys that look the same are the
// same key.
var invisibleRunes = map[rune]string{
	0x200B: "ZERO WIDTH SPACE",
	0x200C: "ZERO WIDTH NON-JOINER",
	0x200D: "ZERO WIDTH JOINER",
	0x200E: "LEFT-TO-RIGHT MARK",
	0x200F: "RIGHT-TO-LEFT MARK",
	0x061C: "ARABIC LETTER MARK",
	0x202A: "LEFT-TO-RIGHT EMBEDDING",
	0x202B: "RIGHT-TO-LEFT EMBEDDING",
	0x202C: "POP DIRECTIONAL FORMATTING",
	0x202D: "LEFT-TO-RIGHT OVERRIDE",
	0x202E: "RIGHT-TO-LEFT OVERRIDE",
	0x2060: "WORD JOINER",
	0x2066: "LEFT-TO-RIGHT ISOLATE",
	0x2067: "RIGHT-TO-LEFT ISOLATE",
	0x2068: "FIRST STRONG ISOLATE",
	0x2069: "POP DIRECTIONAL ISOLATE",
	0xFEFF: "ZERO WIDTH NO-BREAK SPACE",
}

// NormalizeKey returns key in Unicode normalization form C, the form keys
// are stored and matched in: "é" typed as one code point or as "e" and a
// combining accent is one key.
func NormalizeKey(key string) string { return norm.NFC.String(key) }

// checkKeyText refuses keys with invisible or direction-changing
// characters, naming the character and where it is.
func checkKeyText(key string) error {
	for i, r := range key {
		name, bad := invisibleRunes[r]
		if !bad && unicode.Is(unicode.Cf, r) && r >= 0x2000 && r <= 0x206F {
			name, bad = "a formatting character", true
		}
		if bad {
			return invalidf("key %+q contains U+%04X (%s) at byte %d, an invisible character that makes keys look alike; remove it", key, r, name, i)
		}
	}
	return nil
}
