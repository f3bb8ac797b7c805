// Package autocheck is the carrier auto-check of the protocol (a number
// with no record for 3 days is checked against its carrier code, and
// followed with the right carrier when another one fits) and the carrier
// detector's learning from confirmed shipments, with its persistence.
// Both use the ranking of package carrier: autoCom, the autonumber
// endpoint and the auto-check agree on which carrier a number belongs to.
package autocheck

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrier"
)

// Prober asks a carrier's upstream about a number (source.Poller).
type Prober interface {
	// Polls reports whether com's shipments are followed by polling an
	// upstream (only those can be asked).
	Polls(com string) bool
	// Knows asks com's upstream whether it has a record of nu, storing
	// nothing.
	Knows(ctx context.Context, com, nu, phone string) (bool, error)
}

// Blobs keeps the detector's learned statistics (trackpush.Store).
type Blobs interface {
	LoadBlob(ctx context.Context, name string) ([]byte, error)
	SaveBlob(ctx context.Context, name string, data []byte) error
}

// BlobName names the detector's learned statistics in the store.
const BlobName = "carrier.detector"

// The auto-check's probes: at most MaxProbes other carriers per
// subscription, each at least MinProbeScore likely, each given
// ProbeTimeout (real time) to answer.
const (
	MaxProbes     = 2
	MinProbeScore = 0.01
	ProbeTimeout  = 10 * time.Second
)

// Checker runs the auto-check and the detector's learning.
type Checker struct {
	Detector *carrier.Detector
	// Prober, when set, lets the auto-check ask the upstreams of other
	// plausible carriers about a number whose code fits but is shared.
	Prober Prober
	Blobs  Blobs
	Log    *slog.Logger
	// SaveEvery saves the statistics after so many lessons (default 100);
	// Save saves them at any time (at shutdown).
	SaveEvery int64

	learned atomic.Int64
	saved   atomic.Int64
}

// Load restores the statistics saved in the store, if any. Statistics
// that cannot be read are discarded with a warning: the detector then
// starts from its documented formats, as on a fresh install.
func (c *Checker) Load(ctx context.Context) error {
	b, err := c.Blobs.LoadBlob(ctx, BlobName)
	if err != nil {
		return fmt.Errorf("carrier detector: load statistics: %w", err)
	}
	if b != nil {
		if err := c.Detector.Restore(b); err != nil {
			c.log().Warn("carrier detector: discarding saved statistics", "err", err)
		}
	}
	return nil
}

// Learn teaches the detector that com issued nu: call it once per
// shipment, when its first events arrive (its carrier is then confirmed).
// The statistics are saved every SaveEvery lessons.
func (c *Checker) Learn(com, nu string) {
	c.Detector.Observe(com, nu)
	every := c.SaveEvery
	if every <= 0 {
		every = 100
	}
	if c.learned.Add(1)%every == 0 {
		if err := c.Save(context.Background()); err != nil {
			c.log().Warn("carrier detector: saving statistics", "err", err)
		}
	}
}

// Save stores the statistics if anything was learned since the last save.
func (c *Checker) Save(ctx context.Context) error {
	n := c.learned.Load()
	if n == c.saved.Load() {
		return nil
	}
	b, err := c.Detector.Snapshot()
	if err == nil {
		err = c.Blobs.SaveBlob(ctx, BlobName, b)
	}
	if err != nil {
		return fmt.Errorf("carrier detector: save statistics: %w", err)
	}
	c.saved.Store(n)
	return nil
}

// Correct is the auto-check (docs/protocol.md §2.4) of a subscription whose
// number has had no record for 3 days. It returns the carrier to follow
// the number with instead, whether that carrier is polled, and ok; or ok
// false to keep the given code (the subscription then ends with abort,
// 3天查询无记录).
//
// When the code does not fit the number and another carrier ranks first,
// that carrier is the answer. When the code fits but other carriers fit
// too (EMS and China Post issue 13-digit numbers of one format), the
// upstreams of up to MaxProbes other polled carriers, the likeliest first
// and each at least MinProbeScore likely, are asked whether they know the
// number, and the first that does is the answer.
func (c *Checker) Correct(ctx context.Context, s *trackpush.Subscription) (com string, polled, ok bool) {
	ranked := c.Detector.Rank(s.Nu)
	if !c.Detector.Fits(s.Com, s.Nu) {
		if len(ranked) == 0 || ranked[0].Code == s.Com {
			return "", false, false
		}
		return ranked[0].Code, c.polls(ranked[0].Code), true
	}
	probes := 0
	for _, cand := range ranked {
		if probes == MaxProbes || cand.Score < MinProbeScore {
			break
		}
		if cand.Code == s.Com || !c.polls(cand.Code) {
			continue
		}
		probes++
		pctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
		known, err := c.Prober.Knows(pctx, cand.Code, s.Nu, s.Phone)
		cancel()
		if err != nil {
			c.log().Warn("carrier probe failed", "com", cand.Code, "subscription", s.ID, "err", err)
			continue
		}
		if known {
			return cand.Code, true, true
		}
	}
	return "", false, false
}

func (c *Checker) polls(com string) bool { return c.Prober != nil && c.Prober.Polls(com) }

func (c *Checker) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}
