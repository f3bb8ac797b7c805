package sim

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
	"github.com/trackpush/trackpush/status"
)

// TestRealism reads every scan of thousands of parcels with the project's
// own engines, as the enrichment pipeline does: the region engine (with
// the shipment's from/to as priors) must place each scan in the city the
// simulator meant, or nowhere when the text names no place, and the status
// engine (knowing the carrier, the earlier events' states, the event's
// city as the region engine read it and the destination city) must give
// the advanced state the simulator meant. A disagreement is a bug in the
// simulator's phrasing or in an engine; both must agree on every event.
//
// SIM_SEED=n reads the world of another seed.
func TestRealism(t *testing.T) {
	t.Parallel()
	seed := int64(20250602)
	if s := os.Getenv("SIM_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("SIM_SEED: %v", err)
		}
	}
	t.Run("default-rates", func(t *testing.T) {
		t.Parallel()
		checkRealism(t, NewWorld(Config{Seed: seed, Rates: DefaultRates()}), 3000)
	})
	t.Run("much-trouble", func(t *testing.T) {
		t.Parallel()
		checkRealism(t, NewWorld(Config{Seed: seed + 1, Rates: Rates{
			FailedDelivery: 0.3, Refusal: 0.2, HandOver: 0.2, Locker: 0.3, Loop: 0.3, Stall: 0.1, NoRecord: 0.05, WrongCarrier: 0.1,
		}}), 2000)
	})
}

func checkRealism(t *testing.T, w *World, n int) {
	var events, regionBad, statusBad int
	byKind := map[string]int{}
	var samples []string
	for i := range n {
		p := w.Parcel(i)
		from, to := region.ResolveAddress(p.From), region.ResolveAddress(p.To)
		if from == nil || from.Code() != p.FromCode || to == nil || to.Code() != p.ToCode {
			t.Errorf("parcel %d: addresses %q/%q do not resolve to %s/%s", i, p.From, p.To, p.FromCode, p.ToCode)
			continue
		}
		dest := to.CityCode()
		var prev []trackpush.State
		for _, e := range p.Events {
			events++
			pl := region.ResolveEvent(e.Context, from, to)
			city := ""
			if pl != nil {
				city = pl.CityCode()
			}
			if (pl == nil) != (e.City == "") || city != e.City {
				regionBad++
				got := "nil"
				if pl != nil {
					got = pl.AreaName + " " + city
				}
				byKind["region "+p.Com]++
				if len(samples) < 40 {
					samples = append(samples, fmt.Sprintf("region %s: want %q, got %s | %s", p.Com, e.City, got, e.Context))
				}
			}
			res := status.Classify(e.Context, status.Context{Com: p.Com, Prev: prev, City: city, DestCity: dest})
			if res.Advanced != e.State {
				statusBad++
				byKind[fmt.Sprintf("status %s %d→%d", p.Com, e.State, res.Advanced)]++
				if len(samples) < 40 {
					samples = append(samples, fmt.Sprintf("status %s: want %d, got %d (%s) after %v | %s", p.Com, e.State, res.Advanced, res.Rule, prev, e.Context))
				}
			}
			prev = append(prev, res.Advanced)
		}
	}
	t.Logf("%d parcels, %d events: region %d/%d right, status %d/%d right",
		n, events, events-regionBad, events, events-statusBad, events)
	if regionBad+statusBad > 0 {
		var ks []string
		for k, c := range byKind {
			ks = append(ks, fmt.Sprintf("%5d %s", c, k))
		}
		sort.Strings(ks)
		t.Errorf("disagreements by kind:\n%s\nsamples:\n%s", strings.Join(ks, "\n"), strings.Join(samples, "\n"))
	}
}
