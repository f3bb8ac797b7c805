package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/callback"
	"github.com/trackpush/trackpush/carrier"
	"github.com/trackpush/trackpush/clock"
	"github.com/trackpush/trackpush/sim"
	"github.com/trackpush/trackpush/source"
)

type simDemoConfig struct {
	N        int
	Seed     int64
	Scale    float64
	Duration time.Duration
	Keep     bool
	Verbose  bool
	// CarriersFake follows SF and ZTO parcels through the fakes of their
	// open platforms (carriersdemo.go) instead of the simulator upstream.
	CarriersFake bool
}

// demoRates make trouble common enough to be seen among a few dozen
// parcels.
func demoRates() sim.Rates {
	return sim.Rates{FailedDelivery: 0.12, Refusal: 0.05, HandOver: 0.03, Locker: 0.3, Loop: 0.15, Stall: 0.03, NoRecord: 0.08, WrongCarrier: 0.1}
}

// pickParcels takes n parcels of the world, making sure the ones the demo
// is about are among them: a loop, a number with no record, one given with
// the wrong carrier, one with trouble on delivery.
func pickParcels(w *sim.World, n int) []*sim.Parcel {
	want := map[string]bool{sim.TroubleLoop: true, sim.TroubleNoRecord: true, sim.TroubleWrongCarrier: true, sim.TroubleFailedDelivery: true}
	var picked, rest []*sim.Parcel
	for i := 0; len(picked) < n && i < 50*n; i++ {
		p := w.Parcel(i)
		hit := false
		for _, tr := range p.Truth.Trouble {
			if want[tr] {
				delete(want, tr)
				hit = true
			}
		}
		if hit {
			picked = append(picked, p)
		} else if len(rest) < n {
			rest = append(rest, p)
		}
		if len(want) == 0 && len(picked)+len(rest) >= n {
			break
		}
	}
	for _, p := range rest {
		if len(picked) == n {
			break
		}
		picked = append(picked, p)
	}
	return picked
}

// demoPush is what the demo's receivers saw of one subscription.
type demoPush struct {
	pushes, failed    int
	status, state     string
	message           string
	loop, autoCorrect bool
	comOld, comNew    string
	last              string
}

