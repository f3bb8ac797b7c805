package route

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/trackpush/trackpush"
)

// The cold-start prior: what a fresh install predicts with no history at
// all. It is a small generative model of how Chinese express networks
// move a parcel, one step at a time, in China Standard Time:
//
//   - an outlet sends what it collected to its city's hub at midday or in
//     the evening (the first-mile runs);
//   - a hub sorts for one to three hours; a line-haul leg of 300 km or more
//     leaves at night (the cut-off: a parcel that misses tonight's truck
//     waits for tomorrow night's), shorter legs leave within the hour;
//     carriers with their own air network (SF, JD, EMS) fly most legs of
//     800 km or more;
//   - trucks cover the great-circle distance times 1.3 (roads) at 55–70
//     km/h, local vans at 35–45 km/h;
//   - a hub sends parcels on to outlets early in the morning, late in the
//     morning and early in the afternoon (the last-mile runs);
//   - one run in ten is missed (full, late): the parcel takes the next
//     day's;
//   - an outlet sends couriers out within an hour or two of an arrival by
//     day, and from 06:30 for what arrives overnight.
//
// The figures come from published descriptions of the networks and from
// the project's real trajectories (shared/data/trajectories: e.g. 深圳 →
// 成都, 1,330 km, 33.7 h hub to hub; 义乌 → 嘉兴 overnight); no weekday
// effect, since Chinese express runs seven days a week. Each draw of the
// steps is one plausible future; the forecast's range is their spread.

// window is a daily span of hours (to may pass 24: a night).
type window struct{ from, to float64 }

var (
	firstMileRuns = []window{{12, 13.5}, {17, 22}}
	lastMileRuns  = []window{{4, 7.5}, {9.5, 12.5}, {13, 15.5}}
	nightHaul     = []window{{18.5, 27}}
	flightSlots   = []window{{7, 10}, {19, 23.5}}
)

// missRun is the chance that a parcel misses the run it was ready for
// (the truck full, a late sort) and waits for the next day's: what makes a
// real network's times spread wider than its timetable.
const missRun = 0.1

// airCarriers run their own flights on long legs.
var airCarriers = map[string]bool{"shunfeng": true, "jd": true, "ems": true, "shunfengkuaiyun": true, "jingdongkuaiyun": true}

// The draws work in hours since a midnight (China Standard Time): cheaper
// than times, and the hour of the day is what the timetables need.

// midnight returns the midnight (CST) that starts t's day.
func midnight(t time.Time) time.Time {
	y, m, d := t.In(trackpush.CST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, trackpush.CST)
}

// hourOfDay returns hours since a midnight modulo a day.
func hourOfDay(h float64) float64 {
	h = math.Mod(h, 24)
	if h < 0 {
		h += 24
	}
	return h
}

// nextRun returns, in hours after h (hours since a midnight), when a run
// of the daily windows takes a parcel ready at h: soon if h is inside a
// window, else shortly after the next one opens.
func nextRun(h float64, ws []window, r *rand.Rand) float64 {
	h = hourOfDay(h)
	for day := -1.0; day <= 2; day++ {
		for _, w := range ws {
			from, to := w.from+24*day, w.to+24*day
			if h >= to {
				continue
			}
			if h >= from {
				return r.Float64() * min(0.75, to-h)
			}
			return from - h + r.Float64()*min(1.5, to-from)
		}
	}
	return 0
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// priorLeg draws the hours from the parcel's arrival at a (at h, hours
// since a midnight) to its arrival at b, km away; air says a scan reported
// the leg flown.
func priorLeg(r *rand.Rand, com string, a, b *Node, km, h float64, air bool) float64 {
	var ready, wait, drive float64
	switch {
	case a.Type == trackpush.StopOutlet && b.Type == trackpush.StopHub:
		ready = uniform(r, 0.3, 2)
		wait = nextRun(h+ready, firstMileRuns, r)
		drive = 0.3 + km*1.3/uniform(r, 40, 50) + 0.5*r.Float64()
	case b.Type == trackpush.StopOutlet || sameCity(a, b):
		ready = uniform(r, 0.25, 2)
		wait = nextRun(h+ready, lastMileRuns, r)
		drive = 0.3 + km*1.3/uniform(r, 30, 40) + 0.5*r.Float64()
	case air || airCarriers[com] && km >= 800 && r.Float64() < 0.7:
		ready = uniform(r, 0.5, 2.5)
		wait = nextRun(h+ready, flightSlots, r)
		drive = 2.5 + km/750 + uniform(r, 0.5, 2)
	default:
		ready = uniform(r, 0.5, 3)
		if km >= 300 {
			wait = nextRun(h+ready, nightHaul, r)
		} else {
			wait = uniform(r, 0.1, 1)
		}
		drive = 0.5 + km*1.3/uniform(r, 55, 70) + r.Float64()
	}
	if r.Float64() < missRun {
		wait += 24
	}
	return ready + wait + drive
}

// priorDeliver draws the hours from the parcel's arrival at the outlet
// that delivers (at h, hours since a midnight) to the target event.
func priorDeliver(r *rand.Rand, h float64) float64 {
	h = hourOfDay(h)
	switch {
	case h < 6.5:
		return 6.5 - h + uniform(r, 0, 2.5)
	case h < 16.5:
		// by day: out soon, sometimes on the afternoon run
		return math.Exp(uniform(r, math.Log(0.1), math.Log(3.5)))
	}
	return 24 + 6.5 - h + uniform(r, 0, 2.5)
}

// priorDwell draws the hours a parcel stays at a site it arrived at at t
// before it leaves (the predicted route's leave times).
func priorDwell(r *rand.Rand, n *Node) float64 {
	if n.Type == trackpush.StopHub {
		return uniform(r, 0.5, 3)
	}
	return uniform(r, 0.2, 1.5)
}

func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

// distance returns the great-circle distance between two nodes in km
// (15 km when either place is unknown: a local move).
func distance(a, b *Node) float64 {
	if !a.known() || !b.known() || (a.Lng == 0 && a.Lat == 0) || (b.Lng == 0 && b.Lat == 0) {
		return 15
	}
	return greatCircle(a.Lng, a.Lat, b.Lng, b.Lat)
}

// Distance returns the great-circle distance in km between two "lng,lat"
// centres (GCJ-02), false when either does not parse.
func Distance(a, b string) (float64, bool) {
	lng1, lat1 := parseLngLat(a)
	lng2, lat2 := parseLngLat(b)
	if (lng1 == 0 && lat1 == 0) || (lng2 == 0 && lat2 == 0) {
		return 0, false
	}
	return greatCircle(lng1, lat1, lng2, lat2), true
}

// greatCircle returns the great-circle distance in km.
func greatCircle(lng1, lat1, lng2, lat2 float64) float64 {
	const rad = math.Pi / 180
	dlat := (lat2 - lat1) * rad
	dlng := (lng2 - lng1) * rad
	s := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlng/2)*math.Sin(dlng/2)
	return 6371 * 2 * math.Asin(math.Min(1, math.Sqrt(s)))
}

func sameCity(a, b *Node) bool { return a.City != "" && a.City == b.City }

// distanceBins bound the distance classes of legs (km): a leg of unseen
// sites borrows the times of legs of its types and class.
var distanceBins = []float64{20, 40, 70, 100, 150, 200, 280, 380, 500, 680, 900, 1200, 1600, 2100, 2800}

func distanceBin(km float64) int {
	for i, b := range distanceBins {
		if km < b {
			return i
		}
	}
	return len(distanceBins)
}
