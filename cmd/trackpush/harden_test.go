package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

// The holes that hostile testing found (issue 11), each closed with a test
// that failed before the fix.

// rawSubBody writes a subscription body with some members' JSON values
// given raw (top-level members, or those of parameters: callbackurl, salt,
// phone, resultv2).
func (h *harness) rawSubBody(nu string, raw map[string]string) string {
	q := strconv.Quote
	top := [][2]string{{"company", q("yuantong")}, {"number", q(nu)}, {"from", q("广东省深圳市南山区")}, {"to", q("北京市朝阳区")}, {"key", q(h.acct.Key)}}
	par := [][2]string{{"callbackurl", q(h.recv.srv.URL + "/cb")}, {"salt", q("s3cret")}, {"phone", q("")}, {"resultv2", q("5")}}
	write := func(members [][2]string) string {
		var parts []string
		for _, m := range members {
			v := m[1]
			if r, ok := raw[m[0]]; ok {
				v = r
			}
			parts = append(parts, q(m[0])+":"+v)
		}
		return strings.Join(parts, ",")
	}
	return "{" + write(top) + `,"parameters":{` + write(par) + "}}"
}

// TestSubscribeStrictParsing (hole 7): the subscribe body is read as
// strictly as the original reads it: nothing after the JSON object, the
// number a JSON string, valid UTF-8 (a replaced byte would change a salt
// and break every push's signature), no control characters in the salt or
// the other fields that are not free text. Each is refused with 500 naming
// the field, and nothing is stored.
func TestSubscribeStrictParsing(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name  string
		raw   map[string]string
		tail  string
		field string
	}{
		{"a second object after the body", nil, `{"company":"ems"}`, "body"},
		{"garbage after the body", nil, `x`, "body"},
		{"number as a JSON number", map[string]string{"number": `123456e1`}, "", "number"},
		{"number as a JSON integer", map[string]string{"number": `1234567890`}, "", "number"},
		{"invalid UTF-8 in salt", map[string]string{"salt": "\"s\xffalt\""}, "", "salt"},
		{"invalid UTF-8 in to", map[string]string{"to": "\"北京市\xfe朝阳区\""}, "", "to"},
		{"lone surrogate in salt", map[string]string{"salt": `"s\ud800alt"`}, "", "salt"},
		{"control character in salt", map[string]string{"salt": `"s\u0001alt"`}, "", "salt"},
		{"DEL in salt", map[string]string{"salt": "\"s\x7falt\""}, "", "salt"},
		{"newline in salt", map[string]string{"salt": `"salt\n"`}, "", "salt"},
		{"control character in key", map[string]string{"key": `"` + h.acct.Key + `\u0007"`}, "", "key"},
		{"control character in phone", map[string]string{"phone": `"138\u001b0000"`}, "", "phone"},
		{"control character in number", map[string]string{"number": `"YT80000000\t13"`}, "", "number"},
	}
	for i, c := range cases {
		nu := fmt.Sprintf("YT80000000%02d", i)
		body := h.rawSubBody(nu, c.raw) + c.tail
		a := h.subscribeJSON(body, "")
		if a.Result || a.ReturnCode != "500" || a.Message != "服务器错误" || !strings.Contains(a.Detail, c.field) {
			t.Errorf("%s: answered %+v, want 500 naming %s", c.name, a, c.field)
		}
		if sh, _, _ := h.m.Store.Shipment(context.Background(), "yuantong", nu); sh != nil {
			t.Errorf("%s: the refused subscription stored %s", c.name, nu)
		}
	}
	// What stays accepted: a replacement character the client really sent,
	// tabs and newlines in the free-text addresses, resultv2 as a number.
	ok := h.rawSubBody("YT8000000099", map[string]string{"to": `"北京市\t朝阳区\n�"`, "resultv2": `5`})
	if a := h.subscribeJSON(ok, ""); a.ReturnCode != "200" {
		t.Fatalf("a valid body was refused: %+v", a)
	}
}