func runSimDemo(ctx context.Context, cfg simDemoConfig, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "trackpush-demo-")
	if err != nil {
		return err
	}
	if !cfg.Keep {
		defer os.RemoveAll(dir)
	}
	start := time.Now().In(trackpush.CST).Truncate(time.Hour)
	clk := clock.NewScaled(start, cfg.Scale)
	wcfg := sim.Config{Seed: cfg.Seed, Start: start, Window: 6 * time.Hour, Rates: demoRates()}
	if cfg.CarriersFake {
		// Only SF and ZTO have fakes here; a wrong carrier code would
		// name one without.
		wcfg.Carriers, wcfg.Rates.WrongCarrier = demoCarriers, 0
	}
	world := sim.NewWorld(wcfg)
	parcels := pickParcels(world, cfg.N)

	// Column widths of the live lines: the longest carrier code and number.
	comW, nuW := 0, 0
	for _, p := range parcels {
		comW = max(comW, len(p.Com), len(p.GivenCom))
		nuW = max(nuW, len(p.Nu))
	}
	var mu sync.Mutex
	seen := map[string]*demoPush{} // by carrier and number
	say := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stdout, "%s "+format+"\n", append([]any{trackpush.FormatTime(clk.Now())[5:16]}, a...)...)
	}
	setup := func(m *Main) {
		m.Config.Poll = "*=sim"
		m.Upstreams = map[string]source.Upstream{"sim": &source.Sim{World: world, Clock: clk}}
	}
	var carriers *carriersDemo
	if cfg.CarriersFake {
		carriers, setup = startCarriersDemo(world, clk, say)
		defer carriers.Close()
	}
	m, acct, err := openDemoServer(ctx, dir, clk, cfg.Scale, cfg.Verbose, stderr, setup)
	if err != nil {
		return err
	}
	defer m.Close()
	// The receivers: a reliable one, and a flaky one that fails the first
	// attempt of every push (retried 30 minutes later on the demo clock).
	tries := map[string]int{}
	receiver := func(flaky bool) http.Handler {
		salt := "demo"
		return callback.Handler(&salt, func(r *http.Request, p *callback.Push) error {
			lr := p.Param.LastResult
			mu.Lock()
			d := seen[lr.Com+" "+lr.Nu]
			if d == nil {
				d = &demoPush{}
				seen[lr.Com+" "+lr.Nu] = d
			}
			tries[p.Raw]++
			fail := flaky && tries[p.Raw] == 1
			if fail {
				d.failed++
			} else {
				d.pushes++
				d.status, d.state, d.message = p.Param.Status, lr.State, p.Param.Message
				d.loop = d.loop || (lr.IsLoop != nil && *lr.IsLoop)
				if p.Param.AutoCheck == "1" || p.Param.ComNew != "" {
					d.autoCorrect, d.comOld, d.comNew = true, p.Param.ComOld, p.Param.ComNew
				}
			}
			mu.Unlock()
			newest := "(no scan)"
			if e := p.Newest(); e != nil {
				newest = e.Context
				if len([]rune(newest)) > 46 {
					newest = string([]rune(newest)[:46]) + "…"
				}
			}
			st, _ := trackpush.ParseState(lr.State)
			extra := ""
			if lr.IsLoop != nil && *lr.IsLoop {
				extra += " LOOP"
			}
			if p.Param.ComNew != "" {
				extra += fmt.Sprintf(" autoCheck=%s %s→%s", p.Param.AutoCheck, p.Param.ComOld, p.Param.ComNew)
			}
			if p.Param.Message != "" {
				extra += " " + p.Param.Message
			}
			verdict := ""
			if fail {
				verdict = " ✗ receiver failed, retry in 30 min"
			}
			say("%-9s %-*s %-*s %4s %s%s%s | %s", p.Param.Status, comW, lr.Com, nuW, lr.Nu, lr.State, padTo(st.Name(), 12), extra, verdict, newest)
			if fail {
				return fmt.Errorf("failing on purpose")
			}
			return nil
		})
	}
	reliable, err := serveHandler(receiver(false))
	if err != nil {
		return err
	}
	defer reliable.Close()
	flaky, err := serveHandler(receiver(true))
	if err != nil {
		return err
	}
	defer flaky.Close()

	how := "followed by polling the simulator"
	if cfg.CarriersFake {
		how = fmt.Sprintf("of SF and ZTO, served by fakes of their open platforms (SF %s, ZTO %s): SF's by signed route queries, ZTO's by signed pushes to /v1/carriers/zto/push",
			carriers.sf.URL(), carriers.zto.URL())
	}
	fmt.Fprintf(stdout, "trackpush demo: %d simulated parcels (seed %d) %s, clock ×%.0f (30 min = %.2f s, 3 days = %.0f s), server %s\n",
		len(parcels), cfg.Seed, how, cfg.Scale, (30*time.Minute).Seconds()/cfg.Scale, (72*time.Hour).Seconds()/cfg.Scale, m.URL())
	for i, p := range parcels {
		target := "http://" + reliable.Addr().String() + "/cb"
		if i%4 == 1 {
			target = "http://" + flaky.Addr().String() + "/cb"
		}
		params := map[string]any{"callbackurl": target, "salt": "demo", "resultv2": "5"}
		if carrier.RequiresPhone(p.GivenCom) {
			params["phone"] = "1234"
		}
		body, _ := json.Marshal(map[string]any{"company": p.GivenCom, "number": p.Nu, "from": p.From, "to": p.To, "key": acct.Key, "parameters": params})
		resp, err := http.Post(m.URL()+"/trackpush/callback", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		var a trackpush.Answer
		json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		note := ""
		if p.GivenCom != p.Com {
			note = fmt.Sprintf(" (really %s)", p.Com)
		}
		if len(p.Truth.Trouble) > 0 {
			note += " [" + strings.Join(p.Truth.Trouble, ",") + "]"
		}
		say("subscribe %-*s %-*s %s → %s: %s%s", comW, p.GivenCom, nuW, p.Nu, p.From, p.To, a.ReturnCode, note)
	}

	// The trail page of the most interesting parcel: a loop if there is one.
	var nus []string
	for _, p := range parcels {
		if slices.Contains(p.Truth.Trouble, sim.TroubleLoop) && p.GivenCom == p.Com {
			nus = append([]string{p.Nu}, nus...)
		} else if len(p.Events) > 0 && p.GivenCom == p.Com {
			nus = append(nus, p.Nu)
		}
	}
	printTrailLink(ctx, stdout, m, nus...)
	stopPushes := func() {}
	if cfg.CarriersFake {
		pctx, cancel := context.WithCancel(ctx)
		var pushing sync.WaitGroup
		carriers.pushZTO(pctx, clk, m.URL(), parcels, &pushing)
		stopPushes = func() { cancel(); pushing.Wait() }
		defer stopPushes()
	}

	// Run until every parcel has had its story told, or time is up.
	stop := time.After(cfg.Duration)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	end := parcelsEnd(parcels)
wait:
	for {
		select {
		case <-ctx.Done():
			break wait
		case <-stop:
			break wait
		case <-tick.C:
			if clk.Now().After(end) && demoDone(ctx, m, true) {
				break wait
			}
		}
	}
	stopPushes()
	if err := simDemoSummary(ctx, stdout, m, cfg.Seed, parcels, seen, &mu, dir, cfg.Keep); err != nil {
		return err
	}
	if carriers != nil {
		carriers.summary(stdout)
	}
	return keepServing(ctx, stdout, m, cfg.Keep)
}

