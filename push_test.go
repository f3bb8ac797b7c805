package trackpush

import (
	"testing"
	"time"
)

func at(p *time.Time) string {
	if p == nil {
		return "nil"
	}
	return p.Format("15:04")
}

// TestPushStateRetrySchedule walks the retry rules: a failed version is
// retried 30 minutes apart, given up after the third retry fails, and a
// newer version starts afresh.
func TestPushStateRetrySchedule(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, CST)
	var p PushState
	p.Changed(t0)
	if !p.Due(t0) || p.Version != 1 {
		t.Fatalf("new version must be due now: %+v", p)
	}
	now := t0
	for i := 0; i <= MaxRetries; i++ {
		if !p.Due(now) {
			t.Fatalf("attempt %d not due at %s (next %s)", i+1, now.Format("15:04"), at(p.NextAttemptAt))
		}
		v := p.Claimed(now, time.Minute)
		if p.Due(now) {
			t.Fatal("a claimed subscription must not be due")
		}
		gaveUp := p.Completed(v, false, now)
		if i < MaxRetries {
			if gaveUp || p.NextAttemptAt == nil || !p.NextAttemptAt.Equal(now.Add(30*time.Minute)) {
				t.Fatalf("failure %d: gaveUp=%v next=%s", i+1, gaveUp, at(p.NextAttemptAt))
			}
			if p.Due(now.Add(30*time.Minute - time.Second)) {
				t.Fatal("due before 30 minutes")
			}
			now = now.Add(30 * time.Minute)
		} else if !gaveUp || p.Pending() || p.GaveUpVersion != 1 {
			t.Fatalf("fourth failure must give up: %+v", p)
		}
	}
	// A newer version starts afresh, due at once.
	t1 := now.Add(time.Hour)
	p.Changed(t1)
	if !p.Due(t1) || p.Version != 2 || p.Attempts != 0 {
		t.Fatalf("newer version: %+v", p)
	}
	v := p.Claimed(t1, time.Minute)
	if p.Completed(v, true, t1) || p.Pending() || p.PushedVersion != 2 {
		t.Fatalf("success: %+v", p)
	}
}

func TestPushStateNewVersionWhileWaitingOrInFlight(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, CST)
	var p PushState
	p.Changed(t0)
	v := p.Claimed(t0, time.Minute)
	p.Completed(v, false, t0) // attempt 1 of v1 failed; retry at 10:30
	p.Claimed(t0.Add(30*time.Minute), time.Minute)
	p.Completed(1, false, t0.Add(30*time.Minute)) // retry 1 failed; next 11:00, attempts 2
	p.Changed(t0.Add(40 * time.Minute))           // v2 while waiting
	if p.Attempts != 0 || !p.NextAttemptAt.Equal(t0.Add(60*time.Minute)) {
		t.Fatalf("v2 while waiting keeps the retry time with a fresh count: %+v next %s", p, at(p.NextAttemptAt))
	}
	// In flight: a change does not touch the schedule; the completion makes
	// the newer version due at once after a success.
	now := t0.Add(60 * time.Minute)
	v = p.Claimed(now, time.Minute)
	p.Changed(now.Add(time.Second))
	if p.Due(now.Add(time.Second)) {
		t.Fatal("must not be due while in flight")
	}
	p.Completed(v, true, now.Add(2*time.Second))
	if p.PushedVersion != 2 || !p.Due(now.Add(2*time.Second)) || p.Version != 3 {
		t.Fatalf("after success with a newer version: %+v", p)
	}
	// Failure with a newer version: it starts afresh, 30 minutes later.
	now = now.Add(3 * time.Second)
	v = p.Claimed(now, time.Minute)
	p.Changed(now)
	p.Completed(v, false, now)
	if p.Attempts != 0 || !p.NextAttemptAt.Equal(now.Add(RetryAfter)) {
		t.Fatalf("failure with a newer version: %+v", p)
	}
	// An expired lease makes it claimable again.
	p = PushState{}
	p.Changed(now)
	p.Claimed(now, time.Minute)
	if p.Due(now.Add(59*time.Second)) || !p.Due(now.Add(time.Minute)) {
		t.Fatal("lease expiry")
	}
	p.Deferred(now.Add(2 * time.Second))
	if p.Due(now.Add(time.Second)) || !p.Due(now.Add(2*time.Second)) || p.Attempts != 0 {
		t.Fatal("deferred")
	}
}

func TestPushStatus(t *testing.T) {
	s := &Subscription{Status: StatusPolling}
	if PushStatus(s) != PushPolling {
		t.Error("polling")
	}
	s.Push = PushState{Version: 3, PushedVersion: 2, UpdateAllVersion: 3}
	if PushStatus(s) != PushUpdateAll {
		t.Error("updateall pending")
	}
	s.Status, s.Push.EndVersion = StatusShutdown, 3
	if PushStatus(s) != PushShutdown {
		t.Error("the end goes first")
	}
	s.Push = PushState{Version: 5, PushedVersion: 4, EndVersion: 3, UpdateAllVersion: 5}
	if PushStatus(s) != PushUpdateAll {
		t.Error("updateall after a delivered end")
	}
	s.Push.PushedVersion = 5
	if PushStatus(s) != PushShutdown {
		t.Error("ended")
	}
	if BillStatus(StateSigned) != "check" || BillStatus(StateDelivery) != "sending" || BillStatus(StateInTransit) != "got" {
		t.Error("billstatus")
	}
}
