package status

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// featureSet is a set of features, one bit each.
type featureSet [2]uint64

func (s *featureSet) add(f feature)           { s[f>>6] |= 1 << (f & 63) }
func (s featureSet) has(f feature) bool       { return s[f>>6]&(1<<(f&63)) != 0 }
func (s featureSet) hasAll(m featureSet) bool { return s[0]&m[0] == m[0] && s[1]&m[1] == m[1] }
func (s featureSet) hasAny(m featureSet) bool { return s[0]&m[0] != 0 || s[1]&m[1] != 0 }
func (s featureSet) empty() bool              { return s[0] == 0 && s[1] == 0 }

func (s *featureSet) union(m featureSet) { s[0] |= m[0]; s[1] |= m[1] }

func setOf(fs ...feature) featureSet {
	var s featureSet
	for _, f := range fs {
		s.add(f)
	}
	return s
}

// names lists the features of s, for rule documentation.
func (s featureSet) names() []string {
	var out []string
	for f := feature(0); f < numFeatures; f++ {
		if s.has(f) {
			out = append(out, featureNames[f])
		}
	}
	return out
}

// keyword is one compiled lexicon word.
type keyword struct {
	text  string
	feats featureSet
	flags kwFlag
}

var (
	keywords []keyword
	// firstRune maps a rune of the Basic Multilingual Plane to 1 + the index
	// of the bucket of keywords starting with it (0: none). A flat table
	// costs 128 KiB and makes the scan one array load per rune.
	firstRune [1 << 16]uint16
	buckets   [][]uint16 // keyword indexes, longest first
)

func init() { compileLexicon() }

func compileLexicon() {
	byText := map[string]int{}
	for _, e := range lexicon {
		for _, w := range strings.Split(e.words, "|") {
			t := string(normalize(nil, w))
			if t == "" {
				panic(fmt.Sprintf("status: empty keyword in %q", e.words))
			}
			i, ok := byText[t]
			if !ok {
				i = len(keywords)
				byText[t] = i
				keywords = append(keywords, keyword{text: t})
			}
			k := &keywords[i]
			k.feats.union(setOf(e.feats...))
			k.flags |= e.flags
		}
	}
	for i, k := range keywords {
		r, _ := utf8.DecodeRuneInString(k.text)
		if r >= 1<<16 {
			panic(fmt.Sprintf("status: keyword %q starts outside the BMP", k.text))
		}
		b := firstRune[r]
		if b == 0 {
			buckets = append(buckets, nil)
			b = uint16(len(buckets))
			firstRune[r] = b
		}
		buckets[b-1] = append(buckets[b-1], uint16(i))
	}
	for _, b := range buckets {
		sort.SliceStable(b, func(i, j int) bool { return len(keywords[b[i]].text) > len(keywords[b[j]].text) })
	}
}

// normalize appends to dst the scan form of s: white space removed (carriers
// space words at random: "快件已被 本人 签收"), ASCII lower-cased, full-width
// ASCII folded to half width ("，" → ","), 【】〔〕 folded to [], newlines
// turned into clause breaks and invalid UTF-8 dropped.
func normalize(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f':
				continue
			case c == '\n':
				c = ','
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			continue
		}
		// Fast path: CJK ideographs (lead bytes E4–E9) pass through as is.
		if c >= 0xE4 && c <= 0xE9 && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			dst = append(dst, s[i:i+3]...)
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
		case r >= 0xFF01 && r <= 0xFF5E:
			c := byte(r - 0xFEE0)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		case r == 0x3000 || r == 0xA0 || r == 0xFEFF || (r >= 0x2000 && r <= 0x200B):
		case r == '【' || r == '〔' || r == '〖' || r == '「' || r == '『':
			dst = append(dst, '[')
		case r == '】' || r == '〕' || r == '〗' || r == '」' || r == '』':
			dst = append(dst, ']')
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

const ideographicStop = "。"

