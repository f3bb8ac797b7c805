package enrich

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// realTrajectory is one line of testdata/real_trajectories_sample.jsonl.
type realTrajectory struct {
	ID      string `json:"id"`
	Carrier string `json:"carrier"`
	Top     struct {
		RouteInfo *struct {
			From, To *trackpush.RoutePoint
		} `json:"routeInfo"`
	} `json:"top"`
	Events []trackpush.RawEvent `json:"events"`
}

func loadTrajectories(t testing.TB) []realTrajectory {
	t.Helper()
	f, err := os.Open("../testdata/real_trajectories_sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []realTrajectory
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r realTrajectory
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

var comOf = map[string]string{"yuantong": "yuantong", "yto": "yuantong", "YTO": "yuantong", "jd": "jd"}

func areaOfPoint(p *trackpush.RoutePoint) *trackpush.Area {
	if p == nil {
		return nil
	}
	pl, ok := region.Lookup(p.Number)
	if !ok {
		return nil
	}
	return AreaOf(pl)
}

// TestGoldenTrajectories enriches each real trajectory and compares the
// wire's data[] at levels 3 and 5 with the golden files in
// testdata/golden (rewritten with -update; review the diff before
// committing it).
func TestGoldenTrajectories(t *testing.T) {
	for _, tr := range loadTrajectories(t) {
		t.Run(tr.ID, func(t *testing.T) {
			sh := Shipment{Com: comOf[tr.Carrier]}
			if ri := tr.Top.RouteInfo; ri != nil {
				sh.From, sh.To = areaOfPoint(ri.From), areaOfPoint(ri.To)
			}
			evs, err := Trajectory(sh, tr.Events)
			if err != nil {
				t.Fatal(err)
			}
			for _, level := range []trackpush.Level{trackpush.LevelRegion, trackpush.LevelAdvanced} {
				var b bytes.Buffer
				enc := json.NewEncoder(&b)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(Data(evs, level)); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", "golden", tr.ID+".level"+level.String()+".json")
				if *update {
					if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(b.Bytes(), want) {
					t.Errorf("%s differs from the golden file; got:\n%s", path, b.String())
				}
			}
		})
	}
}

func TestDataNewestFirstAndLevels(t *testing.T) {
	raws := []trackpush.RawEvent{
		{Time: "2025-06-16 09:09:03", Context: "您的快件在【陕西省延安市吴起县】已揽收"},
		{Time: "2025-06-16 10:41:33", Context: "您的快件离开【陕西省延安市吴起县】，已发往【西安转运中心】"},
		{Time: "2025-06-16 10:41:33", Context: "快件已发车"}, // same time, later arrival: newer
	}
	evs, err := Trajectory(Shipment{Com: "yuantong"}, raws)
	if err != nil {
		t.Fatal(err)
	}
	d := Data(evs, trackpush.LevelAdvanced)
	if d[0].Context != "快件已发车" || d[2].Context != raws[0].Context {
		t.Fatalf("order: %q, %q, %q", d[0].Context, d[1].Context, d[2].Context)
	}
	if d[0].AreaCode != nil || d[0].AreaName != nil || d[0].Location != "" {
		t.Errorf("an event with no place: %+v", d[0])
	}
	w := d[1]
	if *w.AreaCode != "CN610626000000" || *w.AreaName != "陕西,延安市,吴起县" || w.Location != "延安市,吴起县" ||
		*w.AreaCenter != "108.176976,36.924852" || *w.AreaPinYin != "wu qi xian" || w.StatusCode != "1002" || w.Status != "干线" || w.FTime != "2025-06-16 10:41:33" {
		t.Errorf("level 5 item: %+v", w)
	}
	b, _ := json.Marshal(d[0])
	if string(b) != `{"time":"2025-06-16 10:41:33","context":"快件已发车","ftime":"2025-06-16 10:41:33","areaCode":null,"areaName":null,"status":"在途","location":"","areaCenter":null,"areaPinYin":null,"statusCode":"1002"}` &&
		!strings.Contains(string(b), `"areaCode":null,"areaName":null`) {
		t.Errorf("nulls: %s", b)
	}
	l3, _ := json.Marshal(Data(evs, trackpush.LevelRegion)[1])
	if string(l3) != `{"time":"2025-06-16 10:41:33","context":"您的快件离开【陕西省延安市吴起县】，已发往【西安转运中心】","ftime":"2025-06-16 10:41:33","areaCode":"CN610626000000","areaName":"陕西,延安市,吴起县","status":"在途"}` {
		t.Errorf("level 3: %s", l3)
	}
	l0, _ := json.Marshal(Data(evs, trackpush.LevelNone)[1])
	if string(l0) != `{"time":"2025-06-16 10:41:33","context":"您的快件离开【陕西省延安市吴起县】，已发往【西安转运中心】","ftime":"2025-06-16 10:41:33"}` {
		t.Errorf("level 0: %s", l0)
	}
	if _, err := Trajectory(Shipment{}, []trackpush.RawEvent{{Time: "soon", Context: "x"}}); err == nil {
		t.Error("a bad time must be an error")
	}
}

func TestEventsUsesHistoryAndRoute(t *testing.T) {
	to := AreaOf(region.ResolveAddress("四川省成都市双流区"))
	sh := Shipment{Com: "yuantong", To: to}
	first, err := Events(sh, nil, []trackpush.RawEvent{{Time: "2022-01-13 09:05:21", Context: "【四川省成都市双流区公司】 已收入"}})
	if err != nil {
		t.Fatal(err)
	}
	if first[0].State != trackpush.StateArrivedDestCity {
		t.Errorf("an outlet scan in the destination city: %d", first[0].State)
	}
	first[0].Seq = 1
	// A plain signature after a locker event is a locker signature (304).
	evs, _ := Events(sh, first, []trackpush.RawEvent{{Time: "2022-01-13 17:16:34", Context: "快件已由成都双流区红树湾二期店菜鸟驿站代收，请及时取件"}})
	evs[0].Seq = 2
	all := append(first, evs...)
	signed, _ := Events(sh, all, []trackpush.RawEvent{{Time: "2022-01-13 18:52:32", Context: "已签收"}})
	if evs[0].State != trackpush.StateAtLocker || signed[0].State != trackpush.StateSignedAtLocker {
		t.Errorf("locker then signed: %d, %d", evs[0].State, signed[0].State)
	}
	sum := Summarize(append(all, signed[0]))
	if !sum.Signed || !sum.Finished || sum.State != trackpush.StateSignedAtLocker {
		t.Errorf("summary %+v", sum)
	}
}
