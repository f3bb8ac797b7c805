package status

import (
	"sort"
	"time"

	"github.com/trackpush/trackpush"
)

// Event is one classified event of a shipment.
type Event struct {
	Time   time.Time // event time as the carrier gave it
	Seq    int       // arrival order: breaks ties between equal times
	Result Result
}

// Summary is the state of a shipment derived from its events.
type Summary struct {
	// State is the advanced state of the newest event (callers use
	// .Basic() for basic-level pushes); 0 when there is no event.
	State trackpush.State
	// IsCheck reports whether the shipment is signed (the wire's ischeck):
	// the newest event is 签收 (basic 3) or 退签 4, signed after a return.
	IsCheck bool
	// Finished reports whether the shipment is done, which drives the
	// lifecycle's shutdown push. Today it is exactly IsCheck: the protocol
	// shuts a shipment down when it is signed, including signed after a
	// return, and at no other state (401 已销单 and 14 拒签 end in abort
	// after 60 days without change, as the original does).
	Finished bool
	// Newest is the index, in the slice passed to Summarize, of the newest
	// event; after Sort it is len(events)-1. -1 when there is no event.
	Newest int
}

// before reports whether a is older than b: by time, then by arrival order.
func before(a, b *Event) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.Seq < b.Seq
}

// Sort orders events oldest first: by time, then by Seq (arrival order).
// It is stable, so events equal in both keep their order.
func Sort(events []Event) {
	sort.SliceStable(events, func(i, j int) bool { return before(&events[i], &events[j]) })
}

// Summarize returns the state of a shipment. The events may be in any
// order and are not modified; the newest event (by time, then arrival
// order) decides, so an older event arriving late never overwrites a newer
// state.
func Summarize(events []Event) Summary {
	newest := -1
	for i := range events {
		if newest < 0 || before(&events[newest], &events[i]) {
			newest = i
		}
	}
	if newest < 0 {
		return Summary{Newest: -1}
	}
	st := events[newest].Result.Advanced
	signed := IsSigned(st)
	return Summary{State: st, IsCheck: signed, Finished: signed, Newest: newest}
}

// IsSigned reports whether an advanced state means the shipment is signed
// for: any 签收 code (3, 301–304), or 4 退签, which this package uses for a
// return signed by the sender. 401 已销单 and 14 拒签 are not signatures.
func IsSigned(s trackpush.State) bool {
	return s.Basic() == trackpush.StateSigned || s == trackpush.StateReturned
}
