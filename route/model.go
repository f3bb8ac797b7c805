package route

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

// Kinds of the learned statistics (trackpush.RouteCount.Kind). Each is a
// histogram of durations (see BinOf) per bucket, keyed by carrier and key;
// KindHop counts next stops instead.
const (
	// KindLeg: from the arrival at site A to the arrival at site B; key
	// "A␟B", bucket the 3-hour slot of the arrival at A.
	KindLeg = 1 + iota
	// KindLegClass: legs by the types of their ends and their distance
	// class; key "hh␟7" (h hub, o outlet; the class, "u" when a place is
	// unknown), for the carrier and for its group (Com "*air": the
	// carriers that fly long legs; "*road": the others).
	KindLegClass
	// KindDeliver: from the arrival at the outlet that delivers to the
	// target event; key the outlet, bucket the slot of the arrival.
	KindDeliver
	// KindDeliverClass: the same for all outlets of the carrier (key "o",
	// or "h" when the last site scanned was a hub) and of its group.
	KindDeliverClass
	// KindHop: the next stop from a site for a destination; key
	// "A␟d:<district>␟B" (also c: city), bucket and bin 0;
	// and between hubs of two cities, whatever the destination, "A␟>␟B"
	// (A's usual way on) and "B␟<␟A" (what usually feeds B); "B␟=␟="
	// counts the parcels B passed from one city's hub to another's.
	KindHop
	// KindDwell: from the first to the last scan at a site; key the site,
	// bucket the slot of the arrival.
	KindDwell
	// KindLane: from entering a stage to the target event, per lane; key
	// "<origin city>␟<destination city>", bucket stage×8 + the slot of the
	// entry.
	KindLane
	// KindRemain: from the arrival at a site to the target event, by the
	// site's type and distance class to the destination ("h␟7", "o␟0␟c"
	// in the destination city), for the carrier and its group; bucket the
	// slot of the arrival. Where the graph does not know the way on, the
	// time left comes from here (or from the cold way's steps).
	KindRemain
)

// group returns the carrier's group, whose legs a carrier's unseen legs
// borrow the times of: the carriers with their own flights, or the others.
func group(com string) string {
	if airCarriers[com] {
		return "*air"
	}
	return "*road"
}

// airTag marks the keys of legs a scan said were flown (a leg also counts
// among all legs): "A␟B␟a".
const airTag = sep + "a"

// slots is the number of buckets of a day: 3-hour slots, China Standard
// Time.
const slots = 8

func slotOf(t time.Time) int { return t.In(trackpush.CST).Hour() / 3 }

// slotAt is slotOf for hours since a midnight.
func slotAt(h float64) int { return min(int(hourOfDay(h)/3), slots-1) }

// Evidence weights: a learned histogram with n observations in the bucket
// is drawn from with probability n/(n+k), else the next, coarser one.
const (
	kLeg   = 3
	kClass = 5
	kGroup = 10
	kLane  = 6
)

type aggKey struct {
	kind int
	com  string
	key  string
}

// Model is the route model: the gazetteer, the learned hub graph (legs,
// dwell, next stops), lane statistics and the cold-start prior; it makes
// forecasts and learns from shipments. Its state is aggregates of bounded
// size (histograms over fixed bins, counts of next stops), never the
// histories themselves. It is safe for concurrent use.
type Model struct {
	// Gaz is the gazetteer.
	Gaz *Gazetteer
	// Samples is the number of futures drawn per forecast.
	Samples int
	// Quantile is the quantile of the drawn arrivals a forecast's Arrival
	// takes (Early and Late are the 10th and 90th percentiles).
	Quantile float64

	mu   sync.RWMutex
	aggs map[aggKey]*hist
	hops map[string]map[string]int64 // com␟from␟tag → next → count
	// majorKeys are each carrier's regional hubs: the hubs whose through
	// count (KindHop "B␟=␟=") reached minThrough, sorted.
	majorKeys map[string][]string

	sites  siteCache
	placed nodeCache
}

// NewModel returns an empty model: forecasts come from the prior alone.
func NewModel() *Model {
	return &Model{
		Gaz:       NewGazetteer(),
		Samples:   64,
		Quantile:  DefaultQuantile,
		aggs:      map[aggKey]*hist{},
		hops:      map[string]map[string]int64{},
		majorKeys: map[string][]string{},
	}
}

