package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/callback"
)

func TestSubscribeReturnCodes(t *testing.T) {
	h := newHarness(t)
	words := filepath.Join(t.TempDir(), "words")
	os.WriteFile(words, []byte("# operator list\nbadword\n"), 0o644)
	h.m.Close()
	h.m.Config.SensitiveWords = words
	if err := h.m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	expired := h.createAccount("expired", 5, t0.Add(-time.Hour).Format(time.RFC3339))
	tiny := h.createAccount("tiny", 1, "")

	cases := []struct {
		name string
		body any
		app  string
		code string
	}{
		{"accepted", h.subBody("YT1000000001"), "", "200"},
		{"accepted by AppCode header", h.subBody("YT1000000002", func(s sub, _ map[string]any) { delete(s, "key") }), h.acct.AppCode, "200"},
		{"from unresolvable", h.subBody("YT1000000003", func(s sub, _ map[string]any) { s["from"] = "火星基地" }), "", "400"},
		{"to missing", h.subBody("YT1000000003", func(s sub, _ map[string]any) { delete(s, "to") }), "", "400"},
		{"bad JSON", `{"company":`, h.acct.AppCode, "500"},
		{"NUL in a field", h.subBody("YT1000000003", func(s sub, _ map[string]any) { s["to"] = "北京市\x00朝阳区" }), "", "500"},
		{"number missing", h.subBody("", nil), "", "500"},
		{"number too short", h.subBody("YT123"), "", "500"},
		{"number too long", h.subBody(strings.Repeat("1", 33)), "", "500"},
		{"number with spaces", h.subBody("YT 1000000004"), "", "500"},
		{"number wrong type", h.subBody("x", func(s sub, _ map[string]any) { s["number"] = []int{1} }), "", "500"},
		{"parameters missing", h.subBody("YT1000000004", func(s sub, _ map[string]any) { delete(s, "parameters") }), "", "500"},
		{"callbackurl missing", h.subBody("YT1000000004", func(_ sub, p map[string]any) { delete(p, "callbackurl") }), "", "500"},
		{"callbackurl not http", h.subBody("YT1000000004", func(_ sub, p map[string]any) { p["callbackurl"] = "ftp://example.com/x" }), "", "500"},
		{"callbackurl with credentials", h.subBody("YT1000000004", func(_ sub, p map[string]any) { p["callbackurl"] = "http://u:p@example.com/x" }), "", "500"},
		{"phone required for shunfeng", h.subBody("SF1000000004", func(s sub, _ map[string]any) { s["company"] = "shunfeng" }), "", "500"},
		{"phone required for zhongtong", h.subBody("75000000000004", func(s sub, _ map[string]any) { s["company"] = "zhongtong" }), "", "500"},
		{"duplicate", h.subBody("YT1000000001"), "", "501"},
		{"sensitive word in callback", h.subBody("YT1000000005", func(_ sub, p map[string]any) { p["callbackurl"] = "http://127.0.0.1/badword" }), "", "502"},
		{"sensitive word in content", h.subBody("YT1000000005", func(s sub, _ map[string]any) { s["to"] = "北京市朝阳区badword路" }), "", "502"},
		{"unknown key", h.subBody("YT1000000006", func(s sub, _ map[string]any) { s["key"] = "nope" }), "", "600"},
		{"no credential", h.subBody("YT1000000006", func(s sub, _ map[string]any) { delete(s, "key") }), "", "600"},
		{"key and appcode of different accounts", h.subBody("YT1000000006", func(s sub, _ map[string]any) { s["key"] = tiny.Key }), h.acct.AppCode, "600"},
		{"expired key", h.subBody("YT1000000006", func(s sub, _ map[string]any) { s["key"] = expired.Key }), "", "601"},
		{"unknown company", h.subBody("YT1000000007", func(s sub, _ map[string]any) { s["company"] = "nosuchcarrier" }), "", "700"},
		{"autoCom finds nothing", h.subBody("ZZZZZZZZ", func(s sub, p map[string]any) { s["company"] = ""; p["autoCom"] = "1" }), "", "702"},
		{"tiny account first", h.subBody("YT1000000008", func(s sub, _ map[string]any) { s["key"] = tiny.Key }), "", "200"},
		{"tiny account out of quota", h.subBody("YT1000000009", func(s sub, _ map[string]any) { s["key"] = tiny.Key }), "", "600"},
	}
	for _, c := range cases {
		a := h.subscribeJSON(c.body, c.app)
		if a.ReturnCode != c.code || a.Result != (c.code == "200") {
			t.Errorf("%s: answered %+v, want %s", c.name, a, c.code)
		}
		// The message is exactly the original's text for the code (clients
		// show it and match on it); what was wrong is in detail.
		if a.Message != trackpush.CodeMessage(c.code) {
			t.Errorf("%s: message %q, want exactly %q", c.name, a.Message, trackpush.CodeMessage(c.code))
		}
	}
	// Nothing stored on rejection: 3 accepted subscriptions, quota used 2 + 1.
	accts, _ := h.m.Store.Accounts(context.Background())
	for _, a := range accts {
		want := map[string]int{"shop": 2, "expired": 0, "tiny": 1}[a.Name]
		if a.Used != want {
			t.Errorf("account %s used %d, want %d", a.Name, a.Used, want)
		}
	}
	for _, nu := range []string{"YT1000000003", "YT1000000004", "YT1000000005", "YT1000000006", "YT1000000007", "YT1000000009"} {
		if sh, _, _ := h.m.Store.Shipment(context.Background(), "yuantong", nu); sh != nil {
			t.Errorf("a rejected subscription stored shipment %s", nu)
		}
	}
}

