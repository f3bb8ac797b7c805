package carrier

import "testing"

func TestNormalizeNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"773054585813745", "773054585813745", true},
		{"  yt6247854916511\t", "YT6247854916511", true},
		{"\u3000JD0076810060555\u3000", "JD0076810060555", true}, // full-width spaces
		{"dpk12345678901-1", "DPK12345678901-1", true},
		{"123456", "123456", true},
		{"12345", "", false},
		{"123456789012345678901234567890123", "", false},
		{"12345678901234567890123456789012", "12345678901234567890123456789012", true},
		{"7730 5458 5813", "", false},
		{"773054585813745;", "", false},
		{"７７３０５４５８５８", "", false}, // full-width digits
		{"------", "", false},
		{"ABCDEFGH", "", false}, // a word, not a number: no digit
		{"", "", false},
		{"中通73503399402556", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeNumber(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeNumber(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestValidS10(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"EA123456785CN", true}, // sum 204, mod 11 = 6, check 11 − 6 = 5
		{"ea123456785cn", true},
		{"EA123456784CN", false},
		{"RR473124829GB", true},  // sum 200, mod 11 = 2, check 9
		{"RR473124820GB", false}, // wrong check digit
		{"EE000000005CN", true},  // sum 0: check 11 is written 5
		{"EE000000000CN", false},
		{"EE000000080CN", true}, // sum 56, mod 11 = 1: check 10 is written 0
		{"EE000000081CN", false},
		{"EA12345678CN", false},
		{"1A123456785CN", false},
		{"EA12345678XCN", false},
		{"EA123456785C1", false},
	}
	for _, tt := range tests {
		if got := ValidS10(tt.in); got != tt.want {
			t.Errorf("ValidS10(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
