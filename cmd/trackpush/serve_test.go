package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/api"
	"github.com/trackpush/trackpush/clock"
)

// t0 is the fake clock's start: a Monday in the middle of a month.
var t0 = time.Date(2025, 6, 16, 9, 0, 0, 0, trackpush.CST)

// received is one request that reached a test receiver.
type received struct {
	param string
	sign  string
	signs bool // the sign field was present
	query url.Values
	at    time.Time
	p     trackpush.PushParam
}

// receiver is an httptest server that records pushes and answers as told.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	all    []received
	ch     chan received
	answer func(n int) (int, string) // status and body for the n-th push (1-based)
	clock  trackpush.Clock
}

func newReceiver(t *testing.T, c trackpush.Clock) *receiver {
	r := &receiver{ch: make(chan received, 100), clock: c}
	r.answer = func(int) (int, string) { return 200, `{"result":true,"returnCode":"200","message":"成功"}` }
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Content-Type") != "application/x-www-form-urlencoded; charset=UTF-8" {
			t.Errorf("push content type %q", req.Header.Get("Content-Type"))
		}
		req.ParseForm()
		rc := received{param: req.PostForm.Get("param"), sign: req.PostForm.Get("sign"), query: req.URL.Query(), at: c.Now()}
		_, rc.signs = req.PostForm["sign"]
		if err := json.Unmarshal([]byte(rc.param), &rc.p); err != nil {
			t.Errorf("push param is not JSON: %v", err)
		}
		r.mu.Lock()
		r.all = append(r.all, rc)
		n := len(r.all)
		answer := r.answer
		r.mu.Unlock()
		status, body := answer(n)
		w.WriteHeader(status)
		io.WriteString(w, body)
		r.ch <- rc
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) setAnswer(f func(n int) (int, string)) {
	r.mu.Lock()
	r.answer = f
	r.mu.Unlock()
}

// next waits for the next push (real time bounds the wait, not the test).
func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case rc := <-r.ch:
		return rc
	case <-time.After(15 * time.Second):
		t.Fatal("no push arrived")
	}
	return received{}
}

// sweep runs the lifecycle sweep now, synchronously, so that a test can
// check what it did (or did not do) at this clock time.
func (h *harness) sweep() {
	h.t.Helper()
	if err := h.m.Tracker.Sweep(context.Background(), h.clock.Now()); err != nil {
		h.t.Fatal(err)
	}
}

type harness struct {
	t     *testing.T
	m     *Main
	clock *clock.Fake
	recv  *receiver
	acct  api.AccountView
}

func newHarness(t *testing.T) *harness { return newHarnessWith(t, nil) }

// newHarnessWith lets setup change the server before it opens.
func newHarnessWith(t *testing.T, setup func(*Main)) *harness {
	t.Helper()
	fc := clock.NewFake(t0)
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DB = filepath.Join(t.TempDir(), "trackpush.db")
	m.Config.AllowPrivateCallbacks = true
	m.Config.IngestToken = "ingest-secret"
	m.Config.AdminToken = "admin-secret"
	// Tests count pushes in the delivery log after moving the clock on by
	// months: keep it (pruning is tested in the stores).
	m.Config.KeepDeliveries = 10 * 365 * 24 * time.Hour
	m.Clock = fc
	if setup != nil {
		setup(m)
	}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	h := &harness{t: t, m: m, clock: fc, recv: newReceiver(t, fc)}
	h.acct = h.createAccount("shop", 100, "")
	return h
}

