package status

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/trackpush/trackpush/internal/devdata"

	"github.com/trackpush/trackpush"
)

// devRow is one line of testdata/real_events_dev.jsonl.
type devRow struct {
	Com          string `json:"com"`
	Nu           string `json:"nu"`
	Time         string `json:"time"`
	Context      string `json:"context"`
	Status       string `json:"status"`
	StatusCode   string `json:"statusCode"`
	StatusScheme string `json:"statusScheme"`
	Label        struct {
		Basic    int    `json:"basic"`
		Advanced int    `json:"advanced"`
		Province string `json:"province"`
		City     string `json:"city"`
	} `json:"label"`

	line int       // 0-based line number in the file
	at   time.Time // parsed Time
	seq  int       // arrival order within its shipment
}

func (r *devRow) city() string { return r.Label.Province + r.Label.City }

const devFile = "../testdata/real_events_dev.jsonl"

func readDev(tb testing.TB) []*devRow {
	tb.Helper()
	f, err := os.Open(devFile)
	if err != nil {
		tb.Fatalf("open dev events: %v", err)
	}
	defer f.Close()
	var rows []*devRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r devRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("line %d: %v", len(rows)+1, err)
		}
		r.line = len(rows)
		r.at, err = time.ParseInLocation("2006-01-02 15:04:05", r.Time, time.FixedZone("CST", 8*3600))
		if err != nil {
			tb.Fatalf("line %d: time: %v", r.line+1, err)
		}
		rows = append(rows, &r)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read dev events: %v", err)
	}
	if len(rows) < 200 {
		tb.Fatalf("only %d dev events", len(rows))
	}
	return rows
}

// devShipments groups rows by com+nu and returns each shipment oldest
// first. The file lists most shipments newest first but some oldest first,
// so the arrival order (Seq) is taken from the file order in the direction
// of its times, and events are sorted with this package's Sort.
func devShipments(rows []*devRow) [][]*devRow {
	var keys []string
	groups := map[string][]*devRow{}
	for _, r := range rows {
		k := r.Com + "\x00" + r.Nu
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	var out [][]*devRow
	for _, k := range keys {
		g := groups[k]
		newestFirst := g[0].at.After(g[len(g)-1].at)
		evs := make([]Event, len(g))
		for i, r := range g {
			r.seq = i
			if newestFirst {
				r.seq = len(g) - 1 - i
			}
			evs[i] = Event{Time: r.at, Seq: r.seq, Result: Result{Rule: strconv.Itoa(i)}}
		}
		Sort(evs)
		sorted := make([]*devRow, len(g))
		for i, e := range evs {
			j, _ := strconv.Atoi(e.Result.Rule)
			sorted[i] = g[j]
		}
		out = append(out, sorted)
	}
	return out
}

// kdniaoToOurs maps 快递鸟 (kdniao) state codes to ours.
var kdniaoToOurs = map[string]trackpush.State{
	"1": 1, "2": 0, "201": 1001, "202": 5, "211": 501,
	"3": 3, "301": 301, "302": 302, "304": 304, "311": 304,
	"4": 2, "401": 202, "402": 201, "403": 202, "404": 14, "405": 204,
	"406": 4, "407": 6, "412": 205,
}

// originalState returns the original service's label of a row, mapped to
// our codes, and whether it carries an advanced code.
func originalState(r *devRow) (st trackpush.State, advanced, ok bool) {
	if r.StatusScheme == "kdniao" {
		st, ok = kdniaoToOurs[r.StatusCode]
		return st, ok, ok
	}
	if r.StatusCode != "" {
		st, ok = trackpush.ParseState(r.StatusCode)
		return st, ok, ok
	}
	if r.Status != "" {
		for _, s := range trackpush.States() {
			if s.Name() == r.Status {
				return s, false, true
			}
		}
	}
	return 0, false, false
}

type devResult struct {
	row *devRow
	got Result
}

// classifyDev classifies every dev row as a caller would: in time order,
// with Prev holding this classifier's own earlier results, City the row's
// labelled city and DestCity the city of the shipment's newest located
// event.
func classifyDev(tb testing.TB) []devResult {
	var out []devResult
	for _, ship := range devShipments(readDev(tb)) {
		dest := ""
		for i := len(ship) - 1; i >= 0; i-- {
			if c := ship[i].city(); c != "" {
				dest = c
				break
			}
		}
		var prev []trackpush.State
		for _, r := range ship {
			got := Classify(r.Context, Context{Com: r.Com, Prev: prev, City: r.city(), DestCity: dest})
			prev = append(prev, got.Advanced)
			out = append(out, devResult{r, got})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].row.line < out[j].row.line })
	return out
}

// knownMisses are the dev rows (0-based line) this package does not match,
// and why. They count as misses all the same; no rule is bent to them.
//
// None of them disputes the label's reading of the text: all six come from
// the test's DestCity ("the city of the shipment's newest located event"),
// which is not the real destination when the recorded trajectory stops
// before it. The project labels are right for these rows.
var knownMisses = map[int]string{
	// The recording stops at 深圳 (下一站【乌鲁木齐转运场】): DestCity is 深圳.
	47: "truncated trajectory: test DestCity 深圳 is not the destination (乌鲁木齐)",
	48: "truncated trajectory: test DestCity 深圳 is not the destination (乌鲁木齐)",
	// The recording stops at 苏州 (下一站【无锡转运中心】): DestCity is 苏州.
	87: "truncated trajectory: test DestCity 苏州 is not the destination",
	88: "truncated trajectory: test DestCity 苏州 is not the destination",
	// One number carries a 2015 shipment (广州) and a 2016 one (US → 香港 →
	// EMS); the newest located event is in 香港.
	114: "two shipments share one number: test DestCity is 香港",
	// Two events only, both at the origin: DestCity is 广元.
	194: "truncated trajectory: test DestCity 广元 is not the destination (发往南充)",
}

