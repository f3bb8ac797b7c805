package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

const testBase = "https://track.example.com/tp"

var trailURLRe = regexp.MustCompile(`^https://track\.example\.com/tp/trail/([0-9a-f]{32})$`)

// pushFor waits for the next push of a number.
func (h *harness) pushFor(t *testing.T, nu string) received {
	t.Helper()
	for {
		if rc := h.recv.next(t); rc.p.LastResult.Nu == nu {
			return rc
		}
	}
}

// page fetches a trail page (or its JSON) and returns the status, the
// body and the Content-Security-Policy.
func (h *harness) page(path string) (int, string, string) {
	h.t.Helper()
	resp, err := httpGet(h.m.URL() + path)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.code, resp.body, resp.csp
}

// TestTrailLinks: every push and maptrack.do answer of a map-style
// subscription carries one stable trail link at every level; the classic
// /poll's do not; the page and its JSON show the trajectory with phones
// masked; links expire as the original's, and ended ones close.
func TestTrailLinks(t *testing.T) {
	h := newHarnessWith(t, func(m *Main) { m.Config.BaseURL = testBase + "/" })
	for _, lvl := range []string{"", "3", "5", "7"} {
		nu := "YT80000000" + map[string]string{"": "00", "3": "03", "5": "05", "7": "07"}[lvl]
		h.mustSubscribe(h.subBody(nu, func(s sub, p map[string]any) { p["resultv2"] = lvl; p["phone"] = "13812345678" }))
	}
	pm := map[string]any{"company": "yuantong", "number": "YT8000000100", "key": h.acct.Key, "from": "广东深圳", "to": "北京朝阳",
		"parameters": map[string]any{"callbackurl": h.recv.srv.URL, "resultv2": ""}}
	if a := h.subscribeForm("/pollmap", pm); a.ReturnCode != "200" {
		t.Fatalf("/pollmap: %+v", a)
	}
	pm["number"] = "YT8000000200"
	if a := h.subscribeForm("/poll", pm); a.ReturnCode != "200" {
		t.Fatalf("/poll: %+v", a)
	}
	phoneEvent := "2022-01-10 16:00:00|【广东省深圳市南山区公司】 派件员 某某 电话 13812345678 正在派件，收件人电话13999990000"
	tokens := map[string]string{}
	for _, nu := range []string{"YT8000000000", "YT8000000003", "YT8000000005", "YT8000000007", "YT8000000100"} {
		h.mustIngest("yuantong", nu, ytoEvents[0], phoneEvent)
		rc := h.pushFor(t, nu)
		m := trailURLRe.FindStringSubmatch(rc.p.LastResult.TrailURL)
		if m == nil {
			t.Fatalf("%s: trailUrl %q", nu, rc.p.LastResult.TrailURL)
		}
		if !strings.Contains(rc.param, `"trailUrl":"`+rc.p.LastResult.TrailURL+`"`) {
			t.Fatalf("%s: trailUrl not sent as a string: %s", nu, rc.param)
		}
		tokens[nu] = m[1]
	}
	if len(map[string]bool{tokens["YT8000000000"]: true, tokens["YT8000000003"]: true, tokens["YT8000000005"]: true, tokens["YT8000000007"]: true, tokens["YT8000000100"]: true}) != 5 {
		t.Fatalf("tokens are not per subscription: %v", tokens)
	}
	h.mustIngest("yuantong", "YT8000000200", ytoEvents[0])
	if rc := h.pushFor(t, "YT8000000200"); strings.Contains(rc.param, "trailUrl") {
		t.Fatalf("a /poll subscription got a trail link: %s", rc.param)
	}
	// Stable across pushes.
	nu, tok := "YT8000000005", tokens["YT8000000005"]
	h.mustIngest("yuantong", nu, ytoEvents[2])
	if rc := h.pushFor(t, nu); rc.p.LastResult.TrailURL != testBase+"/trail/"+tok {
		t.Fatalf("second push: %q", rc.p.LastResult.TrailURL)
	}
	// maptrack.do names the same link; query.do none.
	got := h.query("/poll/maptrack.do", h.acct.AppCode, h.acct.Key, map[string]any{"com": "yuantong", "num": nu})
	if got["trailUrl"] != testBase+"/trail/"+tok {
		t.Fatalf("maptrack.do trailUrl %v", got["trailUrl"])
	}
	if got := h.query("/poll/query.do", h.acct.AppCode, h.acct.Key, map[string]any{"com": "yuantong", "num": nu}); got["trailUrl"] != nil {
		t.Fatalf("query.do trailUrl %v", got["trailUrl"])
	}

	// The page.
	code, body, csp := h.page("/trail/" + tok)
	if code != 200 {
		t.Fatalf("page: %d %s", code, body)
	}
	for _, want := range []string{"<svg id=\"map\"", `class="route"`, `class="land"`, "底图数据 © 高德/DataV", "YT8000000005", "圆通速递",
		`<meta property="og:title"`, `<meta property="og:url" content="` + testBase + `/trail/` + tok + `"`, "138****5678", "139****0000", "深圳转运中心"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, never := range []string{"13812345678", "13999990000"} {
		if strings.Contains(body, never) {
			t.Errorf("page shows the phone %s unmasked", never)
		}
	}
	if !strings.HasPrefix(csp, "default-src 'none'; ") || strings.Contains(csp, "http") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	code, js, _ := h.page("/trail/" + tok + ".json")
	var tr struct {
		Nu       string
		Events   []struct{ Context, Time, StatusCode string }
		Route    []struct{ Lng, Lat float64 }
		From     *struct{ Name string }
		Expires  string
		Forecast *struct{ Basis, Arrival string } `json:"forecast"`
	}
	if code != 200 || json.Unmarshal([]byte(js), &tr) != nil {
		t.Fatalf("json: %d %s", code, js)
	}
	if tr.Nu != nu || len(tr.Events) != 3 || tr.Events[0].Time != "2022-01-11T23:22:33+08:00" || len(tr.Route) < 2 || tr.From == nil ||
		tr.From.Name != "广东,深圳市,南山区" || strings.Contains(js, "13812345678") {
		t.Fatalf("json: %s", js)
	}
	// The route model's forecast: the parcel went out for delivery at
	// 16:00, so it has arrived (the target event is the first 派件).
	if tr.Forecast == nil || tr.Forecast.Basis != trackpush.BasisArrived || tr.Forecast.Arrival != "2022-01-10T16:00:00+08:00" {
		t.Fatalf("json: %s", js)
	}
	wantExp := t0.Add(trackpush.TrailTTL).Format(time.RFC3339)
	if tr.Expires != wantExp {
		t.Fatalf("expires %s, want %s (3 days after the last event arrived)", tr.Expires, wantExp)
	}

	// Unknown and malformed tokens: 404 pages; no stack trace, no blank.
	for _, p := range []string{"/trail/" + strings.Repeat("a", 32), "/trail/nope", "/trail/" + strings.Repeat("a", 32) + ".json"} {
		if code, body, _ := h.page(p); code != 404 || !(strings.Contains(body, "链接无效") || strings.Contains(body, `"error"`)) {
			t.Errorf("%s: %d %.200s", p, code, body)
		}
	}
	// Expiry: valid until 3 days after the last event, 410 after.
	h.clock.Advance(trackpush.TrailTTL - time.Minute)
	if code, _, _ := h.page("/trail/" + tok); code != 200 {
		t.Fatalf("a minute before expiry: %d", code)
	}
	h.clock.Advance(time.Minute)
	if code, body, _ := h.page("/trail/" + tok); code != 410 || !strings.Contains(body, "链接已过期") {
		t.Fatalf("expired: %d %.300s", code, body)
	}
	if code, body, _ := h.page("/trail/" + tok + ".json"); code != 410 || !strings.Contains(body, `"expired":true`) {
		t.Fatalf("expired json: %d %s", code, body)
	}
	// A new event opens it again for 3 days.
	h.mustIngest("yuantong", nu, ytoEvents[3])
	if code, _, _ := h.page("/trail/" + tok); code != 200 {
		t.Fatalf("after a new event: %d", code)
	}
	// Signed: valid 15 days after signing.
	h.mustIngest("yuantong", nu, ytoSigned)
	h.clock.Advance(trackpush.TrailSignedTTL - time.Minute)
	if code, body, _ := h.page("/trail/" + tok); code != 200 || !strings.Contains(body, "已签收") {
		t.Fatalf("14 days 23:59 after signing: %d", code)
	}
	h.clock.Advance(time.Minute)
	if code, _, _ := h.page("/trail/" + tok); code != 410 {
		t.Fatalf("15 days after signing: %d", code)
	}

	// Stopped by the operator: one abort push, the link closes.
	stopNu, stopTok := "YT8000000007", tokens["YT8000000007"]
	code, b := h.do("DELETE", fmt.Sprintf("/admin/subscriptions/%d", h.subscriptionOf(stopNu).ID), "", "Bearer admin-secret", nil)
	if code != 200 || !strings.Contains(string(b), `"stopped":true`) {
		t.Fatalf("stop: %d %s", code, b)
	}
	if rc := h.pushFor(t, stopNu); rc.p.Status != "abort" || rc.p.Message != trackpush.MessageStopped {
		t.Fatalf("stop push: %+v", rc.p)
	}
	if code, body, _ := h.page("/trail/" + stopTok); code != 410 || !strings.Contains(body, "已停止跟踪") {
		t.Fatalf("stopped: %d %.300s", code, body)
	}
}

// TestTrailWithoutBaseURL: without --base-url nothing is derived from the
// request: pushes carry no trailUrl, the page is served all the same.
func TestTrailWithoutBaseURL(t *testing.T) {
	h := newHarness(t)
	nu := "YT8100000001"
	h.mustSubscribe(h.subBody(nu))
	h.mustIngest("yuantong", nu, ytoEvents[0])
	rc := h.pushFor(t, nu)
	if strings.Contains(rc.param, "trailUrl") {
		t.Fatalf("a push without a base URL has a trail link: %s", rc.param)
	}
	tok := h.subscriptionOf(nu).TrailToken
	if code, body, _ := h.page("/trail/" + tok); code != 200 || strings.Contains(body, "og:url") {
		t.Fatalf("page: %d", code)
	}
}

// TestMapTemplates: templates through the admin API; subscribe checks the
// key; the page takes the template's look; an online basemap is the only
// way outside resources get into the page.
func TestMapTemplates(t *testing.T) {
	h := newHarnessWith(t, func(m *Main) { m.Config.BaseURL = testBase })
	admin := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		code, b := h.do(method, path, "application/json", "Bearer admin-secret", strings.NewReader(body))
		var m map[string]any
		json.Unmarshal(b, &m)
		return code, m
	}
	if code, m := admin("POST", "/admin/templates", `{"key":"shop","title":"小店物流","routeColor":"#ff0000","markerColor":"#00aa00","showTimeline":false}`); code != 201 || m["key"] != "shop" || m["created"] == nil {
		t.Fatalf("create: %d %v", code, m)
	}
	for _, bad := range []string{`{"key":"shop"}`, `{"key":"x y"}`, `{"routeColor":"red"}`, `{"logoUrl":"https://cdn.example.com/logo.png"}`,
		`{"basemap":"tiles","tileUrl":"javascript:alert(1)"}`, `{"locale":"fr"}`, `{"nope":1}`} {
		code, m := admin("POST", "/admin/templates", bad)
		if code != 400 && code != 409 {
			t.Errorf("create %s: %d %v", bad, code, m)
		}
	}
	if code, m := admin("PUT", "/admin/templates/tiles", `{"basemap":"tiles","tileUrl":"http://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&key={key}","tileSubdomains":"1,2","tileKey":"k123"}`); code != 404 {
		t.Fatalf("put of an unknown template: %d %v", code, m)
	}
	if code, m := admin("POST", "/admin/templates", `{"key":"tiles","basemap":"tiles","tileUrl":"http://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&key={key}","tileSubdomains":"1,2","tileKey":"k123"}`); code != 201 {
		t.Fatalf("tiles template: %d %v", code, m)
	}
	code, b := h.do("GET", "/admin/templates", "", "Bearer admin-secret", nil)
	if code != 200 || !strings.Contains(string(b), `"key":"shop"`) || !strings.Contains(string(b), `"key":"tiles"`) {
		t.Fatalf("list: %d %s", code, b)
	}
	// Subscribe: an unknown key is 500 naming it.
	a := h.subscribeJSON(h.subBody("YT8200000001", func(_ sub, p map[string]any) { p["mapConfigKey"] = "nosuch" }), "")
	if a.ReturnCode != "500" || a.Message != "服务器错误" || !strings.Contains(a.Detail, `"nosuch"`) {
		t.Fatalf("unknown mapConfigKey: %+v", a)
	}
	if sh, _, _ := h.m.Store.Shipment(t.Context(), "yuantong", "YT8200000001"); sh != nil {
		t.Fatal("a refused subscription stored its shipment")
	}
	for nu, key := range map[string]string{"YT8200000002": "shop", "YT8200000003": "tiles", "YT8200000004": ""} {
		h.mustSubscribe(h.subBody(nu, func(_ sub, p map[string]any) { p["mapConfigKey"] = key }))
		h.mustIngest("yuantong", nu, ytoEvents[:4]...)
	}
	tok := h.subscriptionOf("YT8200000002").TrailToken
	_, body, csp := h.page("/trail/" + tok)
	if !strings.Contains(body, "--route:#ff0000") || !strings.Contains(body, "--mark:#00aa00") || !strings.Contains(body, "<title>小店物流 · ") ||
		strings.Contains(body, `class="tl"`) || strings.Contains(csp, "http") {
		t.Fatalf("shop template not applied: %s\n%s", csp, body[:600])
	}
	_, body, csp = h.page("/trail/" + h.subscriptionOf("YT8200000003").TrailToken)
	if !strings.Contains(csp, "img-src 'self' http://webrd01.is.autonavi.com http://webrd02.is.autonavi.com;") ||
		!strings.Contains(body, `<image href="http://webrd0`) || !strings.Contains(body, "key=k123") || strings.Contains(body, `class="land"`) {
		t.Fatalf("tiles: CSP %q", csp)
	}
	_, body, _ = h.page("/trail/" + h.subscriptionOf("YT8200000004").TrailToken)
	if !strings.Contains(body, "--route:#1f6feb") || !strings.Contains(body, `class="tl"`) {
		t.Fatal("default template")
	}
	// A logo given as a data: URL is served by trackpush itself.
	png := "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
	if code, m := admin("PUT", "/admin/templates/shop", `{"title":"小店物流","logoUrl":"data:image/png;base64,`+png+`"}`); code != 200 || m["logoUrl"] == nil {
		t.Fatalf("logo: %d %v", code, m)
	}
	_, body, _ = h.page("/trail/" + tok)
	i := strings.Index(body, `<img src="/trail/logo/shop?v=`)
	if i < 0 {
		t.Fatal("no logo on the page")
	}
	src := body[i+len(`<img src="`):]
	src = strings.ReplaceAll(src[:strings.Index(src, `"`)], "&amp;", "&")
	resp, err := http.Get(h.m.URL() + src)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(string(img), "\x89PNG") {
		t.Fatalf("logo: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), img)
	}
	// Deleting a template leaves its subscriptions the default look.
	if code, _ := admin("DELETE", "/admin/templates/shop", ""); code != 200 {
		t.Fatal(code)
	}
	if _, body, _ = h.page("/trail/" + tok); !strings.Contains(body, "--route:#1f6feb") {
		t.Fatal("a deleted template's subscription is not drawn with the default")
	}
}

// TestAdminOperations: search with paging, account changes, key rotation.
func TestAdminOperations(t *testing.T) {
	h := newHarness(t)
	other := h.createAccount("other", 10, "")
	for i := range 5 {
		body := h.subBody(fmt.Sprintf("YT83000000%02d", i))
		if i == 4 {
			body["key"] = other.Key
		}
		h.mustSubscribe(body)
	}
	get := func(path string) (int, map[string]any) {
		code, b := h.do("GET", path, "", "Bearer admin-secret", nil)
		var m map[string]any
		json.Unmarshal(b, &m)
		return code, m
	}
	var seen []string
	path := "/admin/subscriptions?account=1&limit=2"
	for path != "" {
		code, m := get(path)
		if code != 200 {
			t.Fatalf("%s: %d %v", path, code, m)
		}
		for _, s := range m["subscriptions"].([]any) {
			seen = append(seen, s.(map[string]any)["nu"].(string))
		}
		path, _ = m["next"].(string)
	}
	if strings.Join(seen, ",") != "YT8300000003,YT8300000002,YT8300000001,YT8300000000" {
		t.Fatalf("paged search: %v", seen)
	}
	if code, m := get("/admin/subscriptions?nu=YT8300000004&status=polling"); code != 200 || len(m["subscriptions"].([]any)) != 1 {
		t.Fatalf("by number: %v", m)
	}
	if code, _ := get("/admin/subscriptions?status=bogus"); code != 400 {
		t.Fatalf("bad status: %d", code)
	}
	if code, _ := h.do("GET", "/admin/subscriptions", "", "", nil); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	// Quota and expiry.
	patch := func(id int64, body string) (int, map[string]any) {
		code, b := h.do("PATCH", fmt.Sprintf("/admin/accounts/%d", id), "application/json", "Bearer admin-secret", strings.NewReader(body))
		var m map[string]any
		json.Unmarshal(b, &m)
		return code, m
	}
	if code, m := patch(other.ID, `{"quota":1}`); code != 200 || m["quota"] != 1.0 || m["used"] != 1.0 {
		t.Fatalf("patch quota: %d %v", code, m)
	}
	if a := h.subscribeJSON(h.subBody("YT8300000010", func(s sub, _ map[string]any) { s["key"] = other.Key }), ""); a.ReturnCode != "600" {
		t.Fatalf("over the lowered quota: %+v", a)
	}
	exp := t0.Add(-time.Hour).Format(time.RFC3339)
	if code, m := patch(other.ID, `{"quota":5,"expires":"`+exp+`"}`); code != 200 || m["expires"] != exp {
		t.Fatalf("patch expiry: %d %v", code, m)
	}
	if a := h.subscribeJSON(h.subBody("YT8300000010", func(s sub, _ map[string]any) { s["key"] = other.Key }), ""); a.ReturnCode != "601" {
		t.Fatalf("expired: %+v", a)
	}
	if code, m := patch(other.ID, `{"expires":null}`); code != 200 || m["expires"] != nil {
		t.Fatalf("clear expiry: %d %v", code, m)
	}
	for _, bad := range []string{`{"quota":-1}`, `{"quota":"x"}`, `{"expires":"soon"}`, `{"color":1}`, `[]`} {
		if code, _ := patch(other.ID, bad); code != 400 {
			t.Errorf("patch %s: %d", bad, code)
		}
	}
	if code, _ := patch(999, `{"quota":1}`); code != 404 {
		t.Errorf("patch unknown: %d", code)
	}
	// Rotate: the new key is shown once and works; the old one does not.
	code, b := h.do("POST", fmt.Sprintf("/admin/accounts/%d/rotate-key", other.ID), "", "Bearer admin-secret", nil)
	var rot map[string]any
	json.Unmarshal(b, &rot)
	newKey, _ := rot["key"].(string)
	if code != 200 || len(newKey) != 32 || newKey == other.Key || rot["keyPrefix"] != newKey[:6] {
		t.Fatalf("rotate: %d %s", code, b)
	}
	if a := h.subscribeJSON(h.subBody("YT8300000011", func(s sub, _ map[string]any) { s["key"] = other.Key }), ""); a.ReturnCode != "600" {
		t.Fatalf("old key after rotation: %+v", a)
	}
	if a := h.subscribeJSON(h.subBody("YT8300000011", func(s sub, _ map[string]any) { s["key"] = newKey }), ""); a.ReturnCode != "200" {
		t.Fatalf("new key: %+v", a)
	}
	// The query API signs with the new key.
	if got := h.query("/poll/query.do", other.AppCode, newKey, map[string]any{"com": "yuantong", "num": "YT8300000011"}); got["returnCode"] == "503" {
		t.Fatalf("query with the rotated key: %v", got)
	}
	code, b = h.do("GET", "/admin/accounts", "", "Bearer admin-secret", nil)
	if code != 200 || strings.Contains(string(b), newKey) {
		t.Fatalf("the list shows a key: %s", b)
	}
	if code, _ := h.do("DELETE", "/admin/subscriptions/999", "", "Bearer admin-secret", nil); code != 404 {
		t.Fatalf("stop unknown: %d", code)
	}
}

type getResult struct {
	code      int
	body, csp string
}

func httpGet(u string) (getResult, error) {
	resp, err := http.Get(u)
	if err != nil {
		return getResult{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return getResult{resp.StatusCode, string(b), resp.Header.Get("Content-Security-Policy")}, err
}
