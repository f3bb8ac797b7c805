package sim

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
)

// Rates are the shares of parcels that meet each kind of trouble, each in
// [0, 1]; 0 turns the kind off. The zero value is a world without trouble;
// DefaultRates is the usual mix.
//
// NoRecord, Stall, HandOver and Refusal decide a parcel's outcome and are
// drawn in that order, each among the parcels the earlier ones left (so
// with the defaults about 2% of parcels have no record, 2% of the rest
// stall, …). Loop, FailedDelivery and Locker come on top of any outcome
// that reaches them, and WrongCarrier on top of everything.
type Rates struct {
	// FailedDelivery: a delivery attempt fails (疑难 204 or 206) and the
	// parcel goes out again the next day; its signature is then 302.
	FailedDelivery float64
	// Refusal: the receiver refuses (203); the parcel is returned (6),
	// travels back and is signed by the sender (4).
	Refusal float64
	// HandOver: the carrier hands the parcel to another carrier in the
	// destination city (7, naming it and the new number); its own record
	// ends there. Postal carriers (ems, youzhengguonei) are the ones others
	// hand over to and never hand over themselves.
	HandOver float64
	// Locker: the parcel is left at a locker or station (501) and taken
	// later (304), from minutes to days.
	Locker float64
	// Loop: a misroute: a hub sends the parcel to a wrong hub, which sends
	// it back (A → B → A in the city sequence).
	Loop float64
	// Stall: the record stops in the middle of the route and never resumes.
	Stall float64
	// NoRecord: the number never gets an event.
	NoRecord float64
	// WrongCarrier: the shop gives the number with another carrier's code
	// (Parcel.GivenCom ≠ Parcel.Com).
	WrongCarrier float64
}

// DefaultRates returns the default mix: a few percent of each kind.
func DefaultRates() Rates {
	return Rates{
		FailedDelivery: 0.05,
		Refusal:        0.02,
		HandOver:       0.02,
		Locker:         0.08,
		Loop:           0.03,
		Stall:          0.02,
		NoRecord:       0.02,
		WrongCarrier:   0.03,
	}
}

// Validate reports the first rate outside [0, 1].
func (r Rates) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"FailedDelivery", r.FailedDelivery}, {"Refusal", r.Refusal}, {"HandOver", r.HandOver},
		{"Locker", r.Locker}, {"Loop", r.Loop}, {"Stall", r.Stall}, {"NoRecord", r.NoRecord},
		{"WrongCarrier", r.WrongCarrier},
	} {
		if !(f.v >= 0 && f.v <= 1) || math.IsNaN(f.v) {
			return fmt.Errorf("rate %s = %v: must be in [0, 1]", f.name, f.v)
		}
	}
	return nil
}

// DefaultStart is the Start of a Config that leaves it zero: Monday
// 2 June 2025, 00:00 China Standard Time.
var DefaultStart = time.Date(2025, 6, 2, 0, 0, 0, 0, trackpush.CST)

// DefaultWindow is the Window of a Config that leaves it zero.
const DefaultWindow = 7 * 24 * time.Hour

// Config describes a world. The zero value is a valid world of the ten
// default carriers without trouble, starting at DefaultStart.
type Config struct {
	// Seed makes the world: the same seed gives the same parcels.
	Seed int64
	// Start is when the first parcel ships; parcels ship at random times
	// in [Start, Start+Window), and are picked up during working hours.
	// Zero means DefaultStart.
	Start time.Time
	// Window is the span the parcels ship over; zero means DefaultWindow.
	Window time.Duration
	// Carriers are the carrier codes parcels are drawn from, by their 2019
	// usage. Empty means DefaultCarriers(); every code must be one of
	// Supported().
	Carriers []string
	// Rates are the trouble rates; the zero value means no trouble (use
	// DefaultRates for the usual mix).
	Rates Rates
}

// Validate reports what is wrong with the configuration.
func (c Config) Validate() error {
	if c.Window < 0 {
		return fmt.Errorf("window %v is negative", c.Window)
	}
	for _, com := range c.Carriers {
		if styleOf(com) == nil {
			return fmt.Errorf("carrier %q is not simulated (supported: %v)", com, Supported())
		}
	}
	return c.Rates.Validate()
}

