package route

import (
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/internal/replay"
)

func evs(cities ...string) []trackpush.Event {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, trackpush.CST)
	var out []trackpush.Event
	for i, c := range cities {
		e := trackpush.Event{Seq: int64(i + 1), Time: t0.Add(time.Duration(i) * time.Hour)}
		if c != "" {
			e.Area = &trackpush.Area{Code: "CN" + c, Name: c, City: c}
		}
		out = append(out, e)
	}
	return out
}

func TestIsLoop(t *testing.T) {
	cases := []struct {
		cities []string
		want   bool
	}{
		{nil, false},
		{[]string{"A", "A", "B", "B", "C"}, false},
		{[]string{"A", "", "A", "B"}, false},
		{[]string{"A", "B", "B", "A"}, true},
		{[]string{"A", "B", "C", "C", "B", "D"}, true},
		{[]string{"A", "B", "", "B", "C"}, false},
		// One stray scan at another city's outlet between two stays in one
		// city is not a revisit.
		{[]string{"A", "B", "A"}, false},
		{[]string{"A", "B", "C", "B", "D"}, false},
		{[]string{"A", "A", "B", "A", "C", "C", "A"}, true}, // A … C C … A is a real one
	}
	for _, c := range cases {
		if got := IsLoop(evs(c.cities...)); got != c.want {
			t.Errorf("IsLoop(%v) = %v, want %v", c.cities, got, c.want)
		}
	}
	// A return's way back is not a loop.
	back := evs("A", "B", "B", "A")
	back[3].State = trackpush.StateReturning
	if IsLoop(back) {
		t.Error("a return counted as a loop")
	}
	refused := evs("A", "B", "B", "A")
	refused[2].State = trackpush.StateRejected
	if IsLoop(refused) {
		t.Error("the way back after a refusal counted as a loop")
	}
	// Order is by time, not by arrival: B arriving late does not make A→C a loop.
	e := evs("A", "C", "B")
	e[2].Time = e[0].Time.Add(30 * time.Minute)
	if IsLoop(e) {
		t.Error("out-of-order arrival made a loop")
	}
}

func TestInfo(t *testing.T) {
	e := evs("A", "B", "")
	ri := Info(&trackpush.Area{Code: "CN1", Name: "from"}, nil, e)
	if ri.From.Number != "CN1" || ri.Cur.Name != "B" || ri.To != nil {
		t.Fatalf("%+v %+v %+v", ri.From, ri.Cur, ri.To)
	}
	if Current(evs("", "")) != nil {
		t.Error("no located event")
	}
}

func TestFindLoopReason(t *testing.T) {
	e := evs("A", "B", "C", "C", "B", "D")
	l := FindLoop(e)
	if l == nil {
		t.Fatal("no loop found in A B C C B D")
	}
	// B was left at C's first scan (hour 2) and came back at hour 4.
	if l.AreaCode != "CNB" || !l.LeftAt.Equal(e[2].Time) || !l.BackAt.Equal(e[4].Time) {
		t.Fatalf("reason %+v", l)
	}
	if FindLoop(evs("A", "A", "B")) != nil {
		t.Fatal("loop in A A B")
	}
}

// TestFindLoopReal: the real development trajectories do not loop — not
// even the one with a stray scan at an outlet of another city (苏州 → one
// 无锡 outlet scan → back at 苏州's hub), which the original service does
// not count as a loop (its push of those events says isLoop false).
func TestFindLoopReal(t *testing.T) {
	ts, err := replay.Trajectories()
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		h := shipmentOf(tr.Com, tr.From, tr.To)
		var lines []string
		for _, e := range tr.Events {
			lines = append(lines, e.Time+"|"+e.Context)
		}
		if l := FindLoop(scans(t, h, lines...)); l != nil {
			t.Errorf("%s: loop %+v", tr.ID, l)
		}
	}
}

