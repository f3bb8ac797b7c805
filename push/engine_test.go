package push

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/clock"
	"github.com/trackpush/trackpush/sqlite"
)

var t0 = time.Date(2025, 6, 16, 10, 0, 0, 0, trackpush.CST)

func summarize(evs []trackpush.Event) trackpush.Summary {
	return trackpush.Summary{State: evs[len(evs)-1].State, LastEventAt: evs[len(evs)-1].Time}
}

// setup opens a store with n due subscriptions pushing to url.
func setup(t *testing.T, n int, url string) trackpush.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a := &trackpush.Account{Name: "a", AppCode: "a", Key: "k", Quota: 1000}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		nu := fmt.Sprintf("YT%013d", i)
		sub := &trackpush.Subscription{AccountID: a.ID, Com: "yuantong", Nu: nu, CallbackURL: url, Level: trackpush.LevelAdvanced}
		if err := s.Subscribe(ctx, sub, t0); err != nil {
			t.Fatal(err)
		}
		ev := trackpush.Event{Time: t0, RawTime: trackpush.FormatTime(t0), Context: "已揽收", State: trackpush.StatePickedUp}
		if _, _, err := s.AppendEvents(ctx, "yuantong", nu, []trackpush.Event{ev}, t0, summarize); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func logger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestPerHostCap(t *testing.T) {
	var inflight, peak, done atomic.Int64
	gate := make(chan struct{})
	arrived := make(chan struct{}, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		arrived <- struct{}{}
		<-gate
		inflight.Add(-1)
		done.Add(1)
		io.WriteString(w, `{"result":true,"returnCode":"200","message":"成功"}`)
	}))
	defer srv.Close()
	const n = 6
	store := setup(t, n, srv.URL)
	fc := clock.NewFake(t0)
	e := New(store, fc, logger(), Config{Workers: 8, PerHost: 2, AllowPrivate: true, DeferDelay: time.Second})
	e.Start(context.Background())
	defer e.Stop()
	// Six are due at once: the first two fill the host's slots.
	for i := 0; i < 2; i++ {
		select {
		case <-arrived:
		case <-time.After(10 * time.Second):
			t.Fatal("the first pushes did not arrive")
		}
	}
	if inflight.Load() != 2 {
		t.Fatalf("%d in flight, want the cap of 2", inflight.Load())
	}
	gate <- struct{}{}
	gate <- struct{}{}
	for done.Load() < n {
		select {
		case <-arrived:
			gate <- struct{}{} // let one finish
		case <-time.After(50 * time.Millisecond):
			// Nothing arrived: the others wait for their deferral.
			fc.Advance(time.Second)
		}
	}
	if peak.Load() > 2 {
		t.Fatalf("%d pushes in flight to one host, cap 2", peak.Load())
	}
}

func TestPrivateAddressRefusedAtDial(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	store := setup(t, 1, srv.URL)
	e := New(store, clock.NewFake(t0), logger(), Config{AllowPrivate: false})
	e.Start(context.Background())
	defer e.Stop()
	var log []trackpush.Delivery
	deadline := time.Now().Add(10 * time.Second)
	for len(log) == 0 && time.Now().Before(deadline) {
		log, _ = store.Deliveries(context.Background(), 1, 10)
		time.Sleep(5 * time.Millisecond)
	}
	if len(log) != 1 || log[0].OK || !strings.Contains(log[0].Error, "private address") {
		t.Fatalf("delivery log %+v", log)
	}
	if hits.Load() != 0 {
		t.Fatal("the private receiver was reached")
	}
}

func TestURLPolicy(t *testing.T) {
	strict := URLPolicy{}
	open := URLPolicy{AllowHTTPS: true, AllowPrivate: true}
	cases := []struct {
		url          string
		strict, open bool
	}{
		{"http://example.com/cb?id=1", true, true},
		{"https://example.com/cb", false, true},
		{"ftp://example.com/", false, false},
		{"http://user:pw@example.com/", false, false},
		{"http://127.0.0.1:8080/cb", false, true},
		{"http://10.1.2.3/cb", false, true},
		{"http://192.168.0.1/cb", false, true},
		{"http://169.254.169.254/latest", false, true},
		{"http://[::1]/cb", false, true},
		{"http://localhost/cb", false, true},
		{"http://8.8.8.8/cb", true, true},
		{"http:///nohost", false, false},
		{"not a url", false, false},
		{"http://example.com/" + strings.Repeat("x", 1100), false, false},
		{"http://example.com/#frag", false, false},
	}
	for _, c := range cases {
		if _, err := strict.Check(c.url); (err == nil) != c.strict {
			t.Errorf("strict %q: %v", c.url, err)
		}
		if _, err := open.Check(c.url); (err == nil) != c.open {
			t.Errorf("open %q: %v", c.url, err)
		}
	}
}