// DefaultQuantile is the Quantile of a new model.
const DefaultQuantile = 0.65

// nodeCache remembers the places of sites as scans placed them.
type nodeCache struct {
	mu sync.Mutex
	m  map[string]*Node
}

func (c *nodeCache) get(key string, resolve func() *Node) *Node {
	c.mu.Lock()
	n, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return n
	}
	n = resolve()
	c.mu.Lock()
	if c.m == nil || len(c.m) >= siteCacheMax {
		c.m = make(map[string]*Node, 1024)
	}
	c.m[key] = n
	c.mu.Unlock()
	return n
}

// siteCache remembers what Sites read from scan texts: a shipment's
// earlier scans are read again at each new one.
type siteCache struct {
	mu sync.Mutex
	m  map[string][2]Site
}

const siteCacheMax = 1 << 17

func (c *siteCache) get(text string) (Site, Site) {
	c.mu.Lock()
	s, ok := c.m[text]
	c.mu.Unlock()
	if ok {
		return s[0], s[1]
	}
	at, next := Sites(text)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= siteCacheMax {
		c.m = make(map[string][2]Site, 1024)
	}
	c.m[text] = [2]Site{at, next}
	c.mu.Unlock()
	return at, next
}

// Apply adds a digest's places and counts to the model (after the store
// committed them).
func (m *Model) Apply(places []trackpush.Place, counts []trackpush.RouteCount) {
	m.Gaz.Add(places...)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range counts {
		m.addLocked(c, false)
	}
}

// Load sets the model's statistics to totals read from the store (a node
// refreshes its model with what every node learned).
func (m *Model) Load(places []trackpush.Place, totals []trackpush.RouteCount) {
	m.Gaz.Add(places...)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range totals {
		m.addLocked(c, true)
	}
}

func (m *Model) addLocked(c trackpush.RouteCount, set bool) {
	if c.Kind == KindHop {
		parts := strings.Split(c.Key, sep)
		if len(parts) != 3 {
			return
		}
		k := c.Com + sep + parts[0] + sep + parts[1]
		hs := m.hops[k]
		if hs == nil {
			hs = map[string]int64{}
			m.hops[k] = hs
		}
		if set {
			hs[parts[2]] = c.N
		} else {
			hs[parts[2]] += c.N
		}
		if hs[parts[2]] <= 0 {
			delete(hs, parts[2])
		}
		if parts[1] == throughTag {
			keys := m.majorKeys[c.Com]
			i, found := slices.BinarySearch(keys, parts[0])
			switch major := hs[throughTag] >= minThrough; {
			case major && !found:
				m.majorKeys[c.Com] = slices.Insert(keys, i, parts[0])
			case !major && found:
				m.majorKeys[c.Com] = slices.Delete(keys, i, i+1)
			}
		}
		return
	}
	k := aggKey{c.Kind, c.Com, c.Key}
	h := m.aggs[k]
	if h == nil {
		h = &hist{}
		m.aggs[k] = h
	}
	if set {
		h.set(c.Bucket, c.Bin, c.N)
	} else {
		h.add(c.Bucket, c.Bin, int32(c.N))
	}
}

// agg returns a histogram (nil when none); the caller holds m.mu.
func (m *Model) agg(kind int, com, key string) *hist { return m.aggs[aggKey{kind, com, key}] }

// dest is the destination of a shipment.
type dest struct {
	place                    *region.Place
	district, city, province string
}

func destOf(a *trackpush.Area) *dest {
	if a == nil {
		return nil
	}
	pl, ok := region.Lookup(a.Code)
	if !ok {
		return nil
	}
	d := &dest{place: pl, city: pl.CityCode(), province: pl.ProvinceCode()}
	if pl.Level >= 3 {
		d.district = pl.Code()[:6] + "000000"
	}
	if d.city == "" {
		return nil // a province alone does not say where to deliver
	}
	return d
}

// destOfNode makes a destination of the site where a parcel was delivered
// (shipments followed without a destination).
func destOfNode(n *Node) *dest {
	if !n.known() {
		return nil
	}
	return destOf(&trackpush.Area{Code: n.AreaCode})
}

