package route

import (
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
	"github.com/trackpush/trackpush/sim"
	"github.com/trackpush/trackpush/status"
)

// The tests read scans as the service does (package enrich, which imports
// this one): the region engine with the shipment's ends as priors, the
// status engine knowing the earlier events and the destination city.

func areaOf(pl *region.Place) *trackpush.Area {
	if pl == nil {
		return nil
	}
	return &trackpush.Area{Code: pl.AreaCode, Name: pl.AreaName, Center: pl.AreaCenter, Location: pl.Location, City: pl.CityCode()}
}

// shipmentOf returns a shipment between two addresses ("" for none).
func shipmentOf(com, from, to string) *trackpush.Shipment {
	h := &trackpush.Shipment{Com: com, Nu: "T" + com}
	if from != "" {
		h.From = areaOf(region.ResolveAddress(from))
	}
	if to != "" {
		h.To = areaOf(region.ResolveAddress(to))
	}
	return h
}

// scans enriches raw scans (in time order), given as "2006-01-02 15:04:05
// text" lines.
func scans(t testing.TB, h *trackpush.Shipment, lines ...string) []trackpush.Event {
	t.Helper()
	var from, to *region.Place
	if h.From != nil {
		from, _ = region.Lookup(h.From.Code)
	}
	if h.To != nil {
		to, _ = region.Lookup(h.To.Code)
	}
	dest := ""
	if h.To != nil {
		dest = h.To.City
	}
	var out []trackpush.Event
	var prev []trackpush.State
	for i, l := range lines {
		ts, text, ok := strings.Cut(l, "|")
		tm, ok2 := trackpush.ParseTime(strings.TrimSpace(ts))
		if !ok || !ok2 {
			t.Fatalf("line %q", l)
		}
		e := trackpush.Event{Seq: int64(i + 1), Time: tm, RawTime: strings.TrimSpace(ts), Context: text}
		e.Area = areaOf(region.ResolveEvent(text, from, to))
		ctx := status.Context{Com: h.Com, DestCity: dest, Prev: prev}
		if e.Area != nil {
			ctx.City = e.Area.City
		}
		e.State = status.Classify(text, ctx).Advanced
		prev = append(prev, e.State)
		out = append(out, e)
	}
	return out
}

// simShipment returns a simulated parcel as the service would hold it.
func simShipment(p *sim.Parcel) (*trackpush.Shipment, []trackpush.Event) {
	h := &trackpush.Shipment{Com: p.Com, Nu: p.Nu, From: areaOf(region.ResolveAddress(p.From)), To: areaOf(region.ResolveAddress(p.To))}
	from, _ := region.Lookup(h.From.Code)
	to, _ := region.Lookup(h.To.Code)
	var out []trackpush.Event
	var prev []trackpush.State
	for i, e := range p.Events {
		ev := trackpush.Event{Seq: int64(i + 1), Time: e.Time, RawTime: trackpush.FormatTime(e.Time), Context: e.Context}
		ev.Area = areaOf(region.ResolveEvent(e.Context, from, to))
		ctx := status.Context{Com: p.Com, DestCity: h.To.City, Prev: prev}
		if ev.Area != nil {
			ctx.City = ev.Area.City
		}
		ev.State = status.Classify(e.Context, ctx).Advanced
		prev = append(prev, ev.State)
		out = append(out, ev)
	}
	return h, out
}

// at returns a time in China Standard Time.
func at(s string) time.Time {
	t, ok := trackpush.ParseTime(s)
	if !ok {
		panic(s)
	}
	return t
}
