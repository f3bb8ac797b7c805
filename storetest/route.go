package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

// testDigestForecast: the digest's summary and forecast are stored with the
// events, read back by Shipment and by the pushes' claims; the digest sees
// the shipment's ends and its earlier and new events apart; nothing new,
// no digest.
func testDigestForecast(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 5)
	sub := newSub(a, "YT0000000020")
	if err := s.Subscribe(ctx, sub, t0); err != nil {
		t.Fatal(err)
	}
	arrival := t0.Add(50 * time.Hour)
	fc := &trackpush.Forecast{
		MadeAt: t0.Add(time.Hour), Pickup: t0, Arrival: arrival, Early: arrival.Add(-5 * time.Hour), Late: arrival.Add(9 * time.Hour),
		Basis: trackpush.BasisBlend,
		Route: []trackpush.Stop{
			{Name: "广东省深圳市南山区公司", Type: trackpush.StopOutlet, State: trackpush.StopPassed, AreaCode: "CN440305000000",
				Province: "广东", City: "深圳市", District: "南山区", Lng: 113.93, Lat: 22.53, Arrive: t0, Leave: t0.Add(time.Hour)},
			{Name: "北京转运中心", Type: trackpush.StopHub, State: trackpush.StopPredicted, AreaCode: "CN110000000000",
				Province: "北京", City: "北京市", Arrive: arrival.Add(-10 * time.Hour), Leave: arrival.Add(-8 * time.Hour)},
		},
	}
	calls := 0
	digest := func(h *trackpush.Shipment, before, fresh []trackpush.Event) trackpush.Digest {
		calls++
		if h.Com != "yuantong" || h.Nu != "YT0000000020" || h.ID == 0 || h.To == nil || h.To.Code != "CN110105000000" {
			t.Errorf("digest got shipment %+v", h)
		}
		if len(before) != 1 || len(fresh) != 1 || before[0].Seq != 1 || fresh[0].Seq != 2 {
			t.Errorf("digest got before %+v fresh %+v", before, fresh)
		}
		d := trackpush.SummaryDigest(lastState)(h, before, fresh)
		d.Forecast = fc
		return d
	}
	first := []trackpush.Event{ev(0, "【广东省深圳市南山区公司】 已揽收", trackpush.StatePickedUp)}
	if _, _, err := s.AppendEvents(ctx, "yuantong", "YT0000000020", first, t0, lastState); err != nil {
		t.Fatal(err)
	}
	second := []trackpush.Event{ev(60, "【深圳转运中心】 已收入", trackpush.StateTrunk)}
	acc, _, err := s.AppendEventsDigest(ctx, "yuantong", "YT0000000020", append(first, second...), t0.Add(time.Hour), digest)
	if err != nil || acc != 1 || calls == 0 {
		t.Fatalf("append: %d %v (digest called %d times)", acc, err, calls)
	}
	h, evs, err := s.Shipment(ctx, "yuantong", "YT0000000020")
	if err != nil || len(evs) != 2 || h.Summary.State != trackpush.StateTrunk {
		t.Fatalf("shipment %+v %d %v", h, len(evs), err)
	}
	if !sameForecast(h.Forecast, fc) {
		t.Fatalf("stored forecast %+v, want %+v", h.Forecast, fc)
	}
	jobs, err := s.ClaimPushes(ctx, t0.Add(time.Hour), time.Minute, 10, trackpush.Busy{})
	if err != nil || len(jobs) != 1 || !sameForecast(jobs[0].Shipment.Forecast, fc) {
		t.Fatalf("claimed %d jobs, %v; forecast %+v", len(jobs), err, jobs)
	}
	// Nothing new: no digest, the forecast stays.
	calls = 0
	if acc, dup, err := s.AppendEventsDigest(ctx, "yuantong", "YT0000000020", second, t0.Add(2*time.Hour), digest); err != nil || acc != 0 || dup != 1 || calls != 0 {
		t.Fatalf("append again: %d %d %v, digest called %d times", acc, dup, err, calls)
	}
	// A digest without a forecast clears it (the model could not say).
	third := []trackpush.Event{ev(120, "【深圳转运中心】 已发出", trackpush.StateTrunk)}
	if _, _, err := s.AppendEventsDigest(ctx, "yuantong", "YT0000000020", third, t0.Add(2*time.Hour),
		func(h *trackpush.Shipment, before, fresh []trackpush.Event) trackpush.Digest {
			return trackpush.SummaryDigest(lastState)(h, before, fresh)
		}); err != nil {
		t.Fatal(err)
	}
	if h, _, _ := s.Shipment(ctx, "yuantong", "YT0000000020"); h.Forecast != nil {
		t.Fatalf("forecast kept: %+v", h.Forecast)
	}
	// A shipment with no forecast reads as nil.
	if _, _, err := s.AppendEvents(ctx, "zhongtong", "75000000020", first, t0, lastState); err != nil {
		t.Fatal(err)
	}
	if h, _, _ := s.Shipment(ctx, "zhongtong", "75000000020"); h.Forecast != nil {
		t.Fatalf("forecast of a shipment without one: %+v", h.Forecast)
	}
}

