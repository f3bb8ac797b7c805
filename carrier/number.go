package carrier

import "strings"

// Limits of a tracking number (docs/protocol.md §1: 6–32 characters).
const (
	MinNumberLen = 6
	MaxNumberLen = 32
)

// NormalizeNumber returns the canonical form of a tracking number: spaces
// around it trimmed and ASCII letters upper-cased. It reports false for
// garbage: fewer than MinNumberLen or more than MaxNumberLen characters, any
// character other than an ASCII letter, digit or '-', or no digit at all
// (every carrier's numbers carry digits; "ABCDEFGH" is a word, not a
// number). The detector only ever sees normalised numbers.
func NormalizeNumber(number string) (string, bool) {
	s := strings.TrimSpace(number)
	if len(s) < MinNumberLen || len(s) > MaxNumberLen {
		return "", false
	}
	lower, digit := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digit = true
		case 'A' <= c && c <= 'Z':
		case 'a' <= c && c <= 'z':
			lower = true
		case c == '-':
		default:
			return "", false
		}
	}
	if !digit {
		return "", false
	}
	if lower {
		s = strings.ToUpper(s)
	}
	return s, true
}

// s10Shape reports whether a normalised number has the shape of a UPU S10
// item identifier: two letters, eight serial digits, a check digit and a
// two-letter country code ("EA123456785CN").
func s10Shape(x string) bool {
	if len(x) != 13 {
		return false
	}
	for i := 0; i < 13; i++ {
		c := x[i]
		letter := 'A' <= c && c <= 'Z'
		digit := '0' <= c && c <= '9'
		if (i < 2 || i > 10) && !letter || i >= 2 && i <= 10 && !digit {
			return false
		}
	}
	return true
}

// ValidS10 reports whether number is a UPU S10 item identifier with a
// correct check digit (UPU standard S10): the serial digits are weighted
// 8, 6, 4, 2, 3, 5, 9, 7, the check digit is 11 − sum mod 11, with 10
// written as 0 and 11 as 5. China Post and EMS use it for international
// items ("EA123456785CN"). The number is normalised first.
func ValidS10(number string) bool {
	x, ok := NormalizeNumber(number)
	return ok && validS10(x)
}

// validS10 is ValidS10 for a normalised number.
func validS10(x string) bool {
	if !s10Shape(x) {
		return false
	}
	weights := [8]int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i, w := range weights {
		sum += int(x[2+i]-'0') * w
	}
	check := 11 - sum%11
	switch check {
	case 10:
		check = 0
	case 11:
		check = 5
	}
	return int(x[10]-'0') == check
}
