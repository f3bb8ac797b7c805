package source

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

// fakeKuaidi100 implements the original service's real-time query API as
// documented: form customer, param, sign = upper MD5(param+key+customer);
// answers the lastResult shape, or {result:false, returnCode, message}.
type fakeKuaidi100 struct {
	customer, key string
	mu            sync.Mutex
	shipments     map[string][]map[string]string // com/num → data, newest first
	calls         int
	answer        string // when set, answered verbatim
	status        int
}

func (f *fakeKuaidi100) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	fail := func(code, msg string) {
		json.NewEncoder(w).Encode(map[string]any{"result": false, "returnCode": code, "message": msg})
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		return
	}
	if f.answer != "" {
		w.Write([]byte(f.answer))
		return
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		fail("500", "没有POST提交")
		return
	}
	customer, param, sign := r.PostForm.Get("customer"), r.PostForm.Get("param"), r.PostForm.Get("sign")
	if customer == "" || param == "" || sign == "" {
		fail("400", "提交的数据不完整")
		return
	}
	if customer != f.customer || sign != querySign(param, f.key, customer) {
		fail("503", "验证签名失败")
		return
	}
	var p struct{ Com, Num string }
	if json.Unmarshal([]byte(param), &p) != nil || p.Com == "" || p.Num == "" {
		fail("400", "提交的数据不完整，或者快递公司参数错误")
		return
	}
	if p.Com == "nosuch" {
		fail("400", "找不到对应公司")
		return
	}
	data, ok := f.shipments[p.Com+"/"+p.Num]
	if !ok {
		fail("500", "查询无结果，请隔段时间再查")
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"message": "ok", "nu": p.Num, "ischeck": "0", "condition": "F00",
		"com": p.Com, "status": "200", "state": "0", "data": data})
}

func TestKuaidi100Upstream(t *testing.T) {
	f := &fakeKuaidi100{customer: "CUST", key: "KEY", shipments: map[string][]map[string]string{
		"yuantong/YT123456789": {
			{"time": "2022-01-11 23:34:51", "ftime": "2022-01-11 23:34:51", "context": "【深圳转运中心】 已发出"},
			{"time": "2022-01-10 14:25:24", "ftime": "2022-01-10 14:25:24", "context": "【广东省惠州市公司】 已揽收"},
		},
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	k := &Kuaidi100{URL: srv.URL, Customer: "CUST", Key: "KEY"}
	evs, err := k.Track(ctx, Query{Com: "yuantong", Nu: "YT123456789"})
	if err != nil || len(evs) != 2 || evs[1].Context != "【广东省惠州市公司】 已揽收" || evs[1].Time != "2022-01-10 14:25:24" {
		t.Fatalf("track: %+v %v", evs, err)
	}
	if _, err := k.Track(ctx, Query{Com: "yuantong", Nu: "YT000000000"}); !errors.Is(err, ErrNoRecord) {
		t.Fatalf("no record: %v", err)
	}
	if _, err := k.Track(ctx, Query{Com: "nosuch", Nu: "YT123456789"}); !errors.Is(err, ErrRejected) {
		t.Fatalf("unknown company: %v", err)
	}
	bad := &Kuaidi100{URL: srv.URL, Customer: "CUST", Key: "WRONG"}
	if _, err := bad.Track(ctx, Query{Com: "yuantong", Nu: "YT123456789"}); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "503") {
		t.Fatalf("bad sign: %v", err)
	}
	for _, c := range []struct {
		answer string
		status int
		want   error
	}{
		{`{"result":false,"returnCode":"502","message":"服务器繁忙"}`, 0, ErrRateLimited},
		{``, 429, ErrRateLimited},
		{`{"message":"快递公司参数异常：单号不存在或者已经过期","nu":"","ischeck":"0","condition":"","com":"","status":"201","state":"0","data":[]}`, 0, ErrNoRecord},
		{`{"result":false,"returnCode":"601","message":"POLL:KEY已过期"}`, 0, ErrRejected},
	} {
		f.answer, f.status = c.answer, c.status
		if _, err := k.Track(ctx, Query{Com: "yuantong", Nu: "YT123456789"}); !errors.Is(err, c.want) {
			t.Errorf("answer %q (%d): %v, want %v", c.answer, c.status, err, c.want)
		}
	}
	f.answer, f.status = `not json`, 0
	if _, err := k.Track(ctx, Query{Com: "yuantong", Nu: "YT123456789"}); err == nil {
		t.Error("garbage accepted")
	}
	f.status = 502
	if _, err := k.Track(ctx, Query{Com: "yuantong", Nu: "YT123456789"}); err == nil || errors.Is(err, ErrNoRecord) {
		t.Errorf("HTTP 502: %v", err)
	}
}

func TestIntervals(t *testing.T) {
	iv := DefaultIntervals()
	t0 := mustTime("2025-06-16 10:00:00")
	cases := []struct {
		sum      trackpush.Summary
		events   int
		failures int
		dest     bool
		want     string
	}{
		{trackpush.Summary{}, 0, 0, false, "2025-06-16 10:30:00"},
		{trackpush.Summary{State: trackpush.StateTrunk}, 3, 0, false, "2025-06-16 14:00:00"},
		{trackpush.Summary{State: trackpush.StatePickup}, 1, 0, false, "2025-06-16 14:00:00"},
		{trackpush.Summary{State: trackpush.StateArrivedDestCity}, 5, 0, false, "2025-06-16 12:00:00"},
		{trackpush.Summary{State: trackpush.StateTrunk}, 5, 0, true, "2025-06-16 12:00:00"}, // a hub in the destination city
		{trackpush.Summary{State: trackpush.StateDelivery}, 6, 0, true, "2025-06-16 11:00:00"},
		{trackpush.Summary{State: trackpush.StateAtLocker}, 7, 0, false, "2025-06-16 11:00:00"},
		{trackpush.Summary{State: trackpush.StateSigned, Finished: true}, 8, 0, true, ""},
		{trackpush.Summary{State: trackpush.StateTrunk}, 3, 1, false, "2025-06-16 10:05:00"},
		{trackpush.Summary{State: trackpush.StateTrunk}, 3, 3, false, "2025-06-16 10:20:00"},
		{trackpush.Summary{State: trackpush.StateTrunk}, 3, 40, false, "2025-06-16 14:00:00"},
	}
	for _, c := range cases {
		got := iv.Next(t0, c.sum, c.events, c.failures, c.dest)
		s := ""
		if !got.IsZero() {
			s = trackpush.FormatTime(got)
		}
		if s != c.want {
			t.Errorf("Next(%+v, %d events, %d failures) = %q, want %q", c.sum, c.events, c.failures, s, c.want)
		}
	}
}

func mustTime(s string) time.Time {
	t, ok := trackpush.ParseTime(s)
	if !ok {
		panic(s)
	}
	return t
}
