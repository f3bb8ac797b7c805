package enrich

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

// A real push or query answer of the original service
// (testdata/samples, a copy of shared/data/samples).
type sample struct {
	Source string `json:"source"`
	Body   struct {
		Status     string        `json:"status"`
		BillStatus string        `json:"billstatus"`
		Message    string        `json:"message"`
		LastResult *sampleResult `json:"lastResult"`
		sampleResult
	} `json:"body"`
}

type sampleResult struct {
	State     string `json:"state"`
	IsCheck   string `json:"ischeck"`
	Com       string `json:"com"`
	Nu        string `json:"nu"`
	IsLoop    *bool  `json:"isLoop"`
	Loop      *bool  `json:"loop"` // one sample spells it so
	RouteInfo *struct {
		From, Cur, To *struct{ Number, Name string }
	} `json:"routeInfo"`
	Data []struct {
		Time, Context string
		Status        string
		StatusCode    string
		AreaCode      *string
	} `json:"data"`
}

// finer lists where trackpush knowingly sends another code than the
// original service for a scan (README "Compatibility"; docs/protocol.md):
// its code, the original's, and why.
var finer = []struct {
	ours, theirs trackpush.State
	why          string
}{
	{5, 0, "正在派送…请您准备签收 is out for delivery (JD's push says 在途)"},
	{501, 0, "a parcel waiting at a station (…代收，请及时取件) is 501 until taken"},
	{501, 3, "a parcel left in a locker (…送达…智能柜…保管) is 501 until taken, or signed after the locker wait"},
	{1001, 5, "到达目的地网点，快件很快进行派送 has reached the delivering outlet, not yet out for delivery"},
}

// agrees reports whether our code matches the original's: equal, a finer
// code of the bare basic code the original sent (but 103: the original
// sends a pickup as 1, and so does trackpush), or a listed difference.
func agrees(ours, theirs trackpush.State) bool {
	if ours == theirs || theirs.IsBasic() && ours.Basic() == theirs && ours != trackpush.StatePickedUp {
		return true
	}
	return slices.ContainsFunc(finer, func(f struct {
		ours, theirs trackpush.State
		why          string
	}) bool {
		return f.ours == ours && f.theirs == theirs
	})
}

