package main

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/enrich"
	"github.com/trackpush/trackpush/internal/pgtest"
	"github.com/trackpush/trackpush/region"
)

// The real YTO trajectory of ytoEvents, moved to the days around t0.
var ytoNow = []string{
	"2025-06-15 14:25:24|【广东省惠州市公司】 已揽收 取件人: 某某 (138****7588)",
	"2025-06-16 00:31:24|【广东省深圳市坂田公司】 已打包",
	"2025-06-16 08:22:33|【深圳转运中心公司】 已收入",
	"2025-06-16 08:34:51|【深圳转运中心】 已发出 下一站 【成都转运中心公司】",
	"2025-06-17 18:05:21|【成都转运中心公司】 已收入",
	"2025-06-17 22:47:04|【四川省成都市高新区中和一部公司 】 派件中 派件人: 某某 电话 185****8673",
}

var (
	hourRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}$`)
	daysRE = regexp.MustCompile(`^(\d+)天(\d+)小时$`)
)

// hoursOf reads "2天20小时".
func hoursOf(t *testing.T, s any) int {
	t.Helper()
	str, _ := s.(string)
	m := daysRE.FindStringSubmatch(str)
	if m == nil {
		t.Fatalf("%v is not N天N小时", s)
	}
	d, _ := strconv.Atoi(m[1])
	h, _ := strconv.Atoi(m[2])
	return d*24 + h
}

func parseWire(t *testing.T, layout, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation(layout, s, trackpush.CST)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

// TestETAEndToEnd follows a parcel subscribed at levels 5 and 7 through
// the server: level-7 pushes carry arrivalTime, totalTime, remainTime and
// predictedRoute in the document's formats, consistent with one another
// and with the push's time; level 5 carries none of them; maptrack.do
// carries them with the extension fields (range, basis), query.do only at
// resultv2 8; once the target event happened the arrival is its hour and
// remainTime is null.
func TestETAEndToEnd(t *testing.T) {
	h := newHarness(t)
	nu := "YT6247854916511"
	for _, lvl := range []string{"5", "7"} {
		a := h.createAccount("lvl"+lvl, 10, "")
		h.mustSubscribe(h.subBody(nu, func(s sub, p map[string]any) {
			s["key"] = a.Key
			s["from"], s["to"] = "广东省惠州市", "四川省成都市双流区"
			p["resultv2"] = lvl
			p["callbackurl"] = h.recv.srv.URL + "/cb?level=" + lvl
		}))
	}
	h.mustIngest("yuantong", nu, ytoNow[:4]...)
	pushes := map[string]map[string]any{}
	for range 2 {
		rc := h.recv.next(t)
		var m map[string]any
		json.Unmarshal([]byte(rc.param), &m)
		pushes[rc.query.Get("level")] = m["lastResult"].(map[string]any)
	}
	for _, k := range []string{"arrivalTime", "totalTime", "remainTime", "predictedRoute"} {
		if _, ok := pushes["5"][k]; ok {
			t.Errorf("level 5 push carries %s", k)
		}
	}
	lr := pushes["7"]
	arrivalS, _ := lr["arrivalTime"].(string)
	if !hourRE.MatchString(arrivalS) {
		t.Fatalf("arrivalTime %v", lr["arrivalTime"])
	}
	arrival := parseWire(t, "2006-01-02 15", arrivalS)
	pickup := parseWire(t, "2006-01-02 15:04:05", "2025-06-15 14:25:24")
	last := parseWire(t, "2006-01-02 15:04:05", "2025-06-16 08:34:51")
	if arrival.Add(time.Hour).Before(last) || arrival.After(last.Add(5*24*time.Hour)) {
		t.Fatalf("arrival %v for a parcel last scanned %v", arrival, last)
	}
	// totalTime counts from the pickup, remainTime from the push (the
	// fake clock's t0), to the same arrival (known to the hour here).
	if total := time.Duration(hoursOf(t, lr["totalTime"])) * time.Hour; total > arrival.Add(time.Hour).Sub(pickup) || total < arrival.Sub(pickup)-time.Hour {
		t.Errorf("totalTime %v, arrival %v, pickup %v", lr["totalTime"], arrival, pickup)
	}
	if remain := time.Duration(hoursOf(t, lr["remainTime"])) * time.Hour; remain > arrival.Add(time.Hour).Sub(t0) || remain < arrival.Sub(t0)-time.Hour {
		t.Errorf("remainTime %v, arrival %v, now %v", lr["remainTime"], arrival, t0)
	}
	route := lr["predictedRoute"].([]any)
	var names []string
	prev := time.Time{}
	for i, x := range route {
		n := x.(map[string]any)
		if keys(n) != "arriveTime,city,district,leaveTime,location,name,province,state,type" {
			t.Fatalf("predictedRoute[%d] keys %s", i, keys(n))
		}
		names = append(names, n["name"].(string)+"/"+n["state"].(string))
		a := parseWire(t, "2006-01-02 15:04:05", n["arriveTime"].(string))
		l := parseWire(t, "2006-01-02 15:04:05", n["leaveTime"].(string))
		if a.Before(prev) || l.Before(a) {
			t.Fatalf("predictedRoute times not monotone: %v", route)
		}
		prev = l
	}
	lastStop := route[len(route)-1].(map[string]any)
	if lastStop["district"] != "双流区" || lastStop["state"] != trackpush.StopPredicted || lastStop["type"] != trackpush.StopOutlet || lastStop["province"] != "四川" {
		t.Fatalf("last stop %v", lastStop)
	}
	if names[0] != "广东省惠州市公司/已经过节点" || !slices.Contains(names, "深圳转运中心/当前停留节点") || !slices.Contains(names, "成都转运中心/预估途径节点") {
		t.Fatalf("route %v", names)
	}

	// The query API: maptrack.do carries the ETA whatever resultv2, with
	// the range and the basis; query.do at resultv2 8 only.
	cust, key := h.acct.AppCode, h.acct.Key
	mt := h.query("/poll/maptrack.do", cust, key, map[string]any{"com": "yuantong", "num": nu})
	rng, _ := mt["arrivalRange"].(map[string]any)
	if mt["arrivalTime"] != arrivalS || rng == nil || !hourRE.MatchString(rng["early"].(string)) || !hourRE.MatchString(rng["late"].(string)) ||
		mt["arrivalBasis"] != trackpush.BasisPrior || mt["predictedRoute"] == nil {
		t.Fatalf("maptrack.do: %v", mt)
	}
	if rng["early"].(string) > arrivalS || rng["late"].(string) < arrivalS {
		t.Fatalf("range %v around %s", rng, arrivalS)
	}
	for rv, want := range map[string]bool{"4": false, "8": true} {
		q := h.query("/poll/query.do", cust, key, map[string]any{"com": "yuantong", "num": nu, "resultv2": rv})
		_, has := q["arrivalTime"]
		_, hasRange := q["arrivalRange"]
		_, hasRoute := q["predictedRoute"]
		if has != want || hasRange != want || hasRoute != want {
			t.Errorf("query.do resultv2 %s: arrivalTime %v, arrivalRange %v, predictedRoute %v", rv, has, hasRange, hasRoute)
		}
	}

	// The target event: the arrival is its hour, nothing remains. (The
	// scans come in when they happen: the service refuses times more than
	// a day ahead of its clock.)
	h.clock.Advance(40 * time.Hour)
	h.mustIngest("yuantong", nu, ytoNow[4:]...)
	for range 2 {
		rc := h.recv.next(t)
		if rc.query.Get("level") != "7" {
			continue
		}
		var m map[string]any
		json.Unmarshal([]byte(rc.param), &m)
		lr := m["lastResult"].(map[string]any)
		rt, present := lr["remainTime"]
		if lr["arrivalTime"] != "2025-06-17 22" || !present || rt != nil || hoursOf(t, lr["totalTime"]) != 56 {
			t.Fatalf("arrived: arrivalTime %v remainTime %v (present %v) totalTime %v", lr["arrivalTime"], rt, present, lr["totalTime"])
		}
	}
	if mt := h.query("/poll/maptrack.do", cust, key, map[string]any{"com": "yuantong", "num": nu}); mt["arrivalBasis"] != trackpush.BasisArrived {
		t.Fatalf("maptrack.do after arrival: %v", mt["arrivalBasis"])
	}
}

// TestLoopReasonQuery: the query API says why a route is a loop — the
// site the parcel came back to, its region, when it had left and when it
// came back — and says nothing for a route that is not.
func TestLoopReasonQuery(t *testing.T) {
	h := newHarness(t)
	cust, key := h.acct.AppCode, h.acct.Key
	h.mustIngest("yuantong", "YT1000000000001",
		"2025-06-15 14:25:24|【广东省惠州市公司】 已揽收",
		"2025-06-15 23:22:33|【深圳转运中心公司】 已收入",
		"2025-06-15 23:34:51|【深圳转运中心】 已发出 下一站 【广州转运中心】",
		"2025-06-16 03:05:00|【广州转运中心】 已收入",
		"2025-06-16 04:40:00|【广州转运中心】 已发出 下一站 【深圳转运中心公司】",
		"2025-06-16 08:01:00|【深圳转运中心公司】 已收入",
	)
	q := h.query("/poll/query.do", cust, key, map[string]any{"com": "yuantong", "num": "YT1000000000001", "resultv2": "4"})
	lr, _ := q["loopReason"].(map[string]any)
	if q["isLoop"] != true || lr == nil || lr["place"] != "深圳转运中心" || lr["areaCode"] != "CN440300000000" || lr["areaName"] != "广东,深圳市" ||
		lr["leftAt"] != "2025-06-16 03:05:00" || lr["backAt"] != "2025-06-16 08:01:00" {
		t.Fatalf("loop: isLoop %v reason %v", q["isLoop"], q["loopReason"])
	}
	h.mustIngest("yuantong", "YT1000000000002", ytoNow[:4]...)
	q = h.query("/poll/maptrack.do", cust, key, map[string]any{"com": "yuantong", "num": "YT1000000000002"})
	if _, ok := q["loopReason"]; ok || q["isLoop"] != false {
		t.Fatalf("no loop: %v %v", q["isLoop"], q["loopReason"])
	}
}

// TestRouteModelPersists: what the service learns — the gazetteer, the
// statistics — is in the store; a server started again on the same
// database knows it, and forecasts the lane from history.
func TestRouteModelPersists(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for i := range 6 {
		var evs []string
		for _, e := range ytoNow {
			tm := parseWire(t, "2006-01-02 15:04:05", e[:19]).AddDate(0, 0, -7*(i+1))
			evs = append(evs, trackpush.FormatTime(tm)+e[19:])
		}
		nu := "YT20000000000" + strconv.Itoa(i)
		h.mustSubscribe(h.subBody(nu, func(s sub, p map[string]any) {
			s["from"], s["to"] = "广东省惠州市", "四川省成都市双流区"
			p["resultv2"] = "7"
		}))
		h.mustIngest("yuantong", nu, evs...)
	}
	places, err := h.m.Store.Places(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range places {
		if p.Com == "yuantong" && p.Key == "深圳转运中心" && p.Type == trackpush.StopHub && p.AreaCode == "CN440300000000" {
			found = true
		}
	}
	counts, err := h.m.Store.RouteCounts(ctx, time.Time{})
	if !found || err != nil || len(counts) < 20 {
		t.Fatalf("stored: %d places (深圳转运中心 %v), %d bins, %v", len(places), found, len(counts), err)
	}
	places0 := h.m.Route.Gaz.Len()
	cfg := h.m.Config
	h.m.Close()

	m := NewMain()
	m.Config = cfg
	m.Config.Addr = "127.0.0.1:0"
	m.Clock = h.clock
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Route.Gaz.Len() != places0 || m.Route.Gaz.Lookup("yuantong", "深圳转运中心") == nil {
		t.Fatalf("restarted with %d places, had %d", m.Route.Gaz.Len(), places0)
	}
	sh := &trackpush.Shipment{Com: "yuantong", Nu: "YT3000000000001", From: shAreaOf(t, m, "广东省惠州市"), To: shAreaOf(t, m, "四川省成都市双流区")}
	f := m.Route.Forecast(sh, enriched(t, sh, ytoNow[:4]))
	if f == nil || f.Basis == trackpush.BasisPrior {
		t.Fatalf("forecast after a restart: %+v", f)
	}
}

// TestRouteRefreshPostgres: two nodes on one PostgreSQL database; what one
// learns, the other knows after its refresh.
func TestRouteRefreshPostgres(t *testing.T) {
	db := pgtest.Schema(t)
	ctx := context.Background()
	secret := filepath.Join(t.TempDir(), "secret")
	open := func(name string) *Main {
		m := NewMain()
		m.Config.Addr = "127.0.0.1:0"
		m.Config.DB = db
		m.Config.SecretFile = secret
		m.Config.NodeName = name
		m.Config.IngestToken = "ingest-secret"
		m.Config.RouteRefresh = 0 // refreshed by hand below
		if err := m.Open(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	a, b := open("a"), open("b")
	if _, _, err := a.Ingester.Ingest(ctx, "yuantong", "YT4000000000001", raws(ytoEvents...)); err != nil {
		t.Fatal(err)
	}
	if a.Route.Gaz.Lookup("yuantong", "成都转运中心") == nil {
		t.Fatal("node a did not learn")
	}
	if b.Route.Gaz.Lookup("yuantong", "成都转运中心") != nil {
		t.Fatal("node b knew before its refresh")
	}
	if err := b.refreshRoute(ctx, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b.Route.Gaz.Len() != a.Route.Gaz.Len() || b.Route.Gaz.Lookup("yuantong", "成都转运中心") == nil {
		t.Fatalf("after refresh: b %d places, a %d", b.Route.Gaz.Len(), a.Route.Gaz.Len())
	}
	h := &trackpush.Shipment{Com: "yuantong", Nu: "x", From: shAreaOf(t, a, "广东省惠州市"), To: shAreaOf(t, a, "四川省成都市双流区")}
	evs := enriched(t, h, ytoEvents[:4])
	fa, fb := a.Route.Forecast(h, evs), b.Route.Forecast(h, evs)
	if fa == nil || fb == nil || !fa.Arrival.Equal(fb.Arrival) || fa.Basis != fb.Basis {
		t.Fatalf("the nodes forecast differently: %+v %+v", fa, fb)
	}
}

// shAreaOf resolves an address as a subscription's end.
func shAreaOf(t *testing.T, _ *Main, addr string) *trackpush.Area {
	t.Helper()
	a := enrich.AreaOf(region.ResolveAddress(addr))
	if a == nil {
		t.Fatalf("no region for %q", addr)
	}
	return a
}

// enriched enriches "time|text" scans one at a time, as ingest does.
func enriched(t *testing.T, h *trackpush.Shipment, lines []string) []trackpush.Event {
	t.Helper()
	var out []trackpush.Event
	for _, r := range raws(lines...) {
		evs, err := enrich.Events(enrich.Shipment{Com: h.Com, From: h.From, To: h.To}, out, []trackpush.RawEvent{r})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, trackpush.NewEvents(out, evs)...)
	}
	return out
}

// TestEvalCommand: eval eta prints progress on stderr and one JSON line on
// stdout, for simulated and real trajectories; a bad command line is a
// usage error.
func TestEvalCommand(t *testing.T) {
	var out, errb strings.Builder
	if err := run(context.Background(), []string{"eval", "eta", "--sim", "40", "--history", "60", "--seed", "5"}, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var rep map[string]any
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &rep) != nil {
		t.Fatalf("stdout %q", out.String())
	}
	for _, k := range []string{"delivered_by_predicted_date", "predicted_within_actual_plus_1d", "mae_hours", "rmse_hours", "range_coverage",
		"n_shipments", "n_predictions", "stages", "cold", "baselines", "skipped_no_delivery"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("no %s in %s", k, lines[0])
		}
	}
	stages, _ := rep["stages"].(map[string]any)
	if len(stages) != 4 || stages["out_for_delivery"] == nil || rep["data"] != "sim" || rep["history"] != 60.0 ||
		!strings.Contains(errb.String(), "simulated: ") || !strings.Contains(errb.String(), "baselines: ") {
		t.Errorf("report %v; stderr %q", rep, errb.String())
	}
	out.Reset()
	real := `{"com":"yuantong","nu":"YT1","time":"2025-06-15 14:25:24","context":"【广东省惠州市公司】 已揽收"}
{"com":"yuantong","nu":"YT1","time":"2025-06-16 08:22:33","context":"【深圳转运中心公司】 已收入"}
{"com":"yuantong","nu":"YT1","time":"2025-06-17 22:47:04","context":"【四川省成都市高新区中和一部公司】 派件中 派件人: 某某"}
`
	if err := run(context.Background(), []string{"eval", "eta", "--jsonl", "-"}, strings.NewReader(real), &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"data":"jsonl"`) || !strings.Contains(out.String(), `"history":"leave-one-out"`) || !strings.Contains(out.String(), `"n_shipments":1`) {
		t.Errorf("jsonl: %s", out.String())
	}
	for _, args := range [][]string{{"eval"}, {"eval", "nope"}, {"eval", "eta"}, {"eval", "eta", "--sim", "5", "--jsonl", "x"}, {"eval", "eta", "--sim", "-1"}} {
		if err := run(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard); exitCode(err) != 2 {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// TestETAAfterLateSubscription: scans that came before anyone gave the
// shipment's destination make no forecast; a level-7 subscription gives it,
// and the next scan's push carries the estimate.
func TestETAAfterLateSubscription(t *testing.T) {
	h := newHarness(t)
	nu := "YT5000000000001"
	h.mustIngest("yuantong", nu, ytoNow[:2]...)
	if sh, _, _ := h.m.Store.Shipment(context.Background(), "yuantong", nu); sh == nil || sh.Forecast != nil {
		t.Fatalf("a forecast without a destination: %+v", sh)
	}
	h.mustSubscribe(h.subBody(nu, func(s sub, p map[string]any) {
		s["from"], s["to"] = "广东省惠州市", "四川省成都市双流区"
		p["resultv2"] = "7"
	}))
	first := h.recv.next(t) // the shipment's scans so far, at once
	if strings.Contains(first.param, "arrivalTime") {
		t.Fatalf("estimate before any was made: %s", first.param)
	}
	h.mustIngest("yuantong", nu, ytoNow[2])
	var m map[string]any
	json.Unmarshal([]byte(h.recv.next(t).param), &m)
	lr := m["lastResult"].(map[string]any)
	if !hourRE.MatchString(fmtAny(lr["arrivalTime"])) || lr["predictedRoute"] == nil {
		t.Fatalf("no estimate after the destination was given: %v", lr)
	}
}

func fmtAny(v any) string { s, _ := v.(string); return s }
