package route

import (
	"strings"
	"time"

	"github.com/trackpush/trackpush"
)

// Visit is a stay of the parcel at one site: the scans there, from the
// first to the last.
type Visit struct {
	Site   Site
	Area   *trackpush.Area // the area of the first scan there that had one
	Arrive time.Time       // the first scan there (the pickup, at the origin outlet)
	Leave  time.Time       // the last scan there
	Next   Site            // the next stop a scan there named (zero when none did)
	// Air reports that a scan there said the parcel was handed to an
	// airline or flown (快件已交航空公司运输, 航班已起飞): the leg on is a flight.
	Air bool
}

// Stage is where a shipment is on its way, as the evaluation and the lane
// statistics group predictions.
type Stage int

// Stages, in order.
const (
	// StagePickup: picked up, not yet scanned at a hub.
	StagePickup Stage = iota
	// StageHub: scanned at a hub, not yet in the destination city.
	StageHub
	// StageDestCity: in the destination city, not yet at the outlet that
	// delivers.
	StageDestCity
	// StageOutlet: at the outlet that delivers, about to go out for
	// delivery.
	StageOutlet
	// StageArrived: the target event has happened.
	StageArrived
)

// String returns the stage's name as the evaluation reports it.
func (s Stage) String() string {
	switch s {
	case StagePickup:
		return "after_pickup"
	case StageHub:
		return "after_first_hub"
	case StageDestCity:
		return "in_dest_city"
	case StageOutlet:
		return "out_for_delivery"
	}
	return "arrived"
}

// Trip is what a shipment's events say about its way so far, read in
// carrier-time order up to the target event (see IsTarget) or the end of
// the way to the receiver (a return, a refusal, a hand-over to another
// carrier).
type Trip struct {
	Pickup time.Time // the first scan that is not an order (zero: no scan yet)
	Visits []Visit
	Target time.Time // the target event's time (zero until it happens)
	Last   time.Time // the newest event read
	// Ended reports that the parcel will not reach the receiver through
	// this carrier: returned, refused or handed over.
	Ended bool
	// FirstHub is the index of the first visit to a hub (-1: none yet).
	FirstHub int
}

// IsTarget reports whether an event's state is the target of the ETA:
// the first delivery-stage event that makes the parcel available to the
// receiver — out for delivery (5), at a locker or station (501), or
// signed (3xx), whichever comes first.
func IsTarget(s trackpush.State) bool {
	b := s.Basic()
	return b == trackpush.StateDelivery || b == trackpush.StateSigned
}

// endsWay reports whether an event's state ends the way to the receiver.
func endsWay(s trackpush.State) bool {
	switch s.Basic() {
	case trackpush.StateReturning, trackpush.StateReturned, trackpush.StateRefused, trackpush.StateTransfer:
		return true
	}
	return s == trackpush.StateRejected
}

// isOrder reports whether an event is an order before the pickup (已下单,
// 待揽收).
func isOrder(s trackpush.State) bool {
	return s == trackpush.StateOrdered || s == trackpush.StateAwaitingPickup
}

// ReadTrip reads a trip from a shipment's events in time order (see
// Chronological); sites reads a scan's sites (Sites, or a cache of it).
func ReadTrip(chrono []trackpush.Event, sites func(string) (Site, Site)) Trip {
	t := Trip{FirstHub: -1}
	for i := range chrono {
		e := &chrono[i]
		if t.Pickup.IsZero() && !isOrder(e.State) {
			t.Pickup = e.Time
		}
		if endsWay(e.State) {
			t.Ended = true
			break
		}
		t.Last = e.Time
		at, next := sites(e.Context)
		n := len(t.Visits)
		switch {
		case !at.IsZero() && (n == 0 || t.Visits[n-1].Site.Key != at.Key):
			v := Visit{Site: at, Arrive: e.Time, Leave: e.Time}
			if n == 0 && !t.Pickup.IsZero() && at.Type == trackpush.StopOutlet {
				v.Arrive = t.Pickup // at the origin outlet since the pickup
			}
			if at.Type == trackpush.StopHub && t.FirstHub < 0 {
				t.FirstHub = n
			}
			t.Visits = append(t.Visits, v)
			n++
		case n > 0:
			t.Visits[n-1].Leave = e.Time
			if at.IsZero() && byAir(e.Context) {
				t.Visits[n-1].Air = true
			}
		}
		if n > 0 {
			v := &t.Visits[n-1]
			if v.Area == nil && e.Area != nil && !at.IsZero() {
				v.Area = e.Area
			}
			if !next.IsZero() && next.Key != v.Site.Key {
				v.Next = next
			}
		}
		if IsTarget(e.State) {
			t.Target = e.Time
			break
		}
	}
	return t
}

// airWords say a parcel is flown.
var airWords = []string{"航空", "航班", "飞机", "空运", "起飞"}

func byAir(text string) bool {
	for _, w := range airWords {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}
