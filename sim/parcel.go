package sim

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
)

// gen is the state of one parcel's generation.
type gen struct {
	r    *rand.Rand
	st   *style
	net  *network
	book *phrasebook
	dest *city // the receiver's city: decides 1001 against 1002

	events []Event
	route  []Node
	last   time.Time

	// What the status of a signature depends on.
	trouble   bool            // a 疑难 event happened
	returned  bool            // the parcel was returned
	lastDeliv trackpush.State // the latest delivery-stage state (5 or 501)
	lastTrans trackpush.State // the latest in-transit state (1001 or 1002)
	returning bool            // on the way back to the sender
	attempt   int             // delivery attempts so far

	newName, newNu string // hand-over target, for {newname}, {newnu}

	origin *city   // the sender's city
	back   []*node // the hubs of the way back, for a refusal
}

// conflicted reports whether a parcel between oc and dc through the given
// hubs would pass a city kept apart from one of its ends.
func (g *gen) conflicted(oc, dc *city, paths ...[]*node) bool {
	gg := geo()
	if gg.conflict(oc, dc) || gg.conflict(dc, oc) {
		return true
	}
	for _, path := range paths {
		for _, h := range path {
			if gg.conflict(h.city, oc, dc) {
				return true
			}
		}
	}
	return false
}

