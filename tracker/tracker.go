// Package tracker runs the lifecycle's timers: a live subscription whose
// shipment has had no event 3 days after subscribing ends with abort
// (3天查询无记录); one with nothing new for 60 days with abort (60天无变化);
// a parcel left at a locker or station (501) with nothing after it for the
// locker wait is signed there (304) and its subscriptions shut down.
// Shutdown on signing happens when the signing event is stored.
package tracker

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
)

// Waker is told when pushes may have become due.
type Waker interface{ Wake() }

// Tracker sweeps for stale subscriptions.
type Tracker struct {
	Store    trackpush.Store
	Clock    trackpush.Clock
	Log      *slog.Logger
	Pusher   Waker
	Interval time.Duration // clock time between sweeps (default 1 min)
	// LockerWait is how long a parcel left at a locker or station (501)
	// may have no later event before it counts as signed there (304):
	// many carriers send nothing once the receiver takes it. 0: never.
	LockerWait time.Duration
	// Correct, when set, is the carrier auto-check of docs/protocol.md §2.4: for
	// a subscription with no record after 3 days it returns the carrier
	// that fits the number better or whose upstream knows it (and whether
	// that carrier is polled), or false when there is none. The
	// subscription is then redirected to that carrier instead of simply
	// ending.
	Correct func(ctx context.Context, s *trackpush.Subscription) (com string, polled, ok bool)
	// Redirected, when set, is told of each redirected subscription's
	// successor (so that the poller can be woken).
	Redirected func(next *trackpush.Subscription)

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// DefaultEnd is the end of a stale subscription without auto-check.
func DefaultEnd(s trackpush.Stale) trackpush.End {
	msg := trackpush.MessageNoChange
	if s.NoRecord {
		msg = trackpush.MessageNoRecord
	}
	// AutoCheck stays as stored: "0", or "1" for a corrected carrier's
	// successor, whose every push carries it (docs/protocol.md §2.4).
	return trackpush.End{SubID: s.Sub.ID, Status: trackpush.StatusAbort, Message: msg, IfStale: true}
}

// Start runs the sweeps until Stop.
func (t *Tracker) Start(ctx context.Context) error {
	if t.Interval <= 0 {
		t.Interval = time.Minute
	}
	ctx, t.cancel = context.WithCancel(ctx)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		for {
			now := t.Clock.Now()
			if err := t.Sweep(ctx, now); err != nil && ctx.Err() == nil {
				t.Log.Error("lifecycle sweep", "err", err)
			}
			select {
			case <-t.Clock.At(now.Add(t.Interval)):
			case <-ctx.Done():
				return
			}
		}
	}()
	return nil
}

// Stop ends the sweeps.
func (t *Tracker) Stop() {
	if t.cancel != nil {
		t.cancel()
	}
	t.wg.Wait()
}

// Sweep ends every subscription stale at now.
func (t *Tracker) Sweep(ctx context.Context, now time.Time) error {
	ended := 0
	defer func() {
		if ended > 0 && t.Pusher != nil {
			t.Pusher.Wake()
		}
	}()
	if t.LockerWait > 0 {
		for {
			n, err := t.Store.SettleLockers(ctx, now.Add(-t.LockerWait), now, 500)
			if err != nil {
				return err
			}
			if n > 0 {
				ended += n
				t.Log.Info("parcels left at a locker settled as signed", "shipments", n, "wait", t.LockerWait)
			}
			if n < 500 {
				break
			}
		}
	}
	for {
		stale, err := t.Store.StaleSubscriptions(ctx, now, 500)
		if err != nil {
			return err
		}
		for _, s := range stale {
			if s.NoRecord && t.Correct != nil {
				if com, polled, ok := t.Correct(ctx, s.Sub); ok && com != s.Sub.Com {
					next, err := t.Store.Redirect(ctx, s.Sub.ID, com, polled, now)
					if err != nil {
						return err
					}
					if next == nil {
						continue // a record arrived meanwhile
					}
					ended++
					t.Log.Info("carrier corrected", "id", s.Sub.ID, "nu", s.Sub.Nu, "comOld", s.Sub.Com, "comNew", com, "next", next.ID)
					if t.Redirected != nil {
						t.Redirected(next)
					}
					continue
				}
			}
			end := DefaultEnd(s)
			ok, err := t.Store.EndSubscription(ctx, end, now)
			if err != nil {
				return err
			}
			if ok {
				ended++
				t.Log.Info("subscription ended", "id", s.Sub.ID, "status", end.Status, "message", end.Message)
			}
		}
		if len(stale) < 500 {
			return nil
		}
	}
}
