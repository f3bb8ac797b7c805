package sim

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrier"
	"github.com/trackpush/trackpush/route"
)

func states(p *Parcel) []trackpush.State {
	out := make([]trackpush.State, len(p.Events))
	for i, e := range p.Events {
		out[i] = e.State
	}
	return out
}

// after reports whether the states contain a, then later b.
func after(ss []trackpush.State, a, b trackpush.State) bool {
	i := slices.Index(ss, a)
	return i >= 0 && slices.Contains(ss[i+1:], b)
}

// enriched turns the simulator's events into the store's, with the cities
// the simulator means, for the route engine.
func enriched(p *Parcel) []trackpush.Event {
	out := make([]trackpush.Event, len(p.Events))
	for i, e := range p.Events {
		out[i] = trackpush.Event{Seq: int64(i + 1), Time: e.Time, Context: e.Context, State: e.State}
		if e.City != "" {
			out[i].Area = &trackpush.Area{City: e.City, Code: "CN" + e.City}
		}
	}
	return out
}

// revisits reports whether a city sequence comes back to a city it left.
func revisits(cities []string) bool {
	left := map[string]bool{}
	cur := ""
	for _, c := range cities {
		if c == cur {
			continue
		}
		if left[c] {
			return true
		}
		if cur != "" {
			left[cur] = true
		}
		cur = c
	}
	return false
}

// TestTroubleShares turns each kind of trouble on alone and checks that
// about that share of parcels meets it, and that zero rates give none.
func TestTroubleShares(t *testing.T) {
	t.Parallel()
	const n, rate = 3000, 0.1
	for _, kind := range []string{TroubleFailedDelivery, TroubleRefusal, TroubleHandOver, TroubleLocker, TroubleLoop, TroubleStall, TroubleNoRecord, TroubleWrongCarrier} {
		var r Rates
		switch kind {
		case TroubleFailedDelivery:
			r.FailedDelivery = rate
		case TroubleRefusal:
			r.Refusal = rate
		case TroubleHandOver:
			r.HandOver = rate
		case TroubleLocker:
			r.Locker = rate
		case TroubleLoop:
			r.Loop = rate
		case TroubleStall:
			r.Stall = rate
		case TroubleNoRecord:
			r.NoRecord = rate
		case TroubleWrongCarrier:
			r.WrongCarrier = rate
		}
		w := NewWorld(Config{Seed: 5, Rates: r})
		hit, eligible := 0, 0
		for i := range n {
			p := w.Parcel(i)
			if kind == TroubleHandOver && styleOf(p.Com).post {
				continue // the post never hands over
			}
			eligible++
			for _, k := range p.Truth.Trouble {
				if k != kind {
					t.Fatalf("%s alone: parcel %d also has %v", kind, i, p.Truth.Trouble)
				}
			}
			if len(p.Truth.Trouble) > 0 {
				hit++
			}
		}
		share := float64(hit) / float64(eligible)
		sigma := math.Sqrt(rate * (1 - rate) / float64(eligible))
		t.Logf("%-16s %4d/%d = %.3f", kind, hit, eligible, share)
		if math.Abs(share-rate) > 4*sigma+0.005 {
			t.Errorf("%s: share %.3f, want about %.2f", kind, share, rate)
		}
	}
	w := NewWorld(Config{Seed: 5})
	for i := range n {
		p := w.Parcel(i)
		if len(p.Truth.Trouble) > 0 || p.Truth.Outcome != OutcomeSigned || p.GivenCom != p.Com {
			t.Fatalf("no-trouble world: parcel %d: %s %v", i, p.Truth.Outcome, p.Truth.Trouble)
		}
		for _, s := range states(p) {
			if s.Basic() == trackpush.StateTrouble || s == trackpush.StateAtLocker {
				t.Fatalf("no-trouble world: parcel %d has state %d", i, s)
			}
		}
	}
}

