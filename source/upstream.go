package source

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
)

// Upstream is a source of carrier scans for shipments that no carrier
// pushes: a Kuaidi100-compatible query API, or the simulator.
type Upstream interface {
	// Name names the upstream in logs and configuration.
	Name() string
	// Track returns the shipment's whole trajectory as the upstream knows
	// it (any order). It returns ErrNoRecord when the upstream has nothing
	// for the number yet.
	Track(ctx context.Context, q Query) ([]trackpush.RawEvent, error)
}

// Batcher is an Upstream that answers several numbers in one request (SF
// up to 10, J&T up to 30). The poller groups the shipments it claims by
// upstream and BatchKey and asks each group at once; a batch is one
// request against the upstream's rate limit.
type Batcher interface {
	Upstream
	// MaxBatch is the most numbers one request may carry.
	MaxBatch() int
	// BatchKey is what queries must share to go in one request ("" when
	// nothing): SF checks one phone tail per request.
	BatchKey(q Query) string
	// TrackBatch asks for every query at once (at most MaxBatch, sharing
	// a BatchKey) and returns one answer per query, in order. An error
	// fails the whole request.
	TrackBatch(ctx context.Context, qs []Query) ([]Tracked, error)
}

// Tracked is one number's answer within a batch: its trajectory, or the
// error Track would have returned for it alone (ErrNoRecord, …).
type Tracked struct {
	Events []trackpush.RawEvent
	Err    error
}

// Query is what an upstream is asked.
type Query struct {
	Com   string
	Nu    string
	Phone string // the receiver's or sender's phone, for carriers that need it
}

// Errors an upstream reports.
var (
	// ErrNoRecord: the upstream has no scan for the number (yet).
	ErrNoRecord = errors.New("upstream: no record")
	// ErrRateLimited: the upstream asks us to slow down; the poller backs
	// off the whole upstream.
	ErrRateLimited = errors.New("upstream: rate limited")
	// ErrRejected: the upstream refuses this query (a carrier it does not
	// serve, a bad number, our credentials); retrying soon will not help.
	ErrRejected = errors.New("upstream: query rejected")
)

// limiter is a token bucket in real time: rate limits protect the
// upstream, whatever speed the service clock runs at.
type limiter struct {
	mu     sync.Mutex
	rate   float64 // tokens per second; ≤ 0: unlimited
	burst  float64
	tokens float64
	last   time.Time
	until  time.Time // paused until (after ErrRateLimited)
}

func newLimiter(rate float64, burst int) *limiter {
	if burst < 1 {
		burst = 1
	}
	return &limiter{rate: rate, burst: float64(burst), tokens: float64(burst), last: time.Now()}
}

// wait blocks until a request may be made.
func (l *limiter) wait(ctx context.Context) error {
	for {
		l.mu.Lock()
		now := time.Now()
		var d time.Duration
		switch {
		case now.Before(l.until):
			d = l.until.Sub(now)
		case l.rate <= 0:
			l.mu.Unlock()
			return nil
		default:
			l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
			l.last = now
			if l.tokens >= 1 {
				l.tokens--
				l.mu.Unlock()
				return nil
			}
			d = time.Duration((1 - l.tokens) / l.rate * float64(time.Second))
		}
		l.mu.Unlock()
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// pause stops all requests for d (the upstream said it is overloaded).
func (l *limiter) pause(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := time.Now().Add(d); t.After(l.until) {
		l.until = t
	}
}