func TestSubscribeFormStyles(t *testing.T) {
	h := newHarness(t)
	poll := map[string]any{"company": "yuantong", "number": "YT2000000001", "key": h.acct.Key,
		"parameters": map[string]any{"callbackurl": h.recv.srv.URL, "resultv2": "4"}}
	if a := h.subscribeForm("/poll", poll); a.ReturnCode != "200" {
		t.Fatalf("/poll without from/to: %+v", a)
	}
	if s := h.subscriptionOf("YT2000000001"); s.Level != trackpush.LevelAdvanced || s.From != nil || s.Salt != nil {
		t.Fatalf("/poll resultv2 4 is level 5, no route, no salt: %+v", s)
	}
	poll["number"] = "YT2000000002"
	poll["parameters"].(map[string]any)["resultv2"] = "8"
	if a := h.subscribeForm("/poll", poll); a.ReturnCode != "400" {
		t.Fatalf("/poll resultv2 8 needs from/to: %+v", a)
	}
	pm := map[string]any{"company": "ems", "number": "1136281381675", "key": h.acct.Key, "from": "广东深圳南山", "to": "江苏省南京市玄武区",
		"parameters": map[string]any{"callbackurl": h.recv.srv.URL, "salt": "", "resultv2": "3"}}
	if a := h.subscribeForm("/pollmap", pm); a.ReturnCode != "200" {
		t.Fatalf("/pollmap: %+v", a)
	}
	s := h.subscriptionOf("1136281381675")
	if s.Level != trackpush.LevelRegion || s.To == nil || s.To.Name != "江苏,南京市,玄武区" || s.Salt == nil || *s.Salt != "" {
		t.Fatalf("/pollmap stored %+v", s)
	}
	delete(pm, "from")
	pm["number"] = "1136281381676"
	if a := h.subscribeForm("/pollmap", pm); a.ReturnCode != "400" {
		t.Fatalf("/pollmap needs from: %+v", a)
	}
	code, b := h.do("POST", "/poll", "application/x-www-form-urlencoded", "", strings.NewReader("schema=json"))
	var a trackpush.Answer
	json.Unmarshal(b, &a)
	if code != 200 || a.ReturnCode != "500" {
		t.Fatalf("/poll without param: %d %s", code, b)
	}
}

