package trackpush

import (
	"testing"
	"time"
)

// TestBegin covers the three ways a subscription starts: on a shipment
// with no event yet (nothing to push, abort check after 3 days), on one
// with events (one push due now, abort check 60 days after its last
// change), and on one already signed (ended at once with one shutdown
// push, no abort check). A renewal's old push state never survives.
func TestBegin(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, CST)
	changed := t0.Add(-48 * time.Hour)
	old := PushState{Version: 7, PushedVersion: 5, EndVersion: 7}

	s := &Subscription{Status: StatusAbort, Push: old}
	stale := Begin(s, t0, 0, time.Time{}, false)
	if s.Status != StatusPolling || s.AutoCheck != "0" || s.EndedAt != nil || !s.CreatedAt.Equal(t0) {
		t.Fatalf("no events: %+v", s)
	}
	if s.Push.Pending() || s.Push.Version != 0 || s.Push.EndVersion != 0 {
		t.Fatalf("no events: push state %+v, want fresh and idle", s.Push)
	}
	if stale == nil || !stale.Equal(t0.Add(3*24*time.Hour)) {
		t.Fatalf("no events: stale at %v, want 3 days on", stale)
	}

	s = &Subscription{AutoCheck: "1", Push: old}
	stale = Begin(s, t0, 4, changed, false)
	if s.AutoCheck != "1" || s.Push.Version != 1 || !s.Push.Due(t0) {
		t.Fatalf("events: %+v, want autoCheck kept and version 1 due now", s)
	}
	// The last change predates the subscription: 60 days count from now.
	if stale == nil || !stale.Equal(t0.Add(60*24*time.Hour)) {
		t.Fatalf("events: stale at %v, want 60 days after subscribing", stale)
	}

	s = &Subscription{ComOld: "yuantong", ComNew: "zhongtong", AutoCheck: "1"}
	stale = Begin(s, t0, 9, changed, true)
	if stale != nil {
		t.Fatalf("finished: stale at %v, want none", stale)
	}
	if s.Status != StatusShutdown || s.EndedAt == nil || !s.EndedAt.Equal(t0) {
		t.Fatalf("finished: %+v, want shutdown ended now", s)
	}
	if s.Push.Version != 1 || s.Push.EndVersion != 1 || !s.Push.Due(t0) {
		t.Fatalf("finished: push state %+v, want one end push due now", s.Push)
	}
	if s.AutoCheck != "1" || s.ComOld != "yuantong" || s.ComNew != "zhongtong" {
		t.Fatalf("finished: auto-check fields lost: %+v", s)
	}
}

func TestCallbackHost(t *testing.T) {
	for in, want := range map[string]string{
		"http://example.com/cb":            "example.com:80",
		"http://EXAMPLE.com.:80/cb":        "example.com:80",
		"https://example.com/cb":           "example.com:443",
		"http://LOCALHOST.:8080/cb?x=1":    "localhost:8080",
		"http://127.0.0.1:8080/cb":         "127.0.0.1:8080",
		"http://[::ffff:127.0.0.1]:8080/x": "127.0.0.1:8080",
		"http://[::FFFF:7F00:1]:8080/x":    "127.0.0.1:8080",
		"http://[2001:DB8::1]/x":           "[2001:db8::1]:80",
	} {
		if got := CallbackHost(in); got != want {
			t.Errorf("CallbackHost(%q) = %q, want %q", in, got, want)
		}
	}
}