// sameForecast compares forecasts up to time zones.
func sameForecast(a, b *trackpush.Forecast) bool {
	if a == nil || b == nil {
		return a == b
	}
	if !a.MadeAt.Equal(b.MadeAt) || !a.Pickup.Equal(b.Pickup) || !a.Arrival.Equal(b.Arrival) || !a.Early.Equal(b.Early) ||
		!a.Late.Equal(b.Late) || a.Basis != b.Basis || len(a.Route) != len(b.Route) {
		return false
	}
	for i := range a.Route {
		x, y := a.Route[i], b.Route[i]
		if !x.Arrive.Equal(y.Arrive) || !x.Leave.Equal(y.Leave) {
			return false
		}
		x.Arrive, x.Leave, y.Arrive, y.Leave = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if x != y {
			return false
		}
	}
	return true
}

// learn appends one event with a digest that adds places and counts.
func learn(t *testing.T, s trackpush.Store, nu string, minute int, now time.Time, places []trackpush.Place, counts []trackpush.RouteCount) {
	t.Helper()
	evs := []trackpush.Event{ev(minute, fmt.Sprintf("扫描 %s %d", nu, minute), trackpush.StateInTransit)}
	_, _, err := s.AppendEventsDigest(context.Background(), "yuantong", nu, evs, now,
		func(h *trackpush.Shipment, before, fresh []trackpush.Event) trackpush.Digest {
			d := trackpush.SummaryDigest(lastState)(h, before, fresh)
			d.Places, d.Counts = places, counts
			return d
		})
	if err != nil {
		t.Fatal(err)
	}
}

func placeMap(t *testing.T, s trackpush.Store, since time.Time) map[string]trackpush.Place {
	t.Helper()
	ps, err := s.Places(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]trackpush.Place{}
	for _, p := range ps {
		out[p.Com+"|"+p.Key] = p
	}
	return out
}

// testPlaces: the gazetteer keeps a place's first sighting, takes a region
// for a place that had none, and reads back what changed since a time.
func testPlaces(t *testing.T, s trackpush.Store) {
	hub := trackpush.Place{Com: "yuantong", Key: "深圳转运中心", Name: "深圳转运中心", Type: trackpush.StopHub,
		AreaCode: "CN440300000000", Lng: 114.057868, Lat: 22.543099}
	outlet := trackpush.Place{Com: "zhongtong", Key: "望京@1101", Name: "望京", Type: trackpush.StopOutlet}
	learn(t, s, "YT0000000030", 0, t0, []trackpush.Place{hub, outlet}, nil)
	got := placeMap(t, s, time.Time{})
	if len(got) != 2 || got["yuantong|深圳转运中心"] != hub || got["zhongtong|望京@1101"] != outlet {
		t.Fatalf("places %+v", got)
	}
	// Seen again elsewhere: the first sighting stays.
	moved := hub
	moved.AreaCode, moved.Lng, moved.Lat, moved.Name = "CN440100000000", 113.26, 23.13, "深圳转运中心公司"
	// The outlet, now placed.
	placed := outlet
	placed.AreaCode, placed.Lng, placed.Lat = "CN110105000000", 116.44, 39.92
	later := t0.Add(time.Hour)
	learn(t, s, "YT0000000031", 0, later, []trackpush.Place{moved, placed}, nil)
	got = placeMap(t, s, time.Time{})
	if got["yuantong|深圳转运中心"] != hub || got["zhongtong|望京@1101"] != placed {
		t.Fatalf("places after a second sighting %+v", got)
	}
	// Since: only what changed.
	got = placeMap(t, s, later)
	if len(got) != 1 || got["zhongtong|望京@1101"] != placed {
		t.Fatalf("places changed since %v: %+v", later, got)
	}
	// Unplaced again: the region stays.
	learn(t, s, "YT0000000032", 0, later.Add(time.Hour), []trackpush.Place{outlet}, nil)
	if got := placeMap(t, s, time.Time{}); got["zhongtong|望京@1101"] != placed {
		t.Fatalf("a place lost its region: %+v", got)
	}
}

