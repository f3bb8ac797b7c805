package route

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
	"github.com/trackpush/trackpush/sim"
)

// snapshot flattens a model's statistics: bin → count.
func snapshot(m *Model) map[string]int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := map[string]int64{}
	for k, h := range m.aggs {
		for b, cs := range h.buckets {
			for _, c := range cs {
				out[fmt.Sprint(k.kind, k.com, k.key, b, c.bin)] = int64(c.n)
			}
		}
	}
	for k, hs := range m.hops {
		for next, n := range hs {
			out[k+">"+next] = n
		}
	}
	return out
}

func sameSnapshot(t *testing.T, what string, a, b map[string]int64) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d bins against %d", what, len(a), len(b))
	}
	for k, v := range a {
		if b[k] != v {
			t.Fatalf("%s: bin %q %d against %d", what, k, v, b[k])
		}
	}
}

func simParcels(seed int64, first, n int) []*sim.Parcel {
	w := sim.NewWorld(sim.Config{Seed: seed, Rates: sim.DefaultRates()})
	var out []*sim.Parcel
	for i := first; i < first+n; i++ {
		if p := w.Parcel(i); len(p.Events) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// TestLearnIncrementally: learning a shipment's events as they arrive —
// one digest per event, in order or with events arriving late — leaves the
// same statistics as learning each whole trajectory at once; the counts a
// late event retracts are taken away.
func TestLearnIncrementally(t *testing.T) {
	ps := simParcels(21, 0, 150)
	whole, inOrder, late := NewModel(), NewModel(), NewModel()
	r := rand.New(rand.NewPCG(1, 2))
	var negatives int
	for _, p := range ps {
		h, evs := simShipment(p)
		whole.Learn(h, evs)
		for i := range evs {
			d := inOrder.Digest(h, evs[:i], evs[i:i+1])
			inOrder.Apply(d.Places, d.Counts)
		}
		// The same events in another arrival order: a scan or two held
		// back and delivered last.
		order := append([]trackpush.Event(nil), evs...)
		if len(order) > 3 {
			k := 1 + r.IntN(len(order)-2)
			held := order[k]
			order = append(append(order[:k:k], order[k+1:]...), held)
		}
		var seen []trackpush.Event
		for i, e := range order {
			e.Seq = int64(i + 1)
			d := late.Digest(h, seen, []trackpush.Event{e})
			for _, c := range d.Counts {
				if c.N < 0 {
					negatives++
				}
			}
			late.Apply(d.Places, d.Counts)
			seen = append(seen, e)
		}
	}
	sameSnapshot(t, "event by event", snapshot(whole), snapshot(inOrder))
	sameSnapshot(t, "late events", snapshot(whole), snapshot(late))
	if negatives == 0 {
		t.Fatal("no late event retracted a count")
	}
	if whole.Gaz.Len() != inOrder.Gaz.Len() || whole.Gaz.Len() < 500 {
		t.Fatalf("places: %d whole, %d event by event", whole.Gaz.Len(), inOrder.Gaz.Len())
	}
}

// TestLoad: a model loaded with the stored totals (a node starting, or
// refreshing) equals the model that learned them; loading them again
// changes nothing.
func TestLoad(t *testing.T) {
	m := NewModel()
	totals := map[string]*trackpush.RouteCount{}
	var places []trackpush.Place
	for _, p := range simParcels(22, 0, 80) {
		h, evs := simShipment(p)
		d := m.Learn(h, evs)
		places = append(places, d.Places...)
		for _, c := range d.Counts {
			k := fmt.Sprint(c.Kind, c.Com, c.Key, c.Bucket, c.Bin)
			if totals[k] == nil {
				cc := c
				cc.N = 0
				totals[k] = &cc
			}
			totals[k].N += c.N
		}
	}
	var list []trackpush.RouteCount
	for _, c := range totals {
		list = append(list, *c)
	}
	loaded := NewModel()
	loaded.Load(places, list)
	sameSnapshot(t, "loaded", snapshot(m), snapshot(loaded))
	loaded.Load(places, list)
	sameSnapshot(t, "loaded twice", snapshot(m), snapshot(loaded))
	if loaded.Gaz.Len() != m.Gaz.Len() {
		t.Fatalf("places %d, want %d", loaded.Gaz.Len(), m.Gaz.Len())
	}
}

// shifted returns a parcel's trajectory moved by whole days.
func shifted(evs []trackpush.Event, days int) []trackpush.Event {
	out := make([]trackpush.Event, len(evs))
	for i, e := range evs {
		e.Time = e.Time.AddDate(0, 0, days)
		e.RawTime = trackpush.FormatTime(e.Time)
		out[i] = e
	}
	return out
}

// lanePair returns an ordinary simulated parcel (no trouble, two hubs or
// more) of a carrier of the given group.
func lanePair(t *testing.T, air bool) (*trackpush.Shipment, []trackpush.Event, *sim.Parcel) {
	t.Helper()
	for _, p := range simParcels(23, 0, 400) {
		if len(p.Truth.Trouble) > 0 || p.Truth.Outcome != sim.OutcomeSigned || airCarriers[p.Com] != air {
			continue
		}
		hubs := 0
		for _, n := range p.Truth.Route {
			if n.Type == sim.NodeHub {
				hubs++
			}
		}
		if hubs >= 2 {
			h, evs := simShipment(p)
			return h, evs, p
		}
	}
	t.Fatal("no parcel")
	return nil, nil, nil
}

// TestGraphLearns: after a lane's parcels were seen, a new parcel on it is
// predicted through the same hubs to the same outlet, on the lane's
// history, close to its time — the cold prior alone is further off.
func TestGraphLearns(t *testing.T) {
	h, evs, p := lanePair(t, false)
	m := NewModel()
	for d := 1; d <= 12; d++ {
		m.Learn(h, shifted(evs, -7*d))
	}
	s := m.read(h.Com, h.From, h.To, evs, nil)
	if s.trip.FirstHub < 0 || s.trip.Target.IsZero() {
		t.Fatalf("trip %+v", s.trip)
	}
	// At the first hub scan.
	k := 0
	for k < len(evs) {
		if at, _ := Sites(evs[k].Context); at.Type == hub {
			break
		}
		k++
	}
	f := m.Forecast(h, evs[:k+1])
	if f == nil {
		t.Fatal("no forecast")
	}
	var names, want []string
	for _, st := range f.Route {
		names = append(names, st.Name)
	}
	for _, n := range p.Truth.Route {
		want = append(want, siteOf(n.Name, 0).Name)
	}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("predicted route %v\n  true route %v", names, want)
	}
	if f.Basis != trackpush.BasisLane {
		t.Fatalf("basis %s", f.Basis)
	}
	errH := f.Arrival.Sub(s.trip.Target).Hours()
	cold := NewModel().Forecast(h, evs[:k+1])
	coldErr := cold.Arrival.Sub(s.trip.Target).Hours()
	if errH < -3 || errH > 6 || abs(errH) > abs(coldErr)+1 {
		t.Fatalf("error %.1f h learned, %.1f h cold", errH, coldErr)
	}
	if cold.Basis != trackpush.BasisPrior {
		t.Fatalf("cold basis %s", cold.Basis)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestBounded: the model keeps aggregates, not histories — learning the
// same lane a hundred more times adds no aggregate and no bin.
func TestBounded(t *testing.T) {
	h, evs, _ := lanePair(t, false)
	m := NewModel()
	for d := 1; d <= 20; d++ {
		m.Learn(h, shifted(evs, -7*d))
	}
	before := len(snapshot(m))
	aggs := len(m.aggs)
	for d := 21; d <= 120; d++ {
		m.Learn(h, shifted(evs, -7*d))
	}
	if after := len(snapshot(m)); after != before || len(m.aggs) != aggs {
		t.Fatalf("bins %d → %d, aggregates %d → %d", before, after, aggs, len(m.aggs))
	}
}

// median draws a prior step 400 times.
func median(draw func(r *rand.Rand) float64) float64 {
	r := rand.New(rand.NewPCG(5, 6))
	xs := make([]float64, 400)
	for i := range xs {
		xs[i] = draw(r)
	}
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

func hubAt(t *testing.T, city string) *Node {
	t.Helper()
	pl := region.ResolveAddress(city)
	if pl == nil {
		t.Fatalf("no %s", city)
	}
	return synthetic("yunda", hub, pl)
}

// TestPrior: the cold-start prior's legs grow with distance; a long leg
// leaves at night (a parcel ready in the morning waits for the evening's
// line-haul, one ready at night leaves at once); carriers with flights
// fly long legs; an outlet delivers within hours by day and from the
// morning what arrives at night.
func TestPrior(t *testing.T) {
	sz, gz, hz := hubAt(t, "广东省深圳市"), hubAt(t, "广东省广州市"), hubAt(t, "浙江省杭州市")
	hrb := hubAt(t, "黑龙江省哈尔滨市")
	morning, night := at("2025-06-16 09:00:00"), at("2025-06-16 22:00:00")
	leg := func(com string, a, b *Node, t0 time.Time) float64 {
		return median(func(r *rand.Rand) float64 { return priorLeg(r, com, a, b, distance(a, b), float64(t0.Hour()), false) })
	}
	short, mid, long := leg("yunda", sz, gz, night), leg("yunda", sz, hz, night), leg("yunda", sz, hrb, night)
	if !(short < mid && mid < long) || short > 6 || long < 35 {
		t.Fatalf("by distance: %.1f h (100 km) %.1f h (1,050 km) %.1f h (2,900 km)", short, mid, long)
	}
	if wait := leg("yunda", sz, hz, morning) - mid; wait < 6 || wait > 16 {
		t.Fatalf("ready at 09:00 the parcel waits %.1f h more than at 22:00 for the night's line-haul", wait)
	}
	// SF flies most long legs: most of its draws take hours, not days.
	q := func(com string, p float64) float64 {
		r := rand.New(rand.NewPCG(7, 8))
		xs := make([]float64, 400)
		for i := range xs {
			xs[i] = priorLeg(r, com, sz, hrb, distance(sz, hrb), 22, false)
		}
		sort.Float64s(xs)
		return xs[int(p*float64(len(xs)))]
	}
	if air, road := q("shunfeng", 0.5), q("yunda", 0.1); air > 20 || road < 40 {
		t.Fatalf("深圳 → 哈尔滨: SF's median %.1f h, Yunda's 10th percentile %.1f h", air, road)
	}
	deliver := func(t0 time.Time) float64 {
		return median(func(r *rand.Rand) float64 { return priorDeliver(r, float64(t0.Hour())+float64(t0.Minute())/60) })
	}
	if d := deliver(at("2025-06-16 10:00:00")); d > 3 {
		t.Fatalf("arrived 10:00, out in %.1f h", d)
	}
	if d := deliver(at("2025-06-16 21:00:00")); d < 9.5 || d > 13 {
		t.Fatalf("arrived 21:00, out in %.1f h (the next morning)", d)
	}
}

// TestForecastRoutes checks every forecast made at every event of 250
// simulated parcels (after 800 others were learned, and cold): arrivals
// in range order and never before the event, the route's stops passed,
// current, then predicted, their times monotone, the last one in the
// destination district; and once the target event happened, the arrival
// is its time.
func TestForecastRoutes(t *testing.T) {
	learned := NewModel()
	for _, p := range simParcels(24, 0, 800) {
		h, evs := simShipment(p)
		learned.Learn(h, evs)
	}
	cold := NewModel()
	checked := 0
	for _, p := range simParcels(24, 800, 250) {
		h, evs := simShipment(p)
		dist := h.To.Code[:8] + "000000"
		toPlace, _ := region.Lookup(h.To.Code)
		for _, m := range []*Model{learned, cold} {
			for k := 1; k <= len(evs); k++ {
				f := m.Forecast(h, evs[:k])
				if f == nil {
					continue
				}
				checked++
				where := fmt.Sprintf("%s %s after %q", p.Com, p.Nu, evs[k-1].Context)
				if f.Early.After(f.Arrival) || f.Arrival.After(f.Late) || f.Arrival.Before(f.MadeAt) || !f.MadeAt.Equal(evs[k-1].Time) && f.Basis != trackpush.BasisArrived {
					t.Fatalf("%s: early %v arrival %v late %v made %v", where, f.Early, f.Arrival, f.Late, f.MadeAt)
				}
				if len(f.Route) == 0 {
					t.Fatalf("%s: no route", where)
				}
				state, prev := 0, time.Time{}
				order := map[string]int{trackpush.StopPassed: 0, trackpush.StopCurrent: 1, trackpush.StopPredicted: 2}
				currents := 0
				for _, st := range f.Route {
					if order[st.State] < state {
						t.Fatalf("%s: stop states out of order: %+v", where, f.Route)
					}
					state = order[st.State]
					if st.State == trackpush.StopCurrent {
						currents++
					}
					if st.Arrive.Before(prev) || st.Leave.Before(st.Arrive) {
						t.Fatalf("%s: times not monotone at %s: %+v", where, st.Name, f.Route)
					}
					prev = st.Leave
					if st.Type != hub && st.Type != outlet {
						t.Fatalf("%s: type %q", where, st.Type)
					}
				}
				if currents != 1 {
					t.Fatalf("%s: %d current stops", where, currents)
				}
				last := f.Route[len(f.Route)-1]
				if f.Basis == trackpush.BasisArrived {
					if !f.Arrival.Equal(f.Early) || !f.Arrival.Equal(f.Late) || last.State != trackpush.StopCurrent {
						t.Fatalf("%s: arrived forecast %+v", where, f)
					}
					continue
				}
				if last.Type != outlet || len(last.AreaCode) < 8 || last.AreaCode[:8]+"000000" != dist || last.District != toPlace.District {
					t.Fatalf("%s: last stop %+v not in the destination district %s", where, last, dist)
				}
			}
		}
	}
	if checked < 3000 {
		t.Fatalf("%d forecasts checked", checked)
	}
}