// TestTroubleStories checks that each kind of trouble plays out as the
// protocol's states say it does, in a world with much trouble.
func TestTroubleStories(t *testing.T) {
	t.Parallel()
	w := NewWorld(Config{Seed: 9, Rates: Rates{
		FailedDelivery: 0.25, Refusal: 0.15, HandOver: 0.15, Locker: 0.3, Loop: 0.25, Stall: 0.1, NoRecord: 0.05, WrongCarrier: 0.2,
	}})
	count := map[string]int{}
	var lockerWaits []time.Duration
	for i := range 4000 {
		p := w.Parcel(i)
		tr := &p.Truth
		ss := states(p)
		count[tr.Outcome]++
		for _, k := range tr.Trouble {
			count[k]++
		}
		has := func(k string) bool { return slices.Contains(tr.Trouble, k) }
		fail := func(format string, a ...any) {
			t.Helper()
			t.Errorf("parcel %d (%s %v): %s", i, tr.Outcome, tr.Trouble, fmt.Sprintf(format, a...))
		}
		var last trackpush.State = -1
		if len(ss) > 0 {
			last = ss[len(ss)-1]
		}

		if p.GivenCom != p.Com {
			if !has(TroubleWrongCarrier) {
				fail("given %s but no wrong-carrier trouble", p.GivenCom)
			}
			if c, ok := carrier.Lookup(p.GivenCom); !ok || c.Code != p.GivenCom {
				fail("given code %q is not a carrier code", p.GivenCom)
			}
		} else if has(TroubleWrongCarrier) {
			fail("wrong-carrier trouble with the right code")
		}

		// Loops revisit a city, and the route engine sees it; nothing
		// else revisits a city on the way out.
		cities := make([]string, len(tr.Route))
		for k, n := range tr.Route {
			cities[k] = n.City
		}
		switch {
		case tr.Loop:
			if !revisits(cities) || !route.IsLoop(enriched(p)) {
				fail("loop that does not revisit a city: %v", cities)
			}
		case tr.Outcome != OutcomeReturned:
			if revisits(cities) || route.IsLoop(enriched(p)) {
				fail("revisits a city without a loop: %v", cities)
			}
		}

		switch tr.Outcome {
		case OutcomeNoRecord:
			if len(p.Events) != 0 || len(tr.Route) != 0 || !tr.PickedUp.IsZero() {
				fail("norecord parcel with %d events", len(p.Events))
			}
		case OutcomeStalled:
			if len(ss) < 2 || !tr.Delivered.IsZero() || !tr.OutForDelivery.IsZero() {
				fail("stalled: %v", ss)
			}
			for _, s := range ss {
				if b := s.Basic(); b != trackpush.StateInTransit && b != trackpush.StatePickup {
					fail("stalled parcel has state %d", s)
				}
			}
			if last.Basic() != trackpush.StateInTransit {
				fail("stalled before leaving the pickup outlet: %v", ss)
			}
		case OutcomeHandedOver:
			last := p.Events[len(p.Events)-1]
			if last.State != trackpush.StateTransfer || !strings.Contains(last.Context, tr.HandOverNu) {
				fail("hand-over scan %q", last.Context)
			}
			if _, ok := carrier.Lookup(tr.HandOverTo); !ok || styleOf(p.Com).post || tr.HandOverTo == p.Com {
				fail("handed over from %s to %q", p.Com, tr.HandOverTo)
			}
			if slices.Contains(ss, trackpush.StateDelivery) {
				fail("handed over after going out for delivery")
			}
		case OutcomeReturned:
			if !after(ss, trackpush.StateRejected, trackpush.StateReturning) || last != trackpush.StateReturned {
				fail("return story %v", ss)
			}
			if !tr.ReturnSigned.Equal(p.Last()) || !tr.Delivered.IsZero() {
				fail("ReturnSigned %v, last %v", tr.ReturnSigned, p.Last())
			}
			if end := tr.Route[len(tr.Route)-1]; end.City != tr.Route[0].City || end.Name != tr.Route[0].Name {
				fail("return ends at %s, not at the origin %s", end.Name, tr.Route[0].Name)
			}
		case OutcomeSigned:
			if last.Basic() != trackpush.StateSigned || !tr.Delivered.Equal(p.Last()) {
				fail("signed story ends in %d", last)
			}
		}

		if has(TroubleFailedDelivery) {
			i204, i206 := slices.Index(ss, trackpush.StateDeliveryFailed), slices.Index(ss, trackpush.StateUnreachable)
			k := max(i204, i206)
			if k < 0 || !slices.Contains(ss[k+1:], trackpush.StateDelivery) {
				fail("failed delivery without a retry: %v", ss)
			}
			// Signed after trouble: 302, unless taken from a locker (304).
			if tr.Outcome == OutcomeSigned && last != trackpush.StateSignedAfterFail && last != trackpush.StateSignedAtLocker {
				fail("signature after a failed delivery is %d", last)
			}
		}
		if has(TroubleLocker) {
			k := slices.Index(ss, trackpush.StateAtLocker)
			if k < 0 || last != trackpush.StateSignedAtLocker {
				fail("locker story %v", ss)
			} else {
				lockerWaits = append(lockerWaits, p.Events[len(ss)-1].Time.Sub(p.Events[k].Time))
			}
		}
		if has(TroubleRefusal) != (tr.Outcome == OutcomeReturned) {
			fail("refusal trouble and outcome disagree")
		}
	}
	t.Logf("outcomes and trouble: %v", count)
	for _, k := range []string{OutcomeSigned, OutcomeReturned, OutcomeStalled, OutcomeNoRecord, OutcomeHandedOver,
		TroubleFailedDelivery, TroubleLocker, TroubleLoop, TroubleWrongCarrier} {
		if count[k] < 50 {
			t.Errorf("only %d parcels with %s", count[k], k)
		}
	}
	slices.Sort(lockerWaits)
	if lockerWaits[0] <= 0 || lockerWaits[len(lockerWaits)-1] < 24*time.Hour {
		t.Errorf("locker waits from %v to %v: want minutes to days", lockerWaits[0], lockerWaits[len(lockerWaits)-1])
	}
}
