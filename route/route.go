// Package route derives what the trajectory says about the route: the
// from/cur/to of routeInfo, whether the parcel looped back to a place it
// had left and why, and — the route model (Model) — the places of the
// carriers' networks (the gazetteer), the hub graph learned from
// trajectories, the arrival estimate (ETA) with its cold-start prior, and
// the predicted route. It is pure: the model's state comes from and goes to
// the store through its callers (Digest, Apply, Load).
package route

import (
	"sort"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

// Chronological returns the events in carrier-time order, ties broken by
// arrival order (Seq). It does not modify events.
func Chronological(events []trackpush.Event) []trackpush.Event {
	out := append([]trackpush.Event(nil), events...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].Seq < out[j].Seq
	})
	return out
}

// Current returns the area of the newest located event, or nil.
func Current(events []trackpush.Event) *trackpush.Area {
	evs := Chronological(events)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Area != nil {
			return evs[i].Area
		}
	}
	return nil
}

// IsLoop reports whether the parcel came back to a city it had left for
// another one (see FindLoop).
func IsLoop(events []trackpush.Event) bool { return FindLoop(events) != nil }

// stay is the parcel's time in one city: the located events there in a
// row, in time order.
type stay struct {
	city   string
	events []trackpush.Event
}

// stray reports whether a stay is one scan at an outlet: neither a hub nor
// a departure the carrier announced — a mis-scan or a record out of
// place, not a visit.
func (s *stay) stray() bool {
	if len(s.events) != 1 {
		return false
	}
	at, next := Sites(s.events[0].Context)
	return at.Type != trackpush.StopHub && next.IsZero()
}

// FindLoop returns why the parcel's route is a loop — the first city it
// came back to after leaving it for another one (A → B → A), reading the
// located events in time order — or nil when it is not. Scans within one
// city (hub, then outlet) are one stay. A real revisit is needed: one
// stray scan at another city's outlet between two stays in the same city
// (苏州 → one scan at a 无锡 outlet → 苏州's hub) is not a loop, as the
// original service has it. The reason's place is the site the returning
// scan names (杭州转运中心), else its region's name. The way back of a
// parcel refused or returned is not a loop: reading stops at the refusal
// or return (the state says that already).
func FindLoop(events []trackpush.Event) *trackpush.Loop {
	var stays []stay
scan:
	for _, e := range Chronological(events) {
		switch e.State.Basic() {
		case trackpush.StateReturning, trackpush.StateReturned, trackpush.StateRefused:
			break scan
		}
		if e.State == trackpush.StateRejected {
			break scan
		}
		if e.Area == nil || e.Area.City == "" {
			continue
		}
		if n := len(stays); n > 0 && stays[n-1].city == e.Area.City {
			stays[n-1].events = append(stays[n-1].events, e)
			continue
		}
		stays = append(stays, stay{city: e.Area.City, events: []trackpush.Event{e}})
	}
	// Drop the stray stays between two stays in one city, and join those.
	for i := 1; i+1 < len(stays); i++ {
		if stays[i].stray() && stays[i-1].city == stays[i+1].city {
			stays[i-1].events = append(stays[i-1].events, stays[i+1].events...)
			stays = append(stays[:i], stays[i+2:]...)
			i--
		}
	}
	left := map[string]time.Time{} // city → when the parcel left it
	for i, st := range stays {
		if at, ok := left[st.city]; ok {
			e := st.events[0]
			place := e.Area.Name
			if site, _ := Sites(e.Context); !site.IsZero() {
				place = site.Name
			}
			return &trackpush.Loop{Place: place, AreaCode: "CN" + e.Area.City, AreaName: e.Area.Name, LeftAt: at, BackAt: e.Time}
		}
		if i+1 < len(stays) {
			left[st.city] = stays[i+1].events[0].Time
		}
	}
	return nil
}

// Point converts an area to a routeInfo point (nil stays nil).
func Point(a *trackpush.Area) *trackpush.RoutePoint {
	if a == nil {
		return nil
	}
	return &trackpush.RoutePoint{Number: a.Code, Name: a.Name}
}

// Info returns the routeInfo of a shipment followed from from to to (the
// subscriber's ends; either may be nil). As the original service does, a
// missing from is the place of the first located event, and a missing to
// the place where the parcel is delivered once an event there is known (the
// newest located delivery-stage event: out for delivery, at a locker or
// station, signed). cur is where the parcel is: the newest located
// event's place — or, when the newest event is a departure that announces
// the next stop, that stop's place.
func Info(from, to *trackpush.Area, events []trackpush.Event) *trackpush.RouteInfo {
	chrono := Chronological(events)
	ri := &trackpush.RouteInfo{From: Point(from), To: Point(to)}
	for i := range chrono {
		if ri.From != nil {
			break
		}
		ri.From = Point(chrono[i].Area)
	}
	if ri.To == nil {
		for i := len(chrono) - 1; i >= 0; i-- {
			if e := &chrono[i]; e.Area != nil && atDelivery(e.State) {
				ri.To = Point(e.Area)
				break
			}
		}
	}
	if n := len(chrono); n > 0 {
		if next := nextStop(chrono[n-1].Context, from, to); next != nil {
			ri.Cur = next
			return ri
		}
	}
	ri.Cur = Point(Current(chrono))
	return ri
}

// atDelivery reports whether a state is of the delivery stage: out for
// delivery, at a locker or station, or signed (not after a return).
func atDelivery(s trackpush.State) bool {
	switch s.Basic() {
	case trackpush.StateDelivery, trackpush.StateSigned:
		return true
	}
	return false
}

// nextStop returns the place of the next stop a departure scan announces
// ("已发出 下一站 【无锡转运中心公司】"), or nil.
func nextStop(text string, from, to *trackpush.Area) *trackpush.RoutePoint {
	_, next := Sites(text)
	if next.IsZero() {
		return nil
	}
	var priors []*region.Place
	for _, a := range []*trackpush.Area{from, to} {
		if a == nil {
			continue
		}
		if p, ok := region.Lookup(a.Code); ok {
			priors = append(priors, p)
		}
	}
	p := region.ResolveEvent("【"+next.Name+"】", priors...)
	if p == nil {
		return nil
	}
	return &trackpush.RoutePoint{Number: p.AreaCode, Name: p.AreaName}
}