// TestPushLevelsAndSigns subscribes the same shipment at every level with
// the three salt cases and checks each push's fields exactly.
func TestPushLevelsAndSigns(t *testing.T) {
	h := newHarness(t)
	nu := "YT6247854916511"
	levels := []struct {
		resultv2 string
		salt     any // string, or nil for no salt
	}{{"", nil}, {"3", ""}, {"5", "salt5"}, {"7", "salt7"}}
	for _, l := range levels {
		a := h.createAccount("lvl", 10, "")
		body := h.subBody(nu, func(s sub, p map[string]any) {
			s["key"] = a.Key
			s["from"], s["to"] = "广东省惠州市", "四川省成都市双流区"
			p["resultv2"] = l.resultv2
			p["callbackurl"] = h.recv.srv.URL + "/cb?level=" + l.resultv2
			if l.salt == nil {
				delete(p, "salt")
			} else {
				p["salt"] = l.salt
			}
		})
		h.mustSubscribe(body)
	}
	h.mustIngest("yuantong", nu, ytoEvents[:4]...)
	got := map[string]received{}
	for range levels {
		rc := h.recv.next(t)
		got[rc.query.Get("level")] = rc // each level has its own callback URL
	}
	wantData := map[string]string{
		"":  "context,ftime,time",
		"3": "areaCode,areaName,context,ftime,status,time",
		"5": "areaCenter,areaCode,areaName,areaPinYin,context,ftime,location,status,statusCode,time",
		"7": "areaCenter,areaCode,areaName,areaPinYin,context,ftime,location,status,statusCode,time",
	}
	wantLast := map[string]string{
		"":  "com,condition,data,ischeck,message,nu,state,status",
		"3": "com,condition,data,ischeck,message,nu,state,status",
		"5": "com,condition,data,isLoop,ischeck,message,nu,routeInfo,state,status",
		"7": "arrivalTime,com,condition,data,isLoop,ischeck,message,nu,predictedRoute,remainTime,routeInfo,state,status,totalTime",
	}
	for _, l := range levels {
		rc, ok := got[l.resultv2]
		if !ok {
			t.Fatalf("no push for level %q", l.resultv2)
		}
		var m map[string]any
		json.Unmarshal([]byte(rc.param), &m)
		if k := keys(m); k != "autoCheck,billstatus,comNew,comOld,lastResult,message,status" {
			t.Errorf("level %q: param keys %s", l.resultv2, k)
		}
		lr := m["lastResult"].(map[string]any)
		if k := keys(lr); k != wantLast[l.resultv2] {
			t.Errorf("level %q: lastResult keys %s, want %s", l.resultv2, k, wantLast[l.resultv2])
		}
		data := lr["data"].([]any)
		if len(data) != 4 {
			t.Fatalf("level %q: %d events", l.resultv2, len(data))
		}
		for _, d := range data {
			if k := keys(d.(map[string]any)); k != wantData[l.resultv2] {
				t.Errorf("level %q: data keys %s, want %s", l.resultv2, k, wantData[l.resultv2])
			}
		}
		// Newest first.
		first := data[0].(map[string]any)
		if first["time"] != "2022-01-11 23:34:51" || data[3].(map[string]any)["time"] != "2022-01-10 14:25:24" {
			t.Errorf("level %q: data not newest first: %v … %v", l.resultv2, first["time"], data[3].(map[string]any)["time"])
		}
		// Sign: absent without salt; MD5(param+salt) with a salt, also empty.
		switch salt := l.salt.(type) {
		case nil:
			if rc.signs {
				t.Errorf("level %q: sign sent without a salt", l.resultv2)
			}
		case string:
			if !rc.signs || rc.sign != callback.Sign(rc.param, salt) {
				t.Errorf("level %q: sign %q, want %q", l.resultv2, rc.sign, callback.Sign(rc.param, salt))
			}
		}
		if rc.p.Status != "polling" || rc.p.AutoCheck != "0" || rc.p.LastResult.Com != "yuantong" || rc.p.LastResult.Nu != nu || rc.p.LastResult.IsCheck != "0" {
			t.Errorf("level %q: %+v", l.resultv2, rc.p)
		}
		state := rc.p.LastResult.State
		switch l.resultv2 {
		case "", "3":
			if state != "0" {
				t.Errorf("level %q: state %s, want basic 0", l.resultv2, state)
			}
		default:
			if state != "1002" {
				t.Errorf("level %q: state %s, want advanced 1002", l.resultv2, state)
			}
			// The newest scan leaves 深圳 for 成都: cur is the next stop, as
			// the original's pushes have it.
			ri := rc.p.LastResult.RouteInfo
			if ri == nil || ri.From.Number != "CN441300000000" || ri.To.Name != "四川,成都市,双流区" || ri.Cur.Name != "四川,成都市" {
				t.Errorf("level %q: routeInfo %+v %+v %+v", l.resultv2, ri.From, ri.Cur, ri.To)
			}
		}
	}
	// Level 5: the first event's region fields.
	var m map[string]any
	json.Unmarshal([]byte(got["5"].param), &m)
	newest := m["lastResult"].(map[string]any)["data"].([]any)[0].(map[string]any)
	if newest["areaCode"] != "CN440300000000" || newest["areaName"] != "广东,深圳市" || newest["status"] != "干线" || newest["statusCode"] != "1002" ||
		newest["areaPinYin"] != "shen zhen shi" || newest["location"] != "深圳市" || newest["ftime"] != "2022-01-11 23:34:51" {
		t.Errorf("level 5 newest event: %v", newest)
	}
}