// shipment is what a digest or forecast reads of a shipment.
type shipment struct {
	com      string
	from, to *trackpush.Area
	events   []trackpush.Event // time order
	trip     Trip
	nodes    []*Node // of trip.Visits
	dest     *dest
	origin   string // origin city code ("" unknown)
	// looped reports a city visited, left and visited again: a misroute,
	// whose next stops the graph does not learn.
	looped bool
}

// read reads a shipment; extra are places not yet in the gazetteer (a
// digest's new ones).
func (m *Model) read(com string, from, to *trackpush.Area, events []trackpush.Event, extra map[string]*Node) *shipment {
	s := &shipment{com: com, from: from, to: to, events: Chronological(events)}
	s.trip = ReadTrip(s.events, m.sites.get)
	s.nodes = make([]*Node, len(s.trip.Visits))
	for i := range s.trip.Visits {
		s.nodes[i] = m.node(com, s.trip.Visits[i].Site, s.trip.Visits[i].Area, "", extra)
	}
	s.dest = destOf(to)
	if s.dest == nil && !s.trip.Target.IsZero() && len(s.nodes) > 0 {
		s.dest = destOfNode(s.nodes[len(s.nodes)-1])
	}
	left := map[string]bool{}
	for i, n := range s.nodes {
		if n.City == "" {
			continue
		}
		if left[n.City] {
			s.looped = true
		}
		if i+1 < len(s.nodes) && s.nodes[i+1].City != n.City {
			left[n.City] = true
		}
	}
	if from != nil && from.City != "" {
		s.origin = from.City
	} else if len(s.nodes) > 0 {
		s.origin = s.nodes[0].City
	}
	return s
}

// node returns the place of a site named by a scan placed in area (nil
// for a next stop, named by a scan at a site in city). A scan that places
// the site gives its region, whatever the gazetteer holds (a first
// sighting elsewhere): what a trajectory teaches then depends on its own
// scans alone, and learning it event by event, in any order, adds up to
// learning it at once. Otherwise the gazetteer's place, a digest's new one
// (extra), or one resolved now.
func (m *Model) node(com string, s Site, area *trackpush.Area, city string, extra map[string]*Node) *Node {
	if area != nil && area.City != "" {
		city = area.City
	}
	key := PlaceKey(s, city)
	if area != nil {
		return m.placed.get(com+sep+key+sep+area.Code, func() *Node { return newNode(PlaceOf(com, s, area, city)) })
	}
	if n := m.Gaz.Lookup(com, key); n != nil {
		return n
	}
	if n := extra[key]; n != nil {
		return n
	}
	return newNode(PlaceOf(com, s, nil, city))
}

// stageAt returns the stage of a shipment with its first upto visits.
func (s *shipment) stageAt(upto int) Stage {
	t := &s.trip
	if upto == 0 || t.FirstHub < 0 || t.FirstHub >= upto {
		return StagePickup
	}
	cur := s.nodes[upto-1]
	if s.dest != nil && cur.City != "" && cur.City == s.dest.city {
		if cur.Type == trackpush.StopOutlet {
			return StageOutlet
		}
		return StageDestCity
	}
	return StageHub
}

// Stage returns the shipment's current stage.
func (s *shipment) stage() Stage {
	if !s.trip.Target.IsZero() {
		return StageArrived
	}
	return s.stageAt(len(s.nodes))
}

// entries returns when the shipment entered each stage (zero: not
// entered).
func (s *shipment) entries() [StageArrived]time.Time {
	var e [StageArrived]time.Time
	e[StagePickup] = s.trip.Pickup
	for i := range s.nodes {
		st := s.stageAt(i + 1)
		if st < StageArrived && e[st].IsZero() {
			e[st] = s.trip.Visits[i].Arrive
		}
	}
	return e
}

// countKey is one bin of one aggregate.
type countKey struct {
	kind        int
	com, key    string
	bucket, bin int
}

func typeCode(n *Node) string {
	if n.Type == trackpush.StopHub {
		return "h"
	}
	return "o"
}

// classKey returns the class of a leg: its ends' types and distance class.
func classKey(a, b *Node) string {
	c := "u"
	if a.known() && b.known() {
		c = strconv.Itoa(distanceBin(distance(a, b)))
	}
	return typeCode(a) + typeCode(b) + sep + c
}