// generate makes parcel i. Everything is drawn from one random stream
// seeded by (seed, i), so a parcel does not depend on the others.
func (w *World) generate(i int) *Parcel {
	r := rand.New(rand.NewPCG(mix(uint64(w.cfg.Seed), uint64(i)), mix(uint64(i), 0x7061726365)))
	com := w.carriers[sort.SearchFloat64s(w.cum, r.Float64()*w.cum[len(w.cum)-1])]
	st := styleOf(com)
	net := networkOf(com)
	g := &gen{r: r, st: st, net: net, book: &st.eras[r.IntN(len(st.eras))]}

	// Trouble, drawn in a fixed order from fixed draws.
	var u [8]float64
	for k := range u {
		u[k] = r.Float64()
	}
	rt := w.cfg.Rates
	wrong := u[0] < rt.WrongCarrier
	noRecord := u[1] < rt.NoRecord
	stall := !noRecord && u[2] < rt.Stall
	handOver := !noRecord && !stall && !st.post && u[3] < rt.HandOver
	refusal := !noRecord && !stall && !handOver && u[4] < rt.Refusal
	loop := !noRecord && u[5] < rt.Loop
	failed := !noRecord && !stall && !handOver && u[6] < rt.FailedDelivery
	locker := !noRecord && !stall && !handOver && !refusal && u[7] < rt.Locker

	// The ends and the way: a parcel never passes a city whose hub the
	// region engine would misread given its ends (geography.apart).
	oc := net.drawCity(r, true)
	var dc *city
	var hubs []*node
	for try := 0; ; try++ {
		dc = oc
		if r.Float64() >= 0.08 { // 8% stay within one city
			dc = net.drawCity(r, false)
		}
		hubs = net.hubPath(oc, dc, r)
		g.back = nil
		if refusal {
			g.back = net.hubPath(dc, oc, r)
		}
		if !g.conflicted(oc, dc, hubs, g.back) {
			break
		}
		if try == 50 { // (never seen) fall back to a parcel within the city
			dc, hubs = oc, net.hubPath(oc, oc, r)
			if refusal {
				g.back = hubs
			}
			break
		}
	}
	g.dest, g.origin = dc, oc
	oa := oc.areas[r.IntN(len(oc.areas))]
	da := dc.areas[r.IntN(len(dc.areas))]
	p := &Parcel{
		Index: i, Com: com, GivenCom: com, Events: []Event{},
		From: oa.addr(), To: da.addr(), FromCode: oa.code, ToCode: da.code,
	}
	f := drawFormat(st.formats, r)
	p.Nu = number(f, i, mix(w.key, comSeed(com)^comSeed(f.prefix)), r)
	if wrong {
		p.GivenCom = pick(r, st.wrong...)
		p.Truth.Trouble = append(p.Truth.Trouble, TroubleWrongCarrier)
	}

	shipped := w.cfg.Start.Add(time.Duration(r.Int64N(int64(w.cfg.Window)))).Truncate(time.Second)
	p.Truth.Shipped = shipped
	if noRecord {
		p.Truth.Outcome = OutcomeNoRecord
		p.Truth.Trouble = append(p.Truth.Trouble, TroubleNoRecord)
		return p
	}

	o := net.outlet(oa, r)
	d := net.outlet(da, r)

	// Pickup.
	if r.Float64() < st.orderShare {
		g.emit(stOrder, o, nil, shipped)
	}
	pickup := workTime(shipped.Add(between(r, 30*time.Minute, 6*time.Hour)), r)
	pickup = g.emit(stPickup, o, nil, pickup)
	g.emit(stPickupMore, o, nil, pickup.Add(between(r, 0, 90*time.Second)))
	p.Truth.PickedUp = pickup
	g.route = append(g.route, Node{Name: o.name, Type: o.typ, City: o.city.code, Arrive: pickup})

	// The stops: origin outlet, hubs, the city's distribution company
	// (some carriers), the delivering outlet; a misroute adds a detour.
	stops := append([]*node{o}, hubs...)
	if co := net.cos[dc.idx]; co != nil && r.Float64() < st.coShare {
		stops = append(stops, co)
	}
	stops = append(stops, d)
	loopBack := -1 // index in route of the return to the misrouting hub
	if loop {
		if k, wh := g.misroute(hubs); wh != nil {
			at := 1 + k // stops[at] is hubs[k]
			detour := []*node{wh, stops[at]}
			stops = append(stops[:at+1], append(detour, stops[at+1:]...)...)
			loopBack = at + 2
		}
	}
	stallAt, stallMoving := -1, false
	if stall {
		stallAt = 1 + r.IntN(len(stops)-2) // never the delivering outlet
		stallMoving = r.IntN(2) == 0
	}
	handAt := -1
	if handOver {
		handAt = len(stops) - 2 // the last hub (or company) before the outlet
		for handAt > 1 && stops[handAt].city != dc {
			handAt--
		}
		g.newName, p.Truth.HandOverTo = pick(r, "中国邮政", "EMS", "邮政"), ""
		switch g.newName {
		case "EMS":
			p.Truth.HandOverTo = "ems"
		default:
			p.Truth.HandOverTo = "youzhengguonei"
		}
		g.newNu = number(handOverFormat[p.Truth.HandOverTo], i, mix(w.key, comSeed(p.Truth.HandOverTo)^comSeed(com)), r)
		p.Truth.HandOverNu = g.newNu
	}

	// The way there.
	ready := pickup.Add(between(r, 10*time.Minute, 90*time.Minute))
	end := ""
	arrive := pickup
	for k := 0; k+1 < len(stops); k++ {
		cur, nxt := stops[k], stops[k+1]
		arrive = g.move(cur, nxt, ready, k == 0)
		if stallAt == k+1 && stallMoving {
			// lost on the way: the record ends with the departure
			g.route = g.route[:len(g.route)-1]
			end = OutcomeStalled
			break
		}
		ready = g.arrive(nxt, arrive, k+1 == len(stops)-1)
		arrive = g.route[len(g.route)-1].Arrive // as scanned
		if p.Truth.ArrivedDestCity.IsZero() && nxt.city == dc {
			p.Truth.ArrivedDestCity = arrive
		}
		if stallAt == k+1 {
			end = OutcomeStalled
			break
		}
		if handAt == k+1 {
			g.emit(stHandOver, nxt, nil, ready)
			end = OutcomeHandedOver
			break
		}
	}
	if oc == dc {
		p.Truth.ArrivedDestCity = pickup
	}
	if end == "" {
		end = g.deliver(p, d, o, arrive, failed, refusal, locker)
	}
	p.Truth.Outcome = end
	p.Events = g.events
	p.Truth.Route = g.route
	if loopBack >= 0 && len(g.route) > loopBack {
		p.Truth.Loop = true
	}
	tr := p.Truth.Trouble
	if p.Truth.Loop {
		tr = append(tr, TroubleLoop)
	}
	switch end {
	case OutcomeStalled:
		tr = append(tr, TroubleStall)
	case OutcomeHandedOver:
		tr = append(tr, TroubleHandOver)
	}
	if failed && g.attempt > 1 {
		tr = append(tr, TroubleFailedDelivery)
	}
	if refusal && end == OutcomeReturned {
		tr = append(tr, TroubleRefusal)
	}
	if locker && end == OutcomeSigned {
		tr = append(tr, TroubleLocker)
	}
	p.Truth.Trouble = tr
	if end != OutcomeHandedOver {
		p.Truth.HandOverTo, p.Truth.HandOverNu = "", ""
	}
	return p
}