func TestAccuracyDev(t *testing.T) {
	res := classifyDev(t)
	conv := map[int]trackpush.State{} // by line
	for _, ship := range devShipments(readDev(t)) {
		prev := trackpush.State(-1)
		for _, r := range ship {
			prev = devdata.Convention(trackpush.State(r.Label.Advanced), r.Context, r.city() == "", prev)
			conv[r.line] = prev
		}
	}
	var basicOK, advOK, n int
	var origN, origBasicOK, origAdvN, origAdvOK, origRefN, origRefOK, labelOrigOK, unexplained int
	type miss struct{ label, got trackpush.State }
	confusion := map[miss]int{}
	for _, x := range res {
		r, got := x.row, x.got
		n++
		if got.Basic == conv[r.line].Basic() {
			basicOK++
		} else {
			t.Logf("basic miss  line %3d %-13s label %d/%d got %d/%d (%s)%s: %s", r.line, r.Com,
				r.Label.Basic, r.Label.Advanced, got.Basic, got.Advanced, got.Rule, disputed(r.line), r.Context)
		}
		if want := conv[r.line]; got.Advanced == want {
			advOK++
		} else {
			confusion[miss{want, got.Advanced}]++
			if _, ok := knownMisses[r.line]; !ok {
				unexplained++
			}
			t.Logf("adv miss    line %3d %-13s label %d/%d (convention %d) got %d/%d (%s)%s: %s", r.line, r.Com,
				r.Label.Basic, r.Label.Advanced, want, got.Basic, got.Advanced, got.Rule, disputed(r.line), r.Context)
		}
		if orig, adv, ok := originalState(r); ok {
			origN++
			if got.Basic == orig.Basic() {
				origBasicOK++
			} else {
				t.Logf("vs original line %3d %-13s original %s=%d got %d/%d (%s): %s", r.line, r.Com,
					r.Status, orig, got.Basic, got.Advanced, got.Rule, r.Context)
			}
			if r.Label.Basic == int(orig.Basic()) {
				labelOrigOK++
			}
			if adv {
				origAdvN++
				if got.Advanced == orig {
					origAdvOK++
				}
				// Refined codes only: kdniao's plain 在途中/揽收/签收
				// say nothing finer than the basic state.
				if orig != orig.Basic() {
					origRefN++
					if got.Advanced == orig {
						origRefOK++
					}
				}
			}
		}
	}
	var keys []miss
	for k := range confusion {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return confusion[keys[i]] > confusion[keys[j]] })
	for _, k := range keys {
		t.Logf("confusion: label %d → got %d: %d", k.label, k.got, confusion[k])
	}
	basic := float64(basicOK) / float64(n)
	t.Logf("events %d: basic accuracy %.4f (%d/%d), advanced accuracy (the project's labels under the original's conventions) %.4f (%d/%d)",
		n, basic, basicOK, n, float64(advOK)/float64(n), advOK, n)
	if origN > 0 {
		t.Logf("original service's labels on %d events: basic agreement %.4f (%d/%d), project labels vs original %.4f",
			origN, float64(origBasicOK)/float64(origN), origBasicOK, origN, float64(labelOrigOK)/float64(origN))
		t.Logf("original's advanced codes: agreement %.4f (%d/%d); on refined codes (not a bare basic code) %.4f (%d/%d) ",
			float64(origAdvOK)/float64(max(origAdvN, 1)), origAdvOK, origAdvN, float64(origRefOK)/float64(max(origRefN, 1)), origRefOK, origRefN)
	}
	if basic < 0.97 {
		t.Errorf("basic accuracy %.4f < 0.97", basic)
	}
	if unexplained > 0 {
		t.Errorf("%d advanced misses are not in knownMisses", unexplained)
	}
	// Advanced accuracy is a regression guard, not a target: it depends on
	// City/DestCity, which the test derives from the labels.
	if adv := float64(advOK) / float64(n); adv < 0.9 {
		t.Errorf("advanced accuracy %.4f < 0.90", adv)
	}
}

func disputed(line int) string {
	if why, ok := knownMisses[line]; ok {
		return fmt.Sprintf(" [known: %s]", why)
	}
	return ""
}

// TestDevWithoutContext classifies the dev texts with no context at all, as
// a caller that knows nothing but the text would. Basic codes must hold up.
func TestDevWithoutContext(t *testing.T) {
	rows := readDev(t)
	ok := 0
	for _, r := range rows {
		got := Classify(r.Context, Context{})
		if int(got.Basic) == r.Label.Basic {
			ok++
		} else {
			t.Logf("line %3d label %d got %d/%d (%s): %s", r.line, r.Label.Basic, got.Basic, got.Advanced, got.Rule, r.Context)
		}
	}
	acc := float64(ok) / float64(len(rows))
	t.Logf("basic accuracy without context: %.4f (%d/%d)", acc, ok, len(rows))
	if acc < 0.97 {
		t.Errorf("basic accuracy without context %.4f < 0.97", acc)
	}
}