// DefaultCarriers returns the ten most used carriers of 2019, the default
// of Config.Carriers.
func DefaultCarriers() []string {
	return []string{"youzhengguonei", "yunda", "zhongtong", "shunfeng", "yuantong", "huitongkuaidi", "shentong", "jd", "tiantian", "ems"}
}

// Supported returns the carrier codes the simulator has networks and
// phrasing for, sorted.
func Supported() []string {
	out := make([]string, 0, len(styles))
	for com := range styles {
		out = append(out, com)
	}
	slices.Sort(out)
	return out
}

// World is a deterministic simulated carrier world: its parcels are a
// function of the configuration and their index. It is safe for concurrent
// use.
type World struct {
	cfg      Config
	carriers []string
	cum      []float64 // cumulative carrier weights
	key      uint64    // number scrambling key, from the seed

	mu      sync.Mutex
	byIndex map[int]*Parcel
	byNu    map[parcelKey]*Parcel
}

type parcelKey struct{ com, nu string }

// NewWorld returns the world of cfg. It panics if cfg is not valid (see
// Config.Validate): a configuration is the program's, not its input's.
func NewWorld(cfg Config) *World {
	if err := cfg.Validate(); err != nil {
		panic("sim: " + err.Error())
	}
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	cfg.Start = cfg.Start.In(trackpush.CST)
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	coms := slices.Clone(cfg.Carriers)
	if len(coms) == 0 {
		coms = DefaultCarriers()
	}
	cfg.Carriers = coms
	w := &World{
		cfg:      cfg,
		carriers: coms,
		key:      mix(uint64(cfg.Seed), 0x6e756d62657273),
		byIndex:  map[int]*Parcel{},
		byNu:     map[parcelKey]*Parcel{},
	}
	total := 0.0
	for _, com := range coms {
		total += float64(styleOf(com).usage)
		w.cum = append(w.cum, total)
	}
	return w
}

// Config returns the world's configuration, with defaults filled in.
func (w *World) Config() Config {
	c := w.cfg
	c.Carriers = slices.Clone(c.Carriers)
	return c
}

// Parcel returns the i-th parcel (i ≥ 0) of the world, the same for the
// same seed and i whatever else was generated before. Generating a parcel
// registers it for Lookup. It returns nil for a negative i.
func (w *World) Parcel(i int) *Parcel {
	if i < 0 {
		return nil
	}
	w.mu.Lock()
	p, ok := w.byIndex[i]
	w.mu.Unlock()
	if ok {
		return p
	}
	p = w.generate(i)
	w.mu.Lock()
	defer w.mu.Unlock()
	if q, ok := w.byIndex[i]; ok {
		return q // generated concurrently: keep the first
	}
	w.byIndex[i] = p
	w.byNu[parcelKey{p.Com, p.Nu}] = p
	return p
}

// Lookup returns a generated parcel by its true carrier code and number.
func (w *World) Lookup(com, nu string) (*Parcel, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p, ok := w.byNu[parcelKey{com, nu}]
	return p, ok
}

// Outcomes of a parcel (Truth.Outcome).
const (
	OutcomeSigned     = "signed"     // signed by the receiver
	OutcomeReturned   = "returned"   // refused, returned and signed by the sender
	OutcomeStalled    = "stalled"    // the record stops mid-route
	OutcomeNoRecord   = "norecord"   // no event at all
	OutcomeHandedOver = "handedover" // handed to another carrier
)

// Trouble kinds listed in Truth.Trouble.
const (
	TroubleFailedDelivery = "failed-delivery"
	TroubleRefusal        = "refusal"
	TroubleHandOver       = "handover"
	TroubleLocker         = "locker"
	TroubleLoop           = "loop"
	TroubleStall          = "stall"
	TroubleNoRecord       = "norecord"
	TroubleWrongCarrier   = "wrong-carrier"
)

// Node types (Node.Type).
const (
	NodeHub    = "hub"    // a sorting centre: regional or city hub, or a city's distribution company
	NodeOutlet = "outlet" // a county/district outlet that picks up and delivers
)

