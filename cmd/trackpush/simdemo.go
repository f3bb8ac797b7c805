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
				d.status, d.state = p.Param.Status, lr.State
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
			say("%-9s %-11s %-17s %4s %-6s%s%s | %s", p.Param.Status, lr.Com, lr.Nu, lr.State, st.Name(), extra, verdict, newest)
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
		say("subscribe %-11s %-17s %s → %s: %s%s", p.GivenCom, p.Nu, p.From, p.To, a.ReturnCode, note)
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
	if err := simDemoSummary(ctx, stdout, m, parcels, seen, &mu, dir, cfg.Keep); err != nil {
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

func simDemoSummary(ctx context.Context, w io.Writer, m *Main, parcels []*sim.Parcel, seen map[string]*demoPush, mu *sync.Mutex, dir string, keep bool) error {
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintln(w, "\nsummary (by tracking number):")
	byStatus := map[string]int{}
	var pushes, failed, loops, corrected int
	sort.Slice(parcels, func(i, j int) bool { return parcels[i].Index < parcels[j].Index })
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
					c.status, c.state = g.status, g.state
				}
				d = &c
			}
		}
		byStatus[d.status]++
		pushes += d.pushes
		failed += d.failed
		notes := []string{}
		if d.loop {
			loops++
			notes = append(notes, "loop detected")
		}
		if d.autoCorrect {
			corrected++
			notes = append(notes, fmt.Sprintf("carrier corrected %s→%s", d.comOld, d.comNew))
		}
		if d.failed > 0 {
			notes = append(notes, fmt.Sprintf("%d retries", d.failed))
		}
		st, _ := trackpush.ParseState(d.state)
		fmt.Fprintf(w, "  %-11s %-17s truth=%-10s pushed=%-2d last=%-8s state=%-4s %-8s %s\n",
			p.Com, p.Nu, p.Truth.Outcome, d.pushes, d.status, d.state, st.Name(), strings.Join(notes, ", "))
	}
	fmt.Fprintf(w, "%d parcels: %d shut down (signed), %d aborted, %d still polling; %d pushes acknowledged, %d failed attempts retried; %d loops detected, %d carriers auto-corrected\n",
		len(parcels), byStatus[trackpush.PushShutdown], byStatus[trackpush.PushAbort], byStatus[trackpush.PushPolling], pushes, failed, loops, corrected)
	if keep {
		fmt.Fprintf(w, "database kept at %s\n", filepath.Join(dir, "demo.db"))
	}
	return nil
}