// parcelsEnd returns when the poller has seen the last scan of the
// parcels (the last scan plus the longest poll interval), or 3 days and a
// bit after the start for a parcel with no record.
func parcelsEnd(ps []*sim.Parcel) time.Time {
	var end time.Time
	for _, p := range ps {
		t := p.Last().Add(source.DefaultIntervals().Transit)
		if len(p.Events) == 0 {
			t = p.Truth.Shipped.Add(trackpush.NoRecordAfter + 2*time.Hour)
		}
		if t.After(end) {
			end = t
		}
	}
	return end
}

// simDemoSummary prints each parcel's story as the receivers saw it,
// checked against the simulator's truth (✓, or ✗ with what differs). It
// holds only what the seed decides — carriers, numbers, outcomes, final
// states, loops, corrections — so the same seed prints the same summary;
// the counts of pushes and retries, which depend on the timing of the run,
// follow on a line of their own.
func simDemoSummary(ctx context.Context, w io.Writer, m *Main, seed int64, parcels []*sim.Parcel, seen map[string]*demoPush, mu *sync.Mutex, dir string, keep bool) error {
	mu.Lock()
	defer mu.Unlock()
	byStatus := map[string]int{}
	var pushes, failed, loops, corrected, good int
	sort.Slice(parcels, func(i, j int) bool { return parcels[i].Index < parcels[j].Index })
	var rows [][]string
	for _, p := range parcels {
		// The story of the number under its true carrier; a wrong carrier
		// code's subscription adds its pushes and the correction.
		d := seen[p.Com+" "+p.Nu]
		if d == nil {
			d = &demoPush{status: "-"}
		}
		if p.GivenCom != p.Com {
			if g := seen[p.GivenCom+" "+p.Nu]; g != nil {
				c := *d
				c.pushes += g.pushes
				c.failed += g.failed
				if g.autoCorrect {
					c.autoCorrect, c.comOld, c.comNew = true, g.comOld, g.comNew
				}
				if d.status == "" || d.status == "-" {
					c.status, c.state, c.message = g.status, g.state, g.message
				}
				d = &c
			}
		}
		byStatus[d.status]++
		pushes += d.pushes
		failed += d.failed
		var notes []string
		if d.loop {
			loops++
			notes = append(notes, "loop detected")
		}
		com := p.Com
		if d.autoCorrect {
			corrected++
			com = d.comOld + "→" + d.comNew
			notes = append(notes, "carrier corrected")
		}
		if d.message != "" {
			notes = append(notes, d.message)
		}
		wrong := checkDemoParcel(p, d)
		mark := "✓"
		if len(wrong) > 0 {
			mark = "✗"
			notes = append(notes, "expected "+strings.Join(wrong, ", "))
		} else {
			good++
		}
		st, _ := trackpush.ParseState(d.state)
		rows = append(rows, []string{mark, com, p.Nu, p.Truth.Outcome, d.status, d.state, st.Name(), strings.Join(notes, "; ")})
	}
	fmt.Fprintf(w, "\nsummary (seed %d), each parcel against the simulator's truth:\n", seed)
	writeColumns(w, "  ", rows)
	fmt.Fprintf(w, "%d parcels, %d as the simulator says: %d shut down (signed), %d aborted, %d still polling; %d loops detected, %d carriers auto-corrected\n",
		len(parcels), good, byStatus[trackpush.PushShutdown], byStatus[trackpush.PushAbort], byStatus[trackpush.PushPolling], loops, corrected)
	fmt.Fprintf(w, "pushes: %d acknowledged, %d failed attempts retried (these counts vary from run to run with the timing)\n", pushes, failed)
	if keep {
		fmt.Fprintf(w, "database kept at %s\n", filepath.Join(dir, "demo.db"))
	}
	return nil
}