// observe adds what a shipment teaches the statistics to into, times sign.
func (s *shipment) observe(into map[countKey]int64, sign int64) {
	t := &s.trip
	if len(s.nodes) == 0 {
		return
	}
	add := func(kind int, com, key string, bucket int, d time.Duration) {
		into[countKey{kind, com, key, bucket, BinOf(d)}] += sign
	}
	for i := 0; i+1 < len(s.nodes); i++ {
		a, b := s.nodes[i], s.nodes[i+1]
		va, vb := &t.Visits[i], &t.Visits[i+1]
		slot := slotOf(va.Arrive)
		d := vb.Arrive.Sub(va.Arrive)
		ck := classKey(a, b)
		for _, air := range []string{"", airTag} {
			if air != "" && !va.Air {
				break
			}
			add(KindLeg, s.com, a.Key+sep+b.Key+air, slot, d)
			add(KindLegClass, s.com, ck+air, slot, d)
			add(KindLegClass, group(s.com), ck+air, slot, d)
		}
		add(KindDwell, s.com, a.Key, slot, va.Leave.Sub(va.Arrive))
		if s.dest != nil && !s.looped {
			for _, tag := range s.dest.tags() {
				into[countKey{KindHop, s.com, a.Key + sep + tag + sep + b.Key, 0, 0}] += sign
			}
		}
		if !s.looped && a.Type == trackpush.StopHub && b.Type == trackpush.StopHub && a.City != b.City {
			into[countKey{KindHop, s.com, a.Key + sep + outTag + sep + b.Key, 0, 0}] += sign
			into[countKey{KindHop, s.com, b.Key + sep + inTag + sep + a.Key, 0, 0}] += sign
			// b passed on to a hub of a third city: a hub parcels go
			// through (a regional hub), not one they start or end at.
			if i+2 < len(s.nodes) {
				if c := s.nodes[i+2]; c.Type == trackpush.StopHub && c.City != b.City && c.City != a.City {
					into[countKey{KindHop, s.com, b.Key + sep + throughTag + sep + throughTag, 0, 0}] += sign
				}
			}
		}
	}
	if t.Target.IsZero() {
		return
	}
	last := len(s.nodes) - 1
	d := s.nodes[last]
	v := &t.Visits[last]
	// Where the outlet's first scan is the target itself (no arrival
	// scan), the leg to it ends at the target and this is 0: the two add
	// up as they were measured.
	slot := slotOf(v.Arrive)
	add(KindDeliver, s.com, d.Key, slot, t.Target.Sub(v.Arrive))
	add(KindDeliverClass, s.com, typeCode(d), slot, t.Target.Sub(v.Arrive))
	add(KindDeliverClass, group(s.com), typeCode(d), slot, t.Target.Sub(v.Arrive))
	if s.dest != nil {
		for i := 0; i < last; i++ {
			rk := remainKey(s.nodes[i], s.dest)
			at := t.Visits[i].Arrive
			add(KindRemain, s.com, rk, slotOf(at), t.Target.Sub(at))
			add(KindRemain, group(s.com), rk, slotOf(at), t.Target.Sub(at))
		}
	}
	if s.origin != "" && s.dest != nil {
		for st, at := range s.entries() {
			if !at.IsZero() && !at.After(t.Target) {
				add(KindLane, s.com, s.origin+sep+s.dest.city, st*slots+slotOf(at), t.Target.Sub(at))
			}
		}
	}
}

// Tags of the hops between hubs whatever the destination (KindHop).
const (
	outTag     = ">"
	inTag      = "<"
	throughTag = "="
)

// remainKey returns the class of a site toward a destination (KindRemain).
func remainKey(n *Node, d *dest) string {
	k := typeCode(n) + sep + "u"
	if km, ok := distanceTo(n, d); ok {
		k = typeCode(n) + sep + strconv.Itoa(distanceBin(km))
	}
	if n.City != "" && n.City == d.city {
		k += sep + "c"
	}
	return k
}

// tags are the destination's keys of next stops, finest first: its
// district, its city. (Not its province: the next stop toward one city of
// a province says little about the way to another.)
func (d *dest) tags() []string {
	var out []string
	if d.district != "" {
		out = append(out, "d:"+d.district)
	}
	return append(out, "c:"+d.city)
}