// Parcel is one simulated shipment with its whole trajectory and the truth
// behind it. Treat it as read-only: the world hands out the same pointer.
type Parcel struct {
	Index    int    `json:"index"`
	Com      string `json:"com"`      // true carrier code
	GivenCom string `json:"givenCom"` // the code the shop subscribes with (≠ Com for wrong-carrier parcels)
	Nu       string `json:"nu"`
	// From and To are the addresses a shop would send ("广东省深圳市南山区").
	From string `json:"from"`
	To   string `json:"to"`
	// FromCode and ToCode are their 12-digit division codes.
	FromCode string `json:"fromCode"`
	ToCode   string `json:"toCode"`
	// Events is the whole trajectory, oldest first (empty for norecord).
	Events []Event `json:"events"`
	Truth  Truth   `json:"truth"`
}

// Event is one scan with what the simulator means by it.
type Event struct {
	Time    time.Time       // China Standard Time, whole seconds
	Context string          // the scan text
	State   trackpush.State // the advanced state the simulator means
	// City is the 12-digit code of the city the scan text places the event
	// in, "" when the text names no place ("快件已发车").
	City string
	// Node is the name of the node the event happened at (also for texts
	// that do not name it).
	Node string
}

// Truth is what really happened to a parcel.
type Truth struct {
	// Outcome is one of the Outcome constants.
	Outcome string
	// Trouble lists the kinds of trouble the parcel met (Trouble
	// constants), in a fixed order (wrong-carrier, norecord, loop, stall,
	// handover, failed-delivery, refusal, locker); empty for an ordinary
	// parcel. A kind drawn but never reached (a loop on a parcel that
	// stalls before it) is not listed.
	Trouble []string
	// Shipped is when the shop handed the parcel over (the order time);
	// PickedUp the pickup scan (zero for norecord).
	Shipped, PickedUp time.Time
	// ArrivedDestCity is the first arrival at a site in the destination
	// city (the pickup, for a parcel within one city), zero if it never
	// got there.
	ArrivedDestCity time.Time
	// OutForDelivery is the first delivery attempt to the receiver.
	OutForDelivery time.Time
	// Delivered is when the receiver signed or took the parcel: zero
	// unless Outcome is signed.
	Delivered time.Time
	// ReturnSigned is when the sender signed for the returned parcel
	// (Outcome returned).
	ReturnSigned time.Time
	// Route is the true path, in order, including a misroute's detour and
	// a return's way back; it ends where a stalled or handed-over parcel's
	// record ends.
	Route []Node
	// Loop reports a misroute (A → B → A). A returned parcel's way back
	// also revisits cities; that is not a loop here.
	Loop bool
	// HandOverTo and HandOverNu are the carrier code and number the parcel
	// was handed over with (Outcome handedover).
	HandOverTo string
	HandOverNu string
}

// Node is one stop on a parcel's route.
type Node struct {
	Name string // as the carrier names it in scans
	Type string // NodeHub or NodeOutlet
	City string // 12-digit code of its city
	// Arrive and Leave are when the parcel arrived and left; Leave is zero
	// where the parcel stayed (delivered, stalled, handed over).
	Arrive, Leave time.Time
	// Via is how the parcel came: "road" or "air" ("" for the first node).
	Via string
}

// Visible returns the events with a time not after t, oldest first, as an
// upstream would return them.
func (p *Parcel) Visible(t time.Time) []trackpush.RawEvent {
	var out []trackpush.RawEvent
	for _, e := range p.Events {
		if e.Time.After(t) {
			break
		}
		out = append(out, trackpush.RawEvent{Time: trackpush.FormatTime(e.Time), Context: e.Context})
	}
	return out
}

// Raw returns all of the parcel's events as raw events.
func (p *Parcel) Raw() []trackpush.RawEvent {
	out := make([]trackpush.RawEvent, len(p.Events))
	for i, e := range p.Events {
		out[i] = trackpush.RawEvent{Time: trackpush.FormatTime(e.Time), Context: e.Context}
	}
	return out
}

// Last returns the time of the newest event, zero for a parcel without
// events.
func (p *Parcel) Last() time.Time {
	if len(p.Events) == 0 {
		return time.Time{}
	}
	return p.Events[len(p.Events)-1].Time
}
