package sim

import (
	"slices"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

// clock is the time of day of t in hours (China Standard Time).
func clock(t time.Time) float64 {
	t = t.In(trackpush.CST)
	return float64(t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
}

func inSpans(h float64, spans ...[2]float64) bool {
	for _, s := range spans {
		if s[0] <= s[1] && h >= s[0] && h <= s[1] || s[0] > s[1] && (h >= s[0] || h <= s[1]) {
			return true
		}
	}
	return false
}

func cityCenter(t *testing.T, code string) (lng, lat float64) {
	t.Helper()
	p, ok := region.Lookup(code)
	if !ok {
		t.Fatalf("city %s unknown", code)
	}
	return parseCenter(p.AreaCenter)
}

// TestTimings checks the clock of thousands of parcels: scans in order,
// pickups in working hours, couriers out in the morning or early
// afternoon, signatures in the day, long road legs leaving at night,
// plausible line-haul speeds, and ordinary parcels delivered in days.
func TestTimings(t *testing.T) {
	t.Parallel()
	w := NewWorld(Config{Seed: 11, Rates: DefaultRates()})
	var days []float64
	var roadLegs, airLegs, nightLegs, longRoad int
	for i := range 4000 {
		p := w.Parcel(i)
		tr := &p.Truth
		var prev time.Time
		for k, e := range p.Events {
			if e.Time.Before(prev) {
				t.Fatalf("parcel %d: event %d at %v before the previous at %v", i, k, e.Time, prev)
			}
			if e.Time.Location() != trackpush.CST || e.Time.Nanosecond() != 0 {
				t.Fatalf("parcel %d: event time %v not whole seconds CST", i, e.Time)
			}
			prev = e.Time
			h := clock(e.Time)
			switch e.State {
			case trackpush.StatePickup:
				if !inSpans(h, [2]float64{8, 20.1}) {
					t.Errorf("parcel %d: pickup at %s", i, e.Time.Format(time.DateTime))
				}
			case trackpush.StateDelivery:
				if !inSpans(h, [2]float64{7.5, 15.5}) {
					t.Errorf("parcel %d: out for delivery at %s", i, e.Time.Format(time.DateTime))
				}
			case trackpush.StateSigned, trackpush.StateSignedSelf, trackpush.StateSignedByProxy,
				trackpush.StateSignedAfterFail, trackpush.StateReturned:
				if !inSpans(h, [2]float64{7.5, 21.5}) {
					t.Errorf("parcel %d: signed at %s", i, e.Time.Format(time.DateTime))
				}
			case trackpush.StateSignedAtLocker:
				if !inSpans(h, [2]float64{7, 23.5}) {
					t.Errorf("parcel %d: taken at %s", i, e.Time.Format(time.DateTime))
				}
			}
		}
		if tr.Outcome == OutcomeNoRecord {
			continue
		}
		if first := slices.IndexFunc(p.Events, func(e Event) bool { return e.State == trackpush.StatePickup }); first < 0 || !p.Events[first].Time.Equal(tr.PickedUp) {
			t.Errorf("parcel %d: PickedUp %v is not the first pickup scan", i, tr.PickedUp)
		}
		if tr.PickedUp.Before(tr.Shipped) {
			t.Errorf("parcel %d: picked up before it shipped", i)
		}
		// Every scan happens at a node of the route; the milestones are
		// the route's.
		names := map[string]bool{}
		destCity := ""
		if pl, ok := region.Lookup(p.ToCode); ok {
			destCity = pl.CityCode()
		}
		var firstInDest time.Time
		for _, n := range tr.Route {
			names[n.Name] = true
			if firstInDest.IsZero() && n.City == destCity {
				firstInDest = n.Arrive
			}
		}
		for _, e := range p.Events {
			if !names[e.Node] {
				t.Errorf("parcel %d: scan at %q, not on the route", i, e.Node)
			}
		}
		if !tr.ArrivedDestCity.Equal(firstInDest) {
			t.Errorf("parcel %d: ArrivedDestCity %v, route reaches the city at %v", i, tr.ArrivedDestCity, firstInDest)
		}
		if !tr.OutForDelivery.IsZero() && (tr.OutForDelivery.Before(tr.ArrivedDestCity) || !tr.Delivered.IsZero() && tr.Delivered.Before(tr.OutForDelivery)) {
			t.Errorf("parcel %d: arrived %v, out %v, delivered %v", i, tr.ArrivedDestCity, tr.OutForDelivery, tr.Delivered)
		}
		// The route: arrive ≤ leave ≤ next arrive; legs at plausible speeds.
		for k, n := range tr.Route {
			if !n.Leave.IsZero() && n.Leave.Before(n.Arrive) {
				t.Errorf("parcel %d: %s left before it arrived", i, n.Name)
			}
			if k == 0 {
				continue
			}
			m := tr.Route[k-1]
			if n.Arrive.Before(m.Leave) || m.Leave.IsZero() {
				t.Errorf("parcel %d: %s → %s: arrive %v, leave %v", i, m.Name, n.Name, n.Arrive, m.Leave)
			}
			if n.City == m.City {
				continue
			}
			lng1, lat1 := cityCenter(t, m.City)
			lng2, lat2 := cityCenter(t, n.City)
			km := distanceKm(lng1, lat1, lng2, lat2)
			kmh := km / n.Arrive.Sub(m.Leave).Hours()
			switch n.Via {
			case "road":
				roadLegs++
				if kmh > 65 || km > 40 && kmh < 15 {
					t.Errorf("parcel %d: road %s → %s, %.0f km at %.0f km/h", i, m.Name, n.Name, km, kmh)
				}
				if km >= 300 && m.Type == NodeHub && n.Type == NodeHub {
					longRoad++
					if inSpans(clock(m.Leave), [2]float64{19, 3.8}) {
						nightLegs++
					}
				}
			case "air":
				airLegs++
				if km < 600 || kmh > 750 || kmh < 80 {
					t.Errorf("parcel %d: air %s → %s, %.0f km at %.0f km/h", i, m.Name, n.Name, km, kmh)
				}
				if !inSpans(clock(m.Leave), [2]float64{7, 11}, [2]float64{19, 0.5}) {
					t.Errorf("parcel %d: flight leaves at %s", i, m.Leave.Format(time.DateTime))
				}
			default:
				t.Errorf("parcel %d: leg to %s via %q", i, n.Name, n.Via)
			}
		}
		if tr.Outcome == OutcomeSigned && len(tr.Trouble) == 0 {
			d := tr.Delivered.Sub(tr.PickedUp)
			if d < time.Hour || d > 7*24*time.Hour {
				t.Errorf("parcel %d: ordinary parcel delivered %v after pickup", i, d)
			}
			if last := p.Events[len(p.Events)-1]; !last.Time.Equal(tr.Delivered) {
				t.Errorf("parcel %d: Delivered %v is not the last scan %v", i, tr.Delivered, last.Time)
			}
			if p.FromCode[:4] == p.ToCode[:4] && d > 3*24*time.Hour {
				t.Errorf("parcel %d: within one city, delivered after %v", i, d)
			}
			days = append(days, d.Hours()/24)
		}
	}
	slices.Sort(days)
	med := days[len(days)/2]
	p90 := days[len(days)*9/10]
	t.Logf("ordinary parcels: %d, pickup → signed median %.2f days, p90 %.2f; %d road legs, %d air legs; %d/%d long road legs leave at night",
		len(days), med, p90, roadLegs, airLegs, nightLegs, longRoad)
	if med < 0.8 || med > 3.5 || p90 > 5 {
		t.Errorf("delivery times: median %.2f days, p90 %.2f", med, p90)
	}
	if airLegs == 0 || longRoad == 0 || float64(nightLegs) < 0.95*float64(longRoad) {
		t.Errorf("air legs %d; night departures %d of %d long road legs", airLegs, nightLegs, longRoad)
	}
}