// TestOriginalSamples runs the events of each real sample of the original
// service through the pipeline at the sample's resultv2 level and compares
// what trackpush sends with what the original sent: each event's status,
// the shipment's state and ischeck, the push status, isLoop and the
// routeInfo names.
func TestOriginalSamples(t *testing.T) {
	files, err := filepath.Glob("../testdata/samples/*.json")
	if err != nil || len(files) < 10 {
		t.Fatalf("samples: %v %v", files, err)
	}
	// The ends the subscriber gave, where the sample's routeInfo shows ends
	// its events cannot (the JD parcel's delivery scans name no place).
	given := map[string][2]string{
		"push_shutdown_jd_state304.json": {"", "陕西省西安市灞桥区"},
	}
	checked := 0
	for _, f := range files {
		name := filepath.Base(f)
		if !strings.HasPrefix(name, "push_") && !strings.HasPrefix(name, "query_response") && !strings.HasPrefix(name, "maptrack_") {
			continue // not a trajectory
		}
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var s sample
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
			lr := &s.Body.sampleResult
			if s.Body.LastResult != nil {
				lr = s.Body.LastResult
			}
			if len(lr.Data) == 0 {
				t.Skip("no events")
			}
			if strings.Contains(name, "simulated") {
				t.Skip("simulated by its author, not the original's output")
			}
			level := trackpush.LevelNone
			for _, d := range lr.Data {
				if d.StatusCode != "" {
					level = trackpush.LevelAdvanced
				} else if d.Status != "" && level < trackpush.LevelRegion {
					level = trackpush.LevelRegion
				}
			}
			var from, to *trackpush.Area
			if g, ok := given[name]; ok {
				if g[0] != "" {
					from = AreaOf(region.ResolveAddress(g[0]))
				}
				to = AreaOf(region.ResolveAddress(g[1]))
			}
			raws := make([]trackpush.RawEvent, len(lr.Data))
			for i, d := range lr.Data {
				raws[i] = trackpush.RawEvent{Time: d.Time, Context: d.Context}
			}
			evs, err := Trajectory(Shipment{Com: lr.Com, From: from, To: to}, raws)
			if err != nil {
				t.Fatal(err)
			}
			sum := Summarize(evs)
			if sum.State == trackpush.StateAtLocker {
				// The sample's last event is years old: the locker wait
				// (trackpush.SettleAtLocker) is long over.
				trackpush.SettleAtLocker(&sum)
			}
			h := &trackpush.Shipment{Com: lr.Com, Nu: lr.Nu, Summary: sum}
			ours := LastResult(h, evs, level, from, to, time.Now())

			// Each event's status (evs are in the sample's order).
			for i, d := range lr.Data {
				var theirs trackpush.State
				var ok bool
				switch {
				case d.StatusCode != "":
					theirs, ok = trackpush.ParseState(d.StatusCode)
				case d.Status != "":
					theirs, ok = stateNamed(d.Status)
				}
				if !ok {
					continue
				}
				if st := evs[i].State; !agrees(st, theirs) {
					t.Errorf("event %d: ours %d %s, the original's %d %s: %s", i, st, st.Name(), theirs, theirs.Name(), d.Context)
				}
			}
			// The shipment: ischeck, state, the push status.
			if ours.IsCheck != lr.IsCheck {
				t.Errorf("ischeck %s, the original's %s", ours.IsCheck, lr.IsCheck)
			}
			st, _ := trackpush.ParseState(ours.State)
			theirs, _ := trackpush.ParseState(lr.State)
			// At resultv2 4 the original sent the basic 0 for a parcel in
			// transit where its document's example sends 1002.
			if !agrees(st, theirs) && !(theirs == trackpush.StateInTransit && st.Basic() == theirs) {
				t.Errorf("state %s, the original's %s", ours.State, lr.State)
			}
			switch s.Body.Status {
			case trackpush.PushShutdown:
				if !sum.Finished {
					t.Errorf("the original shut down, trackpush keeps polling (state %d)", sum.State)
				}
			case trackpush.PushPolling:
				if sum.Finished {
					t.Errorf("the original keeps polling, trackpush shuts down (state %d)", sum.State)
				}
				if msg := billMessages[trackpush.BillStatus(sum.State.Basic())]; s.Body.BillStatus != "" &&
					(msg != s.Body.Message || trackpush.BillStatus(sum.State.Basic()) != s.Body.BillStatus) {
					t.Errorf("billstatus %s, message %q; the original's %s, %q", trackpush.BillStatus(sum.State.Basic()), msg, s.Body.BillStatus, s.Body.Message)
				}
			}
			// isLoop and routeInfo, where the original sent them.
			loop := lr.IsLoop
			if loop == nil {
				loop = lr.Loop
			}
			if loop != nil && level >= trackpush.LevelAdvanced && *ours.IsLoop != *loop {
				t.Errorf("isLoop %v, the original's %v", *ours.IsLoop, *loop)
			}
			if ri := lr.RouteInfo; ri != nil && level >= trackpush.LevelAdvanced {
				got := route3(ours.RouteInfo)
				t.Logf("routeInfo: from %+v, cur %+v, to %+v", got[0], got[1], got[2])
				for k, want := range [3]*struct{ Number, Name string }{ri.From, ri.Cur, ri.To} {
					part := [3]string{"from", "cur", "to"}[k]
					switch {
					case want == nil && got[k] != nil:
						t.Errorf("routeInfo.%s %q, the original's null", part, got[k].Name)
					case want != nil && (got[k] == nil || !strings.HasPrefix(got[k].Name, want.Name)):
						// trackpush may name a finer place (a town) than the original.
						t.Errorf("routeInfo.%s %+v, the original's %q", part, got[k], want.Name)
					}
				}
			}
			checked++
		})
	}
	if checked < 9 {
		t.Errorf("only %d samples checked", checked)
	}
}

func route3(ri *trackpush.RouteInfo) [3]*trackpush.RoutePoint {
	if ri == nil {
		return [3]*trackpush.RoutePoint{}
	}
	return [3]*trackpush.RoutePoint{ri.From, ri.Cur, ri.To}
}

// stateNamed returns the code of a status name (basic names first).
func stateNamed(name string) (trackpush.State, bool) {
	for _, s := range trackpush.States() {
		if s.IsBasic() && s.Name() == name {
			return s, true
		}
	}
	for _, s := range trackpush.States() {
		if s.Name() == name {
			return s, true
		}
	}
	return 0, false
}
