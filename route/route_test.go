package route

import (
	"testing"
	"time"

	"github.com/trackpush/trackpush"
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