// checkDemoParcel compares what the receivers saw of a parcel with the
// simulator's truth and returns what differs.
func checkDemoParcel(p *sim.Parcel, d *demoPush) []string {
	var wrong []string
	want := func(ok bool, what string) {
		if !ok {
			wrong = append(wrong, what)
		}
	}
	st, _ := trackpush.ParseState(d.state)
	if len(p.Events) > 0 {
		last := p.Events[len(p.Events)-1].State
		want(st == last, fmt.Sprintf("state %d", last))
	}
	switch p.Truth.Outcome {
	case sim.OutcomeSigned, sim.OutcomeReturned:
		want(d.status == trackpush.PushShutdown, "shutdown")
	case sim.OutcomeNoRecord:
		want(d.status == trackpush.PushAbort && d.message == trackpush.MessageNoRecord, "abort "+trackpush.MessageNoRecord)
	case sim.OutcomeHandedOver, sim.OutcomeStalled:
		// Still followed: the 60-day abort lies beyond the demo.
		want(d.status == trackpush.PushPolling || d.status == trackpush.PushAbort && d.message == trackpush.MessageNoChange, "polling")
	}
	want(p.Truth.Loop == d.loop, fmt.Sprintf("loop %v", p.Truth.Loop))
	if p.GivenCom != p.Com {
		want(d.autoCorrect && d.comNew == p.Com, "carrier corrected to "+p.Com)
	}
	return wrong
}

// writeColumns writes rows as aligned columns, measuring text as a
// terminal shows it (a Chinese character takes two columns).
func writeColumns(w io.Writer, indent string, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+1))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// padTo pads s with spaces to n terminal columns.
func padTo(s string, n int) string {
	return s + strings.Repeat(" ", max(n-displayWidth(s), 0))
}

// displayWidth is how many terminal columns s takes: East Asian wide
// characters (CJK, full-width forms) two, others one.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf, r >= 0xac00 && r <= 0xd7a3,
			r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f, r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6:
			n += 2
		default:
			n++
		}
	}
	return n
}
