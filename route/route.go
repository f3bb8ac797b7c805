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

// FindLoop returns why the parcel's route is a loop — the first city it
// came back to after leaving it for another one (A → B → A), reading the
// located events in time order — or nil when it is not. The reason's place
// is the site the returning scan names (杭州转运中心), else its region's
// name. Scans within one
// city (hub, then outlet) are one stay. The way back of a parcel refused
// or returned is not a loop: reading stops at the refusal or return (the
// state says that already).
func FindLoop(events []trackpush.Event) *trackpush.Loop {
	left := map[string]time.Time{} // city → when the parcel left it
	cur := ""
	for _, e := range Chronological(events) {
		switch e.State.Basic() {
		case trackpush.StateReturning, trackpush.StateReturned, trackpush.StateRefused:
			return nil
		}
		if e.State == trackpush.StateRejected {
			return nil
		}
		if e.Area == nil || e.Area.City == "" || e.Area.City == cur {
			continue
		}
		if at, ok := left[e.Area.City]; ok {
			place := e.Area.Name
			if site, _ := Sites(e.Context); !site.IsZero() {
				place = site.Name
			}
			return &trackpush.Loop{Place: place, AreaCode: "CN" + e.Area.City, AreaName: e.Area.Name, LeftAt: at, BackAt: e.Time}
		}
		if cur != "" {
			left[cur] = e.Time
		}
		cur = e.Area.City
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

// Info returns the routeInfo of a shipment followed from from to to.
func Info(from, to *trackpush.Area, events []trackpush.Event) *trackpush.RouteInfo {
	return &trackpush.RouteInfo{From: Point(from), Cur: Point(Current(events)), To: Point(to)}
}
