package uid

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestAlphabet(t *testing.T) {
	if len(Alphabet) != 62 {
		t.Fatalf("len(Alphabet) = %d, want 62", len(Alphabet))
	}
	for i := 1; i < len(Alphabet); i++ {
		if Alphabet[i-1] >= Alphabet[i] {
			t.Fatalf("Alphabet not in ASCII order at index %d", i)
		}
	}
}

func TestLengths(t *testing.T) {
	tests := []struct {
		name      string
		full      int
		stem      int
		wantTotal int
	}{
		{"artifact", ArtifactLen, ArtifactStemLen, 20},
		{"collection", CollectionLen, ArtifactStemLen, 20},
		{"transform", TransformLen, TransformStemLen, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.full != tt.wantTotal || tt.stem+VersionLen != tt.full {
				t.Errorf("full=%d stem=%d version=%d, want stem+version=%d", tt.full, tt.stem, VersionLen, tt.wantTotal)
			}
		})
	}
}

func TestIncrement(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"0000", "0001"},
		{"0009", "000A"},
		{"000Z", "000a"},
		{"000z", "0010"},
		{"00zz", "0100"},
		{"0zzz", "1000"},
		{"zzzy", "zzzz"},
		{"1234", "1235"},
	}
	for _, tt := range tests {
		t.Run(tt.in+"_to_"+tt.want, func(t *testing.T) {
			got, err := Increment(tt.in)
			if err != nil {
				t.Fatalf("Increment(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Increment(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIncrementErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
		wantMsg string
	}{
		{"exhausted", "zzzz", ErrFamilyExhausted, "version family exhausted"},
		{"too short", "000", ErrInvalid, `invalid version suffix "000": want 4 base62 characters, got length 3`},
		{"too long", "00000", ErrInvalid, `"00000"`},
		{"empty", "", ErrInvalid, `""`},
		{"dash", "00-0", ErrInvalid, `character '-' at index 2`},
		{"unicode", "0é0", ErrInvalid, `"0é0"`},
		{"nul", "00\x000", ErrInvalid, `character '\x00' at index 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Increment(tt.in)
			if err == nil {
				t.Fatalf("Increment(%q) = %q, want error", tt.in, got)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Increment(%q) error %v, want errors.Is %v", tt.in, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Increment(%q) error %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
		})
	}
	if ErrFamilyExhausted.Error() != "version family exhausted" {
		t.Errorf("ErrFamilyExhausted text = %q", ErrFamilyExhausted)
	}
}

func TestNextVersion(t *testing.T) {
	tests := []struct {
		name    string
		uid     string
		stemLen int
		want    string
		wantErr error
	}{
		{"artifact first", "abcdefghijklmnop0000", ArtifactStemLen, "abcdefghijklmnop0001", nil},
		{"artifact carry", "abcdefghijklmnop00zz", ArtifactStemLen, "abcdefghijklmnop0100", nil},
		{"transform", "ABCDEFGHIJKL000z", TransformStemLen, "ABCDEFGHIJKL0010", nil},
		{"exhausted", "ABCDEFGHIJKLzzzz", TransformStemLen, "", ErrFamilyExhausted},
		{"wrong length", "ABCDEFGHIJKL0000", ArtifactStemLen, "", ErrInvalid},
		{"bad stem char", "ABCDEFGHIJK-0000", TransformStemLen, "", ErrInvalid},
		{"negative stem", "0000", -1, "", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NextVersion(tt.uid, tt.stemLen)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("NextVersion(%q, %d) = %q, %v; want error %v", tt.uid, tt.stemLen, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NextVersion(%q, %d) = %q, %v; want %q", tt.uid, tt.stemLen, got, err, tt.want)
			}
		})
	}
}

func TestStem(t *testing.T) {
	tests := []struct {
		name    string
		uid     string
		stemLen int
		want    string
	}{
		{"artifact", "abcdefghijklmnop0003", ArtifactStemLen, "abcdefghijklmnop"},
		{"transform", "ABCDEFGHIJKL0003", TransformStemLen, "ABCDEFGHIJKL"},
		{"shorter than stem", "abc", 12, "abc"},
		{"zero", "abc", 0, ""},
		{"negative", "abc", -3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Stem(tt.uid, tt.stemLen); got != tt.want {
				t.Errorf("Stem(%q, %d) = %q, want %q", tt.uid, tt.stemLen, got, tt.want)
			}
		})
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		n       int
		wantMsg string // empty means valid
	}{
		{"run uid", "0123456789ABCdef", RunLen, ""},
		{"user uid", "zzzzzzzz", UserLen, ""},
		{"empty zero", "", 0, ""},
		{"too short", "x", 16, `invalid uid "x": want 16 base62 characters, got length 1`},
		{"too long", "123456789", UserLen, `invalid uid "123456789": want 8 base62 characters`},
		{"negative length", "", -1, `want -1 base62 characters`},
		{"dash", "abc-efgh", UserLen, `invalid uid "abc-efgh": character '-' at index 3 is not base62; want 8 base62 characters`},
		{"space first", " bcdefgh", UserLen, `character ' ' at index 0`},
		{"nul byte", "abcdefg\x00", UserLen, `character '\x00' at index 7`},
		{"newline", "abcdefg\n", UserLen, `character '\n' at index 7`},
		{"unicode", "abcdeéf", UserLen, `character 'é' at index 5`},
		{"invalid utf8", "abcdefg\xff", UserLen, `byte 0xff at index 7`},
		{"huge", strings.Repeat("a", 1<<20), UserLen, `"...: want 8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Valid(tt.in, tt.n)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Valid(%q, %d) = %v, want nil", tt.in, tt.n, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Valid(%q, %d) = nil, want error", tt.in, tt.n)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Valid error %v does not wrap ErrInvalid", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("Valid error %q, want it to contain %q", msg, tt.wantMsg)
			}
			if strings.ContainsAny(msg, "\n\r") || len(msg) > 256 {
				t.Errorf("Valid error is not a short single line: %q", msg)
			}
		})
	}
}

func TestNew(t *testing.T) {
	for _, n := range []int{0, 1, UserLen, StorageLen, RunLen, ArtifactLen, 1000} {
		t.Run(lenName(n), func(t *testing.T) {
			got := New(n)
			if err := Valid(got, n); err != nil {
				t.Fatalf("New(%d) = %q: %v", n, got, err)
			}
		})
	}
	t.Run("negative", func(t *testing.T) {
		if got := New(-5); got != "" {
			t.Errorf("New(-5) = %q, want empty", got)
		}
	})
	t.Run("unique", func(t *testing.T) {
		seen := make(map[string]bool)
		for range 10000 {
			u := New(RunLen)
			if seen[u] {
				t.Fatalf("New(%d) repeated %q", RunLen, u)
			}
			seen[u] = true
		}
	})
}

func TestNewFamily(t *testing.T) {
	tests := []struct {
		name    string
		stemLen int
		full    int
	}{
		{"artifact", ArtifactStemLen, ArtifactLen},
		{"transform", TransformStemLen, TransformLen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := NewFamily(tt.stemLen)
			if err := Valid(u, tt.full); err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(u, "0000") {
				t.Errorf("NewFamily(%d) = %q, want suffix 0000", tt.stemLen, u)
			}
			next, err := NextVersion(u, tt.stemLen)
			if err != nil {
				t.Fatal(err)
			}
			if want := Stem(u, tt.stemLen) + "0001"; next != want {
				t.Errorf("NextVersion(%q) = %q, want %q", u, next, want)
			}
		})
	}
}

