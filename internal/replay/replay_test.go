package replay

import (
	"testing"

	"github.com/trackpush/trackpush"
)

func TestTrajectories(t *testing.T) {
	ts, err := Trajectories()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 6 {
		t.Fatalf("%d trajectories, want 6", len(ts))
	}
	seen := map[string]bool{}
	for _, tr := range ts {
		if tr.Com == "" || len(tr.Nu) < 6 || len(tr.Events) < 4 || seen[tr.Nu] {
			t.Errorf("%s: com %q nu %q events %d", tr.ID, tr.Com, tr.Nu, len(tr.Events))
		}
		seen[tr.Nu] = true
		for i := 1; i < len(tr.Times); i++ {
			if tr.Times[i].Before(tr.Times[i-1]) {
				t.Errorf("%s: events not in time order", tr.ID)
			}
		}
		if _, ok := trackpush.ParseTime(tr.Events[0].Time); !ok {
			t.Errorf("%s: time %q", tr.ID, tr.Events[0].Time)
		}
		if tr.From == "" || tr.To == "" {
			t.Errorf("%s: route %q → %q", tr.ID, tr.From, tr.To)
		}
		if tr.Span() <= 0 {
			t.Errorf("%s: no span", tr.ID)
		}
	}
	if ts[0].From != "广东惠州市" || ts[0].To != "四川成都市双流区" || ts[0].Com != "yuantong" {
		t.Errorf("first: %+v", ts[0])
	}
}
