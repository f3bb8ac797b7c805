// Package replay holds real trajectories (embedded, see README.md) and
// plays them back: each trajectory's events are due at their original
// offsets from its first event, on any clock.
package replay

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

//go:embed trajectories.jsonl
var data []byte

// Trajectory is one real shipment's scans, oldest first.
type Trajectory struct {
	ID     string
	Com    string // carrier code of the protocol
	Nu     string // a tracking number (masked digits filled in)
	From   string // origin, as a subscription's from
	To     string // destination, "" when the source does not say
	Events []trackpush.RawEvent
	Times  []time.Time // parsed event times
}

// Span returns the time from the first event to the last.
func (t *Trajectory) Span() time.Duration {
	if len(t.Times) == 0 {
		return 0
	}
	return t.Times[len(t.Times)-1].Sub(t.Times[0])
}

var carrierCodes = map[string]string{"yto": "yuantong", "yuantong": "yuantong", "jd": "jd"}

// Trajectories returns the embedded trajectories.
func Trajectories() ([]Trajectory, error) {
	var out []Trajectory
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 0; sc.Scan(); n++ {
		var r struct {
			ID       string  `json:"id"`
			Carrier  string  `json:"carrier"`
			NuMasked *string `json:"nu_masked"`
			Top      struct {
				RouteInfo struct {
					From, To *struct{ Name string }
				} `json:"routeInfo"`
			} `json:"top"`
			Events []struct {
				Time     string `json:"time"`
				Context  string `json:"context"`
				AreaName string `json:"areaName"`
			} `json:"events"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("replay: line %d: %w", n+1, err)
		}
		com := carrierCodes[strings.ToLower(r.Carrier)]
		if com == "" {
			return nil, fmt.Errorf("replay: %s: unknown carrier %q", r.ID, r.Carrier)
		}
		t := Trajectory{ID: r.ID, Com: com, Nu: fillNumber(r.NuMasked, com, n)}
		if f := r.Top.RouteInfo.From; f != nil {
			t.From = strings.ReplaceAll(f.Name, ",", "")
		}
		if to := r.Top.RouteInfo.To; to != nil {
			t.To = strings.ReplaceAll(to.Name, ",", "")
		}
		for _, e := range r.Events {
			tm, ok := trackpush.ParseTime(e.Time)
			if !ok {
				return nil, fmt.Errorf("replay: %s: bad time %q", r.ID, e.Time)
			}
			t.Events = append(t.Events, trackpush.RawEvent{Time: trackpush.FormatTime(tm), Context: e.Context})
			t.Times = append(t.Times, tm)
		}
		sort.SliceStable(t.Events, func(i, j int) bool { return t.Times[i].Before(t.Times[j]) })
		sort.SliceStable(t.Times, func(i, j int) bool { return t.Times[i].Before(t.Times[j]) })
		// Where the source names no route, the first and last places scanned
		// stand in for it.
		if t.From == "" {
			t.From = placeAt(t.Events, 1)
		}
		if t.To == "" {
			t.To = placeAt(t.Events, -1)
		}
		out = append(out, t)
	}
	return out, sc.Err()
}

// placeAt returns the name of the first (dir 1) or last (dir -1) place
// the events name, as an address ("广东广州市").
func placeAt(evs []trackpush.RawEvent, dir int) string {
	i, end := 0, len(evs)
	if dir < 0 {
		i, end = len(evs)-1, -1
	}
	for ; i != end; i += dir {
		if p := region.ResolveEvent(evs[i].Context); p != nil {
			return strings.ReplaceAll(p.AreaName, ",", "")
		}
	}
	return ""
}

// fillNumber makes a tracking number from a masked one (digits for the
// masked characters) or, when the source gives none, one in the carrier's
// format.
func fillNumber(masked *string, com string, n int) string {
	if masked == nil {
		return fmt.Sprintf("YT%013d", 9000000000000+n)
	}
	return strings.ReplaceAll(*masked, "*", fmt.Sprint(n%10))
}