// TestSensitiveWordsNotBypassed (hole 6): the operator's word list is
// checked against the decoded callback URL (once or twice
// percent-encoded) and against normalised text (case, full-width and
// compatibility forms, zero-width characters), so 502 cannot be dodged
// by spelling a word differently on the wire.
func TestSensitiveWordsNotBypassed(t *testing.T) {
	words := filepath.Join(t.TempDir(), "words")
	os.WriteFile(words, []byte("evilword\n坏词\n"), 0o644)
	h := newHarnessWith(t, func(m *Main) { m.Config.SensitiveWords = words })
	cb := h.recv.srv.URL
	cases := []struct {
		name string
		mod  func(s sub, p map[string]any)
	}{
		{"plain", func(_ sub, p map[string]any) { p["callbackurl"] = cb + "/evilword" }},
		{"percent-encoded letter", func(_ sub, p map[string]any) { p["callbackurl"] = cb + "/%65vilword" }},
		{"percent-encoded twice", func(_ sub, p map[string]any) { p["callbackurl"] = cb + "/%2565vilword" }},
		{"upper-case escapes in the query", func(_ sub, p map[string]any) { p["callbackurl"] = cb + "/cb?x=%45%56%49%4C%57%4F%52%44" }},
		{"Chinese word percent-encoded", func(_ sub, p map[string]any) { p["callbackurl"] = cb + "/cb?q=%E5%9D%8F%E8%AF%8D" }},
		{"full-width letters in to", func(s sub, _ map[string]any) { s["to"] = "北京市朝阳区ｅｖｉｌｗｏｒｄ路" }},
		{"zero-width space in to", func(s sub, _ map[string]any) { s["to"] = "北京市朝阳区坏\u200b词路" }},
		{"soft hyphen in the salt", func(_ sub, p map[string]any) { p["salt"] = "evil\u00adword" }},
	}
	for i, c := range cases {
		nu := fmt.Sprintf("YT81000000%02d", i)
		if a := h.subscribeJSON(h.subBody(nu, c.mod), ""); a.ReturnCode != "502" {
			t.Errorf("%s: answered %+v, want 502", c.name, a)
		}
	}
	// Words that are only near the listed ones pass.
	if a := h.subscribeJSON(h.subBody("YT8100000099", func(_ sub, p map[string]any) { p["callbackurl"] = cb + "/evil-word%20ok" }), ""); a.ReturnCode != "200" {
		t.Fatalf("an innocent callback was refused: %+v", a)
	}
}

// TestNumbersAreCaseInsensitive (hole 5): carriers print their numbers in
// upper case; a lower-case spelling is the same shipment on subscribe,
// ingest, query and autonumber — not a new shipment, a new quota unit and
// a subscription that misses the other spelling's scans.
func TestNumbersAreCaseInsensitive(t *testing.T) {
	h := newHarness(t)
	h.mustSubscribe(h.subBody("YT8200000001"))
	if a := h.subscribeJSON(h.subBody("yt8200000001"), ""); a.ReturnCode != "501" {
		t.Fatalf("the lower-case spelling of a tracked number: %+v, want 501", a)
	}
	// Scans ingested under the lower-case spelling reach the subscription.
	h.mustIngest("yuantong", "yt8200000001", ytoEvents[0])
	rc := h.recv.next(t)
	if rc.p.LastResult.Nu != "YT8200000001" || len(rc.p.LastResult.Data) != 1 {
		t.Fatalf("push %+v", rc.p.LastResult)
	}
	// A lower-case subscription is stored in upper case and sees the scans.
	h.mustIngest("yuantong", "YT8200000002", ytoEvents[0], ytoEvents[1])
	h.mustSubscribe(h.subBody("yt8200000002"))
	rc = h.recv.next(t)
	if rc.p.LastResult.Nu != "YT8200000002" || len(rc.p.LastResult.Data) != 2 {
		t.Fatalf("push %+v", rc.p.LastResult)
	}
	if sh, _, _ := h.m.Store.Shipment(context.Background(), "yuantong", "yt8200000002"); sh != nil {
		t.Fatal("a lower-case shipment was stored")
	}
	accts, _ := h.m.Store.Accounts(context.Background())
	if accts[0].Used != 2 {
		t.Fatalf("quota used %d, want 2", accts[0].Used)
	}
	// The real-time query and autonumber read either spelling.
	q := h.query("/poll/query.do", h.acct.AppCode, h.acct.Key, map[string]any{"com": "yuantong", "num": "yt8200000002"})
	if q["nu"] != "YT8200000002" || len(q["data"].([]any)) != 2 {
		t.Fatalf("query: %v", q)
	}
	_, upper := h.do("GET", "/autonumber/auto?key="+h.acct.Key+"&num=YT8200000003", "", "", nil)
	_, lower := h.do("GET", "/autonumber/auto?key="+h.acct.Key+"&num=yt8200000003", "", "", nil)
	if string(upper) != string(lower) || !strings.Contains(string(upper), "yuantong") {
		t.Fatalf("autonumber: %s vs %s", upper, lower)
	}
}