// misroute picks a hub of the path that sends the parcel to a wrong hub
// nearby, and that hub; nil when there is none.
func (g *gen) misroute(hubs []*node) (int, *node) {
	k := g.r.IntN(len(hubs))
	h := hubs[k]
	on := map[*city]bool{g.dest: true}
	for _, x := range hubs {
		on[x.city] = true
	}
	var near []*node
	for _, c := range g.net.served {
		if on[c] {
			continue
		}
		if d := cityDistance(h.city, c); d >= 60 && d <= 500 && !geo().conflict(c, g.dest, g.origin) {
			near = append(near, g.net.hubs[c.idx])
		}
	}
	if len(near) == 0 {
		return 0, nil
	}
	return k, near[g.r.IntN(len(near))]
}

// move takes the parcel from cur (ready to leave at ready) to nxt: the
// departure scans, the route's leave and arrive times. It returns the
// arrival time.
func (g *gen) move(cur, nxt *node, ready time.Time, first bool) time.Time {
	r := g.r
	km := distanceKm(cur.lng, cur.lat, nxt.lng, nxt.lat)
	air := g.st.airKm > 0 && km >= g.st.airKm && cur.typ == NodeHub && nxt.typ == NodeHub && r.Float64() < g.st.airShare
	var dep time.Time
	switch {
	case cur.typ == NodeOutlet:
		dep = inWindows(ready, outletRuns, r)
	case nxt.typ == NodeOutlet || cur.city == nxt.city:
		dep = inWindows(ready, lastMileRuns, r)
	case air:
		dep = inWindows(ready, flights, r)
	case km >= 300:
		dep = inWindows(ready, nightTrunk, r)
	default:
		dep = ready.Add(between(r, 5*time.Minute, time.Hour))
	}
	if first && g.book[stOutletPack] != nil {
		// the origin outlet bags the parcel before it leaves
		g.emit(stOutletPack, cur, nil, ready.Add(between(r, 0, dep.Sub(ready))))
	}
	switch {
	case cur.typ == NodeOutlet:
		dep = g.emit(stOutletDepart, cur, nxt, dep)
	case g.isCo(cur):
		dep = g.emit(stCoDepart, cur, nxt, dep)
	default:
		dep = g.emit(stHubDepart, cur, nxt, dep)
	}
	g.route[len(g.route)-1].Leave = dep
	var hours float64
	via := "road"
	switch {
	case air:
		via = "air"
		hours = 2.5 + km/750 + 0.5 + 1.5*r.Float64()
		g.emit(stAir, cur, nil, dep.Add(between(r, 40*time.Minute, 2*time.Hour)))
	case cur.city == nxt.city:
		hours = 0.4 + km*1.3/35 + 0.5*r.Float64()
		if r.Float64() < 0.5 {
			g.emit(stTruck, cur, nil, dep.Add(between(r, time.Minute, 15*time.Minute)))
		}
	default:
		hours = 0.5 + km*1.25/(60+15*r.Float64()) + r.Float64()
		if r.Float64() < 0.5 {
			g.emit(stTruck, cur, nil, dep.Add(between(r, time.Minute, 15*time.Minute)))
		}
	}
	arr := dep.Add(time.Duration(hours * float64(time.Hour))).Truncate(time.Second)
	g.route = append(g.route, Node{Name: nxt.name, Type: nxt.typ, City: nxt.city.code, Arrive: arr, Via: via})
	return arr
}

func (g *gen) isCo(n *node) bool { return g.net.cos[n.city.idx] == n }

