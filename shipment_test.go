package trackpush

import "testing"

func TestCanonicalNumber(t *testing.T) {
	for in, want := range map[string]string{
		"YT0000000001":  "YT0000000001",
		"yt0000000001":  "YT0000000001",
		" jT00-12ab \t": "JT00-12AB",
		"1136281381675": "1136281381675",
		"ea123456785cn": "EA123456785CN",
		"sf1234567890":  "SF1234567890",
		"":              "",
	} {
		if got := CanonicalNumber(in); got != want {
			t.Errorf("CanonicalNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
