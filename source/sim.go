package source

import (
	"context"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/sim"
)

// Sim serves the simulated carrier world as an upstream: a parcel's scans
// become visible as the clock passes their times. Parcels are known once
// generated (World.Parcel), by their true carrier and number; asked with
// another carrier code, the world has no record — as a real carrier would.
type Sim struct {
	World *sim.World
	Clock trackpush.Clock
}

// Name returns "sim".
func (s *Sim) Name() string { return "sim" }

// Track returns the parcel's scans up to now.
func (s *Sim) Track(ctx context.Context, q Query) ([]trackpush.RawEvent, error) {
	p, ok := s.World.Lookup(q.Com, q.Nu)
	if !ok {
		return nil, ErrNoRecord
	}
	evs := p.Visible(s.Clock.Now())
	if len(evs) == 0 {
		return nil, ErrNoRecord
	}
	return evs, nil
}