// TestRetrySchedule: a failing receiver gets the push at T, T+30m, T+60m,
// T+90m; then the version is given up; a newer version starts afresh.
func TestRetrySchedule(t *testing.T) {
	h := newHarness(t)
	nu := "YT3000000001"
	h.mustSubscribe(h.subBody(nu))
	h.recv.setAnswer(func(int) (int, string) { return 500, "down" })
	h.mustIngest("yuantong", nu, ytoEvents[0])
	start := h.clock.Now()
	for i := 0; i <= trackpush.MaxRetries; i++ {
		rc := h.recv.next(t)
		if want := start.Add(time.Duration(i) * trackpush.RetryAfter); !rc.at.Equal(want) {
			t.Fatalf("attempt %d at %s, want %s", i+1, trackpush.FormatTime(rc.at), trackpush.FormatTime(want))
		}
		h.waitDeliveries(nu, i+1)
		if i == trackpush.MaxRetries {
			break
		}
		// Not due a minute before: the next attempt is exactly 30 minutes on
		// (and the arrival time of each push is checked above).
		h.clock.Advance(trackpush.RetryAfter - time.Minute)
		if s := h.subscriptionOf(nu); !s.Push.NextAttemptAt.Equal(start.Add(time.Duration(i+1) * trackpush.RetryAfter)) {
			t.Fatalf("after failure %d the next attempt is at %s", i+1, trackpush.FormatTime(*s.Push.NextAttemptAt))
		}
		h.clock.Advance(time.Minute)
	}
	log := h.deliveries(nu)
	if !log[0].GaveUp || log[0].Attempt != 4 || log[0].HTTPStatus != 500 || log[0].Response != "down" || log[0].OK {
		t.Fatalf("last attempt %+v", log[0])
	}
	if s := h.subscriptionOf(nu); s.Push.Pending() || s.Push.GaveUpVersion != 1 {
		t.Fatalf("after giving up: %+v", s.Push)
	}
	h.clock.Advance(10 * time.Hour)
	if log := h.deliveries(nu); len(log) != 4 {
		t.Fatalf("%d attempts after giving up, want 4", len(log))
	}
	// A newer version starts afresh: pushed at once, acknowledged.
	h.recv.setAnswer(func(int) (int, string) { return 200, `{"result":true,"returnCode":"200","message":"成功"}` })
	h.mustIngest("yuantong", nu, ytoEvents[1])
	rc := h.recv.next(t)
	if !rc.at.Equal(h.clock.Now()) || len(rc.p.LastResult.Data) != 2 {
		t.Fatalf("newer version: at %s with %d events", trackpush.FormatTime(rc.at), len(rc.p.LastResult.Data))
	}
	log = h.waitDeliveries(nu, 5)
	if !log[0].OK || log[0].Attempt != 1 || log[0].Version != 2 {
		t.Fatalf("newer version log %+v", log[0])
	}
}

// TestAckMustBeTheDocumentedBody: 2xx with any other body is a failure.
func TestAckMustBeTheDocumentedBody(t *testing.T) {
	h := newHarness(t)
	nu := "YT3000000002"
	h.mustSubscribe(h.subBody(nu))
	h.recv.setAnswer(func(n int) (int, string) {
		if n == 1 {
			return 200, "ok"
		}
		return 200, `{"result":true,"returnCode":"200","message":"成功"}`
	})
	h.mustIngest("yuantong", nu, ytoEvents[0])
	h.recv.next(t)
	log := h.waitDeliveries(nu, 1)
	if log[0].OK || !strings.Contains(log[0].Error, "acknowledgement") {
		t.Fatalf("a plain ok was taken as an ack: %+v", log[0])
	}
	h.clock.Advance(trackpush.RetryAfter)
	h.recv.next(t)
	if log := h.waitDeliveries(nu, 2); !log[0].OK {
		t.Fatalf("the documented ack was refused: %+v", log[0])
	}
}

