package main

import (
	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/sim"
	"github.com/trackpush/trackpush/source"
)

// newSimUpstream returns the simulator as an upstream: a world of the
// given seed (default rates) whose first n parcels — the numbers `trackpush
// sim --n n --seed seed` writes — are generated now, shipping over the week
// after the clock's present.
func newSimUpstream(seed int64, n int, c trackpush.Clock) (source.Upstream, error) {
	cfg := sim.Config{Seed: seed, Start: c.Now(), Rates: sim.DefaultRates()}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w := sim.NewWorld(cfg)
	for i := 0; i < n; i++ {
		w.Parcel(i)
	}
	return &source.Sim{World: w, Clock: c}, nil
}