// arrive makes the arrival scans of nxt and returns when the parcel is
// ready to go on.
func (g *gen) arrive(n *node, at time.Time, final bool) time.Time {
	r := g.r
	switch {
	case final || n.typ == NodeOutlet:
		at = g.emit(stOutletArrive, n, nil, at)
		g.route[len(g.route)-1].Arrive = at
		return at.Add(between(r, 10*time.Minute, 40*time.Minute))
	case g.isCo(n):
		at = g.emitOpt(stCoArrive, n, at)
		g.route[len(g.route)-1].Arrive = at
		return at.Add(between(r, 20*time.Minute, 2*time.Hour))
	}
	at = g.emit(stHubArrive, n, nil, at)
	g.route[len(g.route)-1].Arrive = at
	dwell := between(r, 15*time.Minute, 2*time.Hour)
	if n.regional {
		dwell = between(r, 30*time.Minute, 3*time.Hour+30*time.Minute)
	}
	if g.book[stHubSort] != nil && r.Float64() < 0.6 {
		g.emit(stHubSort, n, nil, at.Add(between(r, 2*time.Minute, dwell)))
	}
	return at.Add(dwell)
}

// emitOpt emits an optional step if the carrier has it.
func (g *gen) emitOpt(s step, n *node, at time.Time) time.Time {
	if g.book[s] == nil {
		return at
	}
	return g.emit(s, n, nil, at)
}

// deliver makes the last mile at outlet d, reached at arrive: attempts,
// trouble, locker, signature, or the refusal and the way back to origin
// outlet o. It returns the outcome.
func (g *gen) deliver(p *Parcel, d, o *node, arrive time.Time, failed, refusal, locker bool) string {
	r := g.r
	disp := g.dispatch(d, inWindows(arrive.Add(20*time.Minute), deliveryRuns, r))
	p.Truth.OutForDelivery = disp
	if failed {
		f := capEvening(disp, disp.Add(between(r, 30*time.Minute, 4*time.Hour)), r)
		if r.IntN(2) == 0 {
			f = g.emit(stFail204, d, nil, f)
		} else {
			f = g.emit(stFail206, d, nil, f)
		}
		disp = g.dispatch(d, inWindows(nextMorning(f), deliveryRuns, r))
	}
	if refusal {
		f := capEvening(disp, disp.Add(between(r, 20*time.Minute, 3*time.Hour)), r)
		f = g.emit(stRefuse, d, nil, f)
		back := workTime(f.Add(between(r, 3*time.Hour, 26*time.Hour)), r)
		back = g.emit(stReturn, d, nil, back)
		g.returning = true
		stops := append([]*node{d}, g.back...)
		stops = append(stops, o)
		ready := back.Add(between(r, 10*time.Minute, time.Hour))
		arrive := back
		for k := 0; k+1 < len(stops); k++ {
			arrive = g.move(stops[k], stops[k+1], ready, false)
			ready = g.arrive(stops[k+1], arrive, k+1 == len(stops)-1)
		}
		disp := g.dispatch(o, inWindows(ready, deliveryRuns, r))
		sign := capEvening(disp, disp.Add(between(r, 20*time.Minute, 4*time.Hour)), r)
		p.Truth.ReturnSigned = g.emit(stReturnSign, o, nil, sign)
		return OutcomeReturned
	}
	if locker {
		in := capEvening(disp, disp.Add(between(r, 20*time.Minute, 3*time.Hour+30*time.Minute)), r)
		in = g.emit(stLocker, d, nil, in)
		p.Truth.Delivered = g.emit(stTaken, d, nil, takenAfter(in, r))
		return OutcomeSigned
	}
	sign := capEvening(disp, disp.Add(between(r, 15*time.Minute, 4*time.Hour+30*time.Minute)), r)
	s := stSignPlain
	if !g.trouble {
		switch x := r.Float64(); {
		case x < 0.3:
			s = stSignSelf
		case x < 0.55:
			s = stSignProxy
		case x < 0.65:
			s = stSignStation
		}
	}
	p.Truth.Delivered = g.emit(s, d, nil, sign)
	return OutcomeSigned
}

// dispatch makes a delivery attempt from outlet d.
func (g *gen) dispatch(d *node, at time.Time) time.Time {
	g.attempt++
	return g.emit(stDispatch, d, nil, at)
}

