package enrich

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

var cst = trackpush.CST

// forecast is the document's example (maptrack-push-api.zh.txt §3): picked
// up 06-16 09:09:03, expected 06-19 at 10.
func forecast() *trackpush.Forecast {
	pick := time.Date(2025, 6, 16, 9, 9, 3, 0, cst)
	arr := time.Date(2025, 6, 19, 10, 0, 0, 0, cst)
	return &trackpush.Forecast{
		MadeAt: time.Date(2025, 6, 16, 10, 41, 33, 0, cst), Pickup: pick, Arrival: arr,
		Early: arr.Add(-20 * time.Hour), Late: arr.Add(30 * time.Hour), Basis: trackpush.BasisBlend,
		Route: []trackpush.Stop{
			{Name: "陕西省延安市吴起县", Type: trackpush.StopOutlet, State: trackpush.StopPassed, AreaCode: "CN610626000000",
				Province: "陕西", City: "延安市", District: "吴起县", Lng: 108.224326, Lat: 36.915595,
				Arrive: pick, Leave: time.Date(2025, 6, 16, 10, 41, 33, 0, cst)},
			{Name: "西安转运中心", Type: trackpush.StopHub, State: trackpush.StopPredicted, AreaCode: "CN610100000000",
				Province: "陕西", City: "西安市", Lng: 108.939621, Lat: 34.343147,
				Arrive: time.Date(2025, 6, 17, 10, 38, 33, 0, cst), Leave: time.Date(2025, 6, 17, 15, 58, 33, 0, cst)},
			{Name: "浙江省金华市义乌市童店", Type: trackpush.StopOutlet, State: trackpush.StopPredicted, AreaCode: "CN330782000000",
				Province: "浙江", City: "金华市", District: "义乌市", Lng: 120.075058, Lat: 29.306841,
				Arrive: time.Date(2025, 6, 19, 6, 42, 33, 0, cst), Leave: arr},
		},
	}
}

// TestPredict writes the level-7 fields as the source document does:
// arrivalTime to the hour, totalTime from the pickup, remainTime from now
// (never negative), predictedRoute with exactly the document's fields in
// its order.
func TestPredict(t *testing.T) {
	h := &trackpush.Shipment{Com: "yuantong", Nu: "YT2556786544444545", Forecast: forecast()}
	now := time.Date(2025, 6, 16, 14, 0, 0, 0, cst)
	lr := LastResult(h, nil, trackpush.LevelPredict, nil, nil, now)
	b, err := json.Marshal(lr)
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	for _, want := range []string{`"arrivalTime":"2025-06-19 10"`, `"totalTime":"3天0小时"`, `"remainTime":"2天20小时"`} {
		if !strings.Contains(js, want) {
			t.Errorf("missing %s in %s", want, js)
		}
	}
	// Each item: the document's fields, in its order.
	item := `{"arriveTime":"2025-06-17 10:38:33","leaveTime":"2025-06-17 15:58:33","province":"陕西","city":"西安市","district":"",` +
		`"name":"西安转运中心","state":"预估途径节点","type":"转运中心","location":"108.939621,34.343147"}`
	if !strings.Contains(js, `"predictedRoute":[{"arriveTime":"2025-06-16 09:09:03"`) || !strings.Contains(js, item) {
		t.Errorf("predictedRoute in %s", js)
	}
	if len(lr.PredictedRoute) != 3 || lr.PredictedRoute[2].District != "义乌市" || lr.PredictedRoute[0].State != trackpush.StopPassed {
		t.Errorf("route %+v", lr.PredictedRoute)
	}
	// Overdue: remainTime is zero, not negative.
	late := LastResult(h, nil, trackpush.LevelPredict, nil, nil, time.Date(2025, 6, 20, 0, 0, 0, 0, cst))
	if *late.RemainTime != "0天0小时" {
		t.Errorf("overdue remainTime %q", *late.RemainTime)
	}
	// Arrived: the actual arrival; remainTime null, as the original's
	// maptrack answer for a signed parcel has it.
	f := forecast()
	f.Basis, f.Arrival = trackpush.BasisArrived, time.Date(2025, 6, 19, 8, 12, 0, 0, cst)
	h.Forecast = f
	b, _ = json.Marshal(LastResult(h, nil, trackpush.LevelPredict, nil, nil, now))
	if js := string(b); !strings.Contains(js, `"remainTime":null`) || !strings.Contains(js, `"arrivalTime":"2025-06-19 08"`) || !strings.Contains(js, `"totalTime":"2天23小时"`) {
		t.Errorf("arrived: %s", js)
	}
}

// TestPredictLevels: the ETA fields and predictedRoute only at level 7,
// and only once a forecast is made.
func TestPredictLevels(t *testing.T) {
	now := time.Date(2025, 6, 16, 14, 0, 0, 0, cst)
	for _, l := range []trackpush.Level{trackpush.LevelNone, trackpush.LevelRegion, trackpush.LevelAdvanced} {
		b, _ := json.Marshal(LastResult(&trackpush.Shipment{Forecast: forecast()}, nil, l, nil, nil, now))
		for _, k := range []string{"arrivalTime", "totalTime", "remainTime", "predictedRoute"} {
			if strings.Contains(string(b), `"`+k+`"`) {
				t.Errorf("level %d sends %s: %s", l, k, b)
			}
		}
	}
	b, _ := json.Marshal(LastResult(&trackpush.Shipment{}, nil, trackpush.LevelPredict, nil, nil, now))
	if strings.Contains(string(b), "arrivalTime") || strings.Contains(string(b), "predictedRoute") {
		t.Errorf("level 7 without a forecast: %s", b)
	}
}
