// Package enrich is the pipeline that turns raw carrier scans into
// enriched events — the place (region engine, with the shipment's from/to
// as priors) and the status (status engine, with the earlier events and
// the destination city as context) — and builds the wire's data[] and
// push messages for each resultv2 level.
//
// Enrichment runs once per event, when it is stored; pushes only read.
package enrich

import (
	"fmt"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
	"github.com/trackpush/trackpush/route"
	"github.com/trackpush/trackpush/status"
)

// Shipment is what enrichment knows about the shipment an event belongs
// to.
type Shipment struct {
	Com      string
	From, To *trackpush.Area
}

// Events enriches new raw events of a shipment, given the events it
// already has (any order). Events come back in input order; their Seq is
// left 0 (the store numbers them). An event whose time cannot be parsed is
// an error naming it.
func Events(sh Shipment, existing []trackpush.Event, raws []trackpush.RawEvent) ([]trackpush.Event, error) {
	from, to := PlaceOf(sh.From), PlaceOf(sh.To)
	dest := ""
	if sh.To != nil {
		dest = sh.To.City
	}
	// Earlier events, in time order, give the status engine its context.
	known := route.Chronological(existing)
	out := make([]trackpush.Event, 0, len(raws))
	for i, raw := range raws {
		t, ok := trackpush.ParseTime(strings.TrimSpace(raw.Time))
		if !ok {
			return nil, fmt.Errorf("event %d: time %q is not a time", i, raw.Time)
		}
		e := trackpush.Event{Time: t, RawTime: raw.Time, Context: raw.Context}
		e.Area = AreaOf(region.ResolveEvent(raw.Context, from, to))
		ctx := status.Context{Com: sh.Com, DestCity: dest, Prev: statesBefore(known, t)}
		if e.Area != nil {
			ctx.City = e.Area.City
		}
		e.State = classify(raw, ctx)
		out = append(out, e)
		known = insertChrono(known, e)
	}
	return out, nil
}

// classify reads a scan's state from its text and, when the carrier's
// own operation code came with it, reconciles the two.
func classify(raw trackpush.RawEvent, ctx status.Context) trackpush.State {
	r := status.Classify(raw.Context, ctx)
	if raw.Code != nil {
		r = status.Reconcile(r, raw.Code.State)
	}
	return r.Advanced
}

// statesBefore returns the states of the events (in time order) not later
// than t.
func statesBefore(chrono []trackpush.Event, t time.Time) []trackpush.State {
	var out []trackpush.State
	for _, e := range chrono {
		if e.Time.After(t) {
			break
		}
		out = append(out, e.State)
	}
	return out
}

// insertChrono inserts e after every event not later than it.
func insertChrono(chrono []trackpush.Event, e trackpush.Event) []trackpush.Event {
	i := len(chrono)
	for i > 0 && chrono[i-1].Time.After(e.Time) {
		i--
	}
	chrono = append(chrono, trackpush.Event{})
	copy(chrono[i+1:], chrono[i:])
	chrono[i] = e
	return chrono
}

// Summarize derives the shipment's summary from all its events (any
// order): the newest event's state, signed, finished.
func Summarize(events []trackpush.Event) trackpush.Summary {
	evs := make([]status.Event, len(events))
	for i, e := range events {
		evs[i] = status.Event{Time: e.Time, Seq: int(e.Seq), Result: status.Result{Basic: e.State.Basic(), Advanced: e.State}}
	}
	s := status.Summarize(evs)
	sum := trackpush.Summary{State: s.State, Signed: s.IsCheck, Finished: s.Finished}
	if s.Newest >= 0 {
		sum.LastEventAt = events[s.Newest].Time
	}
	return sum
}

// Trajectory enriches a whole known trajectory at once (the enrich
// command, tests, replays): the events may come in any order, each is
// classified knowing every event before it in time, and when the route's
// destination is unknown the city where the parcel was delivered stands in
// for it. Events come back in input order, numbered by input position.
func Trajectory(sh Shipment, raws []trackpush.RawEvent) ([]trackpush.Event, error) {
	from, to := PlaceOf(sh.From), PlaceOf(sh.To)
	evs := make([]trackpush.Event, len(raws))
	for i, raw := range raws {
		t, ok := trackpush.ParseTime(strings.TrimSpace(raw.Time))
		if !ok {
			return nil, fmt.Errorf("event %d: time %q is not a time", i, raw.Time)
		}
		evs[i] = trackpush.Event{Seq: int64(i + 1), Time: t, RawTime: raw.Time, Context: raw.Context,
			Area: AreaOf(region.ResolveEvent(raw.Context, from, to))}
	}
	chrono := route.Chronological(evs)
	dest := ""
	if sh.To != nil {
		dest = sh.To.City
	} else {
		dest = deliveryCity(sh.Com, chrono)
	}
	var prev []trackpush.State
	for _, e := range chrono {
		ctx := status.Context{Com: sh.Com, DestCity: dest, Prev: prev}
		if e.Area != nil {
			ctx.City = e.Area.City
		}
		st := classify(raws[e.Seq-1], ctx)
		evs[e.Seq-1].State = st
		prev = append(prev, st)
	}
	return evs, nil
}

// deliveryCity returns where the parcel was delivered: the city of the
// newest located event that is out for delivery, at a locker or signed;
// failing that, when some delivery event names no place, the city of the
// newest located event before it. It returns "" while the parcel has not
// reached delivery.
func deliveryCity(com string, chrono []trackpush.Event) string {
	lastCity := ""
	delivered := ""
	for _, e := range chrono {
		b := status.Classify(e.Context, status.Context{Com: com}).Basic
		isDelivery := b == trackpush.StateDelivery || b == trackpush.StateSigned
		if e.Area != nil && e.Area.City != "" {
			lastCity = e.Area.City
			if isDelivery {
				delivered = lastCity
			}
		} else if isDelivery && delivered == "" {
			delivered = lastCity
		}
	}
	return delivered
}
