package status

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

var t0 = time.Date(2024, 5, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

func ev(minutes, seq int, adv trackpush.State) Event {
	return Event{Time: t0.Add(time.Duration(minutes) * time.Minute), Seq: seq, Result: Result{Basic: adv.Basic(), Advanced: adv}}
}

func TestSortTimeThenSeq(t *testing.T) {
	events := []Event{ev(30, 4, 5), ev(10, 1, 1002), ev(30, 3, 1001), ev(0, 0, 103), ev(10, 2, 1002)}
	Sort(events)
	wantSeq := []int{0, 1, 2, 3, 4}
	for i, e := range events {
		if e.Seq != wantSeq[i] {
			t.Fatalf("sorted seqs: got %v at %d, want %v", e.Seq, i, wantSeq)
		}
	}
}

func TestSortStable(t *testing.T) {
	// Equal time and Seq (a caller that did not number events): the
	// input order is kept.
	events := []Event{ev(5, 0, 1002), ev(5, 0, 1001), ev(1, 0, 103)}
	Sort(events)
	if events[0].Result.Advanced != 103 || events[1].Result.Advanced != 1002 || events[2].Result.Advanced != 1001 {
		t.Fatalf("not stable: %+v", events)
	}
}

func TestSummarize(t *testing.T) {
	cases := []struct {
		name     string
		events   []Event
		state    trackpush.State
		isCheck  bool
		finished bool
		newest   int
	}{
		{"empty", nil, 0, false, false, -1},
		{"in transit", []Event{ev(0, 0, 103), ev(60, 1, 1002)}, 1002, false, false, 1},
		{"out of order", []Event{ev(120, 2, 5), ev(0, 0, 103), ev(60, 1, 1002)}, 5, false, false, 0},
		// The newer event arrived first; the older one arriving late must
		// not overwrite it.
		{"late older event", []Event{ev(120, 0, 5), ev(60, 1, 1001)}, 5, false, false, 0},
		// Equal timestamps: arrival order breaks the tie.
		{"equal times", []Event{ev(60, 1, 304), ev(60, 0, 501)}, 304, true, true, 0},
		{"equal times reversed", []Event{ev(60, 0, 304), ev(60, 1, 501)}, 501, false, false, 1},
		{"signed", []Event{ev(0, 0, 103), ev(60, 1, 5), ev(90, 2, 301)}, 301, true, true, 2},
		{"signed at locker", []Event{ev(60, 1, 501), ev(90, 2, 304)}, 304, true, true, 1},
		{"signed after return", []Event{ev(0, 0, 203), ev(60, 1, 6), ev(90, 2, 4)}, 4, true, true, 2},
		{"returning is not signed", []Event{ev(0, 0, 203), ev(60, 1, 6)}, 6, false, false, 1},
		{"refused is not signed", []Event{ev(60, 0, 14)}, 14, false, false, 0},
		{"cancelled is not signed", []Event{ev(60, 0, 401)}, 401, false, false, 0},
		// A late scan stamped before the signature does not reopen it.
		{"late scan after signature", []Event{ev(90, 0, 3), ev(30, 1, 1001)}, 3, true, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := append([]Event(nil), c.events...)
			got := Summarize(in)
			want := Summary{State: c.state, IsCheck: c.isCheck, Finished: c.finished, Newest: c.newest}
			if got != want {
				t.Errorf("Summarize = %+v, want %+v", got, want)
			}
			for i := range in {
				if in[i] != c.events[i] {
					t.Fatalf("Summarize modified its input")
				}
			}
			// After Sort the newest event is the last one, with the same state.
			Sort(in)
			if s := Summarize(in); len(in) > 0 && (s.Newest != len(in)-1 || s.State != got.State || s.IsCheck != got.IsCheck) {
				t.Errorf("after Sort: %+v, want newest %d and state %d", s, len(in)-1, got.State)
			}
		})
	}
}

// TestSummarizeAnyOrder shuffles a shipment many times: the summary never
// changes with the order events arrive in.
func TestSummarizeAnyOrder(t *testing.T) {
	base := []Event{ev(0, 0, 101), ev(10, 1, 103), ev(20, 2, 1002), ev(20, 3, 1002), ev(40, 4, 1001),
		ev(50, 5, 5), ev(60, 6, 204), ev(70, 7, 5), ev(80, 8, 302)}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		in := append([]Event(nil), base...)
		rng.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
		got := Summarize(in)
		if got.State != 302 || !got.IsCheck || !got.Finished || in[got.Newest].Seq != 8 {
			t.Fatalf("Summarize(%v) = %+v", in, got)
		}
	}
}

func TestIsSigned(t *testing.T) {
	for _, s := range trackpush.States() {
		want := s.Basic() == 3 || s == 4
		if IsSigned(s) != want {
			t.Errorf("IsSigned(%d) = %v, want %v", s, !want, want)
		}
	}
}

// TestSummarizeClassified runs a whole shipment through Classify, feeding
// Prev as a caller would, and checks the summary.
func TestSummarizeClassified(t *testing.T) {
	texts := []string{
		"【杭州市】【西湖文三】的 某某 已揽收",
		"【杭州市】快件离开【杭州中转部】已发往【武汉中转部】",
		"【武汉市】快件已经到达【武汉中转部】",
		"【武汉市】【洪山光谷】的某某 正在第1次派件",
		"【武汉市】【洪山光谷】的派件员某某进行了问题件扫描，原因：收件人电话无人接听",
		"【武汉市】【洪山光谷】的某某 正在第2次派件",
		"【武汉市】快件已签收，签收人：拍照签收",
	}
	cities := []string{cityHZ, cityHZ, cityWH, cityWH, cityWH, cityWH, cityWH}
	want := []trackpush.State{1, 1002, 1002, 5, 206, 5, 302}
	var prev []trackpush.State
	var events []Event
	for i, text := range texts {
		r := Classify(text, Context{Com: "zhongtong", Prev: prev, City: cities[i], DestCity: cityWH})
		if r.Advanced != want[i] {
			t.Errorf("event %d %q = %d (%s), want %d", i, text, r.Advanced, r.Rule, want[i])
		}
		prev = append(prev, r.Advanced)
		events = append(events, Event{Time: t0.Add(time.Duration(i) * time.Hour), Seq: len(texts) - i, Result: r})
	}
	s := Summarize(events)
	if s.State != 302 || !s.IsCheck || !s.Finished || s.Newest != len(events)-1 {
		t.Errorf("Summarize = %+v", s)
	}
}