func countMap(t *testing.T, s trackpush.Store, since time.Time) map[trackpush.RouteCount]int64 {
	t.Helper()
	cs, err := s.RouteCounts(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	out := map[trackpush.RouteCount]int64{}
	for _, c := range cs {
		n := c.N
		c.N = 0
		if _, dup := out[c]; dup {
			t.Fatalf("bin %+v read twice", c)
		}
		out[c] = n
	}
	return out
}

// testRouteCounts: increments add up (negative ones too), per bin; since
// reads the totals of the bins changed.
func testRouteCounts(t *testing.T, s trackpush.Store) {
	a := trackpush.RouteCount{Kind: 1, Com: "yuantong", Key: "深圳转运中心\x1f成都转运中心", Bucket: 7, Bin: 130}
	b := trackpush.RouteCount{Kind: 5, Com: "*road", Key: "h\x1f7", Bucket: 0, Bin: 0}
	inc := func(c trackpush.RouteCount, n int64) trackpush.RouteCount { c.N = n; return c }
	learn(t, s, "YT0000000040", 0, t0, nil, []trackpush.RouteCount{inc(a, 1), inc(b, 2)})
	learn(t, s, "YT0000000041", 0, t0, nil, []trackpush.RouteCount{inc(a, 3)})
	later := t0.Add(time.Hour)
	learn(t, s, "YT0000000041", 10, later, nil, []trackpush.RouteCount{inc(b, -1)})
	got := countMap(t, s, time.Time{})
	if len(got) != 2 || got[a] != 4 || got[b] != 1 {
		t.Fatalf("counts %v", got)
	}
	got = countMap(t, s, later)
	if len(got) != 1 || got[b] != 1 {
		t.Fatalf("counts changed since %v: %v", later, got)
	}
	// A rejected (failing) digest adds nothing: the counts are written in
	// the events' transaction.
	_, _, err := s.AppendEventsDigest(context.Background(), "yuantong", "YT0000000042",
		[]trackpush.Event{ev(0, "扫描", trackpush.StateInTransit)}, later,
		func(h *trackpush.Shipment, before, fresh []trackpush.Event) trackpush.Digest {
			d := trackpush.SummaryDigest(lastState)(h, before, fresh)
			d.Counts = []trackpush.RouteCount{inc(a, 100)}
			d.Places = []trackpush.Place{{Com: "yuantong", Key: string([]byte{0xff, 0xfe}), Name: "x", Type: "bad"}}
			return d
		})
	if err == nil {
		// Some stores take any bytes; then both must be there.
		if got := countMap(t, s, time.Time{}); got[a] != 104 {
			t.Fatalf("accepted digest: counts %v", got)
		}
		return
	}
	if got := countMap(t, s, time.Time{}); got[a] != 4 {
		t.Fatalf("a failed append changed the counts: %v", got)
	}
	if h, _, _ := s.Shipment(context.Background(), "yuantong", "YT0000000042"); h != nil && h.EventCount != 0 {
		t.Fatalf("a failed append left events: %+v", h)
	}
}

// testRouteCountsConcurrent: many appends adding to the same bins at once
// (several nodes learning together) lose nothing.
func testRouteCountsConcurrent(t *testing.T, s trackpush.Store) {
	bins := []trackpush.RouteCount{
		{Kind: 2, Com: "*road", Key: "hh\x1f9", Bucket: 1, Bin: 120},
		{Kind: 2, Com: "*road", Key: "hh\x1f9", Bucket: 1, Bin: 121},
		{Kind: 4, Com: "*road", Key: "o", Bucket: 3, Bin: 60},
	}
	const writers, each = 8, 10
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				cs := make([]trackpush.RouteCount, len(bins))
				for k, c := range bins {
					c.N = int64(k + 1)
					cs[k] = c
				}
				learn(t, s, fmt.Sprintf("YT9%011d", w*each+i), i, t0, nil, cs)
			}
		}()
	}
	wg.Wait()
	got := countMap(t, s, time.Time{})
	var keys []string
	for k, c := range bins {
		if got[c] != int64(writers*each*(k+1)) {
			t.Errorf("bin %+v: %d, want %d", c, got[c], writers*each*(k+1))
		}
		keys = append(keys, c.Key)
	}
	sort.Strings(keys)
	if len(got) != len(bins) || !reflect.DeepEqual(keys, []string{"hh\x1f9", "hh\x1f9", "o"}) {
		t.Fatalf("bins %v", got)
	}
}
