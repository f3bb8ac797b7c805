package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// fakeUpstream answers from a map of com/nu → events (any order), behind
// the same interface as the real upstreams.
type fakeUpstream struct {
	mu    sync.Mutex
	known map[string][]trackpush.RawEvent
	err   error
	calls []string
}

func (f *fakeUpstream) Name() string { return "fake" }

func (f *fakeUpstream) Track(ctx context.Context, q source.Query) ([]trackpush.RawEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, q.Com+"/"+q.Nu)
	if f.err != nil {
		return nil, f.err
	}
	evs, ok := f.known[q.Com+"/"+q.Nu]
	if !ok {
		return nil, source.ErrNoRecord
	}
	return evs, nil
}

func raws(lines ...string) []trackpush.RawEvent {
	var out []trackpush.RawEvent
	for _, l := range lines {
		tm, c, _ := strings.Cut(l, "|")
		out = append(out, trackpush.RawEvent{Time: tm, Context: c})
	}
	return out
}

func withUpstream(up source.Upstream, routes string) func(*Main) {
	return func(m *Main) {
		m.Config.Poll = routes
		m.Upstreams = map[string]source.Upstream{"sim": up}
	}
}

// query posts to a real-time query endpoint, signing with key.
func (h *harness) query(path, customer, key string, param any) map[string]any {
	h.t.Helper()
	b, _ := json.Marshal(param)
	form := url.Values{"customer": {customer}, "param": {string(b)}, "sign": {querySignOf(string(b), key, customer)}}
	_, body := h.do("POST", path, "application/x-www-form-urlencoded", "", strings.NewReader(form.Encode()))
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		h.t.Fatalf("%s: %s", path, body)
	}
	return m
}

func TestQueryEndpoints(t *testing.T) {
	up := &fakeUpstream{known: map[string][]trackpush.RawEvent{
		"yuantong/YT6247854916511": raws(ytoEvents...),
	}}
	h := newHarnessWith(t, withUpstream(up, "yuantong=sim"))
	cust, key := h.acct.AppCode, h.acct.Key
	p := map[string]any{"com": "yuantong", "num": "YT6247854916511", "resultv2": "4"}

	// Not known yet: the upstream is asked live, the events are stored.
	got := h.query("/poll/query.do", cust, key, p)
	if got["status"] != "200" || got["message"] != "ok" || got["nu"] != "YT6247854916511" || got["state"] != "501" || got["ischeck"] != "0" {
		t.Fatalf("query.do: %v", got)
	}
	data := got["data"].([]any)
	first := data[0].(map[string]any)
	if len(data) != 7 || first["statusCode"] != "501" || first["areaName"] != "四川,成都市,双流区" || got["routeInfo"] == nil || got["isLoop"] != false {
		t.Fatalf("query.do data: %d %v", len(data), first)
	}
	if _, _, _ = h.m.Store.Shipment(context.Background(), "yuantong", "YT6247854916511"); len(up.calls) != 1 {
		t.Fatalf("upstream calls %v", up.calls)
	}
	// Known now: no second upstream call; order asc; resultv2 "" gives basic fields only.
	got = h.query("/poll/query.do", cust, key, map[string]any{"com": "yuantong", "num": "YT6247854916511", "order": "asc"})
	data = got["data"].([]any)
	if len(up.calls) != 1 || data[0].(map[string]any)["time"] != "2022-01-10 14:25:24" || got["state"] != "5" || got["routeInfo"] != nil {
		t.Fatalf("second query: %v calls %v", got, up.calls)
	}
	if _, ok := data[0].(map[string]any)["areaCode"]; ok {
		t.Fatal("resultv2 empty must not carry areaCode")
	}
	// Not signed yet: ten minutes on, a query asks the upstream again and
	// gets what it learned meanwhile.
	up.mu.Lock()
	up.known["yuantong/YT6247854916511"] = raws(append(append([]string{}, ytoEvents...), ytoSigned)...)
	up.mu.Unlock()
	h.clock.Advance(10 * time.Minute)
	got = h.query("/poll/query.do", cust, key, map[string]any{"com": "yuantong", "num": "YT6247854916511"})
	if len(up.calls) != 2 || got["ischeck"] != "1" || len(got["data"].([]any)) != 8 {
		t.Fatalf("refresh after 10 minutes: calls %v, ischeck %v", up.calls, got["ischeck"])
	}
	// Signed: stored data is final, the upstream is not asked again.
	h.clock.Advance(time.Hour)
	h.query("/poll/query.do", cust, key, map[string]any{"com": "yuantong", "num": "YT6247854916511"})
	if len(up.calls) != 2 {
		t.Fatalf("a signed shipment was asked for again: %v", up.calls)
	}
	// maptrack.do always carries the map fields.
	got = h.query("/poll/maptrack.do", cust, key, map[string]any{"com": "yuantong", "num": "YT6247854916511"})
	if ri, ok := got["routeInfo"].(map[string]any); !ok || ri["cur"].(map[string]any)["name"] != "四川,成都市,双流区" {
		t.Fatalf("maptrack.do: %v", got)
	}

	fails := []struct {
		name  string
		cust  string
		key   string
		param any
		code  string
		raw   string
	}{
		{"bad sign", cust, "wrong", p, "503", ""},
		{"unknown customer", "nobody", key, p, "600", ""},
		{"unknown company", cust, key, map[string]any{"com": "nosuch", "num": "YT6247854916511"}, "400", ""},
		{"bad number", cust, key, map[string]any{"com": "yuantong", "num": "YT"}, "400", ""},
		{"no result", cust, key, map[string]any{"com": "yuantong", "num": "YT0000000000000"}, "500", ""},
		{"missing fields", "", "", nil, "400", "param=x"},
	}
	for _, f := range fails {
		var res map[string]any
		if f.raw != "" {
			_, body := h.do("POST", "/poll/query.do", "application/x-www-form-urlencoded", "", strings.NewReader(f.raw))
			json.Unmarshal(body, &res)
		} else {
			res = h.query("/poll/query.do", f.cust, f.key, f.param)
		}
		if res["result"] != false || res["returnCode"] != f.code || res["message"] == "" {
			t.Errorf("%s: %v, want returnCode %s", f.name, res, f.code)
		}
	}
	up.err = source.ErrRateLimited
	if res := h.query("/poll/query.do", cust, key, map[string]any{"com": "yuantong", "num": "YT0000000000001"}); res["returnCode"] != "502" {
		t.Errorf("rate limited upstream: %v", res)
	}
}