// Digest returns what a shipment's new events add to the route model —
// the places its scans named for the first time and the increments of the
// statistics — and the forecast at its newest event. h is the shipment as
// stored (its ends), before and fresh its earlier and new events. The
// store keeps all three in the transaction that stores the events; Apply
// adds the places and counts to the model once it committed. Summary is
// left zero.
func (m *Model) Digest(h *trackpush.Shipment, before, fresh []trackpush.Event) trackpush.Digest {
	var out trackpush.Digest
	extra := map[string]*Node{}
	all := append(append([]trackpush.Event(nil), before...), fresh...)
	// New places: the sites of the fresh scans the gazetteer lacks (or
	// knows without a region), resolved as the trip reads them.
	isFresh := map[int64]bool{}
	for _, e := range fresh {
		isFresh[e.Seq] = true
	}
	city := ""
	for _, e := range Chronological(all) {
		at, next := m.sites.get(e.Context)
		if !at.IsZero() {
			n := m.node(h.Com, at, e.Area, city, extra)
			city = n.City
			m.note(h.Com, n, at, e.Area, isFresh[e.Seq], extra, &out)
		}
		if !next.IsZero() && isFresh[e.Seq] {
			m.note(h.Com, m.node(h.Com, next, nil, city, extra), next, nil, true, extra, &out)
		}
	}
	prev := m.read(h.Com, h.From, h.To, before, extra)
	cur := m.read(h.Com, h.From, h.To, all, extra)
	counts := map[countKey]int64{}
	prev.observe(counts, -1)
	cur.observe(counts, 1)
	for k, n := range counts {
		if n != 0 {
			out.Counts = append(out.Counts, trackpush.RouteCount{Kind: k.kind, Com: k.com, Key: k.key, Bucket: k.bucket, Bin: k.bin, N: n})
		}
	}
	sort.Slice(out.Counts, func(i, j int) bool { return countLess(out.Counts[i], out.Counts[j]) })
	out.Forecast = m.forecast(cur)
	return out
}

// note records n, the place of a site a scan named, as new when the
// gazetteer lacks it (or lacks its region, which this scan gives).
func (m *Model) note(com string, n *Node, s Site, area *trackpush.Area, fresh bool, extra map[string]*Node, out *trackpush.Digest) {
	if !fresh || extra[n.Key] != nil {
		return
	}
	old := m.Gaz.Lookup(com, n.Key)
	if old != nil && (old.known() || !n.known()) {
		return
	}
	extra[n.Key] = n
	out.Places = append(out.Places, n.Place)
}

// countLess orders counts by key, so that every transaction takes the
// rows' locks in one order (no deadlock between nodes).
func countLess(a, b trackpush.RouteCount) bool {
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if a.Com != b.Com {
		return a.Com < b.Com
	}
	if a.Key != b.Key {
		return a.Key < b.Key
	}
	if a.Bucket != b.Bucket {
		return a.Bucket < b.Bucket
	}
	return a.Bin < b.Bin
}

// Learn adds a whole shipment to the model at once (the evaluation's
// history; tools). It returns the places and counts it added.
func (m *Model) Learn(h *trackpush.Shipment, events []trackpush.Event) trackpush.Digest {
	d := m.Digest(h, nil, events)
	m.Apply(d.Places, d.Counts)
	return d
}

// Forecast returns the forecast for a shipment with these events (any
// order), made at its newest event: nil when the model cannot say — no
// destination, no scan yet, or a parcel returned, refused or handed over.
func (m *Model) Forecast(h *trackpush.Shipment, events []trackpush.Event) *trackpush.Forecast {
	return m.forecast(m.read(h.Com, h.From, h.To, events, nil))
}

// StageOf returns the stage of a shipment with these events (the
// evaluation groups predictions by it).
func (m *Model) StageOf(h *trackpush.Shipment, events []trackpush.Event) Stage {
	return m.read(h.Com, h.From, h.To, events, nil).stage()
}

// hash seeds a forecast's draws: the same shipment state draws the same
// futures.
func hash(parts ...string) uint64 {
	f := fnv.New64a()
	for _, p := range parts {
		f.Write([]byte(p))
		f.Write([]byte{0})
	}
	return f.Sum64()
}

// step is one step of a predicted way: a leg to the next site, or the
// last one, from the outlet's arrival to the target.
type step struct {
	a, b   *Node   // b nil: deliver at a
	km     float64 // from a to b
	air    bool    // a scan said the leg is flown
	levels [3]*hist
	ks     [3]float64
}