// TestFindLoopMisroute: a hub that sends the parcel to the wrong hub, which
// sends it back, is a loop; the reason names the hub it came back to, its
// city, when it left and when it came back.
func TestFindLoopMisroute(t *testing.T) {
	h := shipmentOf("yuantong", "广东省惠州市", "四川省成都市双流区")
	evs := scans(t, h,
		"2025-06-16 14:25:24|【广东省惠州市公司】 已揽收",
		"2025-06-16 20:10:00|【广东省惠州市公司】 已发出 下一站 【深圳转运中心公司】",
		"2025-06-16 23:22:33|【深圳转运中心公司】 已收入",
		"2025-06-16 23:34:51|【深圳转运中心】 已发出 下一站 【广州转运中心】",
		"2025-06-17 03:05:00|【广州转运中心】 已收入",
		"2025-06-17 04:40:00|【广州转运中心】 已发出 下一站 【深圳转运中心公司】",
		"2025-06-17 08:01:00|【深圳转运中心公司】 已收入",
		"2025-06-17 09:30:00|【深圳转运中心】 已发出 下一站 【成都转运中心公司】",
		"2025-06-19 09:05:21|【成都转运中心公司】 已收入",
	)
	l := FindLoop(evs)
	if l == nil {
		t.Fatal("no loop")
	}
	if l.Place != "深圳转运中心" || l.AreaCode != "CN440300000000" || l.AreaName != "广东,深圳市" ||
		!l.LeftAt.Equal(at("2025-06-17 03:05:00")) || !l.BackAt.Equal(at("2025-06-17 08:01:00")) {
		t.Fatalf("reason %+v", l)
	}
	// The same trajectory without the detour is no loop.
	if l := FindLoop(append(evs[:4:4], evs[7:]...)); l != nil {
		t.Fatalf("loop without detour: %+v", l)
	}
}

// TestFindLoopReturns: the way back of a refused or returned parcel
// revisits the cities it passed; that is not a loop.
func TestFindLoopReturns(t *testing.T) {
	h := shipmentOf("zhongtong", "上海市浦东新区", "江苏省苏州市常熟市")
	refused := scans(t, h,
		"2025-06-16 17:48:45|【上海市】 【外高桥北部】（021-80370107） 的 某某（186****9757） 已揽收",
		"2025-06-16 21:10:49|【上海市】 快件已经到达 【上海浦东中心】",
		"2025-06-17 03:03:00|【苏州市】 快件已经到达 【昆常转运中心】",
		"2025-06-17 08:04:00|【苏州市】 【常熟天下淘宝四】 的某某（137****4974） 正在第1次派件, 请保持电话畅通,并耐心等待",
		"2025-06-17 10:30:00|【苏州市】 【常熟天下淘宝四】 快件派送不成功，原因：收件人拒收，待进一步处理",
		"2025-06-17 16:00:00|【苏州市】 快件已由【常熟天下淘宝四】退回，将返回寄件人",
		"2025-06-17 21:00:00|【苏州市】 快件已经到达 【昆常转运中心】",
		"2025-06-18 02:00:00|【上海市】 快件已经到达 【上海浦东中心】",
	)
	if l := FindLoop(refused); l != nil {
		t.Fatalf("a refusal's way back counted as a loop: %+v", l)
	}
}

// TestInfoFilled: with no ends given (the classic /poll), routeInfo's from
// is the first located event's place and its to the delivery's once known;
// cur is the next stop a departure announces, as the original's pushes
// have it.
func TestInfoFilled(t *testing.T) {
	h := shipmentOf("yuantong", "", "")
	evs := scans(t, h,
		"2021-12-15 17:10:09|【江苏省苏州市北桥公司】 已揽收",
		"2021-12-15 20:11:25|【苏州转运中心公司】 已收入",
		"2021-12-15 20:15:14|【苏州转运中心】 已发出 下一站 【无锡转运中心公司】",
	)
	ri := Info(nil, nil, evs)
	if ri.From == nil || ri.From.Name != "江苏,苏州市,相城区,北桥" || ri.To != nil || ri.Cur == nil || ri.Cur.Name != "江苏,无锡市" {
		t.Fatalf("in transit: from %+v cur %+v to %+v", ri.From, ri.Cur, ri.To)
	}
	evs = append(evs, scans(t, h,
		"2021-12-16 01:10:00|【无锡转运中心公司】 已收入",
		"2021-12-16 09:00:00|【江苏省无锡市锡新开发区公司】 派件中 派件人: 某某",
		"2021-12-16 11:00:00|已签收，感谢使用圆通速递",
	)...)
	ri = Info(nil, nil, evs)
	if ri.To == nil || ri.To.Name != ri.Cur.Name || ri.Cur.Number == "CN320500000000" {
		t.Fatalf("delivered: from %+v cur %+v to %+v", ri.From, ri.Cur, ri.To)
	}
	// Given ends stand.
	given := &trackpush.Area{Code: "CN110105000000", Name: "北京,朝阳区"}
	if ri := Info(given, given, evs); ri.From.Name != "北京,朝阳区" || ri.To.Name != "北京,朝阳区" {
		t.Fatalf("given ends: %+v %+v", ri.From, ri.To)
	}
}