func TestShutdownThenNoMore(t *testing.T) {
	h := newHarness(t)
	nu := "YT6247854916512"
	h.mustSubscribe(h.subBody(nu))
	h.mustIngest("yuantong", nu, ytoEvents...)
	rc := h.recv.next(t)
	if rc.p.Status != "polling" || rc.p.LastResult.State != "501" {
		t.Fatalf("before signing: %s state %s", rc.p.Status, rc.p.LastResult.State)
	}
	h.waitDeliveries(nu, 1)
	h.mustIngest("yuantong", nu, ytoSigned)
	rc = h.recv.next(t)
	if rc.p.Status != "shutdown" || rc.p.BillStatus != "check" || rc.p.LastResult.IsCheck != "1" || rc.p.LastResult.State != "304" || len(rc.p.LastResult.Data) != 8 {
		t.Fatalf("shutdown push: %s %s ischeck %s state %s", rc.p.Status, rc.p.BillStatus, rc.p.LastResult.IsCheck, rc.p.LastResult.State)
	}
	h.waitDeliveries(nu, 2)
	h.mustIngest("yuantong", nu, "2022-01-14 08:00:00|快件已被退回")
	h.clock.Advance(90 * 24 * time.Hour)
	h.sweep()
	if s := h.subscriptionOf(nu); s.Push.Pending() || s.Status != trackpush.StatusShutdown || s.Push.Version != 2 {
		t.Fatalf("after shutdown: %+v", s)
	}
	if log := h.deliveries(nu); len(log) != 2 {
		t.Fatalf("%d pushes after shutdown, want none", len(log)-2)
	}
	// Resubscribing waits 30 minutes after the end.
	if a := h.subscribeJSON(h.subBody(nu), ""); a.ReturnCode != "200" {
		t.Fatalf("90 days later: %+v", a)
	}
	// The newest event says the parcel is being returned: the new
	// subscription follows it.
	rc = h.recv.next(t)
	if rc.p.Status != "polling" || rc.p.LastResult.State != "6" || len(rc.p.LastResult.Data) != 9 {
		t.Fatalf("subscribing again: %s state %s, %d events", rc.p.Status, rc.p.LastResult.State, len(rc.p.LastResult.Data))
	}
}

func TestAborts(t *testing.T) {
	h := newHarness(t)
	h.mustSubscribe(h.subBody("YT4000000001")) // never gets an event
	h.mustSubscribe(h.subBody("YT4000000002")) // one event, then silence
	h.mustIngest("yuantong", "YT4000000002", ytoEvents[0])
	h.recv.next(t)
	h.waitDeliveries("YT4000000002", 1)

	h.clock.Advance(trackpush.NoRecordAfter - time.Minute)
	h.sweep()
	if s := h.subscriptionOf("YT4000000001"); s.Status != trackpush.StatusPolling {
		t.Fatalf("aborted before 3 days: %+v", s)
	}
	h.clock.Advance(time.Minute)
	rc := h.recv.next(t)
	if rc.p.Status != "abort" || rc.p.Message != "3天查询无记录" || rc.p.LastResult.Nu != "YT4000000001" || len(rc.p.LastResult.Data) != 0 || rc.p.AutoCheck != "0" {
		t.Fatalf("3-day abort: %+v", rc.p)
	}
	if s := h.subscriptionOf("YT4000000001"); s.EndedAt == nil || !s.EndedAt.Equal(t0.Add(trackpush.NoRecordAfter)) {
		t.Fatalf("ended at %v, want exactly 3 days after subscribing", s.EndedAt)
	}
	// Resubscribe: refused within 30 minutes of the end, accepted after.
	h.waitDeliveries("YT4000000001", 1)
	if a := h.subscribeJSON(h.subBody("YT4000000001"), ""); a.ReturnCode != "501" {
		t.Fatalf("resubscribe at once: %+v", a)
	}
	h.clock.Advance(trackpush.ResubscribeAfter)
	if a := h.subscribeJSON(h.subBody("YT4000000001"), ""); a.ReturnCode != "200" {
		t.Fatalf("resubscribe after 30 minutes: %+v", a)
	}
	h.clock.Advance(trackpush.NoChangeAfter - trackpush.NoRecordAfter - trackpush.ResubscribeAfter - time.Minute)
	h.sweep()
	if s := h.subscriptionOf("YT4000000002"); s.Status != trackpush.StatusPolling {
		t.Fatalf("aborted before 60 days without change: %+v", s)
	}
	h.clock.Advance(time.Minute)
	for {
		rc = h.recv.next(t)
		if rc.p.LastResult.Nu == "YT4000000002" {
			break
		}
	}
	if rc.p.Status != "abort" || rc.p.Message != "60天无变化" || len(rc.p.LastResult.Data) != 1 {
		t.Fatalf("60-day abort: %+v", rc.p)
	}
}

