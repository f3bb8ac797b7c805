package trackpush

import (
	"strings"
	"time"
)

// Area is the region an event happened in, as stored with the event and
// sent in data[] (docs/protocol.md §2.1).
type Area struct {
	Code     string `json:"code"`     // "CN" + 12-digit division code
	Name     string `json:"name"`     // "陕西,延安市,吴起县"
	Center   string `json:"center"`   // "lng,lat", GCJ-02
	Location string `json:"location"` // "延安市,吴起县"
	PinYin   string `json:"pinyin"`   // "wu qi xian"
	City     string `json:"city"`     // 12-digit code of the unit acting as the city ("" above city level)
}

// RawEvent is a carrier scan as it arrives: its time as the carrier wrote
// it and its text, and — from a carrier's own API — its operation code.
type RawEvent struct {
	Time    string `json:"time"`
	Context string `json:"context"`
	// Code is the carrier's operation code of the scan and what it means,
	// when the scan came from the carrier's own API (nil otherwise). It is
	// reconciled with the text engine's reading when the event is
	// enriched; it is not stored.
	Code *CarrierCode `json:"-"`
}

// CarrierCode is a carrier's own operation code of one scan (SF opCode, ZTO
// scanType, J&T scanType, STO scanType, YTO infoContent, Deppon status) and
// the state it stands for. Codes name the operation that was scanned
// (picked up, out for delivery, signed), which the text only describes;
// the text names trouble, returns and hand-overs the codes often lump
// together. Package status reconciles the two.
type CarrierCode struct {
	Carrier string // the adapter that read it: "sf", "zto", …
	Code    string // as the carrier sent it: "80", "签收", "SIGNED"
	State   State  // what it means, an advanced code where the code is that precise
}

// Event is one enriched scan of a shipment. Enrichment runs once, when the
// event is stored; pushes only read it.
type Event struct {
	Seq     int64     // arrival order within the shipment, from 1
	Time    time.Time // parsed from RawTime, China Standard Time
	RawTime string    // as the carrier gave it
	Context string
	State   State // advanced state code
	Area    *Area // nil when the text names no place
}

// Summary is what a shipment's events say about it as a whole.
type Summary struct {
	State       State     // advanced state of the newest event
	Signed      bool      // ischeck: signed, including signed after a return
	Finished    bool      // tracking is over (signed): subscriptions shut down
	LastEventAt time.Time // carrier time of the newest event
}

// SettleAtLocker marks a summary signed at a locker or station (304): the
// end of a parcel that was left there (501) and had no later event for the
// locker wait — many carriers send nothing once the receiver takes it.
func SettleAtLocker(s *Summary) {
	s.State = StateSignedAtLocker
	s.Signed, s.Finished = true, true
}

// Shipment is a parcel: a carrier code and a number. Several subscriptions
// may follow one shipment; it is tracked and enriched once.
type Shipment struct {
	ID  int64
	Com string
	Nu  string
	// From and To are the route's ends, taken from the first subscription;
	// they are the priors of region resolution and decide 1001 (arrived in
	// the destination city).
	From, To   *Area
	Summary    Summary
	EventCount int
	CreatedAt  time.Time
	// ChangedAt is when an event was last added (service clock), the base
	// of the 60-day no-change abort.
	ChangedAt time.Time
	// Forecast is the route model's newest forecast (arrival and route
	// ahead); nil until one is made.
	Forecast *Forecast
}

// NewEvents returns the events of add that existing (and earlier ones of
// add) do not already have — the same time and context — numbered on from
// the existing ones' highest Seq.
func NewEvents(existing, add []Event) []Event {
	type key struct {
		t int64
		c string
	}
	seen := make(map[key]bool, len(existing)+len(add))
	var seq int64
	for _, e := range existing {
		seen[key{e.Time.Unix(), e.Context}] = true
		seq = max(seq, e.Seq)
	}
	var out []Event
	for _, e := range add {
		k := key{e.Time.Unix(), e.Context}
		if seen[k] {
			continue
		}
		seen[k] = true
		seq++
		e.Seq = seq
		out = append(out, e)
	}
	return out
}

// CanonicalNumber returns a tracking number as carriers write it: spaces
// around it trimmed, ASCII letters in upper case. Carriers print, scan and
// answer their numbers in upper case, so "yt0000000001" and
// "YT0000000001" are one shipment: one quota unit, one set of scans.
// Every number entering the service (subscribe, ingest, query, polling)
// goes through it.
func CanonicalNumber(nu string) string {
	nu = strings.TrimSpace(nu)
	for i := 0; i < len(nu); i++ {
		if 'a' <= nu[i] && nu[i] <= 'z' {
			return strings.ToUpper(nu)
		}
	}
	return nu
}