func (m *Model) stepOf(com string, a, b *Node, air bool) step {
	st := step{a: a, b: b, ks: [3]float64{kLeg, kClass, kGroup}}
	if b == nil {
		st.levels = [3]*hist{m.agg(KindDeliver, com, a.Key), m.agg(KindDeliverClass, com, typeCode(a)), m.agg(KindDeliverClass, group(com), typeCode(a))}
		return st
	}
	st.km = distance(a, b)
	ck, lk := classKey(a, b), a.Key+sep+b.Key
	if air {
		ck, lk, st.air = ck+airTag, lk+airTag, true
	}
	st.levels = [3]*hist{m.agg(KindLeg, com, lk), m.agg(KindLegClass, com, ck), m.agg(KindLegClass, group(com), ck)}
	return st
}

// draw draws a step's hours from an arrival at its start at h (hours
// since a midnight), longer than above hours; learned reports whether
// history (not the prior) gave it.
func (st *step) draw(r *rand.Rand, com string, h float64, above float64) (float64, bool) {
	slot := slotAt(h)
	for i, hist := range st.levels {
		n := float64(hist.count(slot))
		if n == 0 || r.Float64() >= n/(n+st.ks[i]) {
			continue
		}
		if v, ok := hist.sample(slot, r.Float64(), above*60); ok {
			return v / 60, true
		}
	}
	for try := 0; try < 12; try++ {
		var v float64
		if st.b == nil {
			v = priorDeliver(r, h)
		} else {
			v = priorLeg(r, com, st.a, st.b, st.km, h, st.air)
		}
		if v > above {
			return v, false
		}
	}
	return above + 0.5 + r.Float64(), false
}

