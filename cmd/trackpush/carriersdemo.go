package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrierfake"
	"github.com/trackpush/trackpush/region"
	"github.com/trackpush/trackpush/sim"
)

// The carriers demo (`trackpush demo --carriers-fake`): the simulated
// parcels of SF and ZTO are served by the fakes of their open platforms,
// so the server follows them as it would the real carriers — SF's by
// signed, batched route queries, ZTO's by the signed pushes ZTO makes as
// each scan happens (and by queries too).

// demoCarriers are the demo's carriers and their adapters.
var demoCarriers = []string{"shunfeng", "zhongtong"}

// simTraces serves a simulated world's parcels of one carrier to its fake,
// with the carrier's operation codes for what the simulator means.
type simTraces struct {
	world   *sim.World
	com     string
	codeFor func(e sim.Event) string
}

// Parcel returns the parcel's scans made by now.
func (s simTraces) Parcel(nu string, now time.Time) (carrierfake.Parcel, bool) {
	p, ok := s.world.Lookup(s.com, nu)
	if !ok {
		return carrierfake.Parcel{}, false
	}
	out := carrierfake.Parcel{Nu: nu}
	for _, e := range p.Events {
		if e.Time.After(now) {
			break
		}
		out.Scans = append(out.Scans, scanOf(e, s.codeFor))
	}
	return out, true
}

func scanOf(e sim.Event, codeFor func(sim.Event) string) carrierfake.Scan {
	city := ""
	if pl, ok := region.Lookup(e.City); ok {
		city = pl.City
	}
	return carrierfake.Scan{Time: e.Time, Code: codeFor(e), Desc: e.Context, City: city, Site: e.Node}
}

// departing tells a departure scan from an arrival (the carriers code
// them apart).
func departing(text string) bool {
	return strings.Contains(text, "发往") || strings.Contains(text, "离开") || strings.Contains(text, "装车") || strings.Contains(text, "发出")
}

// sfOpCode is the SF opCode of a simulated scan ("" where SF's code for it
// is not known).
func sfOpCode(e sim.Event) string {
	switch st := e.State; {
	case st.Basic() == trackpush.StatePickup:
		return "50"
	case st == trackpush.StateAtLocker:
		return "130"
	case st.Basic() == trackpush.StateDelivery:
		return "44"
	case st.Basic() == trackpush.StateSigned:
		return "80"
	case st == trackpush.StateDeliveryFailed || st == trackpush.StateUnreachable:
		return "70"
	case st.Basic() == trackpush.StateTrouble:
		return "33"
	case st.Basic() == trackpush.StateInTransit && departing(e.Context):
		return "30"
	case st.Basic() == trackpush.StateInTransit:
		return "31"
	}
	return ""
}

// ztoScanType is the ZTO scanType of a simulated scan.
func ztoScanType(e sim.Event) string {
	switch st := e.State; {
	case st.Basic() == trackpush.StatePickup:
		return "收件"
	case st.Basic() == trackpush.StateDelivery:
		return "派件"
	case st.Basic() == trackpush.StateSigned || st == trackpush.StateReturned:
		return "签收"
	case st.Basic() == trackpush.StateTrouble:
		return "问题件"
	case st == trackpush.StateReturning:
		return "退件"
	case st.Basic() == trackpush.StateInTransit && departing(e.Context):
		return "发件"
	case st.Basic() == trackpush.StateInTransit:
		return "到件"
	}
	return ""
}

// ztoAction is the action of ZTO's push for a simulated scan.
func ztoAction(e sim.Event) string {
	switch st := e.State; {
	case st.Basic() == trackpush.StatePickup:
		return "GOT"
	case st == trackpush.StateAtLocker:
		return "INBOUND"
	case st.Basic() == trackpush.StateDelivery:
		return "DISPATCH"
	case st == trackpush.StateSignedAtLocker:
		return "DEPARTURE_SIGNED"
	case st.Basic() == trackpush.StateSigned:
		return "SIGNED"
	case st == trackpush.StateReturned:
		return "RETURN_SIGNED"
	case st == trackpush.StateReturning:
		return "RETURN_SCAN"
	case st.Basic() == trackpush.StateTrouble:
		return "PROBLEM"
	case departing(e.Context):
		return "DEPARTURE"
	}
	return "ARRIVAL"
}

// carriersDemo is the carriers' side of the demo: the two fakes and the
// pushes ZTO makes.
type carriersDemo struct {
	sf  *carrierfake.SF
	zto *carrierfake.ZTO
	say func(format string, a ...any)

	pushed, acked atomic.Int64 // ZTO's pushes
}

