package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/trackpush/trackpush"
)

// The browser tests drive Debian's chromium (headless) from Go. Without
// chromium they skip and say so; with TRACKPUSH_REQUIRE_CHROMIUM=1 (CI)
// they fail instead. Screenshots go to $TRACKPUSH_ARTIFACTS (default: a
// trackpush-artifacts directory in the temporary directory); with
// TRACKPUSH_DOCS_SCREENSHOTS=1 the README's screenshots in docs/ are
// written too.

func chromiumPath() string {
	if p := os.Getenv("TRACKPUSH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserLog is what a tab did: every request and every error it reported.
type browserLog struct {
	mu       sync.Mutex
	requests []string
	errors   []string
}

func (l *browserLog) add(dst *[]string, s string) {
	l.mu.Lock()
	*dst = append(*dst, s)
	l.mu.Unlock()
}

// reset forgets what was seen so far.
func (l *browserLog) reset() {
	l.mu.Lock()
	l.requests, l.errors = nil, nil
	l.mu.Unlock()
}

func (l *browserLog) snapshot() (requests, errors []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.requests...), append([]string(nil), l.errors...)
}

// newBrowser starts a headless chromium for one test and returns a tab
// sized as a phone (360 px wide) and what the tab does.
func newBrowser(t *testing.T) (context.Context, *browserLog) {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("TRACKPUSH_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("chromium is required (TRACKPUSH_REQUIRE_CHROMIUM=1) but not installed: apt-get install -y chromium")
		}
		t.Skip("chromium not installed (apt-get install -y chromium): browser tests skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(360, 740))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	l := &browserLog{}
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			l.add(&l.requests, ev.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				l.add(&l.errors, fmt.Sprintf("console.%s %v", ev.Type, ev.Args))
			}
		case *runtime.EventExceptionThrown:
			l.add(&l.errors, fmt.Sprintf("exception: %s %v", ev.ExceptionDetails.Text, ev.ExceptionDetails.Exception))
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				l.add(&l.errors, fmt.Sprintf("%s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	})
	if err == nil {
		_, err = chromedp.Call(ctx, network.Enable, network.EnableParams{})
	}
	if err == nil {
		_, err = chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	}
	if err == nil {
		_, err = chromedp.Call(ctx, runtime.Enable, cdp.Empty{})
	}
	if err == nil {
		err = chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	}
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx, l
}

// do runs browser steps or fails the test.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// get runs a browser action that returns a value, or fails the test.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// docsScreenshots are the screenshots the README shows.
var docsScreenshots = map[string]bool{"trail.png": true, "trail-transit.png": true, "trail-expired.png": true, "console.png": true, "console-template.png": true}

// screenshot saves a PNG as a test artifact (and as docs/<name> when the
// README's screenshots are being made).
func screenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := os.Getenv("TRACKPUSH_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "trackpush-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", p)
	if os.Getenv("TRACKPUSH_DOCS_SCREENSHOTS") == "1" && docsScreenshots[name] {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// listenFirst makes the server listen on a loopback port chosen before it
// opens, so that its base URL can name it.
func listenFirst(t *testing.T) func(*Main) {
	return func(m *Main) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		m.Listener = ln
		m.Config.BaseURL = "http://" + ln.Addr().String()
	}
}

// checkClean fails on any error the tab reported (but those containing
// one of expected: the statuses of pages that answer errors on purpose)
// and on any request that left the server.
func checkClean(t *testing.T, l *browserLog, server string, expected ...string) {
	t.Helper()
	reqs, errs := l.snapshot()
next:
	for _, e := range errs {
		for _, x := range expected {
			if strings.Contains(e, x) {
				continue next
			}
		}
		t.Errorf("browser reported: %s", e)
	}
	for _, u := range reqs {
		if !strings.HasPrefix(u, server+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("request left the server: %s", u)
		}
	}
	if len(reqs) == 0 {
		t.Error("no request seen: the network log is not working")
	}
}

// onePixelPNG is a tile of the tests' tile server.
var onePixelPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

var loopEvents = []string{
	"2022-01-10 14:25:24|【广东省惠州市公司】 已揽收 取件人: 某某 (138****7588)",
	"2022-01-11 23:22:33|【深圳转运中心公司】 已收入",
	"2022-01-12 03:10:00|【深圳转运中心】 已发出 下一站 【武汉转运中心】",
	"2022-01-13 09:05:21|【武汉转运中心公司】 已收入",
	"2022-01-13 23:40:00|【武汉转运中心】 已发出 下一站 【北京转运中心】",
	"2022-01-14 20:15:00|【北京转运中心公司】 已收入",
	"2022-01-15 01:00:00|【北京转运中心】 已发出 下一站 【天津转运中心】",
	"2022-01-15 06:30:00|【天津转运中心公司】 已收入",
	"2022-01-15 20:00:00|【北京转运中心公司】 已收入",
	"2022-01-16 08:30:00|【北京市朝阳区望京公司】 派件中 派件人: 某某 电话 13812345678",
}

func TestBrowserTrailPage(t *testing.T) {
	ctx, blog := newBrowser(t)
	h := newHarnessWith(t, listenFirst(t))
	code, b := h.do("POST", "/admin/templates", "application/json", "Bearer admin-secret",
		strings.NewReader(`{"key":"red","title":"红色小店","routeColor":"#ff0000","markerColor":"#0000ff"}`))
	if code != 201 {
		t.Fatalf("template: %d %s", code, b)
	}
	nu := "YT8400000001"
	h.mustSubscribe(h.subBody(nu, func(s sub, p map[string]any) { s["from"] = "广东省惠州市"; s["to"] = "北京市朝阳区" }))
	h.mustSubscribe(h.subBody("YT8400000002", func(s sub, p map[string]any) { p["mapConfigKey"] = "red" }))
	h.mustIngest("yuantong", nu, loopEvents...)
	h.mustIngest("yuantong", "YT8400000002", loopEvents[:4]...)
	url := h.m.URL() + "/trail/" + h.subscriptionOf(nu).TrailToken

	do(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#map")))
	landPaths := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#map .land path").length`))
	routePoints := get(t, ctx, chromedp.Evaluate[int](`document.querySelector("#map polyline.route").points.numberOfItems`))
	marks := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#map .marks > *").length`))
	scrollW := get(t, ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	innerW := get(t, ctx, chromedp.Evaluate[float64](`window.innerWidth`))
	loopText := get(t, ctx, chromedp.Text(chromedp.CSS(".warn")))
	title := get(t, ctx, chromedp.Title())
	jsClass := get(t, ctx, chromedp.Evaluate[string](`document.documentElement.className`))
	png := get(t, ctx, chromedp.FullScreenshot(100))
	const viewBox = `document.getElementById("map").getAttribute("viewBox")`
	vb0 := get(t, ctx, chromedp.Evaluate[string](viewBox))
	do(t, ctx, chromedp.Click(chromedp.CSS("#zin")))
	vb1 := get(t, ctx, chromedp.Evaluate[string](viewBox))
	if w0, w1 := strings.Fields(vb0), strings.Fields(vb1); len(w0) != 4 || len(w1) != 4 || w0[2] == w1[2] {
		t.Errorf("zoom in: view %q → %q", vb0, vb1)
	}
	screenshot(t, "trail.png", png)
	if landPaths < 30 || routePoints < 4 || marks < 5 {
		t.Errorf("map: %d provinces, %d route points, %d markers", landPaths, routePoints, marks)
	}
	if innerW != 360 || scrollW > innerW {
		t.Errorf("horizontal scroll at 360 px: scrollWidth %v, innerWidth %v", scrollW, innerW)
	}
	if !strings.Contains(loopText, "路由异常") || !strings.Contains(loopText, "北京") {
		t.Errorf("loop warning %q", loopText)
	}
	if !strings.Contains(title, nu) || jsClass != "js" {
		t.Errorf("title %q, html class %q", title, jsClass)
	}
	checkClean(t, blog, h.m.URL())

	// A template's colours.
	do(t, ctx, chromedp.Navigate(h.m.URL()+"/trail/"+h.subscriptionOf("YT8400000002").TrailToken), chromedp.WaitVisible(chromedp.CSS("#map")))
	stroke := get(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#map .route")).stroke`))
	fill := get(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#map .marks .current")).fill`))
	if stroke != "rgb(255, 0, 0)" || fill != "rgb(0, 0, 255)" {
		t.Errorf("template colours: route %s, current %s", stroke, fill)
	}
	// In transit at Wuhan: the route model's predicted way on to Beijing
	// is drawn dashed, with the estimate and its range.
	pred := get(t, ctx, chromedp.Evaluate[int](`(function(){var p=document.querySelector("#map polyline.pred");return p?p.points.numberOfItems:0;})()`))
	dash := get(t, ctx, chromedp.Evaluate[string](`(function(){var p=document.querySelector("#map polyline.pred");return p?getComputedStyle(p).strokeDasharray:"";})()`))
	eta := get(t, ctx, chromedp.Text(chromedp.CSS(".eta")))
	if pred < 2 || dash == "" || dash == "none" || !strings.Contains(eta, "预计送达") {
		t.Errorf("in transit: predicted route of %d points (dashes %q), estimate %q", pred, dash, eta)
	}
	screenshot(t, "trail-transit.png", get(t, ctx, chromedp.FullScreenshot(100)))

	checkClean(t, blog, h.m.URL())
	blog.reset()

	// A template with an online basemap: the page loads that provider's
	// tiles (here a tile server on loopback), and nothing else from outside.
	var tileHits sync.Map
	tilesrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tileHits.Store(r.URL.Path, true)
		w.Header().Set("Content-Type", "image/png")
		w.Write(onePixelPNG)
	}))
	defer tilesrv.Close()
	code, b = h.do("POST", "/admin/templates", "application/json", "Bearer admin-secret",
		strings.NewReader(`{"key":"tiles","basemap":"tiles","tileUrl":"`+tilesrv.URL+`/{z}/{x}/{y}.png","tileAttribution":"© test tiles"}`))
	if code != 201 {
		t.Fatalf("tiles template: %d %s", code, b)
	}
	h.mustSubscribe(h.subBody("YT8400000003", func(s sub, p map[string]any) { p["mapConfigKey"] = "tiles" }))
	h.mustIngest("yuantong", "YT8400000003", loopEvents[:4]...)
	do(t, ctx, chromedp.Navigate(h.m.URL()+"/trail/"+h.subscriptionOf("YT8400000003").TrailToken), chromedp.WaitVisible(chromedp.CSS("#map")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[].every.call(document.querySelectorAll("#map image"), function(i){ return i.getBBox().width > 0; }) && document.querySelectorAll("#map image").length > 0`)); err != nil {
		t.Fatal(err)
	}
	tiles := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#map image").length`))
	hits := 0
	tileHits.Range(func(any, any) bool { hits++; return true })
	if tiles < 4 || hits < 4 {
		t.Errorf("tiles: %d on the page, %d fetched", tiles, hits)
	}
	reqs, errs := blog.snapshot()
	for _, u := range reqs {
		if !strings.HasPrefix(u, h.m.URL()+"/") && !strings.HasPrefix(u, tilesrv.URL+"/") {
			t.Errorf("a request outside the server and the template's tile host: %s", u)
		}
	}
	for _, e := range errs {
		t.Errorf("browser reported: %s", e)
	}
	screenshot(t, "trail-tiles.png", get(t, ctx, chromedp.CaptureScreenshot()))
	blog.reset()

	// An expired link shows the expiry page.
	h.clock.Advance(trackpush.TrailTTL + time.Minute)
	do(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(".gone")))
	heading := get(t, ctx, chromedp.Text(chromedp.CSS(".gone h1")))
	png = get(t, ctx, chromedp.FullScreenshot(100))
	screenshot(t, "trail-expired.png", png)
	if heading != "链接已过期" {
		t.Errorf("expired page heading %q", heading)
	}
	checkClean(t, blog, h.m.URL(), "status of 410 (Gone) "+url) // the expiry page's own status
}

func TestBrowserConsole(t *testing.T) {
	ctx, blog := newBrowser(t)
	h := newHarnessWith(t, listenFirst(t))
	nu := "YT8500000001"
	h.mustSubscribe(h.subBody(nu, func(s sub, p map[string]any) { s["from"] = "广东省惠州市"; s["to"] = "北京市朝阳区" }))
	h.mustSubscribe(h.subBody("YT8500000002"))
	h.mustIngest("yuantong", nu, loopEvents[:6]...)
	h.pushFor(t, nu)
	h.waitDeliveries(nu, 1)
	id, other := h.subscriptionOf(nu).ID, h.subscriptionOf("YT8500000002").ID
	do(t, ctx, chromedp.EmulateViewport(1280, 900))

	// Sign in: a wrong token is refused, the right one kept in a cookie.
	do(t, ctx,
		chromedp.Navigate(h.m.URL()+"/admin"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), "wrong"),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS(".error")))
	msg := get(t, ctx, chromedp.Text(chromedp.CSS(".error")))
	do(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#token"), "admin-secret"),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#subs")),
		// Search by number, then open the subscription.
		chromedp.SendKeys(chromedp.CSS("#q-nu"), nu),
		chromedp.Click(chromedp.CSS("#search")),
		// The search's answer, not the unfiltered list it replaces: the
		// other subscription is gone from it.
		chromedp.WaitNotPresent(chromedp.CSS(`#subs a[href="/admin/ui/subscriptions/`+itoa(other)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#subs a[href="/admin/ui/subscriptions/`+itoa(id)+`"]`)))
	rows := get(t, ctx, chromedp.Text(chromedp.CSS("#subs tbody")))
	do(t, ctx, chromedp.Click(chromedp.CSS(`#subs td a.mono`)), chromedp.WaitVisible(chromedp.CSS("#deliveries")))
	detail := get(t, ctx, chromedp.Text(chromedp.CSS("body")))
	loc := get(t, ctx, chromedp.Location())
	if !strings.Contains(msg, "not the admin token") {
		t.Errorf("wrong token: %q", msg)
	}
	if !strings.Contains(rows, nu) || strings.Contains(rows, "YT8500000002") {
		t.Errorf("search by number found %q", rows)
	}
	if !strings.HasSuffix(loc, "/admin/ui/subscriptions/"+itoa(id)) || !strings.Contains(detail, "acknowledged") ||
		!strings.Contains(detail, "深圳转运中心") || !strings.Contains(detail, "/trail/"+h.subscriptionOf(nu).TrailToken) {
		t.Errorf("detail page at %s: %.800s", loc, detail)
	}
	screenshot(t, "console.png", get(t, ctx, chromedp.FullScreenshot(100)))

	// Re-push by clicking: the receiver gets an updateall push.
	do(t, ctx, chromedp.Click(chromedp.CSS("#repush")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	flash := get(t, ctx, chromedp.Text(chromedp.CSS(".flash")))
	if !strings.Contains(flash, "updateall") {
		t.Errorf("flash %q", flash)
	}
	if rc := h.pushFor(t, nu); rc.p.Status != "updateall" {
		t.Errorf("re-push: status %s", rc.p.Status)
	}

	// Accounts: search the account's subscriptions from its page.
	do(t, ctx,
		chromedp.Navigate(h.m.URL()+"/admin/ui/accounts"),
		chromedp.WaitVisible(chromedp.CSS("#accounts")),
		chromedp.Click(chromedp.CSS(`#account-1 a`)),
		chromedp.WaitVisible(chromedp.CSS("#subs")))
	rows = get(t, ctx, chromedp.Text(chromedp.CSS("#subs tbody")))
	if !strings.Contains(rows, nu) || !strings.Contains(rows, "YT8500000002") {
		t.Errorf("account search: %q", rows)
	}

	// A template with a live preview of the trail page.
	do(t, ctx,
		chromedp.Navigate(h.m.URL()+"/admin/ui/templates"),
		chromedp.WaitVisible(chromedp.CSS("#tpl")),
		chromedp.SendKeys(chromedp.CSS("#t-key"), "green"),
		chromedp.SendKeys(chromedp.CSS("#t-title"), "绿色小店"),
		chromedp.SetValue(chromedp.CSS("#logoUrl"), "data:image/png;base64,"+base64.StdEncoding.EncodeToString(onePixelPNG)),
		chromedp.SetValue(chromedp.CSS("#t-route"), "#00aa00"))
	get(t, ctx, chromedp.Evaluate[bool](`document.getElementById("t-route").dispatchEvent(new Event("input", {bubbles: true}))`))
	const previewRoute = `(function(){var d=document.getElementById("previewframe").contentDocument;var r=d&&d.querySelector("#map .route");return r?getComputedStyle(r).stroke:"";})()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](previewRoute+` === "rgb(0, 170, 0)"`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Errorf("live preview: route colour %q: %v", get(t, ctx, chromedp.Evaluate[string](previewRoute)), err)
	}
	if title := get(t, ctx, chromedp.Evaluate[string](`document.getElementById("previewframe").contentDocument.querySelector("h1").textContent`)); title != "绿色小店" {
		t.Errorf("live preview title %q", title)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(function(){var i=document.getElementById("previewframe").contentDocument.querySelector("header img");return !!i && i.complete && i.naturalWidth === 1;})()`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Errorf("the unsaved logo is not shown in the preview: %v", err)
	}
	screenshot(t, "console-template.png", get(t, ctx, chromedp.FullScreenshot(100)))
	do(t, ctx, chromedp.Click(chromedp.CSS("#save")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if tpl, err := h.m.Store.Template(t.Context(), "green"); err != nil || tpl.RouteColor != "#00aa00" || tpl.Title != "绿色小店" {
		t.Fatalf("saved template: %+v %v", tpl, err)
	}
	checkClean(t, blog, h.m.URL(), "status of 401 (Unauthorized) "+h.m.URL()+"/admin/login") // the wrong token's answer
}
