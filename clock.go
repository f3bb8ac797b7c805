package trackpush

import (
	"fmt"
	"time"
)

// Clock is the time source of every timer of the service: the 30-minute
// push retry, the 3-day and 60-day aborts, the 30-minute resubscribe wait.
// Tests inject a fake clock; the demo and simulator an accelerated one.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// At returns a channel that receives once the clock reaches t (at
	// once when it already has). An absolute time, unlike a duration, cannot
	// be overtaken by a clock that moves between reading Now and waiting.
	At(t time.Time) <-chan time.Time
}

// CST is China Standard Time (UTC+8), the zone of every wall-clock time on
// the wire.
var CST = time.FixedZone("CST", 8*3600)

// TimeLayout is the wire's time format.
const TimeLayout = "2006-01-02 15:04:05"

// ParseTime reads a carrier time in China Standard Time. It accepts the
// wire's "2006-01-02 15:04:05" (also with single-digit fields), the same
// without seconds or with a 'T', slashes as date separators, a date alone,
// and RFC 3339 (with its own zone).
func ParseTime(s string) (time.Time, bool) {
	// Single-digit fields are accepted too: some carriers write "2019-7-2 9:05:02".
	for _, layout := range []string{"2006-1-2 15:4:5", "2006-1-2 15:4", "2006-1-2T15:4:5", "2006/1/2 15:4:5", "2006/1/2 15:4", "2006-1-2"} {
		if t, err := time.ParseInLocation(layout, s, CST); err == nil {
			return t, true
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(CST), true
	}
	return time.Time{}, false
}

// The bounds of a carrier scan's time. A scan dated far ahead would become
// a shipment's newest event for good (one signed in 9999 ends tracking and
// hides every real scan after it); one before 2000 is garbage. A day of
// margin covers carriers' clocks and zones.
var (
	EarliestEventTime = time.Date(2000, 1, 1, 0, 0, 0, 0, CST)
	MaxEventAhead     = 24 * time.Hour
)

// CheckEventTime reports why a scan's time t is out of bounds at now, or
// nil.
func CheckEventTime(t, now time.Time) error {
	switch {
	case t.Before(EarliestEventTime):
		return fmt.Errorf("%s is before %s", FormatTime(t), FormatTime(EarliestEventTime))
	case t.After(now.Add(MaxEventAhead)):
		return fmt.Errorf("%s is more than a day after now (%s)", FormatTime(t), FormatTime(now))
	}
	return nil
}

// FormatTime writes t in the wire's format, in China Standard Time.
func FormatTime(t time.Time) string { return t.In(CST).Format(TimeLayout) }

// ClockScale returns how many times faster than real time a clock runs
// (1 unless the clock says otherwise with a Scale method). Durations of
// real work — an HTTP exchange — last that many times longer on the
// clock: leases that cover them must be scaled.
func ClockScale(c Clock) float64 {
	if s, ok := c.(interface{ Scale() float64 }); ok && s.Scale() > 1 {
		return s.Scale()
	}
	return 1
}
