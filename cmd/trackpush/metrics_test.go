package main

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

// scrape reads /metrics into a map from "name{labels}" (labels as the
// exposition writes them, sorted by name) to value.
func (h *harness) scrape(auth string) (int, map[string]float64) {
	h.t.Helper()
	code, b := h.do("GET", "/metrics", "", auth, nil)
	out := map[string]float64{}
	if code != 200 {
		return code, out
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			h.t.Fatalf("metrics line %q", line)
		}
		out[line[:i]] = v
	}
	return code, out
}

// TestMetrics drives real subscriptions, ingests, pushes (acknowledged,
// failed, retried, given up) and polls through the server, then scrapes
// /metrics and checks that each figure moved by exactly what happened.
func TestMetrics(t *testing.T) {
	up := &fakeUpstream{known: map[string][]trackpush.RawEvent{
		"yuantong/YT8700000003": raws(ytoEvents[0], "9999-12-31 23:59:59|已签收"),
	}}
	h := newHarnessWith(t, func(m *Main) {
		withUpstream(up, "zhongtong=sim,yuantong=sim")(m)
		m.statsTTL = -1
	})
	h.recv.setAnswer(func(int) (int, string) { return 200, `{"result":true,"returnCode":"200","message":"成功"}` })
	failing := newReceiver(t, h.clock)
	failing.setAnswer(func(int) (int, string) { return 503, "down" })

	h.mustSubscribe(h.subBody("YT8700000001"))
	h.mustSubscribe(h.subBody("YT8700000002", func(_ sub, p map[string]any) { p["callbackurl"] = failing.srv.URL + "/cb?token=x" }))
	if a := h.subscribeJSON(h.subBody("YT8700000001"), ""); a.ReturnCode != "501" {
		t.Fatalf("duplicate: %+v", a)
	}
	if a := h.subscribeJSON(`{"company":`, ""); a.ReturnCode != "500" {
		t.Fatalf("bad JSON: %+v", a)
	}
	h.mustIngest("yuantong", "YT8700000001", ytoEvents[0], ytoEvents[1], ytoEvents[0])
	h.recv.next(t)
	h.waitDeliveries("YT8700000001", 1)
	h.mustIngest("yuantong", "YT8700000002", ytoEvents[0])
	for i := 1; i <= 1+trackpush.MaxRetries; i++ {
		failing.next(t)
		h.waitDeliveries("YT8700000002", i)
		h.clock.Advance(trackpush.RetryAfter)
	}
	// A real-time query polls the upstream: one scan kept, one dropped.
	h.query("/poll/query.do", h.acct.AppCode, h.acct.Key, map[string]any{"com": "yuantong", "num": "YT8700000003"})

	var m map[string]float64
	waitFor(t, "the push figures", func() bool {
		_, m = h.scrape("")
		return m[`trackpush_push_given_up_total`] == 1 && m[`trackpush_pushes_total{outcome="ack"}`] == 1
	})
	want := map[string]float64{
		`trackpush_subscribe_requests_total{code="200"}`:                                          2,
		`trackpush_subscribe_requests_total{code="501"}`:                                          1,
		`trackpush_subscribe_requests_total{code="500"}`:                                          1,
		`trackpush_events_ingested_total{source="ingest"}`:                                        3,
		`trackpush_events_duplicate_total{source="ingest"}`:                                       1,
		`trackpush_events_ingested_total{source="poll"}`:                                          1,
		`trackpush_events_dropped_total{source="poll"}`:                                           1,
		`trackpush_pushes_total{outcome="ack"}`:                                                   1,
		`trackpush_pushes_total{outcome="non_2xx"}`:                                               4,
		`trackpush_pushes_total{outcome="refused"}`:                                               0,
		`trackpush_push_retries_total`:                                                            3,
		`trackpush_push_given_up_total`:                                                           1,
		`trackpush_push_duration_seconds_count`:                                                   5,
		`trackpush_polls_total{outcome="ok",upstream="fake"}`:                                     1,
		`trackpush_subscriptions{status="polling"}`:                                               2,
		`trackpush_subscriptions{status="abort"}`:                                                 0,
		`trackpush_push_due`:                                                                      0,
		`trackpush_push_oldest_due_seconds`:                                                       0,
		`trackpush_store_operation_duration_seconds_count{op="subscribe",result="ok"}`:            3,
		`trackpush_store_operation_duration_seconds_count{op="append_events_digest",result="ok"}`: 3,
		`trackpush_http_requests_total{code="200",route="POST /trackpush/callback"}`:              4,
		`trackpush_http_requests_total{code="200",route="POST /v1/events"}`:                       2,
	}
	for k, v := range want {
		got, ok := m[k]
		if !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	for _, k := range []string{"go_goroutines", "process_resident_memory_bytes", "trackpush_ingest_inflight_bytes"} {
		if _, ok := m[k]; !ok {
			t.Errorf("%s missing", k)
		}
	}
	found := false
	for k := range m {
		found = found || strings.HasPrefix(k, "trackpush_build_info{")
	}
	if !found {
		t.Error("trackpush_build_info missing")
	}
	// A due push that waits shows in the backlog and its age.
	h.recv.setAnswer(func(int) (int, string) { return 503, "down" })
	h.mustIngest("yuantong", "YT8700000001", ytoEvents[2])
	h.recv.next(t)
	h.waitDeliveries("YT8700000001", 2)
	h.clock.Advance(trackpush.RetryAfter + time.Minute)
	h.m.Pusher.Stop() // the retry stays due
	var m2 map[string]float64
	waitFor(t, "the backlog", func() bool {
		_, m2 = h.scrape("")
		return m2["trackpush_push_due"] == 1
	})
	if age := m2["trackpush_push_oldest_due_seconds"]; age != 60 {
		t.Errorf("oldest due push waited %v s, want 60", age)
	}
}

// TestMetricsAccess: /metrics answers the allowed networks (loopback by
// default) and a client bearing --metrics-token; anyone else gets 403.
func TestMetricsAccess(t *testing.T) {
	h := newHarness(t)
	if code, m := h.scrape(""); code != 200 || len(m) == 0 {
		t.Fatalf("loopback: %d", code)
	}
	h = newHarnessWith(t, func(m *Main) { m.Config.MetricsAllow, m.Config.MetricsToken = "10.0.0.0/8", "scrape-secret" })
	if code, _ := h.scrape(""); code != 403 {
		t.Fatalf("outside the allowed networks without the token: %d", code)
	}
	if code, _ := h.scrape("Bearer wrong"); code != 403 {
		t.Fatalf("a wrong token: %d", code)
	}
	if code, m := h.scrape("Bearer scrape-secret"); code != 200 || len(m) == 0 {
		t.Fatalf("with the token: %d", code)
	}
}