func querySignOf(param, key, customer string) string {
	return strings.ToUpper(md5hex(param + key + customer))
}

func TestAutonumber(t *testing.T) {
	h := newHarness(t)
	get := func(q string) (int, string) {
		code, b := h.do("GET", "/autonumber/auto?"+q, "", "", nil)
		return code, string(b)
	}
	if _, b := get("num=YT6247854916511"); !strings.Contains(b, `"returnCode":"701"`) {
		t.Errorf("no key: %s", b)
	}
	if _, b := get("num=YT6247854916511&key=nope"); !strings.Contains(b, `"returnCode":"601"`) {
		t.Errorf("bad key: %s", b)
	}
	if _, b := get("num=12&key=" + h.acct.Key); !strings.Contains(b, `"returnCode":"201"`) {
		t.Errorf("bad number: %s", b)
	}
	code, b := get("num=YT6247854916511&key=" + h.acct.Key)
	var list []map[string]any
	if code != 200 || json.Unmarshal([]byte(b), &list) != nil || len(list) == 0 || list[0]["comCode"] != "yuantong" || list[0]["name"] != "圆通速递" || list[0]["lengthPre"] != 15.0 {
		t.Fatalf("autonumber: %d %s", code, b)
	}
	_, pb := h.do("POST", "/autonumber/auto", "application/x-www-form-urlencoded", "", strings.NewReader("num=773027491214552&key="+h.acct.Key))
	if !strings.Contains(string(pb), `"comCode":"shentong"`) {
		t.Errorf("POST: %s", pb)
	}

	// On the real numbers of the dev events, through the endpoint.
	f, err := os.Open("../../testdata/real_events_dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct{ Com, Nu string }
		json.Unmarshal(sc.Bytes(), &r)
		seen[r.Nu] = r.Com
	}
	top1, top3 := 0, 0
	for nu, com := range seen {
		_, b := get("num=" + url.QueryEscape(nu) + "&key=" + h.acct.Key)
		var l []map[string]any
		json.Unmarshal([]byte(b), &l)
		for i, c := range l {
			if c["comCode"] == com {
				if i == 0 {
					top1++
				}
				if i < 3 {
					top3++
				}
			}
		}
	}
	t.Logf("autonumber on %d real numbers: top-1 %d (%.0f%%), top-3 %d (%.0f%%)", len(seen), top1, 100*float64(top1)/float64(len(seen)), top3, 100*float64(top3)/float64(len(seen)))
	if float64(top1)/float64(len(seen)) < 0.6 || float64(top3)/float64(len(seen)) < 0.83 {
		t.Errorf("autonumber accuracy below the floors: top-1 %d, top-3 %d of %d", top1, top3, len(seen))
	}
}

