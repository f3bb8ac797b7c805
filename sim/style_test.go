package sim

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/trackpush/trackpush/carrier"
	"github.com/trackpush/trackpush/region"
	"github.com/trackpush/trackpush/status"
)

// required are the steps every carrier phrases (hand-overs: all but the
// post; the distribution company: the carriers that have one).
var required = []step{stPickup, stOutletDepart, stHubArrive, stHubDepart, stOutletArrive, stDispatch, stLocker, stTaken,
	stSignPlain, stSignSelf, stSignProxy, stSignStation, stFail204, stFail206, stRefuse, stReturn, stReturnSign}

func TestStyles(t *testing.T) {
	t.Parallel()
	if got := Supported(); len(got) != 10 {
		t.Errorf("supported carriers: %v", got)
	}
	for _, com := range Supported() {
		st := styleOf(com)
		c, ok := carrier.Lookup(com)
		if !ok || c.Code != com {
			t.Errorf("%s is not a carrier code", com)
			continue
		}
		if c.Usage != st.usage {
			t.Errorf("%s: usage %d, the carrier table says %d", com, st.usage, c.Usage)
		}
		for _, g := range st.wrong {
			if w, ok := carrier.Lookup(g); !ok || w.Code == com {
				t.Errorf("%s: wrong code %q is not another carrier's code", com, g)
			}
		}
		for e, bk := range st.eras {
			steps := required
			if !st.post {
				steps = append(steps, stHandOver)
			}
			if st.coName != nil {
				steps = append(steps, stCoDepart)
			}
			if st.airKm > 0 {
				steps = append(steps, stAir)
			}
			for _, s := range steps {
				if len(bk[s]) == 0 {
					t.Errorf("%s era %d: no phrasing for %s", com, e, s)
				}
			}
			for s := range numSteps {
				for _, tp := range bk[s] {
					// A scan that names the node names a place; the
					// placeless steps name none.
					if (s == stTruck || s == stAir) && tp.placed && !strings.Contains(tp.src, "{city}") {
						t.Errorf("%s %s: %q", com, s, tp.src)
					}
				}
			}
		}
	}
}

// TestStations checks the estate and door words of station and locker
// names: alone they name no place, and next to a city's name they add no
// place inside it (which could be a rival to the scan's place).
func TestStations(t *testing.T) {
	t.Parallel()
	for _, e := range estates {
		if p := region.ResolveEvent("快件已放入" + e + "丰巢智能柜"); p != nil {
			t.Errorf("estate %q names %s", e, p.AreaName)
		}
		if r := status.Classify("快件已放入"+e+"丰巢智能柜，请及时取件", status.Context{}); r.Advanced != 501 {
			t.Errorf("estate %q changes the state to %d", e, r.Advanced)
		}
	}
	for _, c := range geo().cities {
		for _, e := range append(estates, doors...) {
			txt := "【" + c.name + "】 快件已放入馨园" + e + "丰巢智能柜"
			if p := region.ResolveEvent(txt); p == nil || p.Code() != c.code {
				got := "nil"
				if p != nil {
					got = p.AreaName
				}
				t.Errorf("%q reads as %s", txt, got)
			}
		}
	}
}

// devLines reads the contexts of the real development events and
// trajectories.
func devLines(t *testing.T) map[string]bool {
	t.Helper()
	lines := map[string]bool{}
	for _, f := range []string{"../testdata/real_events_dev.jsonl", "../testdata/real_trajectories_sample.jsonl"} {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var v struct {
				Context string `json:"context"`
				Events  []struct {
					Context string `json:"context"`
				} `json:"events"`
			}
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			if v.Context != "" {
				lines[strings.TrimSpace(v.Context)] = true
			}
			for _, e := range v.Events {
				lines[strings.TrimSpace(e.Context)] = true
			}
		}
		fh.Close()
	}
	return lines
}

// TestNotCopied checks that the phrasing is modelled on the real scans,
// not copied from them: no template is a development line, and where a
// simulated scan happens to equal one, it is a formulaic scan of a site
// ("【成都转运中心公司】 已收入"), never one with a person, a phone number or
// any other detail of the real line.
func TestNotCopied(t *testing.T) {
	t.Parallel()
	dev := devLines(t)
	for _, com := range Supported() {
		for _, bk := range styleOf(com).eras {
			for s := range numSteps {
				for _, tp := range bk[s] {
					lit := ""
					for _, p := range tp.parts {
						lit += p.lit
					}
					for d := range dev {
						if len(tp.parts) == 1 && lit == d || len(lit) > 12 && strings.Contains(lit, d) {
							t.Errorf("%s %s: template %q copies the real line %q", com, s, tp.src, d)
						}
					}
				}
			}
		}
	}
	w := NewWorld(Config{Seed: 23, Rates: DefaultRates()})
	same, total := 0, 0
	for i := range 5000 {
		for _, e := range w.Parcel(i).Events {
			total++
			if !dev[strings.TrimSpace(e.Context)] {
				continue
			}
			same++
			if strings.Contains(e.Context, "*") || strings.Contains(e.Context, "某某") || len([]rune(e.Context)) > 40 {
				t.Errorf("parcel %d reproduces the real line %q", i, e.Context)
			}
		}
	}
	t.Logf("%d of %d simulated scans equal a formulaic real one", same, total)
}
