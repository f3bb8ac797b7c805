package main

import (
	"context"
	"fmt"
	"time"

	"github.com/trackpush/trackpush/route"
)

// openRoute makes the route model and loads what the store holds of it:
// the gazetteer and the learned statistics of every node.
func (m *Main) openRoute(ctx context.Context) error {
	m.Route = route.NewModel()
	start := m.Clock.Now()
	places, err := m.Store.Places(ctx, time.Time{})
	if err != nil {
		return fmt.Errorf("route model: %w", err)
	}
	counts, err := m.Store.RouteCounts(ctx, time.Time{})
	if err != nil {
		return fmt.Errorf("route model: %w", err)
	}
	m.Route.Load(places, counts)
	m.routeLoaded = start
	m.Logger.Info("route model loaded", "places", len(places), "bins", len(counts))
	return nil
}

// routeOverlap is how far back a refresh reads beyond the previous one:
// rows written by transactions that committed late, and the nodes' clocks
// apart. Reading a row again is harmless (it carries its total).
const routeOverlap = 5 * time.Minute

// startRouteRefresh reads, every RouteRefresh, the places and bins of the
// statistics that changed since the last read (with an overlap) and sets
// the model's copies to their totals: a node learns what the others learn.
// Its own increments it has applied already; a total read while one of
// them was in flight counts it twice until the next refresh reads it
// again.
func (m *Main) startRouteRefresh(ctx context.Context) {
	every := m.Config.RouteRefresh
	if every <= 0 {
		return
	}
	m.background.Add(1)
	go func() {
		defer m.background.Done()
		last := m.routeLoaded
		for {
			select {
			case <-m.Clock.At(m.Clock.Now().Add(every)):
			case <-ctx.Done():
				return
			}
			start := m.Clock.Now()
			if err := m.refreshRoute(ctx, last.Add(-max(routeOverlap, 2*every))); err != nil {
				if ctx.Err() == nil {
					m.Logger.Warn("route model refresh", "err", err)
				}
				continue
			}
			last = start
		}
	}()
}

// refreshRoute loads the places and totals changed since a time.
func (m *Main) refreshRoute(ctx context.Context, since time.Time) error {
	places, err := m.Store.Places(ctx, since)
	if err != nil {
		return err
	}
	counts, err := m.Store.RouteCounts(ctx, since)
	if err != nil {
		return err
	}
	m.Route.Load(places, counts)
	return nil
}