// TestAutoCheck runs the carrier auto-check of docs/protocol.md §2.4 end to end.
func TestAutoCheck(t *testing.T) {
	up := &fakeUpstream{known: map[string][]trackpush.RawEvent{
		// The number is YTO's; the shop said zhongtong.
		"yuantong/YT6247854916513": raws(ytoEvents[:3]...),
		// A 13-digit number that fits EMS and China Post alike: the shop
		// said ems, China Post's upstream knows it.
		"youzhengguonei/9861182861343": raws(ytoEvents[:2]...),
	}}
	h := newHarnessWith(t, withUpstream(up, "*=sim"))
	wrong := h.subBody("YT6247854916513", func(s sub, p map[string]any) { s["company"] = "zhongtong"; p["phone"] = "1234" })
	h.mustSubscribe(wrong)
	right := h.subBody("YT6247854916514") // fits yuantong, never gets a record
	h.mustSubscribe(right)
	shared := h.subBody("9861182861343", func(s sub, _ map[string]any) { s["company"] = "ems" })
	h.mustSubscribe(shared)
	nowhere := h.subBody("1123456789012", func(s sub, _ map[string]any) { s["company"] = "ems" }) // nobody knows it
	h.mustSubscribe(nowhere)

	h.clock.Advance(trackpush.NoRecordAfter)
	// Six pushes, in any order (they belong to six subscriptions).
	got := map[string]received{}
	for i := 0; i < 6; i++ {
		rc := h.recv.next(t)
		got[rc.p.LastResult.Nu+"/"+rc.p.LastResult.Com] = rc
	}
	// (1) The code fits and no other carrier knows the number: abort,
	// autoCheck 0, no comOld/comNew.
	for _, k := range []string{"YT6247854916514/yuantong", "1123456789012/ems"} {
		a := got[k].p
		if a.Status != "abort" || a.Message != "3天查询无记录" || a.AutoCheck != "0" || a.ComOld != "" || a.ComNew != "" {
			t.Fatalf("%s: %+v", k, a)
		}
	}
	// (2) It does not fit, or it fits but another carrier knows it: one
	// abort with autoCheck 0, comOld and comNew …
	for _, c := range []struct{ nu, old, new string }{{"YT6247854916513", "zhongtong", "yuantong"}, {"9861182861343", "ems", "youzhengguonei"}} {
		b := got[c.nu+"/"+c.old].p
		if b.Status != "abort" || b.Message != "3天查询无记录" || b.AutoCheck != "0" || b.ComOld != c.old || b.ComNew != c.new {
			t.Fatalf("corrected carrier's abort: %+v", b)
		}
	}
	// … and the number is followed with the right carrier: its updates
	// carry autoCheck 1, comOld and comNew.
	rc := got["YT6247854916513/yuantong"]
	c := rc.p
	if c.Status != "polling" || c.AutoCheck != "1" || c.ComOld != "zhongtong" || c.ComNew != "yuantong" || len(c.LastResult.Data) != 3 {
		t.Fatalf("after the correction: %+v", c)
	}
	if rc.query.Get("id") != "1" {
		t.Fatalf("the successor pushes to the same callback: %v", rc.query)
	}
	if c := got["9861182861343/youzhengguonei"].p; c.Status != "polling" || c.AutoCheck != "1" || c.ComOld != "ems" || len(c.LastResult.Data) != 2 {
		t.Fatalf("after the probed correction: %+v", c)
	}
	accts, _ := h.m.Store.Accounts(context.Background())
	if accts[0].Used != 4 {
		t.Fatalf("the correction must not use quota: used %d", accts[0].Used)
	}
	// The probes: the likeliest other carriers only, at most two per
	// number, none for a number only its own carrier's pattern claims.
	up.mu.Lock()
	defer up.mu.Unlock()
	probed := map[string]int{}
	for _, q := range up.calls {
		probed[q]++
	}
	for _, q := range []string{"youzhengguonei/1123456789012", "yunda/1123456789012"} {
		if probed[q] == 0 {
			t.Errorf("%s not probed (calls %v)", q, up.calls)
		}
	}
	for _, q := range []string{"yunda/9861182861343", "quanfengkuaidi/1123456789012", "zhongtong/YT6247854916514"} {
		if probed[q] != 0 {
			t.Errorf("%s probed (calls %v)", q, up.calls)
		}
	}
}

// TestTrackpushAsUpstream: one trackpush polls another through its
// real-time query API, as it would poll the original service — both ends
// of the Kuaidi100 query protocol, speaking to each other.
func TestTrackpushAsUpstream(t *testing.T) {
	a := newHarness(t)
	a.mustIngest("yuantong", "YT6247854916515", ytoEvents[:5]...)
	b := newHarnessWith(t, func(m *Main) {
		m.Config.Poll = "yuantong=kuaidi100"
		m.Config.Kuaidi100URL = a.m.URL() + "/poll/query.do"
		m.Config.Kuaidi100Customer = a.acct.AppCode
		m.Config.Kuaidi100Key = a.acct.Key
	})
	b.mustSubscribe(b.subBody("YT6247854916515"))
	rc := b.recv.next(t)
	if rc.p.Status != "polling" || len(rc.p.LastResult.Data) != 5 || rc.p.LastResult.State != "1002" { // B enriches with its own route (to 北京)
		t.Fatalf("pushed by B after polling A: %s state %s with %d events", rc.p.Status, rc.p.LastResult.State, len(rc.p.LastResult.Data))
	}
	if rc.p.LastResult.Data[0].Context != "【成都转运中心公司】 已收入" {
		t.Fatalf("newest event %q", rc.p.LastResult.Data[0].Context)
	}
}
