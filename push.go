package trackpush

import "time"

// The push schedule of docs/protocol.md §2.3: a failed push is retried 30
// minutes later with the newest state, up to 3 retries; when the third retry
// fails the version is given up.
const (
	RetryAfter = 30 * time.Minute
	MaxRetries = 3
	// PushTimeout is how long a receiver has to answer.
	PushTimeout = 20 * time.Second
)

// PushState is a subscription's delivery state: "state, not a queue of
// copies". Every push carries the whole trajectory, so what must be
// delivered is the newest version, not every intermediate message. The
// stores keep these fields in the subscription's row and change them only
// through Changed, Claimed and Completed, inside a transaction.
type PushState struct {
	Version       int64 // bumped on every change worth pushing
	PushedVersion int64 // highest version acknowledged
	GaveUpVersion int64 // highest version given up after the retries
	// Attempts counts the failed attempts at the pending version.
	Attempts int
	// NextAttemptAt is when the next attempt is due; nil when nothing is.
	NextAttemptAt *time.Time
	// LeaseUntil is set while a pusher holds the subscription: nobody else
	// claims it before then (a pusher that dies loses it at that time).
	LeaseUntil *time.Time
	// EndVersion is the version that ended tracking (shutdown or abort);
	// UpdateAllVersion the version an operator's full re-push asked for.
	EndVersion       int64
	UpdateAllVersion int64
}

// Pending reports whether a version is waiting to be delivered.
func (p *PushState) Pending() bool { return p.NextAttemptAt != nil }

// Changed records a new version. An idle subscription becomes due now. One
// waiting for a retry keeps its retry time (a failing receiver is not
// hammered) but the newer version starts afresh with a full set of
// retries. One in flight is left to the completion of that attempt.
func (p *PushState) Changed(now time.Time) {
	p.Version++
	switch {
	case p.NextAttemptAt == nil:
		p.NextAttemptAt = &now
		p.Attempts = 0
	case p.LeaseUntil == nil:
		p.Attempts = 0
	}
}

// Due reports whether the subscription may be claimed at now.
func (p *PushState) Due(now time.Time) bool {
	return p.NextAttemptAt != nil && !p.NextAttemptAt.After(now) &&
		(p.LeaseUntil == nil || !p.LeaseUntil.After(now))
}

// Claimed records that a pusher took the subscription until now+lease and
// returns the version it is to deliver.
func (p *PushState) Claimed(now time.Time, lease time.Duration) int64 {
	t := now.Add(lease)
	p.LeaseUntil = &t
	return p.Version
}

// Completed records the outcome of an attempt at version v and reports
// whether v was given up. Success delivers v (and makes a newer version
// due at once). Failure schedules the next attempt RetryAfter later with
// the newest state; when a newer version exists it starts afresh, else the
// attempt is counted, and the version is given up after MaxRetries
// retries.
func (p *PushState) Completed(v int64, ok bool, now time.Time) (gaveUp bool) {
	p.LeaseUntil = nil
	if ok {
		p.PushedVersion = max(p.PushedVersion, v)
		p.Attempts = 0
		if p.Version > v {
			p.NextAttemptAt = &now
		} else {
			p.NextAttemptAt = nil
		}
		return false
	}
	if p.Version > v {
		p.Attempts = 0
	} else {
		p.Attempts++
		if p.Attempts > MaxRetries {
			p.GaveUpVersion = max(p.GaveUpVersion, v)
			p.Attempts = 0
			p.NextAttemptAt = nil
			return true
		}
	}
	t := now.Add(RetryAfter)
	p.NextAttemptAt = &t
	return false
}

// Deferred releases a claim without an attempt (the receiver's host was
// busy): the subscription is due again at until.
func (p *PushState) Deferred(until time.Time) {
	p.LeaseUntil = nil
	p.NextAttemptAt = &until
}

// PushStatus returns the status field of the next push of a subscription:
// the end (shutdown or abort) until it has been delivered, then an
// operator's pending full re-push (updateall), else polling.
func PushStatus(s *Subscription) string {
	p := &s.Push
	if p.UpdateAllVersion > p.PushedVersion && (p.EndVersion == 0 || p.EndVersion <= p.PushedVersion) {
		return PushUpdateAll
	}
	if s.Status != StatusPolling {
		return s.Status
	}
	return PushPolling
}

// BillStatus returns the deprecated billstatus field for a basic state:
// check once signed, sending while out for delivery, got otherwise.
func BillStatus(basic State) string {
	switch basic {
	case StateSigned:
		return "check"
	case StateDelivery:
		return "sending"
	}
	return "got"
}