// emit appends the scan of step s at node at (next is the next stop, for
// departures) at time t, or later if an earlier scan is later, and returns
// its time. A step the carrier does not phrase is skipped.
func (g *gen) emit(s step, at, next *node, t time.Time) time.Time {
	ts := g.book[s]
	if len(ts) == 0 {
		return t
	}
	if g.returning {
		n := 0
		for _, x := range ts {
			if !x.noReturn {
				n++
			}
		}
		k := g.r.IntN(n)
		for i := range ts {
			if !ts[i].noReturn {
				if k == 0 {
					ts = ts[i : i+1]
					break
				}
				k--
			}
		}
	}
	tp := &ts[g.r.IntN(len(ts))]
	t = t.Truncate(time.Second)
	if t.Before(g.last) {
		t = g.last
	}
	text := g.fill(tp, at, next)
	e := Event{Time: t, Context: text, State: g.state(s, at, next, text, tp.placed), Node: at.name}
	if tp.placed {
		e.City = at.city.code
	}
	g.events = append(g.events, e)
	g.last = t
	return t
}

// state is the advanced state the simulator means by step s at node n
// (naming next, in text; placed: the text names the scan's place), by the
// protocol's definitions as the original service applies them (docs/protocol.md
// §3, status/doc.go; its real pushes show a pickup as 1 and a hub scan in
// the receiver's city as 1002).
func (g *gen) state(s step, n, next *node, text string, placed bool) trackpush.State {
	switch s {
	case stOrder:
		return trackpush.StateAwaitingPickup
	case stPickup, stPickupMore:
		return trackpush.StatePickup
	case stDispatch:
		g.lastDeliv = trackpush.StateDelivery
		return trackpush.StateDelivery
	case stLocker:
		g.lastDeliv = trackpush.StateAtLocker
		return trackpush.StateAtLocker
	case stTaken, stSignStation:
		return trackpush.StateSignedAtLocker
	case stSignPlain:
		switch {
		case g.returned:
			return trackpush.StateReturned
		case g.lastDeliv == trackpush.StateAtLocker:
			return trackpush.StateSignedAtLocker
		case g.trouble:
			return trackpush.StateSignedAfterFail
		}
		return trackpush.StateSigned
	case stSignSelf:
		return trackpush.StateSignedSelf
	case stSignProxy:
		return trackpush.StateSignedByProxy
	case stFail204:
		g.trouble = true
		return trackpush.StateDeliveryFailed
	case stFail206:
		g.trouble = true
		return trackpush.StateUnreachable
	case stRefuse:
		g.trouble = true
		return trackpush.StateRejected
	case stReturn:
		g.returned = true
		return trackpush.StateReturning
	case stReturnSign:
		return trackpush.StateReturned
	case stHandOver:
		return trackpush.StateTransfer
	}
	// In transit: in the receiver's city or elsewhere. A scan that names
	// no place (the truck leaving) belongs to the stay it ends. A scan that
	// names a transfer centre — where it happens or as the next stop — is
	// line haul even in the receiver's city.
	if !placed && g.lastTrans != 0 {
		return g.lastTrans
	}
	names := func(x *node) bool {
		return x != nil && x.centre && (strings.Contains(text, x.name) || strings.Contains(text, x.alt))
	}
	g.lastTrans = trackpush.StateTrunk
	if n.city == g.dest && !names(n) && !names(next) {
		g.lastTrans = trackpush.StateArrivedDestCity
	}
	return g.lastTrans
}

// fill writes a template out.
func (g *gen) fill(t *tpl, at, next *node) string {
	var b strings.Builder
	b.Grow(len(t.src) + 48)
	r := g.r
	for _, p := range t.parts {
		switch p.slot {
		case slotNone:
			b.WriteString(p.lit)
		case slotNode:
			b.WriteString(at.name)
		case slotAlt:
			b.WriteString(at.alt)
		case slotNext:
			b.WriteString(next.name)
		case slotNextAlt:
			b.WriteString(next.alt)
		case slotCity:
			b.WriteString(at.city.name)
		case slotCourier:
			b.WriteString("某某")
		case slotPhone:
			b.WriteString(phone(r))
		case slotTel:
			b.WriteString(landline(r))
		case slotN:
			b.WriteString(strconv.Itoa(max(g.attempt, 1)))
		case slotStation:
			b.WriteString(station(r))
		case slotLStation:
			a := at.area
			if a == nil {
				a = at.city.areas[0]
			}
			b.WriteString(a.localFull() + pick(r, estates...) + "店菜鸟驿站")
		case slotCode:
			b.WriteString(pad(r.Uint64N(1e7), 7))
		case slotK:
			b.WriteString(strconv.Itoa(1 + r.IntN(9)))
		case slotETA:
			b.WriteString(pad(uint64(11+r.IntN(10)), 2) + ":" + pick(r, "00", "30") + ":00")
		case slotNewNu:
			b.WriteString(g.newNu)
		case slotNewName:
			b.WriteString(g.newName)
		}
	}
	return b.String()
}