// startCarriersDemo starts the fakes of SF and ZTO over the world, on the
// demo's clock, and configures the server to use them.
func startCarriersDemo(world *sim.World, clk trackpush.Clock, say func(string, ...any)) (*carriersDemo, func(*Main)) {
	d := &carriersDemo{say: say}
	// Queries are shown when they bring scans not seen before, or fail.
	var mu sync.Mutex
	seen := map[string]int{}
	logCall := func(carrier string) func(carrierfake.Call) {
		return func(c carrierfake.Call) {
			key := carrier + strings.Join(c.Numbers, ",")
			mu.Lock()
			fresh := c.Scans > seen[key]
			seen[key] = max(seen[key], c.Scans)
			mu.Unlock()
			if !fresh && (c.Answer == "A1000" || c.Answer == "ok") {
				return
			}
			phone := ""
			if c.Phone != "" {
				phone = ", phone …" + c.Phone
			}
			say("%-9s %s query: %d waybill(s)%s → %s, %d scan(s)", "↳ "+carrier, carrier, len(c.Numbers), phone, c.Answer, c.Scans)
		}
	}
	d.sf = carrierfake.NewSF("DEMO0001", api16(), carrierfake.Options{Clock: clk, OnCall: logCall("sf"),
		Traces: simTraces{world: world, com: "shunfeng", codeFor: sfOpCode}})
	d.zto = carrierfake.NewZTO("demo-app", api16(), carrierfake.Options{Clock: clk, OnCall: logCall("zto"),
		Traces: simTraces{world: world, com: "zhongtong", codeFor: ztoScanType}})
	setup := func(m *Main) {
		m.Config.Poll = "shunfeng=sf,zhongtong=zto"
		c := &m.Config.Carriers
		c.SFEnv, c.SFPartnerID, c.SFCheckWord = d.sf.URL(), d.sf.PartnerID, d.sf.CheckWord
		c.ZTOEnv, c.ZTOAppKey, c.ZTOAppSecret = d.zto.URL(), d.zto.AppKey, d.zto.AppSecret
		// The demo clock runs 20,000× faster: SF's sandbox limit is in
		// real time, which the demo's few dozen parcels never reach.
	}
	return d, setup
}

// api16 returns a random credential for the fakes.
func api16() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// pushZTO makes ZTO push every scan of its parcels to the server as the
// demo clock reaches it, until ctx ends.
func (d *carriersDemo) pushZTO(ctx context.Context, clk trackpush.Clock, serverURL string, parcels []*sim.Parcel, wg *sync.WaitGroup) {
	type due struct {
		p *sim.Parcel
		e sim.Event
	}
	var plan []due
	for _, p := range parcels {
		if p.Com != "zhongtong" {
			continue
		}
		for _, e := range p.Events {
			plan = append(plan, due{p, e})
		}
	}
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].e.Time.Before(plan[j].e.Time) })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, x := range plan {
			select {
			case <-clk.At(x.e.Time):
			case <-ctx.Done():
				return
			}
			s := scanOf(x.e, ztoScanType)
			s.Action = ztoAction(x.e)
			r, err := d.zto.PushTrace(ctx, serverURL+"/v1/carriers/zto/push", x.p.Nu, s)
			if ctx.Err() != nil {
				return
			}
			d.pushed.Add(1)
			if err == nil && r.Acked {
				d.acked.Add(1)
			}
			verdict := "ack"
			switch {
			case err != nil:
				verdict = "failed: " + err.Error()
			case !r.Acked:
				verdict = fmt.Sprintf("refused: %d %s", r.Status, r.Body)
			}
			d.say("%-9s zto push %-17s %-16s → %s", "↳ zto", x.p.Nu, s.Action, verdict)
		}
	}()
}

// summary says what the carriers' fakes did.
func (d *carriersDemo) summary(w io.Writer) {
	count := func(calls []carrierfake.Call) (n, waybills, biggest, refused int) {
		for _, c := range calls {
			n++
			waybills += len(c.Numbers)
			biggest = max(biggest, len(c.Numbers))
			if c.Answer != "A1000" && c.Answer != "ok" {
				refused++
			}
		}
		return
	}
	sn, sw, sb, sr := count(d.sf.Calls())
	zn, _, _, zr := count(d.zto.Calls())
	fmt.Fprintf(w, "carriers: SF answered %d route queries for %d waybills (up to %d in one), %d refused; ZTO answered %d trace queries, %d refused, and pushed %d scans, %d acknowledged\n",
		sn, sw, sb, sr, zn, zr, d.pushed.Load(), d.acked.Load())
}

// Close stops the fakes.
func (d *carriersDemo) Close() {
	d.sf.Close()
	d.zto.Close()
}