func TestCheckAck(t *testing.T) {
	ok := []string{`{"result":true,"returnCode":"200","message":"成功"}`, ` {"result":true,"returnCode":200} `}
	bad := []string{``, `ok`, `{"result":false,"returnCode":"200"}`, `{"result":"true","returnCode":"200"}`, `{"result":true,"returnCode":"500"}`, `{"result":true}`}
	for _, b := range ok {
		if err := checkAck(200, b); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
	for _, b := range bad {
		if checkAck(200, b) == nil {
			t.Errorf("%s accepted", b)
		}
	}
	if checkAck(500, ok[0]) == nil || checkAck(302, ok[0]) == nil {
		t.Error("non-2xx accepted")
	}
}

// countingStore counts claims.
type countingStore struct {
	trackpush.Store
	claims atomic.Int64
}

func (c *countingStore) ClaimPushes(ctx context.Context, now time.Time, lease time.Duration, limit int, busy trackpush.Busy) ([]*trackpush.PushJob, error) {
	c.claims.Add(1)
	return c.Store.ClaimPushes(ctx, now, lease, limit, busy)
}

// TestBusyHostDoesNotSpin: while a host is at its cap with more pushes due
// for it, the engine waits for a slot instead of claiming in a loop.
func TestBusyHostDoesNotSpin(t *testing.T) {
	gate := make(chan struct{})
	arrived := make(chan struct{}, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-gate
		io.WriteString(w, `{"result":true,"returnCode":"200","message":"成功"}`)
	}))
	defer srv.Close()
	store := &countingStore{Store: setup(t, 20, srv.URL)}
	e := New(store, clock.NewFake(t0), logger(), Config{Workers: 8, PerHost: 2, AllowPrivate: true})
	e.Start(context.Background())
	defer e.Stop()
	defer close(gate) // before Stop: the pushes in flight may finish
	<-arrived
	<-arrived
	before := store.claims.Load()
	time.Sleep(200 * time.Millisecond) // a window to count claims in, not a timing assertion
	if n := store.claims.Load() - before; n > 3 {
		t.Fatalf("%d claims in 200 ms while the only host was busy", n)
	}
}

// observed records what the engine reports.
type observed struct {
	trackpush.NopObserver
	ch chan trackpush.PushReport
}

func (o *observed) Pushed(r trackpush.PushReport) { o.ch <- r }

// TestOutcomes: each way a push ends is reported as its class, once
// recorded, and the delivery log's error does not repeat the callback URL
// (its query string may hold the subscriber's secrets).
func TestOutcomes(t *testing.T) {
	ack := `{"result":true,"returnCode":"200","message":"成功"}`
	hang := make(chan struct{})
	defer close(hang)
	serve := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if status == 0 {
				<-hang
				return
			}
			w.WriteHeader(status)
			io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	cases := []struct {
		name, url    string
		allowPrivate bool
		want         string
	}{
		{"acknowledged", serve(200, ack), true, trackpush.PushAck},
		{"refused", closedURL, true, trackpush.PushRefused},
		{"non-2xx", serve(502, ack), true, trackpush.PushNon2xx},
		{"bad ack", serve(200, "ok"), true, trackpush.PushBadAck},
		{"timeout", serve(0, ""), true, trackpush.PushTimedOut},
		{"guard", serve(200, ack), false, trackpush.PushGuarded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := setup(t, 1, c.url+"/cb?token=SECRET-TOKEN")
			obs := &observed{ch: make(chan trackpush.PushReport, 4)}
			e := New(store, clock.NewFake(t0), logger(), Config{AllowPrivate: c.allowPrivate, Timeout: 300 * time.Millisecond, Observer: obs})
			e.Start(context.Background())
			defer e.Stop()
			var r trackpush.PushReport
			select {
			case r = <-obs.ch:
			case <-time.After(10 * time.Second):
				t.Fatal("nothing reported")
			}
			if r.Outcome != c.want || r.Attempt != 1 || r.Retry == (c.want == trackpush.PushAck) || r.GaveUp {
				t.Fatalf("reported %+v, want outcome %s", r, c.want)
			}
			log, err := store.Deliveries(context.Background(), 1, 10)
			if err != nil || len(log) != 1 {
				t.Fatalf("delivery log %v %v", log, err)
			}
			if strings.Contains(log[0].Error, "SECRET-TOKEN") {
				t.Fatalf("the delivery log's error holds the callback's query: %s", log[0].Error)
			}
		})
	}
}