func phone(r *rand.Rand) string {
	return "1" + strconv.Itoa(3+r.IntN(7)) + strconv.Itoa(r.IntN(10)) + "****" + pad(r.Uint64N(10000), 4)
}

func landline(r *rand.Rand) string {
	return "0" + strconv.Itoa(10+r.IntN(890)) + "-8" + pad(r.Uint64N(1e7), 7)
}

// ── time ──

// window is a daily span of hours; to may pass 24 (a night run).
type window struct{ from, to float64 }

var (
	outletRuns   = []window{{12, 13.5}, {17.5, 21.5}} // outlets send collected parcels to the hub
	lastMileRuns = []window{{4.5, 7}, {10.5, 12.5}}   // hubs send parcels out to outlets
	nightTrunk   = []window{{19, 27}}                 // long road legs leave at night
	flights      = []window{{7, 10}, {19, 23.5}}      // air legs
	deliveryRuns = []window{{7.5, 9.5}, {13, 14.5}}   // couriers go out
	workHours    = []window{{8, 20}}                  // pickups
	takeHours    = []window{{7, 23}}                  // receivers take parcels from lockers
)

func midnight(t time.Time) time.Time {
	t = t.In(trackpush.CST)
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, trackpush.CST)
}

func hoursDur(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// inWindows returns a time at or after t inside one of the daily windows:
// soon after t if t is inside one, else a little after the next one opens.
func inWindows(t time.Time, ws []window, r *rand.Rand) time.Time {
	day := midnight(t)
	for d := -1; d <= 2; d++ {
		base := day.AddDate(0, 0, d)
		for _, w := range ws {
			start, end := base.Add(hoursDur(w.from)), base.Add(hoursDur(w.to))
			if !t.Before(end) {
				continue
			}
			if !t.Before(start) {
				return t.Add(between(r, 2*time.Minute, min(45*time.Minute, end.Sub(t))))
			}
			return start.Add(between(r, 0, min(90*time.Minute, end.Sub(start))))
		}
	}
	return t
}

// workTime moves t into working hours (pickups).
func workTime(t time.Time, r *rand.Rand) time.Time { return inWindows(t, workHours, r) }

// nextMorning returns 06:00 of the day after t.
func nextMorning(t time.Time) time.Time { return midnight(t).AddDate(0, 0, 1).Add(6 * time.Hour) }

// capEvening keeps a doorstep event (signature, failure, locker) of a
// delivery run that left at from no later than 21:00 that day.
func capEvening(from, t time.Time, r *rand.Rand) time.Time {
	limit := midnight(from).Add(21 * time.Hour)
	if t.Before(limit) {
		return t
	}
	if from.After(limit.Add(-30 * time.Minute)) {
		return from.Add(between(r, 5*time.Minute, 25*time.Minute))
	}
	return from.Add(between(r, 10*time.Minute, limit.Sub(from)))
}

// takenAfter is when a receiver takes a parcel left at a locker or station
// at t: mostly within hours, sometimes days.
func takenAfter(t time.Time, r *rand.Rand) time.Time {
	var d time.Duration
	switch x := r.Float64(); {
	case x < 0.4:
		d = between(r, 20*time.Minute, 4*time.Hour)
	case x < 0.75:
		d = between(r, 4*time.Hour, 12*time.Hour)
	case x < 0.95:
		d = between(r, 12*time.Hour, 36*time.Hour)
	default:
		d = between(r, 36*time.Hour, 72*time.Hour)
	}
	return inWindows(t.Add(d), takeHours, r)
}
