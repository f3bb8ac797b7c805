package trackpush

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2025, 6, 16, 10, 41, 33, 0, CST)
	for _, s := range []string{"2025-06-16 10:41:33", "2025-06-16T10:41:33", "2025/06/16 10:41:33", "2025-06-16T02:41:33Z", "2025-06-16T10:41:33+08:00"} {
		got, ok := ParseTime(s)
		if !ok || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, ok)
		}
	}
	if got, ok := ParseTime("2025-6-16 10:41:33"); !ok || !got.Equal(want) {
		t.Errorf("single digits: %v %v", got, ok)
	}
	if got, ok := ParseTime("2025-06-16 10:41"); !ok || !got.Equal(want.Add(-33*time.Second)) {
		t.Errorf("minutes: %v %v", got, ok)
	}
	for _, s := range []string{"", "yesterday", "2025-13-01 00:00:00", "2025-06-16 25:00:00"} {
		if _, ok := ParseTime(s); ok {
			t.Errorf("ParseTime(%q) succeeded", s)
		}
	}
	if FormatTime(want.UTC()) != "2025-06-16 10:41:33" {
		t.Error("FormatTime must write CST")
	}
}

func TestCheckEventTime(t *testing.T) {
	now := time.Date(2025, 6, 16, 9, 0, 0, 0, CST)
	for _, c := range []struct {
		t  time.Time
		ok bool
	}{
		{now, true},
		{now.Add(MaxEventAhead), true},
		{now.Add(MaxEventAhead + time.Second), false},
		{EarliestEventTime, true},
		{EarliestEventTime.Add(-time.Second), false},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, CST), false},
	} {
		if err := CheckEventTime(c.t, now); (err == nil) != c.ok {
			t.Errorf("%s: %v", FormatTime(c.t), err)
		}
	}
}