// TestEventTimesBounded (hole 4): a scan dated far in the future would
// become the shipment's newest event — one signed in 9999 ends the
// subscription and hides every real scan after it. Times more than a day
// after the service clock, or before 2000, are refused by ingest (400
// naming the field, nothing stored) and dropped from poll results.
func TestEventTimesBounded(t *testing.T) {
	up := &fakeUpstream{known: map[string][]trackpush.RawEvent{
		"yuantong/YT8300000002": raws(ytoEvents[0], "9999-12-31 23:59:59|已签收，签收人：本人", "1999-12-31 23:59:59|已揽收"),
	}}
	h := newHarnessWith(t, withUpstream(up, "yuantong=sim"))
	nu := "YT8300000001"
	h.mustSubscribe(h.subBody(nu))
	now := h.clock.Now()
	for _, c := range []struct {
		time string
		code int
	}{
		{"9999-12-31 23:59:59", 400},
		{trackpush.FormatTime(now.Add(25 * time.Hour)), 400},
		{"1999-12-31 23:59:59", 400},
		{"2000-01-01 00:00:00", 200},
		{trackpush.FormatTime(now.Add(23 * time.Hour)), 200},
	} {
		code, out := h.ingest("yuantong", nu, "2025-06-15 10:00:00|【广东省深圳市】已揽收", c.time+"|已签收，签收人：本人")
		if code != c.code {
			t.Errorf("event at %s: %d %v, want %d", c.time, code, out, c.code)
		}
		if c.code == 400 && out["field"] != "events[1].time" {
			t.Errorf("event at %s: field %v, want events[1].time", c.time, out["field"])
		}
	}
	// The poll result: the real scan is kept, the two out of bounds are
	// dropped, and the shipment is not signed.
	q := h.query("/poll/query.do", h.acct.AppCode, h.acct.Key, map[string]any{"com": "yuantong", "num": "YT8300000002"})
	if data, _ := q["data"].([]any); len(data) != 1 || q["ischeck"] != "0" {
		t.Fatalf("poll result stored: %v", q)
	}
}

