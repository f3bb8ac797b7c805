package trackpush

import (
	"encoding/json"
	"testing"
	"time"
)

// TestFormatDays: totalTime and remainTime are whole days and the whole
// hours left over, as the source document ("3天0小时", "2天20小时") and the
// original's maptrack answer ("0天16小时") write them; never negative.
func TestFormatDays(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{72*time.Hour + 51*time.Minute, "3天0小时"}, // the document: 06-16 09:09 → 06-19 10:00
		{68 * time.Hour, "2天20小时"},
		{16 * time.Hour, "0天16小时"},
		{23*time.Hour + 59*time.Minute, "0天23小时"},
		{0, "0天0小时"},
		{-5 * time.Hour, "0天0小时"},
		{10*24*time.Hour + time.Hour, "10天1小时"},
	}
	for _, c := range cases {
		if got := FormatDays(c.d); got != c.want {
			t.Errorf("FormatDays(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// TestFormatHour: arrivalTime is China Standard Time to the hour.
func TestFormatHour(t *testing.T) {
	if got := FormatHour(time.Date(2025, 6, 19, 10, 59, 59, 0, CST)); got != "2025-06-19 10" {
		t.Fatal(got)
	}
	if got := FormatHour(time.Date(2025, 6, 18, 16, 30, 0, 0, time.UTC)); got != "2025-06-19 00" {
		t.Fatal(got)
	}
}

// TestNullString: a nil *NullString leaves the field out, an empty one is
// null (remainTime once arrived, as the original sends it), others are
// strings; decoding reads both back.
func TestNullString(t *testing.T) {
	type x struct {
		R *NullString `json:"remainTime,omitempty"`
	}
	empty, some := NullString(""), NullString("2天20小时")
	for _, c := range []struct {
		v    x
		want string
	}{{x{}, `{}`}, {x{&empty}, `{"remainTime":null}`}, {x{&some}, `{"remainTime":"2天20小时"}`}} {
		b, err := json.Marshal(c.v)
		if err != nil || string(b) != c.want {
			t.Fatalf("%s %v, want %s", b, err, c.want)
		}
	}
	var back x
	if err := json.Unmarshal([]byte(`{"remainTime":"0天16小时"}`), &back); err != nil || back.R == nil || *back.R != "0天16小时" {
		t.Fatalf("%+v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"remainTime":null}`), &back); err != nil || back.R != nil {
		t.Fatalf("%+v %v", back, err)
	}
}