// isDelim reports whether a clause ends at b[i].
func isDelim(b []byte, i int) bool {
	switch b[i] {
	case ',', ';', '!', '?', '.', ')', ']', '|':
		return true
	case ideographicStop[0]:
		return i+3 <= len(b) && string(b[i:i+3]) == ideographicStop
	}
	return false
}

// delimBefore reports whether position i starts the text or a clause.
func delimBefore(b []byte, i int) bool {
	if i == 0 {
		return true
	}
	switch b[i-1] {
	case ',', ';', '!', '?', '.', ')', ']', '|':
		return true
	}
	return i >= 3 && string(b[i-3:i]) == ideographicStop
}

// delimAt reports whether position i ends the text or a clause.
func delimAt(b []byte, i int) bool { return i >= len(b) || isDelim(b, i) }

func clauseEnd(b []byte, from int) int {
	for j := from; j < len(b); j++ {
		if isDelim(b, j) {
			return j
		}
	}
	return len(b)
}

// match is what a scan found in one text.
type match struct {
	feats featureSet
	// strong and weak are the carriers named right after a hand-over verb
	// (转EMS, 交由邮政) or a movement verb (发往申通).
	strong, weak carrierGroup
}

// scan runs the lexicon over a normalised text, left to right: at each
// rune, the keywords starting with it are tried longest first. A keyword
// lying inside an earlier span mask is ignored; a clause mask skips to the
// end of its clause.
func (m *match) scan(b []byte) {
	maskEnd := 0
	for i := 0; i < len(b); {
		r, size := rune(b[i]), 1
		switch {
		case r < utf8.RuneSelf:
		case r&0xF0 == 0xE0 && i+2 < len(b) && b[i+1]&0xC0 == 0x80 && b[i+2]&0xC0 == 0x80:
			// normalize leaves only valid UTF-8, so a 3-byte sequence
			// decodes without the general decoder's checks.
			r, size = (r&0x0F)<<12|rune(b[i+1]&0x3F)<<6|rune(b[i+2]&0x3F), 3
		default:
			r, size = utf8.DecodeRune(b[i:])
		}
		next := i + size
		if r < 1<<16 && firstRune[r] != 0 {
			for _, id := range buckets[firstRune[r]-1] {
				k := &keywords[id]
				end := i + len(k.text)
				if end > len(b) || end <= maskEnd || string(b[i:end]) != k.text {
					continue
				}
				if k.flags&atStart != 0 && !delimBefore(b, i) || k.flags&atEnd != 0 && !delimAt(b, end) {
					continue
				}
				m.feats.union(k.feats)
				if k.flags&maskClause != 0 {
					next = clauseEnd(b, end)
					break
				}
				if k.flags&(strongVerb|weakVerb) != 0 {
					if g := carrierAfter(b, end); g != 0 {
						if k.flags&strongVerb != 0 {
							m.strong |= g
						} else {
							m.weak |= g
						}
					}
				}
				if k.flags&maskSpan != 0 {
					maskEnd = end
				}
			}
		}
		i = next
	}
}

// carrierAfter returns the carrier named at b[i:] (after optional brackets
// or a colon), if what follows the name shows it is the carrier itself and
// not an outlet named after it.
func carrierAfter(b []byte, i int) carrierGroup {
	for i < len(b) && (b[i] == '[' || b[i] == ':' || b[i] == '(') {
		i++
	}
	for _, a := range carrierAliases {
		end := i + len(a.name)
		if end > len(b) || string(b[i:end]) != a.name {
			continue
		}
		if end == len(b) || isDelim(b, end) || b[end] == '[' || b[end] == '(' || b[end] == ':' || '0' <= b[end] && b[end] <= '9' {
			return a.group
		}
		for _, t := range aliasTails {
			if len(b)-end >= len(t) && string(b[end:end+len(t)]) == t {
				return a.group
			}
		}
		return 0
	}
	return 0
}