// TestToolsBesideALiveServer (hole 1): a command opening the live SQLite
// file (account list, account create) must not release the running
// server's claims — its pushes in flight would be sent again, two at once
// for one subscription — and a second serve on the same file is refused
// with a clear error, while the first keeps its claim and pushes once.
func TestToolsBesideALiveServer(t *testing.T) {
	h := newHarness(t)
	gate := make(chan struct{})
	var opened sync.Once
	open := func() { opened.Do(func() { close(gate) }) }
	t.Cleanup(open) // before the server closes: its push may finish
	h.recv.setAnswer(func(int) (int, string) {
		<-gate
		return 200, `{"result":true,"returnCode":"200","message":"成功"}`
	})
	nu := "YT8400000001"
	h.mustSubscribe(h.subBody(nu))
	h.mustIngest("yuantong", nu, ytoEvents[0])
	waitFor(t, "the push in flight", func() bool { return h.subscriptionOf(nu).Push.LeaseUntil != nil })

	if out, err := runCLI(t, "", "account", "list", "--db", h.m.Config.DB); err != nil || !strings.Contains(out, `"name":"shop"`) {
		t.Fatalf("account list beside the server: %v %s", err, out)
	}
	if _, err := runCLI(t, "", "account", "create", "--db", h.m.Config.DB, "--name", "beside", "--quota", "5"); err != nil {
		t.Fatalf("account create beside the server: %v", err)
	}
	if h.subscriptionOf(nu).Push.LeaseUntil == nil {
		t.Fatal("a tool released the live server's claim")
	}

	second := NewMain()
	second.Config = h.m.Config
	second.Config.Addr = "127.0.0.1:0"
	second.Clock = h.clock
	err := second.Open(context.Background())
	if err == nil {
		open()
		second.Close()
		t.Fatal("a second serve opened the live SQLite file")
	}
	if !strings.Contains(err.Error(), h.m.Config.DB) || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("the refusal does not say which file is in use: %v", err)
	}
	if h.subscriptionOf(nu).Push.LeaseUntil == nil {
		t.Fatal("the refused serve released the live server's claim")
	}
	jobs, err := h.m.Store.ClaimPushes(context.Background(), h.clock.Now(), time.Minute, 10, trackpush.Busy{})
	if err != nil || len(jobs) != 0 {
		t.Fatalf("the claimed subscription can be claimed again: %d jobs, %v", len(jobs), err)
	}
	open()
	h.waitDeliveries(nu, 1)
	h.recv.mu.Lock()
	n := len(h.recv.all)
	h.recv.mu.Unlock()
	if n != 1 {
		t.Fatalf("the receiver got %d pushes, want 1", n)
	}
}

// slowReceiver holds every push until released, counting the pushes in
// flight at once.
type slowReceiver struct {
	srv              *httptest.Server
	gate             chan struct{}
	release          sync.Once
	inflight, peak   atomic.Int64
	arrived, answers atomic.Int64
}

func newSlowReceiver(t *testing.T) *slowReceiver {
	r := &slowReceiver{gate: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := r.inflight.Add(1)
		for p := r.peak.Load(); n > p && !r.peak.CompareAndSwap(p, n); p = r.peak.Load() {
		}
		r.arrived.Add(1)
		<-r.gate
		r.inflight.Add(-1)
		r.answers.Add(1)
		io.WriteString(w, `{"result":true,"returnCode":"200","message":"成功"}`)
	}))
	t.Cleanup(r.srv.Close)
	t.Cleanup(r.open) // before the server closes: its pushes may finish
	return r
}

func (r *slowReceiver) open() { r.release.Do(func() { close(r.gate) }) }

