package trackpush

import "testing"

func TestParseLevel(t *testing.T) {
	cases := map[string]Level{
		"": 0, "0": 0, "x": 0, "-3": 0, "2": 0,
		"1": 3, "3": 3,
		"4": 5, "5": 5, "6": 5,
		"7": 7, "8": 7, "9": 7, "70": 7,
	}
	for in, want := range cases {
		if got := ParseLevel(in); got != want {
			t.Errorf("ParseLevel(%q) = %d, want %d", in, got, want)
		}
	}
	if LevelNone.String() != "" || LevelAdvanced.String() != "5" {
		t.Error("Level.String")
	}
}
