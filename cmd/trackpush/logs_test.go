package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

// syncBuffer is a buffer the server logs into while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// records parses a JSON log, one record per line.
func records(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		out = append(out, r)
	}
	return out
}

// TestLogStoryAndHygiene runs the service end to end at debug level with
// JSON logs — accounts, subscriptions with a salt, a phone and a callback
// query string, ingest, pushes acknowledged, retried and given up, polls
// that fail, the real-time query and autonumber — then checks that the log
// tells the story (the lines an operator needs, times in RFC 3339 with an
// offset) and that no key, AppCode, salt, phone, token, server secret or
// callback query string appears in it.
func TestLogStoryAndHygiene(t *testing.T) {
	var log syncBuffer
	up := &fakeUpstream{known: map[string][]trackpush.RawEvent{}, err: errors.New("upstream down")}
	h := newHarnessWith(t, func(m *Main) {
		m.Logger = newLogger(&log, "debug", "json")
		withUpstream(up, "zhongtong=sim")(m)
		m.Config.MetricsToken = "METRICS-TOKEN-5c1"
	})
	// A receiver that is gone: the transport's error names the URL.
	gone := newReceiver(t, h.clock)
	goneURL := gone.srv.URL
	gone.srv.Close()
	const salt, phone, query = "SALT-9d41e7", "13912345678", "cbtoken=CBQ-77ab3"

	nu := "YT8800000001"
	h.mustSubscribe(h.subBody(nu, func(_ sub, p map[string]any) {
		p["salt"], p["phone"] = salt, phone
		p["callbackurl"] = h.recv.srv.URL + "/cb?" + query
	}))
	h.mustIngest("yuantong", nu, ytoEvents[0], ytoEvents[1])
	h.recv.next(t)
	h.waitDeliveries(nu, 1)

	bad := "YT8800000002"
	h.mustSubscribe(h.subBody(bad, func(_ sub, p map[string]any) {
		p["salt"] = salt
		p["callbackurl"] = goneURL + "/cb?" + query
	}))
	h.mustIngest("yuantong", bad, ytoEvents[0])
	for i := 1; i <= 1+trackpush.MaxRetries; i++ {
		h.waitDeliveries(bad, i)
		h.clock.Advance(trackpush.RetryAfter)
	}
	// Polled shipments whose upstream is down: one warning, not one each.
	for i := range 5 {
		h.mustSubscribe(h.subBody(fmt.Sprintf("75880000000%d", i), func(s sub, p map[string]any) {
			s["company"], p["phone"] = "zhongtong", phone
		}))
	}
	waitFor(t, "the polls to fail", func() bool {
		up.mu.Lock()
		defer up.mu.Unlock()
		return len(up.calls) >= 5
	})
	// Requests that carry credentials: a wrong key, the query API, autonumber.
	h.subscribeJSON(h.subBody("YT8800000003", func(s sub, _ map[string]any) { s["key"] = "WRONG-KEY-31f0" }), "")
	h.query("/poll/query.do", h.acct.AppCode, h.acct.Key, map[string]any{"com": "yuantong", "num": nu, "phone": phone})
	h.do("GET", "/autonumber/auto?key="+h.acct.Key+"&num="+nu, "", "", nil)
	h.do("GET", "/metrics", "", "Bearer METRICS-TOKEN-5c1", nil)
	waitFor(t, "the given-up line", func() bool { return strings.Contains(log.String(), "push given up") })
	h.m.Close()

	out := log.String()
	secretFile, _ := os.ReadFile(h.m.Config.secretPath())
	for what, s := range map[string]string{
		"key": h.acct.Key, "AppCode": h.acct.AppCode, "salt": salt, "phone": phone, "callback query": query,
		"callback query value": "CBQ-77ab3", "wrong key": "WRONG-KEY-31f0", "ingest token": h.m.Config.IngestToken,
		"admin token": h.m.Config.AdminToken, "metrics token": "METRICS-TOKEN-5c1", "server secret": strings.TrimSpace(string(secretFile)),
	} {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("the log holds the %s %q", what, s)
		}
	}
	// The story.
	count := map[string]int{}
	var gaveUp map[string]any
	for _, r := range records(t, out) {
		msg, _ := r["msg"].(string)
		count[msg]++
		if msg == "push given up" {
			gaveUp = r
		}
		ts, _ := r["time"].(string)
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil || !(strings.Contains(ts, "+") || strings.Contains(ts, "-0") || strings.HasSuffix(ts, "Z")) {
			t.Errorf("time %q is not RFC 3339 with an offset", ts)
		}
	}
	for msg, n := range map[string]int{"subscribed": 7, "ingested": 2, "push failed; retry scheduled": 3, "push given up": 1, "poll failed": 1} {
		if count[msg] != n {
			t.Errorf("%d lines %q, want %d (all: %v)", count[msg], msg, n, count)
		}
	}
	if gaveUp == nil || gaveUp["level"] != "INFO" || gaveUp["subscription"] != 2.0 || gaveUp["version"] != 1.0 || gaveUp["outcome"] != "refused" || gaveUp["error"] == "" {
		t.Errorf("given-up line %v", gaveUp)
	}
}

// TestStartWarnings: each surface the configuration leaves off, or opens
// wide, is named once at start.
func TestStartWarnings(t *testing.T) {
	var log syncBuffer
	newHarnessWith(t, func(m *Main) {
		m.Logger = newLogger(&log, "info", "text")
		m.Config.IngestToken = ""
	})
	out := log.String()
	for _, want := range []string{"ingest disabled", "--allow-private-callbacks"} {
		if strings.Count(out, want) != 1 {
			t.Errorf("%q: %d lines in\n%s", want, strings.Count(out, want), out)
		}
	}
	if strings.Contains(out, "admin API disabled") {
		t.Error("a warning for the admin API, which has a token")
	}
}