func TestMonthlyLimitAndQuota(t *testing.T) {
	h := newHarness(t)
	nu := "YT5000000001"
	a := h.createAccount("q", 6, "")
	body := h.subBody(nu, func(s sub, _ map[string]any) { s["key"] = a.Key })
	for i := 1; i <= 4; i++ {
		if ans := h.subscribeJSON(body, ""); ans.ReturnCode != "200" {
			t.Fatalf("subscription %d: %+v", i, ans)
		}
		s := h.subscriptionOf(nu)
		if _, err := h.m.Store.EndSubscription(context.Background(), trackpush.End{SubID: s.ID, Status: trackpush.StatusAbort, Message: "test"}, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
		h.clock.Advance(trackpush.ResubscribeAfter)
	}
	if ans := h.subscribeJSON(body, ""); ans.ReturnCode != "501" {
		t.Fatalf("fifth in a month: %+v", ans)
	}
	accts, _ := h.m.Store.Accounts(context.Background())
	for _, x := range accts {
		if x.Name == "q" && x.Used != 4 {
			t.Fatalf("quota used %d, want 4", x.Used)
		}
	}
}

func TestUpdateAllAdmin(t *testing.T) {
	h := newHarness(t)
	nu := "YT5000000002"
	h.mustSubscribe(h.subBody(nu))
	h.mustIngest("yuantong", nu, ytoEvents[0])
	h.recv.next(t)
	h.waitDeliveries(nu, 1)
	id := h.subscriptionOf(nu).ID
	code, b := h.do("POST", "/admin/subscriptions/"+itoa(id)+"/updateall", "", "Bearer admin-secret", nil)
	if code != 200 {
		t.Fatalf("updateall: %d %s", code, b)
	}
	if rc := h.recv.next(t); rc.p.Status != "updateall" || len(rc.p.LastResult.Data) != 1 {
		t.Fatalf("updateall push: %+v", rc.p)
	}
	h.waitDeliveries(nu, 2)
	code, b = h.do("GET", "/admin/subscriptions/"+itoa(id), "", "Bearer admin-secret", nil)
	var v map[string]any
	json.Unmarshal(b, &v)
	if code != 200 || v["status"] != "polling" || len(v["deliveries"].([]any)) != 2 {
		t.Fatalf("subscription view: %d %s", code, b)
	}
	// The operator's times are RFC 3339 with the offset.
	for _, tm := range []any{v["created"], v["deliveries"].([]any)[0].(map[string]any)["at"]} {
		if s, _ := tm.(string); !strings.HasSuffix(s, "+08:00") {
			t.Errorf("admin time %v is not RFC 3339 with the offset", tm)
		} else if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Error(err)
		}
	}
	if code, _ := h.do("POST", "/admin/subscriptions/999/updateall", "", "Bearer admin-secret", nil); code != 404 {
		t.Fatalf("unknown subscription: %d", code)
	}
	if code, _ := h.do("POST", "/admin/subscriptions/"+itoa(id)+"/updateall", "", "Bearer wrong", nil); code != 401 {
		t.Fatalf("wrong admin token: %d", code)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestIngestValidation(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name, body, auth string
		code             int
		field            string
	}{
		{"no token", `{}`, "", 401, ""},
		{"wrong token", `{}`, "Bearer nope", 401, ""},
		{"not JSON", `{"com":`, "Bearer ingest-secret", 400, "body"},
		{"unknown field", `{"com":"yuantong","nu":"YT123456789","events":[],"x":1}`, "Bearer ingest-secret", 400, "body"},
		{"no com", `{"nu":"YT123456789","events":[{"time":"2025-01-01 10:00:00","context":"x"}]}`, "Bearer ingest-secret", 400, "com"},
		{"unknown com", `{"com":"nosuch","nu":"YT123456789","events":[{"time":"2025-01-01 10:00:00","context":"x"}]}`, "Bearer ingest-secret", 400, "com"},
		{"bad number", `{"com":"yuantong","nu":"YT1","events":[{"time":"2025-01-01 10:00:00","context":"x"}]}`, "Bearer ingest-secret", 400, "nu"},
		{"no events", `{"com":"yuantong","nu":"YT123456789","events":[]}`, "Bearer ingest-secret", 400, "events"},
		{"bad time", `{"com":"yuantong","nu":"YT123456789","events":[{"time":"2025-01-01 10:00:00","context":"ok"},{"time":"yesterday","context":"x"}]}`, "Bearer ingest-secret", 400, "events[1].time"},
		{"empty context", `{"com":"yuantong","nu":"YT123456789","events":[{"time":"2025-01-01 10:00:00","context":" "}]}`, "Bearer ingest-secret", 400, "events[0].context"},
		{"NUL in context", `{"com":"yuantong","nu":"YT123456789","events":[{"time":"2025-01-01 10:00:00","context":"a\u0000b"}]}`, "Bearer ingest-secret", 400, "events[0].context"},
	}
	for _, c := range cases {
		code, b := h.do("POST", "/v1/events", "application/json", c.auth, strings.NewReader(c.body))
		var e struct{ Error, Field string }
		json.Unmarshal(b, &e)
		if code != c.code || e.Field != c.field || e.Error == "" {
			t.Errorf("%s: %d %s", c.name, code, b)
		}
	}
	if sh, _, _ := h.m.Store.Shipment(context.Background(), "yuantong", "YT123456789"); sh != nil {
		t.Fatal("a rejected ingest stored a shipment")
	}
	code, out := h.ingest("yuantong", "YT123456789", ytoEvents[0], ytoEvents[1], ytoEvents[0])
	if code != 200 || out["accepted"] != 2.0 || out["duplicates"] != 1.0 {
		t.Fatalf("ingest: %d %v", code, out)
	}
	code, out = h.ingest("yuantong", "YT123456789", ytoEvents[1], ytoEvents[2])
	if code != 200 || out["accepted"] != 1.0 || out["duplicates"] != 1.0 {
		t.Fatalf("ingest again: %d %v", code, out)
	}
	_, evs, _ := h.m.Store.Shipment(context.Background(), "yuantong", "YT123456789")
	if len(evs) != 3 || evs[2].Area == nil || evs[2].Area.Name != "广东,深圳市" || evs[2].State != trackpush.StateTrunk {
		t.Fatalf("stored events %+v", evs)
	}
}

func TestCompanies(t *testing.T) {
	h := newHarness(t)
	if code, b := h.do("GET", "/trackpush/callback", "", "", nil); code != 200 || !strings.Contains(string(b), `"returnCode":"500"`) {
		t.Errorf("GET on the subscribe endpoint: %d %s", code, b)
	}
	if code, b := h.do("GET", "/nope", "", "", nil); code != 404 || !strings.Contains(string(b), `"error"`) {
		t.Errorf("unknown path: %d %s", code, b)
	}
	code, b := h.do("GET", "/companies", "", "", nil)
	var list []map[string]string
	if code != 200 || json.Unmarshal(b, &list) != nil || len(list) < 1500 {
		t.Fatalf("companies JSON: %d, %d entries", code, len(list))
	}
	found := false
	for _, c := range list {
		found = found || (c["code"] == "yuantong" && c["name"] == "圆通速递")
	}
	if !found {
		t.Error("yuantong missing")
	}
	code, b = h.do("GET", "/companies?format=csv", "", "", nil)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if code != 200 || err != nil || rows[0][0] != "code" || len(rows) != len(list)+1 {
		t.Fatalf("companies CSV: %d %v %d rows", code, err, len(rows))
	}
}

func TestAdminAccounts(t *testing.T) {
	h := newHarness(t)
	code, b := h.do("GET", "/admin/accounts", "", "Bearer admin-secret", nil)
	var list []map[string]any
	if code != 200 || json.Unmarshal(b, &list) != nil || len(list) != 1 || list[0]["key"] != nil || list[0]["appcode"] != nil {
		t.Fatalf("list must not show credentials: %d %s", code, b)
	}
	code, _ = h.do("POST", "/admin/accounts/1/disable", "", "Bearer admin-secret", nil)
	if code != 200 {
		t.Fatal(code)
	}
	if a := h.subscribeJSON(h.subBody("YT7000000001"), ""); a.ReturnCode != "600" {
		t.Fatalf("disabled account: %+v", a)
	}
	h.do("POST", "/admin/accounts/1/enable", "", "Bearer admin-secret", nil)
	if a := h.subscribeJSON(h.subBody("YT7000000001"), ""); a.ReturnCode != "200" {
		t.Fatalf("enabled account: %+v", a)
	}
	for _, body := range []string{`{"name":"","quota":1}`, `{"name":"x","quota":0}`, `{"name":"x","quota":1,"expires":"tomorrow"}`, `nope`} {
		if code, _ := h.do("POST", "/admin/accounts", "application/json", "Bearer admin-secret", strings.NewReader(body)); code != 400 {
			t.Errorf("create %s: %d", body, code)
		}
	}
}

// TestLockerWait: a parcel left at a station with no later event for the
// locker wait counts as signed there: one shutdown push, state 304,
// ischeck 1, its events unchanged; an event before the wait ends restarts
// it.
func TestLockerWait(t *testing.T) {
	h := newHarness(t)
	nu, other := "YT6247854916591", "YT6247854916592"
	h.mustSubscribe(h.subBody(nu))
	h.mustSubscribe(h.subBody(other))
	h.mustIngest("yuantong", nu, ytoEvents...) // the last: 驿站代收，请及时取件
	h.mustIngest("yuantong", other, ytoEvents...)
	for range 2 {
		if rc := h.recv.next(t); rc.p.Status != "polling" || rc.p.LastResult.State != "501" {
			t.Fatalf("at the station: %s state %s", rc.p.Status, rc.p.LastResult.State)
		}
	}
	h.waitDeliveries(nu, 1)
	h.waitDeliveries(other, 1)
	wait := h.m.Config.LockerWait
	if wait != 72*time.Hour {
		t.Fatalf("default locker wait %s", wait)
	}
	h.clock.Advance(wait / 2)
	h.mustIngest("yuantong", other, "2022-01-14 09:00:00|快件在【成都双流区红树湾二期店菜鸟驿站】，请尽快领取")
	if rc := h.recv.next(t); rc.p.LastResult.Nu != other || rc.p.LastResult.State != "501" {
		t.Fatalf("reminder: %+v", rc.p)
	}
	h.waitDeliveries(other, 2)
	h.clock.Advance(wait/2 - time.Minute)
	h.sweep()
	if s := h.subscriptionOf(nu); s.Status != trackpush.StatusPolling {
		t.Fatalf("settled before the wait: %+v", s)
	}
	h.clock.Advance(time.Minute)
	h.sweep()
	rc := h.recv.next(t)
	if rc.p.LastResult.Nu != nu || rc.p.Status != "shutdown" || rc.p.LastResult.State != "304" || rc.p.LastResult.IsCheck != "1" ||
		rc.p.BillStatus != "check" || len(rc.p.LastResult.Data) != len(ytoEvents) {
		t.Fatalf("after the wait: %s %s state %s ischeck %s, %d events", rc.p.LastResult.Nu, rc.p.Status, rc.p.LastResult.State, rc.p.LastResult.IsCheck, len(rc.p.LastResult.Data))
	}
	if s := h.subscriptionOf(other); s.Status != trackpush.StatusPolling {
		t.Fatalf("the reminded parcel was settled with the other: %+v", s)
	}
}
