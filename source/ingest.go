// Package source is where carrier events come from: the HTTP ingest of
// carriers' and operators' own systems (through Ingester), and — with the
// carriers issue — the upstream poller and its adapters.
package source

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/enrich"
	"github.com/trackpush/trackpush/route"
)

// Waker is told when pushes may have become due.
type Waker interface{ Wake() }

// Ingester enriches and stores a shipment's raw events.
type Ingester struct {
	Store  trackpush.Store
	Clock  trackpush.Clock
	Pusher Waker
	Log    *slog.Logger
	// Learn, when set, is told of every shipment whose first events
	// arrive: its carrier is confirmed (the carrier detector learns from
	// it).
	Learn func(com, nu string)
	// Route, when set, is the route model: the forecast at each new event
	// is made in the transaction that stores it, with what the events
	// teach the model (places, statistics), which it learns once stored.
	Route *route.Model
	// Observer, when set, is told of every ingest.
	Observer trackpush.Observer
}

// Result says what an ingest did.
type Result struct {
	Accepted   int
	Duplicates int
	// Dropped counts the events left out because they cannot be a real
	// scan: a time that does not parse or is out of bounds
	// (trackpush.CheckEventTime), or an empty text. The HTTP ingest refuses
	// such a request whole; from an upstream the rest is kept.
	Dropped int
	// Summary and Events describe the shipment after the ingest.
	Summary trackpush.Summary
	Events  int
	// InDestCity says that the shipment's newest located event is in its
	// destination city (known from a subscription).
	InDestCity bool
}

// inDestCity reports whether the newest located event is in to's city.
func inDestCity(to *trackpush.Area, events []trackpush.Event) bool {
	cur := route.Current(events)
	return to != nil && to.City != "" && cur != nil && cur.City == to.City
}

// Ingest stores the new events of com+nu that came through the HTTP
// ingest (deduplicated on time and context), enriched with the shipment's
// route as priors, and wakes the pusher when any was new.
func (in *Ingester) Ingest(ctx context.Context, com, nu string, raws []trackpush.RawEvent) (accepted, duplicates int, err error) {
	r, err := in.IngestFrom(ctx, trackpush.SourceIngest, com, nu, raws)
	return r.Accepted, r.Duplicates, err
}

// IngestResult is Ingest for the events an upstream returned, with the
// shipment's state afterwards.
func (in *Ingester) IngestResult(ctx context.Context, com, nu string, raws []trackpush.RawEvent) (Result, error) {
	return in.IngestFrom(ctx, trackpush.SourcePoll, com, nu, raws)
}

// IngestFrom stores the events of com+nu that came from source
// (trackpush.SourceIngest, SourcePoll, …), reports them to the Observer,
// and returns what it did.
func (in *Ingester) IngestFrom(ctx context.Context, source, com, nu string, raws []trackpush.RawEvent) (Result, error) {
	res, err := in.ingest(ctx, com, nu, raws)
	if err == nil && in.Observer != nil {
		in.Observer.Ingested(source, res.Accepted, res.Duplicates, res.Dropped)
	}
	if err == nil && in.Log != nil {
		in.Log.Debug("ingested", "source", source, "com", com, "nu", trackpush.CanonicalNumber(nu),
			"accepted", res.Accepted, "duplicates", res.Duplicates, "dropped", res.Dropped)
	}
	return res, err
}

