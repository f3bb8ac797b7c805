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
		{[]string{"A", "B", "A"}, true},
		{[]string{"A", "B", "C", "B", "D"}, true},
		{[]string{"A", "B", "", "B", "C"}, false},
	}
	for _, c := range cases {
		if got := IsLoop(evs(c.cities...)); got != c.want {
			t.Errorf("IsLoop(%v) = %v, want %v", c.cities, got, c.want)
		}
	}
	// A return's way back is not a loop.
	back := evs("A", "B", "A")
	back[2].State = trackpush.StateReturning
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
	e := evs("A", "B", "C", "B", "D")
	l := FindLoop(e)
	if l == nil {
		t.Fatal("no loop found in A B C B D")
	}
	// B was left at C's scan (hour 2) and came back at hour 3.
	if l.AreaCode != "CNB" || !l.LeftAt.Equal(e[2].Time) || !l.BackAt.Equal(e[3].Time) {
		t.Fatalf("reason %+v", l)
	}
	if FindLoop(evs("A", "A", "B")) != nil {
		t.Fatal("loop in A A B")
	}
}

// TestFindLoopReal: the real development trajectories do not loop, but
// for the one with a stray scan at an outlet of another city (苏州 → a
// 无锡 outlet → back at 苏州's hub), which today's rule counts as a loop —
// its reason says exactly that. (The rule is to become: a single stray
// scan is no loop.)
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
		l := FindLoop(scans(t, h, lines...))
		if tr.ID == "k100-yto-2021-suzhou-wuxi-partial" {
			if l == nil || l.Place != "苏州转运中心" || l.AreaCode != "CN320500000000" ||
				!l.LeftAt.Equal(at("2021-12-15 19:18:27")) || !l.BackAt.Equal(at("2021-12-15 20:11:25")) {
				t.Errorf("%s: reason %+v", tr.ID, l)
			}
			continue
		}
		if l != nil {
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
