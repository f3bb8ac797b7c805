package enrich

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/trackpush/trackpush/internal/devdata"

	"github.com/trackpush/trackpush"
)

type devRow struct {
	Com, Nu, Time, Context string
	Status, StatusCode     string
	StatusScheme           string `json:"statusScheme"`
	Label                  struct {
		Basic, Advanced          int
		Province, City, District string
	}
}

func loadDev(t testing.TB) []devRow {
	t.Helper()
	f, err := os.Open("../testdata/real_events_dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []devRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r devRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// kdniaoCodes maps 快递鸟 (kdniao) state codes to the protocol's.
var kdniaoCodes = map[string]trackpush.State{
	"1": 1, "2": 0, "201": 1001, "202": 5, "211": 501, "3": 3, "301": 301, "302": 302, "304": 303, "311": 304,
	"4": 2, "401": 2, "402": 201, "403": 202, "404": 203, "405": 204, "406": 4, "407": 6, "412": 205,
}

// TestDevAccuracy runs the whole pipeline (region engine, then status
// engine with the region engine's cities; no route given, so the delivery
// city stands in for the destination) over the real dev events and
// compares with the project's labels and, where present, the original
// service's.
func TestDevAccuracy(t *testing.T) {
	rows := loadDev(t)
	type ship struct{ idx []int }
	ships := map[string]*ship{}
	var order []string
	for i, r := range rows {
		k := r.Com + "/" + r.Nu
		if ships[k] == nil {
			ships[k] = &ship{}
			order = append(order, k)
		}
		ships[k].idx = append(ships[k].idx, i)
	}
	states := make([]trackpush.State, len(rows))
	for _, k := range order {
		s := ships[k]
		var raws []trackpush.RawEvent
		for _, i := range s.idx {
			raws = append(raws, trackpush.RawEvent{Time: rows[i].Time, Context: rows[i].Context})
		}
		evs, err := Trajectory(Shipment{Com: rows[s.idx[0]].Com}, raws)
		if err != nil {
			t.Fatal(err)
		}
		for j, i := range s.idx {
			states[i] = evs[j].State
		}
	}
	// The project's labels under the original's conventions.
	want := make([]trackpush.State, len(rows))
	for _, k := range order {
		prev := trackpush.State(-1)
		for _, i := range ships[k].idx {
			r := rows[i]
			prev = devdata.Convention(trackpush.State(r.Label.Advanced), r.Context, r.Label.City == "", prev)
			want[i] = prev
		}
	}
	var basicOK, advOK, origN, origBasicOK, origAdvN, origAdvOK int
	for i, r := range rows {
		got := states[i]
		if got.Basic() == want[i].Basic() {
			basicOK++
		} else {
			t.Logf("basic miss: got %d, label %d (convention %d): %s", got, r.Label.Basic, want[i].Basic(), r.Context)
		}
		if got == want[i] {
			advOK++
		} else {
			t.Logf("advanced miss: got %d, label %d (convention %d): %s", got, r.Label.Advanced, want[i], r.Context)
		}
		if r.StatusCode == "" {
			continue
		}
		orig, ok := trackpush.ParseState(r.StatusCode)
		if r.StatusScheme == "kdniao" {
			orig, ok = kdniaoCodes[r.StatusCode]
		}
		if !ok {
			continue
		}
		origN++
		if got.Basic() == orig.Basic() {
			origBasicOK++
		}
		if !orig.IsBasic() {
			origAdvN++
			if got == orig {
				origAdvOK++
			}
		}
	}
	n := len(rows)
	basic := float64(basicOK) / float64(n)
	t.Logf("basic state: %d/%d = %.3f; advanced: %d/%d = %.3f", basicOK, n, basic, advOK, n, float64(advOK)/float64(n))
	t.Logf("against the original service's labels: basic %d/%d, advanced (finer codes) %d/%d", origBasicOK, origN, origAdvOK, origAdvN)
	if basic < 0.97 {
		t.Errorf("basic accuracy %.3f below 0.97", basic)
	}
	if float64(advOK)/float64(n) < 0.9 {
		t.Errorf("advanced accuracy %.3f below 0.9", float64(advOK)/float64(n))
	}
}