func (in *Ingester) ingest(ctx context.Context, com, nu string, raws []trackpush.RawEvent) (Result, error) {
	nu = trackpush.CanonicalNumber(nu)
	raws, dropped := admissible(raws, in.Clock.Now())
	h, existing, err := in.Store.Shipment(ctx, com, nu)
	if err != nil {
		return Result{}, fmt.Errorf("ingest %s %s: %w", com, nu, err)
	}
	sh := enrich.Shipment{Com: com}
	if h != nil {
		sh.From, sh.To = h.From, h.To
	}
	fresh, dups := freshRaws(existing, raws)
	res := Result{Duplicates: dups, Dropped: dropped, Events: len(existing)}
	if h != nil {
		res.Summary = h.Summary
	}
	if len(fresh) == 0 {
		res.InDestCity = inDestCity(sh.To, existing)
		return res, nil
	}
	evs, err := enrich.Events(sh, existing, fresh)
	if err != nil {
		return Result{}, fmt.Errorf("ingest %s %s: %w", com, nu, err)
	}
	var accepted, d int
	if in.Route == nil {
		accepted, d, err = in.Store.AppendEvents(ctx, com, nu, evs, in.Clock.Now(), enrich.Summarize)
	} else {
		// The digest is made here, outside the store's transaction (on
		// SQLite, its one writer); the transaction takes it when the
		// shipment is as read — else (another ingest came between, or a
		// subscription gave its ends) it makes the digest again.
		seen := &trackpush.Shipment{Com: com, Nu: nu}
		if h != nil {
			seen.From, seen.To = h.From, h.To
		}
		numbered := trackpush.NewEvents(existing, evs)
		pre := in.digest(seen, existing, numbered)
		var last trackpush.Digest // of the attempt that committed
		accepted, d, err = in.Store.AppendEventsDigest(ctx, com, nu, evs, in.Clock.Now(), func(h *trackpush.Shipment, before, fresh []trackpush.Event) trackpush.Digest {
			if sameArea(h.From, seen.From) && sameArea(h.To, seen.To) && sameEvents(before, existing) && sameEvents(fresh, numbered) {
				last = pre
			} else {
				last = in.digest(h, before, fresh)
			}
			return last
		})
		if err == nil {
			in.Route.Apply(last.Places, last.Counts)
		}
	}
	if err != nil {
		return Result{}, fmt.Errorf("ingest %s %s: %w", com, nu, err)
	}
	res.Accepted, res.Duplicates = accepted, dups+d
	res.InDestCity = inDestCity(sh.To, existing)
	res.Dropped = dropped
	if accepted > 0 {
		all := append(existing, trackpush.NewEvents(existing, evs)...)
		res.Summary, res.Events = enrich.Summarize(all), len(all)
		res.InDestCity = inDestCity(sh.To, all)
		if len(existing) == 0 && in.Learn != nil {
			in.Learn(com, nu)
		}
		if in.Pusher != nil {
			in.Pusher.Wake()
		}
	}
	return res, nil
}

func sameArea(a, b *trackpush.Area) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Code == b.Code
}

// sameEvents reports whether two lists hold the same events in the same
// order, numbered alike.
func sameEvents(a, b []trackpush.Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Seq != y.Seq || !x.Time.Equal(y.Time) || x.Context != y.Context || x.State != y.State || !sameArea(x.Area, y.Area) {
			return false
		}
	}
	return true
}

// digest is the route model's digest with the summary. A failure of the
// model never costs an event: it is logged and the events are stored
// without a forecast.
func (in *Ingester) digest(h *trackpush.Shipment, before, fresh []trackpush.Event) (d trackpush.Digest) {
	all := make([]trackpush.Event, 0, len(before)+len(fresh))
	all = append(append(all, before...), fresh...)
	defer func() {
		if r := recover(); r != nil {
			if in.Log != nil {
				in.Log.Error("route model failed; events stored without a forecast", "com", h.Com, "nu", h.Nu, "panic", r)
			}
			d = trackpush.Digest{}
		}
		d.Summary = enrich.Summarize(all)
	}()
	return in.Route.Digest(h, before, fresh)
}

// admissible returns the events that can be real scans at now, and how
// many were left out.
func admissible(raws []trackpush.RawEvent, now time.Time) ([]trackpush.RawEvent, int) {
	out := raws[:0:0]
	for _, r := range raws {
		t, ok := trackpush.ParseTime(strings.TrimSpace(r.Time))
		if !ok || trackpush.CheckEventTime(t, now) != nil || strings.TrimSpace(r.Context) == "" {
			continue
		}
		out = append(out, r)
	}
	return out, len(raws) - len(out)
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
