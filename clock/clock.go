// Package clock provides the clocks of trackpush: the real one, an
// accelerated one for the demo and simulator (--time-scale), and a fake one
// for tests, all behind trackpush.Clock.
package clock

import (
	"sort"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
)

// Real is the system clock.
type Real struct{}

// Now returns the current time.
func (Real) Now() time.Time { return time.Now() }

// At returns a channel that receives at t.
func (Real) At(t time.Time) <-chan time.Time { return time.After(time.Until(t)) }

// Scaled is a clock that runs Scale times faster than real time, from
// Start on.
type Scaled struct {
	start time.Time // clock time at origin
	real0 time.Time // real time at origin
	scale float64
}

// NewScaled returns a clock reading start now and running scale times
// faster than real time (scale ≥ 1; 1 is real time shifted to start).
func NewScaled(start time.Time, scale float64) *Scaled {
	if scale <= 0 {
		scale = 1
	}
	return &Scaled{start: start, real0: time.Now(), scale: scale}
}

// Now returns the scaled time.
func (c *Scaled) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.real0)) * c.scale))
}

// At returns a channel that receives when the scaled clock reaches t.
func (c *Scaled) At(t time.Time) <-chan time.Time {
	d := time.Duration(float64(t.Sub(c.Now())) / c.scale)
	ch := make(chan time.Time, 1)
	time.AfterFunc(d, func() { ch <- c.Now() })
	return ch
}

// Fake is a clock that moves only when told to. Safe for concurrent use.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

var _ trackpush.Clock = (*Fake)(nil)

// NewFake returns a fake clock reading t.
func NewFake(t time.Time) *Fake { return &Fake{now: t} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// At returns a channel that receives once the clock is set to t or later.
func (f *Fake) At(t time.Time) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan time.Time, 1)
	if !t.After(f.now) {
		ch <- f.now
		return ch
	}
	f.timers = append(f.timers, fakeTimer{t, ch})
	return ch
}

// Advance moves the clock forward by d and fires the timers due.
func (f *Fake) Advance(d time.Duration) { f.Set(f.Now().Add(d)) }

// Set moves the clock to t (never backwards) and fires the timers due.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.After(f.now) {
		f.now = t
	}
	sort.Slice(f.timers, func(i, j int) bool { return f.timers[i].at.Before(f.timers[j].at) })
	keep := f.timers[:0]
	for _, tm := range f.timers {
		if !tm.at.After(f.now) {
			tm.ch <- f.now
		} else {
			keep = append(keep, tm)
		}
	}
	f.timers = keep
}

// Waiting returns how many timers are pending.
func (f *Fake) Waiting() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

// Scale returns how many times faster than real time the clock runs.
func (c *Scaled) Scale() float64 { return c.scale }
