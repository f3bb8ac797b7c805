package trackpush

import "time"

// Observer is told what the service does, for its metrics. Components
// report through it on their hot paths, so every method must be cheap and
// safe for concurrent use. Package metrics implements it with Prometheus
// counters; NopObserver does nothing. A new component is instrumented
// with one call of the method that fits (or a new method here and there).
type Observer interface {
	// Subscribed: a subscribe request was answered with returnCode.
	Subscribed(returnCode string)
	// Ingested: events of one shipment arrived from source (SourceIngest,
	// SourcePoll, …): accepted were new, duplicates known, dropped not
	// admissible (see source.Result).
	Ingested(source string, accepted, duplicates, dropped int)
	// Pushed: a push was attempted or deferred; the store has recorded it.
	Pushed(PushReport)
	// Polled: an upstream was asked about a shipment; outcome is one of
	// the Poll* outcomes.
	Polled(upstream, outcome string, took time.Duration)
}

// Event sources, for Observer.Ingested.
const (
	SourceIngest  = "ingest"  // POST /v1/events
	SourcePoll    = "poll"    // an upstream, by the poller or the real-time query
	SourceCarrier = "carrier" // a carrier's push (POST /v1/carriers/{code}/push)
)

// Push outcomes, for PushReport.Outcome: acknowledged, or why not.
const (
	PushAck      = "ack"      // 2xx with the documented acknowledgement
	PushRefused  = "refused"  // connection refused or reset
	PushTimedOut = "timeout"  // no answer within PushTimeout (or no connection)
	PushNon2xx   = "non_2xx"  // an HTTP status other than 2xx
	PushBadAck   = "bad_ack"  // 2xx, but not the acknowledgement
	PushGuarded  = "guard"    // the callback guard refused the address
	PushFailed   = "error"    // anything else: DNS, TLS, a broken answer
	PushDeferred = "deferred" // not attempted: receiver or account at its cap
)

// PushReport is one push as Observer.Pushed sees it.
type PushReport struct {
	SubscriptionID int64
	Outcome        string
	Attempt        int           // 1 for the first attempt at a version
	Latency        time.Duration // of the exchange; 0 when deferred
	Retry          bool          // a failure, retried RetryAfter later
	GaveUp         bool          // a failure that gave the version up
}

// Poll outcomes, for Observer.Polled.
const (
	PollOK          = "ok"
	PollNoRecord    = "no_record"
	PollRateLimited = "rate_limited"
	PollRejected    = "rejected"
	PollFailed      = "error"
)

// NopObserver observes nothing.
type NopObserver struct{}

// Subscribed does nothing.
func (NopObserver) Subscribed(string) {}

// Ingested does nothing.
func (NopObserver) Ingested(string, int, int, int) {}

// Pushed does nothing.
func (NopObserver) Pushed(PushReport) {}

// Polled does nothing.
func (NopObserver) Polled(string, string, time.Duration) {}

// Stats is what the store says of the service as a whole, for the metrics
// that are states rather than events.
type Stats struct {
	// Subscriptions counts subscriptions by status (StatusPolling,
	// StatusShutdown, StatusAbort).
	Subscriptions map[string]int64
	// Due counts the pushes due at the time asked (in flight included);
	// OldestDue is when the earliest of them fell due (zero when none).
	Due       int64
	OldestDue time.Time
}