func (h *harness) do(method, path, contentType, auth string, body io.Reader) (int, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.m.URL()+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (h *harness) createAccount(name string, quota int, expires string) api.AccountView {
	h.t.Helper()
	body := fmt.Sprintf(`{"name":%q,"quota":%d,"expires":%q}`, name, quota, expires)
	code, b := h.do("POST", "/admin/accounts", "application/json", "Bearer admin-secret", strings.NewReader(body))
	var a api.AccountView
	if code != http.StatusCreated || json.Unmarshal(b, &a) != nil || a.AppCode == "" || a.Key == "" {
		h.t.Fatalf("create account: %d %s", code, b)
	}
	return a
}

// sub is a subscription request body.
type sub map[string]any

func (h *harness) subBody(nu string, mods ...func(sub, map[string]any)) sub {
	p := map[string]any{"callbackurl": h.recv.srv.URL + "/cb?id=1", "salt": "s3cret", "resultv2": "5"}
	s := sub{"company": "yuantong", "number": nu, "from": "广东省深圳市南山区", "to": "北京市朝阳区", "key": h.acct.Key, "parameters": p}
	for _, m := range mods {
		if m != nil {
			m(s, p)
		}
	}
	return s
}

// answer is a subscribe answer: the protocol's shape and trackpush's
// detail.
type answer struct {
	Result     bool   `json:"result"`
	ReturnCode string `json:"returnCode"`
	Message    string `json:"message"`
	Detail     string `json:"detail"`
}

// subscribeJSON posts to /trackpush/callback and returns the answer.
func (h *harness) subscribeJSON(body any, appCode string) answer {
	h.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	req, _ := http.NewRequest("POST", h.m.URL()+"/trackpush/callback", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if appCode != "" {
		req.Header.Set("X-ApiG-AppCode", appCode)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&a) != nil {
		h.t.Fatalf("subscribe answered HTTP %d", resp.StatusCode)
	}
	return a
}

func (h *harness) subscribeForm(path string, param any) answer {
	h.t.Helper()
	raw, _ := json.Marshal(param)
	form := url.Values{"schema": {"json"}, "param": {string(raw)}}
	code, b := h.do("POST", path, "application/x-www-form-urlencoded", "", strings.NewReader(form.Encode()))
	var a answer
	if code != 200 || json.Unmarshal(b, &a) != nil {
		h.t.Fatalf("%s answered %d %s", path, code, b)
	}
	return a
}

func (h *harness) mustSubscribe(body sub) {
	h.t.Helper()
	if a := h.subscribeJSON(body, ""); a.ReturnCode != "200" || !a.Result || a.Message != "提交成功" {
		h.t.Fatalf("subscribe: %+v", a)
	}
}

// ingest posts raw events; each event is "time|context".
func (h *harness) ingest(com, nu string, events ...string) (int, map[string]any) {
	h.t.Helper()
	var evs []map[string]string
	for _, e := range events {
		tm, ctx, _ := strings.Cut(e, "|")
		evs = append(evs, map[string]string{"time": tm, "context": ctx})
	}
	body, _ := json.Marshal(map[string]any{"com": com, "nu": nu, "events": evs})
	code, b := h.do("POST", "/v1/events", "application/json", "Bearer ingest-secret", bytes.NewReader(body))
	var out map[string]any
	json.Unmarshal(b, &out)
	return code, out
}

func (h *harness) mustIngest(com, nu string, events ...string) {
	h.t.Helper()
	if code, out := h.ingest(com, nu, events...); code != 200 {
		h.t.Fatalf("ingest: %d %v", code, out)
	}
}

// waitFor polls cond until it holds (bounded by real time).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (h *harness) subscriptionOf(nu string) *trackpush.Subscription {
	h.t.Helper()
	var last *trackpush.Subscription
	for id := int64(1); ; id++ {
		s, err := h.m.Store.Subscription(context.Background(), id)
		if err != nil {
			break
		}
		if s.Nu == nu {
			last = s
		}
	}
	if last == nil {
		h.t.Fatalf("no subscription of %s", nu)
	}
	return last
}

func (h *harness) deliveries(nu string) []trackpush.Delivery {
	h.t.Helper()
	d, err := h.m.Store.Deliveries(context.Background(), h.subscriptionOf(nu).ID, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

// waitDeliveries waits until the delivery log of nu has n attempts.
func (h *harness) waitDeliveries(nu string, n int) []trackpush.Delivery {
	h.t.Helper()
	var d []trackpush.Delivery
	waitFor(h.t, fmt.Sprintf("%d deliveries of %s", n, nu), func() bool { d = h.deliveries(nu); return len(d) >= n })
	return d
}

func keys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// A real YTO trajectory (shared/data/samples), oldest first.
var ytoEvents = []string{
	"2022-01-10 14:25:24|【广东省惠州市公司】 已揽收 取件人: 某某 (138****7588)",
	"2022-01-11 00:31:24|【广东省深圳市坂田公司】 已打包",
	"2022-01-11 23:22:33|【深圳转运中心公司】 已收入",
	"2022-01-11 23:34:51|【深圳转运中心】 已发出 下一站 【成都转运中心公司】",
	"2022-01-13 09:05:21|【成都转运中心公司】 已收入",
	"2022-01-13 13:47:04|【四川省成都市高新区中和一部公司 】 派件中 派件人: 某某 电话 185****8673",
	"2022-01-13 17:16:34|快件已由成都双流区红树湾二期店菜鸟驿站代收，请及时取件，如有疑问请联系173****2077",
}

var ytoSigned = "2022-01-13 18:52:32|客户签收人: 已签收，签收人凭取货码签收。 已签收 感谢使用圆通速递，期待再次为您服务"
