package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/clock"
	"github.com/trackpush/trackpush/enrich"
	"github.com/trackpush/trackpush/region"
	"github.com/trackpush/trackpush/sqlite"
)

func testServer(t testing.TB) *Server {
	return &Server{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: clock.NewFake(time.Date(2022, 1, 13, 12, 0, 0, 0, trackpush.CST))}
}

// render renders a trail page as the handler does and returns its HTML.
func render(t testing.TB, s *Server, sub *trackpush.Subscription, h *trackpush.Shipment, evs []trackpush.Event, tpl *trackpush.MapTemplate) string {
	t.Helper()
	bm, err := loadBasemap()
	if err != nil {
		t.Fatal(err)
	}
	p := s.trailPage(BuildTrail(sub, h, evs, h.ChangedAt.Add(trackpush.TrailTTL)), tpl, bm)
	var b bytes.Buffer
	if err := executePage(&b, "trail", p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestBasemap(t *testing.T) {
	bm, err := loadBasemap()
	if err != nil {
		t.Fatal(err)
	}
	if len(bm.provinces) != 34 || len(bm.prefectures) < 450 || bm.line == "" {
		t.Fatalf("%d provinces, %d prefectures, line %d bytes", len(bm.provinces), len(bm.prefectures), len(bm.line))
	}
	names := map[string]bool{}
	for _, p := range bm.provinces {
		names[shortName(p.name)] = true
		if !strings.HasPrefix(p.coarse, "M") || !strings.HasSuffix(p.fine, "z") || len(p.fine) < len(p.coarse) {
			t.Errorf("%s: paths %d, %d bytes", p.name, len(p.coarse), len(p.fine))
		}
		if !p.box.contains(p.cx, p.cy) && p.name != "香港特别行政区" {
			t.Errorf("%s: label at %v outside %v", p.name, []float64{p.cx, p.cy}, p.box)
		}
	}
	for _, n := range []string{"广东", "新疆", "内蒙古", "台湾", "香港", "澳门", "北京", "海南"} {
		if !names[n] {
			t.Errorf("no province %s", n)
		}
	}
	// Beijing's box holds Beijing's centre; Shenzhen lies in Guangdong's.
	for _, c := range []struct {
		name     string
		lng, lat float64
	}{{"北京市", 116.4, 39.9}, {"广东省", 114.06, 22.54}, {"新疆维吾尔自治区", 87.6, 43.8}} {
		for _, p := range bm.provinces {
			if p.name == c.name {
				if x, y := project(c.lng, c.lat); !p.box.contains(x, y) {
					t.Errorf("%s's box %v lacks %v,%v", c.name, p.box, x, y)
				}
			}
		}
	}
	if _, err := parseBasemap("P\tbad"); err == nil {
		t.Error("a malformed basemap was accepted")
	}
}

func TestMask(t *testing.T) {
	cases := []struct{ phone, in, want string }{
		{"", "派件员电话13812345678，请保持畅通", "派件员电话138****5678，请保持畅通"},
		{"", "电话:+86 19912345678", "电话:+86 199****5678"},
		{"", "单号 3138123456789 不是电话", "单号 3138123456789 不是电话"},
		{"", "12345678901 不是手机", "12345678901 不是手机"},
		{"", "已被 138****0000 签收", "已被 138****0000 签收"},
		{"0755-86001234", "收件人电话0755-86001234", "收件人电话0755-86001234"},
		{"075586001234", "收件人电话075586001234", "收件人电话********1234"},
		{"1234", "尾号1234", "尾号1234"},
		{"13812345678", "13812345678/13812345678", "138****5678/138****5678"},
	}
	for _, c := range cases {
		if got := newMasker(c.phone).mask(c.in); got != c.want {
			t.Errorf("mask(%q, %q) = %q, want %q", c.phone, c.in, got, c.want)
		}
	}
}

func TestTrailPageWithForecast(t *testing.T) {
	s := testServer(t)
	sub, h, evs := Sample()
	html := render(t, s, sub, h, evs, trackpush.DefaultTemplate())
	for _, want := range []string{
		`class="pred" points="`, // the predicted route, dashed
		`<rect class="hub"`,     // the passed hub (深圳转运中心)
		`class="outlet ahead"`,  // the predicted outlet
		"预计送达", "1月14日 10时", "1月13日 20时 – 1月14日 18时", "线路历史与距离",
		"138****0000", `<title>物流轨迹 · 圆通速递 YT6247854916511</title>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(html, "13800001234") {
		t.Error("the subscription's phone is shown")
	}
	// Without a forecast: no ETA, no predicted route, the route from the
	// events' regions.
	h.Forecast = nil
	html = render(t, s, sub, h, evs, trackpush.DefaultTemplate())
	if strings.Contains(html, `class="pred"`) || strings.Contains(html, "预计送达") || !strings.Contains(html, `class="route" points="`) {
		t.Error("without a forecast the page still shows one")
	}
	// Templates hide parts, and speak English.
	sub, h, evs = Sample()
	tpl := trackpush.DefaultTemplate()
	tpl.ShowETA, tpl.ShowPredicted, tpl.ShowTimeline, tpl.Locale = false, false, false, "en"
	tpl.Texts = map[string]string{"title": "Your parcel", "notice": "Questions? Call 400-000-0000"}
	html = render(t, s, sub, h, evs, tpl)
	if strings.Contains(html, `class="pred"`) || strings.Contains(html, "Estimated delivery") || strings.Contains(html, `class="tl"`) ||
		!strings.Contains(html, "<h1>Your parcel</h1>") || !strings.Contains(html, "Questions? Call 400-000-0000") || !strings.Contains(html, `lang="en"`) ||
		!strings.Contains(html, "In transit") {
		t.Error("the template's choices are not applied")
	}
}

func TestBuildTrailNoEvents(t *testing.T) {
	sub, h, _ := Sample()
	h.Forecast, h.EventCount, h.Summary = nil, 0, trackpush.Summary{}
	tr := BuildTrail(sub, h, nil, h.ChangedAt)
	if len(tr.Events) != 0 || len(tr.Route) != 0 || tr.From == nil || tr.To == nil || tr.Current != nil || tr.State.Code != "" {
		t.Fatalf("%+v", tr)
	}
	html := render(t, testServer(t), sub, h, nil, trackpush.DefaultTemplate())
	if !strings.Contains(html, "暂无物流信息") || !strings.Contains(html, `class="from"`) || !strings.Contains(html, `class="to"`) {
		t.Error("a parcel without events")
	}
}

func TestTemplateValidate(t *testing.T) {
	ok := trackpush.DefaultTemplate()
	ok.Key = "a"
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []func(*trackpush.MapTemplate){
		func(t *trackpush.MapTemplate) { t.Key = "" },
		func(t *trackpush.MapTemplate) { t.RouteColor = "red;}body{display:none" },
		func(t *trackpush.MapTemplate) { t.LogoURL = "https://cdn.example.com/a.png" },
		func(t *trackpush.MapTemplate) { t.LogoURL = "//cdn.example.com/a.png" },
		func(t *trackpush.MapTemplate) { t.LogoURL = "data:image/svg+xml;base64,PHN2Zz4=" },
		func(t *trackpush.MapTemplate) { t.Locale = "de" },
		func(t *trackpush.MapTemplate) { t.Basemap = "tiles" },
		func(t *trackpush.MapTemplate) { t.Basemap, t.TileURL = "tiles", "https://a.example.com/{z}/{x}.png" },
		func(t *trackpush.MapTemplate) {
			t.Basemap, t.TileURL = "tiles", "https://a.example.com/{z}/{x}/{y}.png' onerror='x"
		},
		func(t *trackpush.MapTemplate) {
			t.Basemap, t.TileURL = "tiles", "https://{s}.example.com/{z}/{x}/{y}.png"
		},
		func(t *trackpush.MapTemplate) { t.TileURL = "https://a.example.com/{z}/{x}/{y}.png" },
	}
	for i, f := range bad {
		tpl := *ok
		f(&tpl)
		if err := tpl.Validate(); err == nil || trackpush.ErrorCode(err) != trackpush.CodeInternal {
			t.Errorf("case %d: %+v accepted", i, tpl)
		}
	}
	good := *ok
	good.LogoURL = "data:image/png;base64,iVBORw0KGgo="
	good.Basemap, good.TileURL, good.TileSubdomains = "tiles", "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}", "1,2,3,4"
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := tilesOf(&good).hosts(); len(got) != 4 || got[0] != "https://webrd01.is.autonavi.com" {
		t.Fatalf("tile hosts %v", got)
	}
}

// TestConsoleSession: sign-in sets a signed cookie (never the token);
// every POST needs the session's CSRF token; a forged or stale cookie is
// refused.
func TestConsoleSession(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := testServer(t)
	s.Store, s.AdminToken = st, "the-admin-token"
	mux := http.NewServeMux()
	s.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path, body, cookie string) *http.Response {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post("/admin/login", "token=nope", ""); r.StatusCode != 401 || len(r.Cookies()) != 0 {
		t.Fatalf("wrong token: %d", r.StatusCode)
	}
	r := post("/admin/login", "token=the-admin-token&next=/admin/ui/accounts", "")
	if r.StatusCode != 303 || r.Header.Get("Location") != "/admin/ui/accounts" || len(r.Cookies()) != 1 {
		t.Fatalf("login: %d %v", r.StatusCode, r.Header)
	}
	c := r.Cookies()[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || strings.Contains(c.Value, "the-admin-token") || c.Path != "/admin" {
		t.Fatalf("cookie %+v", c)
	}
	cookie := c.Name + "=" + c.Value
	// The CSRF token is in the page's forms.
	req, _ := http.NewRequest("GET", srv.URL+"/admin/ui/accounts", nil)
	req.Header.Set("Cookie", cookie)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	i := strings.Index(string(page), `name="csrf" value="`)
	if resp.StatusCode != 200 || i < 0 {
		t.Fatalf("accounts page: %d", resp.StatusCode)
	}
	csrf := string(page)[i+len(`name="csrf" value="`):][:32]
	if r := post("/admin/ui/accounts", "name=a&quota=5", cookie); r.StatusCode != 403 {
		t.Fatalf("POST without CSRF token: %d", r.StatusCode)
	}
	if r := post("/admin/ui/accounts", "name=a&quota=5&csrf="+strings.Repeat("0", 32), cookie); r.StatusCode != 403 {
		t.Fatalf("POST with a wrong CSRF token: %d", r.StatusCode)
	}
	if r := post("/admin/ui/accounts", "name=a&quota=5&csrf="+csrf, cookie); r.StatusCode != 200 {
		t.Fatalf("POST with the CSRF token: %d", r.StatusCode)
	}
	if accts, _ := st.Accounts(context.Background()); len(accts) != 1 {
		t.Fatalf("%d accounts", len(accts))
	}
	// A forged cookie, or one from another admin token, is no session.
	for _, bad := range []string{c.Name + "=" + c.Value[:len(c.Value)-2] + "xx", c.Name + "=abc.123.def", ""} {
		if r := post("/admin/ui/accounts", "name=b&quota=5&csrf="+csrf, bad); r.StatusCode != 401 {
			t.Errorf("cookie %q: %d", bad, r.StatusCode)
		}
	}
	s.AdminToken = "another-token"
	if r := post("/admin/ui/accounts", "name=b&quota=5&csrf="+csrf, cookie); r.StatusCode != 401 {
		t.Errorf("a session of the old admin token: %d", r.StatusCode)
	}
	// Logins are limited after many failures.
	for range loginFailures {
		post("/admin/login", "token=nope", "")
	}
	if r := post("/admin/login", "token=another-token", ""); r.StatusCode != 429 {
		t.Errorf("after %d failures: %d", loginFailures, r.StatusCode)
	}
}

// pageSizes returns the page's bytes, raw and gzip-compressed as served.
func pageSizes(t testing.TB, html string) (int, int) {
	var b bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&b, gzipLevel)
	gz.Write([]byte(html))
	gz.Close()
	return len(html), b.Len()
}

// longTrail is a parcel from Harbin to Sanya: the widest view of China a
// route draws.
func longTrail(t testing.TB) (*trackpush.Subscription, *trackpush.Shipment, []trackpush.Event) {
	return trailThrough(t, "黑龙江省哈尔滨市", "海南省三亚市", "哈尔滨", "沈阳", "北京", "郑州", "武汉", "长沙", "广州", "湛江", "海口", "三亚")
}

// trailThrough is a parcel from one address to another through the hubs
// of cities, a day apart.
func trailThrough(t testing.TB, fromAddr, toAddr string, cities ...string) (*trackpush.Subscription, *trackpush.Shipment, []trackpush.Event) {
	from := enrich.AreaOf(region.ResolveAddress(fromAddr))
	to := enrich.AreaOf(region.ResolveAddress(toAddr))
	sub := &trackpush.Subscription{Com: "shunfeng", Nu: "SF1234567890123", From: from, To: to, Status: trackpush.StatusPolling}
	var raws []trackpush.RawEvent
	for i, c := range cities {
		raws = append(raws, trackpush.RawEvent{Time: trackpush.FormatTime(time.Date(2025, 6, 1+i, 10, 0, 0, 0, trackpush.CST)), Context: "快件到达【" + c + "转运中心】"})
	}
	evs, err := enrich.Trajectory(enrich.Shipment{Com: sub.Com, From: from, To: to}, raws)
	if err != nil {
		t.Fatal(err)
	}
	h := &trackpush.Shipment{Com: sub.Com, Nu: sub.Nu, From: from, To: to, Summary: enrich.Summarize(evs), EventCount: len(evs), ChangedAt: evs[len(evs)-1].Time}
	return sub, h, evs
}

// TestPageWeight: the goal is under 150 KB per page with gzip, for the
// sample and for a route across the whole country.
func TestPageWeight(t *testing.T) {
	s := testServer(t)
	for name, f := range map[string]func(testing.TB) (*trackpush.Subscription, *trackpush.Shipment, []trackpush.Event){
		"sample": func(testing.TB) (*trackpush.Subscription, *trackpush.Shipment, []trackpush.Event) { return Sample() },
		"long":   longTrail,
		"east": func(t testing.TB) (*trackpush.Subscription, *trackpush.Shipment, []trackpush.Event) {
			return trailThrough(t, "上海市浦东新区", "北京市朝阳区", "上海", "苏州", "南京", "徐州", "济南", "天津", "北京")
		},
		"south-east": func(t testing.TB) (*trackpush.Subscription, *trackpush.Shipment, []trackpush.Event) {
			return trailThrough(t, "广东省广州市", "浙江省杭州市", "广州", "东莞", "厦门", "福州", "温州", "杭州")
		},
		"one city": func(t testing.TB) (*trackpush.Subscription, *trackpush.Shipment, []trackpush.Event) {
			return trailThrough(t, "广东省深圳市南山区", "广东省深圳市龙岗区", "深圳")
		},
		"wide": func(t testing.TB) (*trackpush.Subscription, *trackpush.Shipment, []trackpush.Event) {
			return trailThrough(t, "北京市朝阳区", "广东省广州市", "北京", "石家庄", "郑州", "武汉", "长沙", "广州")
		},
	} {
		sub, h, evs := f(t)
		raw, gz := pageSizes(t, render(t, s, sub, h, evs, trackpush.DefaultTemplate()))
		t.Logf("%s: %d bytes, %d gzip", name, raw, gz)
		if gz > 150<<10 {
			t.Errorf("%s: %d bytes gzip, goal < 150 KB", name, gz)
		}
	}
}

func benchmarkPage(b *testing.B, f func(testing.TB) (*trackpush.Subscription, *trackpush.Shipment, []trackpush.Event)) {
	s := testServer(b)
	sub, h, evs := f(b)
	bm, err := loadBasemap()
	if err != nil {
		b.Fatal(err)
	}
	tpl := trackpush.DefaultTemplate()
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		p := s.trailPage(BuildTrail(sub, h, evs, h.ChangedAt), tpl, bm)
		if err := executePage(&buf, "trail", p); err != nil {
			b.Fatal(err)
		}
	}
	raw, gz := pageSizes(b, buf.String())
	b.ReportMetric(float64(raw), "page-bytes")
	b.ReportMetric(float64(gz), "gzip-bytes")
}

// BenchmarkTrailPage renders the sample's page (render only: building the
// trail, the map and the HTML).
func BenchmarkTrailPage(b *testing.B) {
	benchmarkPage(b, func(testing.TB) (*trackpush.Subscription, *trackpush.Shipment, []trackpush.Event) { return Sample() })
}

// BenchmarkTrailPageLong renders a route across China.
func BenchmarkTrailPageLong(b *testing.B) { benchmarkPage(b, longTrail) }

// BenchmarkTrailPageServed serves the sample's page through the handler
// path's writer with gzip, as a client that accepts it gets it.
func BenchmarkTrailPageServed(b *testing.B) {
	s := testServer(b)
	sub, h, evs := Sample()
	bm, _ := loadBasemap()
	tpl := trackpush.DefaultTemplate()
	req := httptest.NewRequest("GET", "/trail/x", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		p := s.trailPage(BuildTrail(sub, h, evs, h.ChangedAt), tpl, bm)
		if err := writePage(rec, req, 200, "trail", p, tpl); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrailJSON is the baseline: the same trail as JSON.
func BenchmarkTrailJSON(b *testing.B) {
	sub, h, evs := Sample()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := jsonEncode(&buf, BuildTrail(sub, h, evs, h.ChangedAt)); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzMask: masking never panics, keeps the text's length, and leaves no
// mainland mobile number whole.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"电话13812345678", "13812345678913812345678", "1391234567", "+8615912345678,", ""} {
		f.Add(s, "13812345678")
	}
	f.Fuzz(func(t *testing.T, s, phone string) {
		got := newMasker(phone).mask(s)
		if len(got) != len(s) {
			t.Fatalf("length %d → %d", len(s), len(got))
		}
		if maskMobiles(got) != got {
			t.Fatalf("a mobile number is left in %q", got)
		}
	})
}
