// Package source is where carrier events come from: the HTTP ingest of
// carriers' and operators' own systems (through Ingester), and — with the
// carriers issue — the upstream poller and its adapters.
package source

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/enrich"
)

// Waker is told when pushes may have become due.
type Waker interface{ Wake() }

// Ingester enriches and stores a shipment's raw events.
type Ingester struct {
	Store  trackpush.Store
	Clock  trackpush.Clock
	Pusher Waker
	Log    *slog.Logger
}

// Ingest stores the new events of com+nu (deduplicated on time and
// context), enriched with the shipment's route as priors, and wakes the
// pusher when any was new.
func (in *Ingester) Ingest(ctx context.Context, com, nu string, raws []trackpush.RawEvent) (accepted, duplicates int, err error) {
	h, existing, err := in.Store.Shipment(ctx, com, nu)
	if err != nil {
		return 0, 0, fmt.Errorf("ingest %s %s: %w", com, nu, err)
	}
	sh := enrich.Shipment{Com: com}
	if h != nil {
		sh.From, sh.To = h.From, h.To
	}
	fresh, dups := freshRaws(existing, raws)
	if len(fresh) == 0 {
		return 0, dups, nil
	}
	evs, err := enrich.Events(sh, existing, fresh)
	if err != nil {
		return 0, 0, fmt.Errorf("ingest %s %s: %w", com, nu, err)
	}
	accepted, d, err := in.Store.AppendEvents(ctx, com, nu, evs, in.Clock.Now(), enrich.Summarize)
	if err != nil {
		return 0, 0, fmt.Errorf("ingest %s %s: %w", com, nu, err)
	}
	if accepted > 0 && in.Pusher != nil {
		in.Pusher.Wake()
	}
	return accepted, dups + d, nil
}

// freshRaws drops the raw events the shipment already has (same time and
// context) and repeats within raws, so that only new ones are enriched.
func freshRaws(existing []trackpush.Event, raws []trackpush.RawEvent) ([]trackpush.RawEvent, int) {
	type key struct {
		t int64
		c string
	}
	seen := make(map[key]bool, len(existing)+len(raws))
	for _, e := range existing {
		seen[key{e.Time.Unix(), e.Context}] = true
	}
	var out []trackpush.RawEvent
	for _, r := range raws {
		t, ok := trackpush.ParseTime(strings.TrimSpace(r.Time))
		if !ok {
			out = append(out, r) // enrich reports it
			continue
		}
		k := key{t.Unix(), r.Context}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out, len(raws) - len(out)
}
