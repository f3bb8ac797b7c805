package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

// TestClientRequestShapes sends subscriptions and queries the ways real
// clients of the original service send them, through real HTTP: the
// official demos post a form body (schema=json&param=…); a popular
// community client posts the same fields in the URL query with an empty
// body; the map-trajectory API takes JSON. Each is accepted alike.
func TestClientRequestShapes(t *testing.T) {
	h := newHarness(t)
	param := func(nu string) string {
		b, _ := json.Marshal(map[string]any{"company": "yuantong", "number": nu, "key": h.acct.Key,
			"from": "广东省深圳市南山区", "to": "北京市朝阳区",
			"parameters": map[string]any{"callbackurl": h.recv.srv.URL, "resultv2": "4"}})
		return string(b)
	}
	answer := func(what string, code int, body []byte) answer {
		t.Helper()
		var a answer
		if code != 200 || json.Unmarshal(body, &a) != nil {
			t.Fatalf("%s: HTTP %d %s", what, code, body)
		}
		return a
	}
	for i, path := range []string{"/poll", "/pollmap"} {
		// The official demos (Java SDK, Go and Python demos): a form body.
		form := url.Values{"schema": {"json"}, "param": {param("YT70000000" + string(rune('1'+i)) + "1")}}
		code, b := h.do("POST", path, "application/x-www-form-urlencoded", "", strings.NewReader(form.Encode()))
		if a := answer(path+" form body", code, b); a.ReturnCode != "200" || a.Message != "提交成功" {
			t.Errorf("%s with a form body: %+v", path, a)
		}
		// The community client: the fields in the URL query, the body empty.
		q := url.Values{"schema": {"json"}, "param": {param("YT70000000" + string(rune('1'+i)) + "2")}}
		code, b = h.do("POST", path+"?"+q.Encode(), "application/x-www-form-urlencoded", "", strings.NewReader(""))
		if a := answer(path+" query string", code, b); a.ReturnCode != "200" || a.Message != "提交成功" {
			t.Errorf("%s with the fields in the URL: %+v", path, a)
		}
	}
	// JSON to the map-trajectory endpoint.
	var body map[string]any
	json.Unmarshal([]byte(param("YT7000000031")), &body)
	if a := h.subscribeJSON(body, ""); a.ReturnCode != "200" {
		t.Errorf("JSON: %+v", a)
	}
	// A refusal keeps the original's message; the detail is trackpush's own.
	code, b := h.do("POST", "/poll?schema=json", "application/x-www-form-urlencoded", "", strings.NewReader(""))
	if a := answer("no param", code, b); a.ReturnCode != "500" || a.Message != "服务器错误" || !strings.Contains(a.Detail, "param") {
		t.Errorf("no param: %+v", a)
	}

	// The real-time query with its fields in the URL query.
	h.mustIngest("yuantong", "YT7000000011", ytoEvents[:2]...)
	p, _ := json.Marshal(map[string]any{"com": "yuantong", "num": "YT7000000011"})
	q := url.Values{"customer": {h.acct.AppCode}, "param": {string(p)}, "sign": {querySignOf(string(p), h.acct.Key, h.acct.AppCode)}}
	code, b = h.do("POST", "/poll/query.do?"+q.Encode(), "application/x-www-form-urlencoded", "", strings.NewReader(""))
	var lr map[string]any
	if code != 200 || json.Unmarshal(b, &lr) != nil || lr["nu"] != "YT7000000011" || len(lr["data"].([]any)) != 2 {
		t.Errorf("query.do with the fields in the URL: %d %s", code, b)
	}
}

// TestPushTimesStrict: carriers write times their own way; every push
// sends data[].time as YYYY-MM-DD HH:MM:SS, as the original's pushes do,
// so a receiver parsing it strictly takes every push. The query API keeps
// the carrier's text as rawTime.
func TestPushTimesStrict(t *testing.T) {
	h := newHarness(t)
	nu := "YT7100000001"
	h.mustSubscribe(h.subBody(nu))
	h.mustIngest("yuantong", nu,
		"2019/07/12 21:09:04|【广东省惠州市公司】 已揽收",
		"2019-7-13 9:58:25|【深圳转运中心】 已发出 下一站 【成都转运中心公司】",
		"2019-07-14 06:05|【成都转运中心公司】 已收入")
	rc := h.recv.next(t)
	want := []string{"2019-07-14 06:05:00", "2019-07-13 09:58:25", "2019-07-12 21:09:04"}
	if len(rc.p.LastResult.Data) != 3 {
		t.Fatalf("%d events", len(rc.p.LastResult.Data))
	}
	for i, d := range rc.p.LastResult.Data {
		if _, err := time.ParseInLocation(trackpush.TimeLayout, d.Time, trackpush.CST); err != nil || d.Time != want[i] || d.FTime != want[i] {
			t.Errorf("event %d: time %q ftime %q, want %q (strictly parsed: %v)", i, d.Time, d.FTime, want[i], err)
		}
	}
	if strings.Contains(rc.param, "rawTime") {
		t.Errorf("a push carries rawTime: %s", rc.param)
	}
	got := h.query("/poll/query.do", h.acct.AppCode, h.acct.Key, map[string]any{"com": "yuantong", "num": nu, "resultv2": "4"})
	data := got["data"].([]any)
	if raw := data[1].(map[string]any)["rawTime"]; raw != "2019-7-13 9:58:25" || data[1].(map[string]any)["time"] != "2019-07-13 09:58:25" {
		t.Errorf("query.do: time %v, rawTime %v", data[1].(map[string]any)["time"], raw)
	}
}
