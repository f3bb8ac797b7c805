package trackpush

import (
	"testing"
	"time"
)

// TestForecastCodec: a forecast comes back from its stored form as it
// was (times to the second, in China Standard Time).
func TestForecastCodec(t *testing.T) {
	at := time.Date(2025, 6, 19, 10, 0, 0, 0, CST)
	f := &Forecast{MadeAt: at.Add(-50 * time.Hour), Pickup: at.Add(-72 * time.Hour), Arrival: at, Early: at.Add(-time.Hour), Late: at.Add(20 * time.Hour),
		Basis: BasisBlend, Route: []Stop{
			{Name: "陕西省延安市吴起县", Type: StopOutlet, State: StopPassed, AreaCode: "CN610626000000", Province: "陕西", City: "延安市", District: "吴起县",
				Lng: 108.224326, Lat: 36.915595, Arrive: at.Add(-72 * time.Hour), Leave: at.Add(-70 * time.Hour)},
			{Name: "西安转运中心", Type: StopHub, State: StopCurrent, Arrive: at.Add(-50 * time.Hour)},
			{Name: "浙江省金华市义乌市", Type: StopOutlet, State: StopPredicted, Arrive: at.Add(-3 * time.Hour), Leave: at},
		}}
	b, err := EncodeForecast(f)
	if err != nil {
		t.Fatal(err)
	}
	g, err := DecodeForecast(b)
	if err != nil {
		t.Fatal(err)
	}
	if !g.MadeAt.Equal(f.MadeAt) || !g.Arrival.Equal(f.Arrival) || g.Arrival.Location() != CST || g.Basis != f.Basis || len(g.Route) != 3 {
		t.Fatalf("%+v", g)
	}
	for i := range f.Route {
		a, b := f.Route[i], g.Route[i]
		if !a.Arrive.Equal(b.Arrive) || !a.Leave.Equal(b.Leave) {
			t.Fatalf("stop %d times %+v %+v", i, a, b)
		}
		a.Arrive, a.Leave, b.Arrive, b.Leave = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if a != b {
			t.Fatalf("stop %d: %+v, want %+v", i, b, a)
		}
	}
	if _, err := DecodeForecast([]byte("{")); err == nil {
		t.Fatal("bad stored forecast read")
	}
}