// TestSlowReceiverCannotStarveOthers (hole 2): the per-host cap counts the
// receiver's address, not the spelling of its host — 127.0.0.1,
// localhost, LOCALHOST and [::ffff:127.0.0.1] are one receiver — and one account
// holds at most a share of the workers, so that an account's slow or dead
// receivers cannot take every worker and delay the other accounts'
// pushes.
func TestSlowReceiverCannotStarveOthers(t *testing.T) {
	const workers, perHost = 8, 2
	run := func(t *testing.T, callbacks []string, slow []*slowReceiver) {
		h := newHarnessWith(t, func(m *Main) { m.Config.Workers, m.Config.PerHost = workers, perHost })
		n := 3 * len(callbacks)
		for i := 0; i < n; i++ {
			nu := fmt.Sprintf("YT85000000%02d", i)
			h.mustSubscribe(h.subBody(nu, func(_ sub, p map[string]any) { p["callbackurl"] = callbacks[i%len(callbacks)] }))
			h.mustIngest("yuantong", nu, ytoEvents[0])
		}
		waitFor(t, "the slow receivers busy", func() bool {
			total := int64(0)
			for _, r := range slow {
				total += r.inflight.Load()
			}
			return total >= perHost
		})
		// Another account's push, due after those: it must not wait for
		// the slow receivers.
		h.clock.Advance(time.Minute)
		other := h.createAccount("other", 10, "")
		h.mustSubscribe(h.subBody("YT8599999999", func(s sub, _ map[string]any) { s["key"] = other.Key }))
		h.mustIngest("yuantong", "YT8599999999", ytoEvents[0])
		if rc := h.recv.next(t); rc.p.LastResult.Nu != "YT8599999999" {
			t.Fatalf("unexpected push %s", rc.p.LastResult.Nu)
		}
		// Release the slow receivers: every push arrives, never more than
		// the cap at one receiver.
		for _, r := range slow {
			r.open()
		}
		waitFor(t, "every push answered", func() bool {
			total := int64(0)
			for _, r := range slow {
				total += r.answers.Load()
			}
			if total < int64(n) {
				h.clock.Advance(time.Second) // the deferred ones are due again
			}
			return total >= int64(n)
		})
		for i, r := range slow {
			if p := r.peak.Load(); p > perHost {
				t.Errorf("receiver %d had %d pushes in flight, cap %d", i, p, perHost)
			}
		}
	}
	t.Run("one receiver under four spellings", func(t *testing.T) {
		r := newSlowReceiver(t)
		_, port, _ := net.SplitHostPort(r.srv.Listener.Addr().String())
		var cbs []string
		for _, host := range []string{"127.0.0.1", "localhost", "LOCALHOST", "[::ffff:127.0.0.1]"} {
			cbs = append(cbs, "http://"+host+":"+port+"/cb")
		}
		run(t, cbs, []*slowReceiver{r})
	})
	t.Run("one account with four receivers", func(t *testing.T) {
		var slow []*slowReceiver
		var cbs []string
		for range 4 {
			r := newSlowReceiver(t)
			slow = append(slow, r)
			cbs = append(cbs, r.srv.URL+"/cb")
		}
		run(t, cbs, slow)
	})
}

// TestIngestMemoryBounded (hole 8): the bodies of ingest requests in
// flight are bounded (--ingest-memory); past the bound ingest answers 503
// with Retry-After before reading the body, and takes requests again as
// soon as memory is freed.
func TestIngestMemoryBounded(t *testing.T) {
	h := newHarnessWith(t, func(m *Main) { m.Config.IngestMemory = 1 })
	const size = 700 << 10 // two of these are more than 1 MiB
	post := func(body io.Reader) *http.Response {
		req, _ := http.NewRequest("POST", h.m.URL()+"/v1/events", body)
		req.ContentLength = size
		req.Header.Set("Authorization", "Bearer ingest-secret")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return nil
		}
		return resp
	}
	// A slow client holds its reservation while it sends.
	pr, pw := io.Pipe()
	first := make(chan *http.Response, 1)
	go func() { first <- post(pr) }()
	pw.Write([]byte(`{"com":"yuantong",`))
	// Only once it holds its memory may the others come, or one of them
	// could take the memory first and the slow one be the refused.
	waitFor(t, "the slow request holding its memory", func() bool {
		_, m := h.scrape("")
		return m["trackpush_ingest_inflight_bytes"] >= size
	})

	var busy *http.Response
	waitFor(t, "an ingest refused for memory", func() bool {
		resp := post(strings.NewReader(strings.Repeat(" ", size)))
		if resp == nil {
			return true
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			busy = resp
			return true
		}
		return false
	})
	if busy == nil || busy.Header.Get("Retry-After") == "" {
		t.Fatalf("503 without Retry-After: %+v", busy)
	}
	// The slow client finishes; memory is freed and ingest takes requests.
	pw.Write([]byte(strings.Repeat(" ", size-len(`{"com":"yuantong",`))))
	pw.Close()
	if resp := <-first; resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("the slow request: %+v", resp)
	}
	if code, out := h.ingest("yuantong", "YT8600000001", ytoEvents[0]); code != 200 {
		t.Fatalf("ingest after the memory was freed: %d %v", code, out)
	}
}
