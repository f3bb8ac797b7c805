package web

import "strings"

// masker hides phone numbers in scan texts: every mainland mobile number
// (11 digits from 13–19, not inside a longer number) keeps its first three
// and last four digits, 138****1234, and the subscription's own phone
// (the receiver's or sender's) is masked wherever it appears, whatever its
// shape. Carriers mask most numbers themselves; not all do.
type masker struct{ phone string }

func newMasker(phone string) masker {
	p := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	if len(p) < 7 {
		p = "" // a virtual number's last four digits: too short to find safely
	}
	return masker{phone: p}
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func (m masker) mask(s string) string {
	s = maskMobiles(s)
	if m.phone != "" && strings.Contains(s, m.phone) {
		s = strings.ReplaceAll(s, m.phone, strings.Repeat("*", len(m.phone)-4)+m.phone[len(m.phone)-4:])
	}
	return s
}

// maskMobiles masks mainland mobile numbers: 138****1234.
func maskMobiles(s string) string {
	var b []byte
	for i := 0; i+11 <= len(s); i++ {
		if s[i] != '1' || s[i+1] < '3' || s[i+1] > '9' || (i > 0 && isDigit(s[i-1])) || (i+11 < len(s) && isDigit(s[i+11])) {
			continue
		}
		ok := true
		for j := i + 2; j < i+11; j++ {
			if !isDigit(s[j]) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if b == nil {
			b = []byte(s)
		}
		copy(b[i+3:i+7], "****")
		i += 10
	}
	if b == nil {
		return s
	}
	return string(b)
}