// forecast makes a shipment's forecast.
func (m *Model) forecast(s *shipment) *trackpush.Forecast {
	t := &s.trip
	if t.Pickup.IsZero() || t.Ended {
		return nil
	}
	if !t.Target.IsZero() {
		return m.arrived(s)
	}
	if s.dest == nil {
		return nil
	}
	passedHub := t.FirstHub >= 0
	var cur *Node
	var ta time.Time
	var known *Node // the next stop a scan named
	if n := len(s.nodes); n > 0 {
		cur, ta = s.nodes[n-1], t.Visits[n-1].Arrive
		if nx := t.Visits[n-1].Next; !nx.IsZero() {
			known = m.node(s.com, nx, nil, cur.City, nil)
		}
	} else {
		// Picked up, no site named yet: at an outlet of the origin.
		var pl *region.Place
		if s.from != nil {
			pl, _ = region.Lookup(s.from.Code)
		}
		if pl == nil {
			return nil
		}
		cur, ta = synthetic(s.com, trackpush.StopOutlet, pl), t.Pickup
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	path, learnedEnd := m.path(s.com, cur, known, s.dest, passedHub)
	steps := make([]step, 0, len(path))
	flown := len(s.nodes) > 0 && t.Visits[len(s.nodes)-1].Air
	for i := 0; i+1 < len(path); i++ {
		steps = append(steps, m.stepOf(s.com, path[i], path[i+1], i == 0 && flown))
	}
	steps = append(steps, m.stepOf(s.com, path[len(path)-1], nil, false))
	// Where the graph does not know the way on, the time left by the
	// class of the last site it knows.
	var remain [2]*hist
	if learnedEnd < len(path)-1 {
		rk := remainKey(path[learnedEnd], s.dest)
		remain = [2]*hist{m.agg(KindRemain, s.com, rk), m.agg(KindRemain, group(s.com), rk)}
	}

	// The lane's own history of this stage, if it has any.
	stage := s.stage()
	var lane *hist
	var laneEntry time.Time
	laneBucket := 0
	if s.origin != "" && stage < StageArrived {
		laneEntry = s.entries()[stage]
		if !laneEntry.IsZero() {
			lane = m.agg(KindLane, s.com, s.origin+sep+s.dest.city)
			laneBucket = int(stage)*slots + slotOf(laneEntry)
		}
	}
	laneN := float64(lane.count(laneBucket))
	laneW := laneN / (laneN + kLane)

	now := t.Last
	n := max(m.Samples, 8)
	r := rand.New(rand.NewPCG(hash(s.com, cur.Key, now.String()), uint64(len(s.events))))
	arrivals := make([]float64, n) // hours after now
	stopTimes := make([][]float64, len(path))
	for i := range stopTimes {
		stopTimes[i] = make([]float64, n)
	}
	base := midnight(ta)
	nowH := now.Sub(base).Hours()
	fu := future{steps: steps, learnedEnd: learnedEnd, remain: remain, ta: ta.Sub(base).Hours(), now: nowH, com: s.com, stops: make([]float64, len(path))}
	learned, draws := 0, 0
	for k := 0; k < n; k++ {
		if laneW > 0 && r.Float64() < laneW {
			if v, ok := lane.sample(laneBucket, r.Float64(), now.Sub(laneEntry).Minutes()); ok {
				arrivals[k] = laneEntry.Add(hours(v / 60)).Sub(now).Hours()
				learned++
				draws++
				for i := range stopTimes {
					stopTimes[i][k] = -1 // the lane says when, not where
				}
				continue
			}
		}
		at, l, d := fu.draw(r)
		learned, draws = learned+l, draws+d
		arrivals[k] = at - nowH
		for i := 1; i < len(path); i++ {
			stopTimes[i][k] = fu.stops[i] - nowH
		}
	}
	sort.Float64s(arrivals)
	q := func(p float64) time.Time {
		return now.Add(hours(max(0, Quantile(arrivals, p)))).Truncate(time.Second)
	}
	f := &trackpush.Forecast{
		MadeAt:  now,
		Pickup:  t.Pickup,
		Arrival: q(m.Quantile),
		Early:   q(0.1),
		Late:    q(0.9),
	}
	switch share := float64(learned) / float64(max(draws, 1)); {
	case share >= 0.75:
		f.Basis = trackpush.BasisLane
	case share <= 0.25:
		f.Basis = trackpush.BasisPrior
	default:
		f.Basis = trackpush.BasisBlend
	}
	f.Route = m.route(s, path, stopTimes, now, f.Arrival)
	return f
}

// future draws one future of a shipment: its steps from the arrival at
// the current site (ta), the first longer than the time already spent
// there; where the graph's way ends (learnedEnd), the time left may come
// from the remain statistics instead, the cold way's stops then fitted
// in between. Times are hours since base, the midnight of ta's day.
type future struct {
	steps      []step
	learnedEnd int
	remain     [2]*hist
	ta, now    float64 // since base
	com        string
	stops      []float64 // of the last draw: the arrival at each stop
}

// draw returns the arrival of one future (hours since base) and how many
// of its draws came from history, out of how many.
func (f *future) draw(r *rand.Rand) (arrival float64, learned, draws int) {
	elapsed := f.now - f.ta
	at := f.ta
	f.stops[0] = at
	cut := -1.0 // the remain statistics' arrival (< 0: none)
	for i := range f.steps {
		above := 0.0
		if i == 0 {
			above = elapsed
		}
		if i == f.learnedEnd && i+1 < len(f.steps) {
			slot := slotAt(at)
			for j, h := range f.remain {
				n := float64(h.count(slot))
				if n == 0 || r.Float64() >= n/(n+[2]float64{kClass, kGroup}[j]) {
					continue
				}
				if v, ok := h.sample(slot, r.Float64(), above*60); ok {
					cut = at + v/60
					learned++
					draws++
					break
				}
			}
		}
		v, l := f.steps[i].draw(r, f.com, at, above)
		if cut < 0 {
			if l {
				learned++
			}
			draws++
		}
		at += v
		if i+1 < len(f.stops) {
			f.stops[i+1] = at
		}
	}
	if cut >= 0 {
		// The cold way's stops, fitted between the last site the graph
		// knows and the arrival the remain statistics gave.
		base := f.stops[f.learnedEnd]
		if span := at - base; span > 0 {
			scale := max(0, cut-base) / span
			for i := f.learnedEnd + 1; i < len(f.stops); i++ {
				f.stops[i] = base + (f.stops[i]-base)*scale
			}
		}
		at = cut
	}
	return at, learned, draws
}

// Quantile returns the p-quantile of sorted values (interpolated; 0 for
// none).
func Quantile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	x := p * float64(len(sorted)-1)
	i := int(x)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (sorted[i+1]-sorted[i])*(x-float64(i))
}