// TestNewDistribution checks that every character of Alphabet is drawn about
// equally often. The chi-square bound is far beyond what a uniform source
// produces (df = 61, so the statistic is around 61 ± 11), so it only fails on
// real bias, such as a modulo reduction favouring the first characters.
func TestNewDistribution(t *testing.T) {
	const perChar = 2000
	counts := make(map[rune]int)
	for _, r := range New(62 * perChar) {
		counts[r]++
	}
	if len(counts) != 62 {
		t.Fatalf("saw %d distinct characters, want 62", len(counts))
	}
	chi2 := 0.0
	for _, c := range counts {
		d := float64(c - perChar)
		chi2 += d * d / perChar
	}
	if chi2 > 200 {
		t.Errorf("chi-square statistic %.1f over 62 characters suggests bias; counts %v", chi2, counts)
	}
}

func lenName(n int) string {
	return "len_" + strconv.Itoa(n)
}

func FuzzValid(f *testing.F) {
	f.Add("0123456789ABCdef", 16)
	f.Add("x", 16)
	f.Add("abc\x00", 4)
	f.Add("é", 2)
	f.Add("", -1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		err := Valid(s, n)
		if err == nil {
			if len(s) != n {
				t.Fatalf("Valid(%q, %d) = nil for wrong length", s, n)
			}
			for i := 0; i < len(s); i++ {
				if !strings.Contains(Alphabet, s[i:i+1]) {
					t.Fatalf("Valid(%q, %d) = nil with non-base62 byte at %d", s, n, i)
				}
			}
			return
		}
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("Valid(%q, %d) error %v does not wrap ErrInvalid", s, n, err)
		}
		if strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("Valid error is multi-line: %q", err)
		}
	})
}

func FuzzIncrement(f *testing.F) {
	for _, s := range []string{"0000", "000z", "00zz", "zzzz", "zzzy", "abc", "ab-d", "\x00\x00\x00\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Increment(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrFamilyExhausted) {
				t.Fatalf("Increment(%q) unexpected error %v", s, err)
			}
			return
		}
		if err := Valid(got, VersionLen); err != nil {
			t.Fatalf("Increment(%q) = %q: %v", s, got, err)
		}
		// Alphabet is in ASCII order, so string order is numeric order.
		if got <= s {
			t.Fatalf("Increment(%q) = %q, not greater than input", s, got)
		}
	})
}
