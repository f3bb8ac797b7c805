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

func TestParseEndpointLevels(t *testing.T) {
	mapCases := map[string]Level{"": 0, "x": 0, "1": 0, "2": 0, "3": 3, "4": 3, "5": 5, "6": 5, "7": 7, "8": 7, "99": 7}
	for in, want := range mapCases {
		if got := ParseMapLevel(in); got != want {
			t.Errorf("ParseMapLevel(%q) = %d, want %d", in, got, want)
		}
	}
	classic := map[string]Level{"": 0, "0": 0, "1": 3, "2": 3, "3": 3, "4": 5, "5": 5, "7": 5, "8": 7, "9": 7}
	for in, want := range classic {
		if got := ParseClassicLevel(in); got != want {
			t.Errorf("ParseClassicLevel(%q) = %d, want %d", in, got, want)
		}
	}
}