// arrived is the forecast of a shipment whose target event happened.
func (m *Model) arrived(s *shipment) *trackpush.Forecast {
	t := &s.trip
	f := &trackpush.Forecast{MadeAt: t.Last, Pickup: t.Pickup, Arrival: t.Target, Early: t.Target, Late: t.Target, Basis: trackpush.BasisArrived}
	for i, n := range s.nodes {
		v := &t.Visits[i]
		st := stopOf(n, trackpush.StopPassed, v.Arrive, v.Leave)
		if i == len(s.nodes)-1 {
			st.State = trackpush.StopCurrent
		}
		f.Route = append(f.Route, st)
	}
	return f
}

// stopOf makes a stop of a node.
func stopOf(n *Node, state string, arrive, leave time.Time) trackpush.Stop {
	return trackpush.Stop{
		Name: n.Name, Type: n.Type, State: state, AreaCode: n.AreaCode,
		Province: n.Short, City: n.CityName, District: n.DistrictName,
		Lng: n.Lng, Lat: n.Lat, Arrive: arrive, Leave: leave,
	}
}

// route returns a forecast's route: passed, current and predicted stops
// with monotone times (the predicted ones at the forecast's quantile).
func (m *Model) route(s *shipment, path []*Node, stopTimes [][]float64, now, arrival time.Time) []trackpush.Stop {
	t := &s.trip
	var out []trackpush.Stop
	for i := 0; i+1 < len(s.nodes); i++ {
		v := &t.Visits[i]
		out = append(out, stopOf(s.nodes[i], trackpush.StopPassed, v.Arrive, v.Leave))
	}
	arr := make([]time.Time, len(path))
	for i := 1; i < len(path); i++ {
		var xs []float64
		for _, v := range stopTimes[i] {
			if v >= 0 {
				xs = append(xs, v)
			}
		}
		if len(xs) == 0 {
			arr[i] = arrival // only the lane spoke: place the stops at the arrival
			continue
		}
		sort.Float64s(xs)
		arr[i] = now.Add(hours(max(0, Quantile(xs, m.Quantile)))).Truncate(time.Second)
	}
	if len(s.nodes) > 0 {
		arr[0] = t.Visits[len(s.nodes)-1].Arrive
	} else {
		arr[0] = t.Pickup
	}
	r := rand.New(rand.NewPCG(hash(path[0].Key), 7))
	prev := time.Time{}
	for i, n := range path {
		a := arr[i]
		if a.Before(prev) {
			a = prev
		}
		state := trackpush.StopPredicted
		if i == 0 {
			state = trackpush.StopCurrent
		}
		var leave time.Time
		switch {
		case i == len(path)-1:
			leave = arrival // the courier takes it out
		default:
			leave = a.Add(m.dwell(s.com, n, a, r))
			if i == 0 && leave.Before(now) {
				leave = now
			}
			if next := arr[i+1]; leave.After(next) && !next.Before(a) {
				leave = next
			}
		}
		if leave.Before(a) {
			leave = a
		}
		st := stopOf(n, state, a, leave)
		if i == len(path)-1 && n.District == "" && n.City == s.dest.city && s.dest.district != "" {
			// The outlet that delivers, in the destination city, its district
			// unknown: it serves the destination's.
			st.AreaCode, st.District = s.dest.place.AreaCode, s.dest.place.District
			st.Lng, st.Lat = parseLngLat(s.dest.place.AreaCenter)
			if s.dest.place.Level > 3 {
				if pl, ok := region.Lookup(s.dest.district); ok {
					st.AreaCode = pl.AreaCode
					st.Lng, st.Lat = parseLngLat(pl.AreaCenter)
				}
			}
		}
		out = append(out, st)
		prev = leave
	}
	return out
}

// dwell returns a typical stay at a site arrived at at t: the learned
// median, or the prior's.
func (m *Model) dwell(com string, n *Node, t time.Time, r *rand.Rand) time.Duration {
	if h := m.agg(KindDwell, com, n.Key); h.count(slotOf(t)) > 0 {
		if v, ok := h.sample(slotOf(t), 0.5, 0); ok {
			return time.Duration(v * float64(time.Minute))
		}
	}
	return hours(priorDwell(r, n))
}
