package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/api"
	"github.com/trackpush/trackpush/clock"
	"github.com/trackpush/trackpush/internal/replay"
)

func init() {
	register(command{name: "demo", summary: "a live server following simulated parcels on an accelerated clock", run: runDemo})
}

// demoNoRecord is a number that never gets an event: it shows the 3-day abort.
const demoNoRecord = "YT9999999999999"

func runDemo(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stderr)
	duration := fs.Duration("duration", 90*time.Second, "stop after this much real time at most (the demo ends sooner, once every parcel's story is told)")
	scale := fs.Float64("time-scale", 20000, "clock speed-up (20000: three days in 13 s)")
	keep := fs.Bool("keep", false, "keep the server up after the summary (its trail link and console keep working) until interrupted, and keep the demo database")
	verbose := fs.Bool("v", false, "log the server's messages")
	n := fs.Int("n", 24, "simulated parcels")
	seed := fs.Int64("seed", 7, "seed of the simulated world")
	replayReal := fs.Bool("replay", false, "replay the embedded real trajectories instead of simulated parcels")
	carriersFake := fs.Bool("carriers-fake", false, "follow SF and ZTO parcels through fakes of their open platforms (signed queries and pushes)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if !*replayReal {
		return runSimDemo(ctx, simDemoConfig{N: *n, Seed: *seed, Scale: *scale, Duration: *duration, Keep: *keep, Verbose: *verbose,
			CarriersFake: *carriersFake}, stdout, stderr)
	}
	trajs, err := replay.Trajectories()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "trackpush-demo-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}

	// The server, on an accelerated clock starting at the first trajectory's
	// first event, with a temporary SQLite database.
	start := trajs[0].Times[0].Add(-time.Hour)
	clk := clock.NewScaled(start, *scale)
	m, acct, err := openDemoServer(ctx, dir, clk, *scale, *verbose, stderr, func(m *Main) {
		m.Config.IngestToken = api.NewCredential()
	})
	if err != nil {
		return err
	}
	defer m.Close()

	// Two receivers: a reliable one, and a flaky one that fails the first
	// two attempts of every push (30-minute retries on the demo clock).
	var out sync.Mutex
	lw := &lockedWriter{w: stdout, mu: &out}
	say := func(format string, a ...any) {
		out.Lock()
		defer out.Unlock()
		fmt.Fprintf(stdout, "%s "+format+"\n", append([]any{trackpush.FormatTime(clk.Now())}, a...)...)
	}
	reliable, err := serveListener(&Listener{Out: lw, Clock: clk, Name: "push "})
	if err != nil {
		return err
	}
	defer reliable.Close()
	flaky, err := serveListener(&Listener{Out: lw, Clock: clk, Name: "flaky ", FailFirst: 2})
	if err != nil {
		return err
	}
	defer flaky.Close()

	fmt.Fprintf(stdout, "trackpush demo: %d real trajectories replayed at %.0f× (30 min of retry wait = %.2f s), server %s\n",
		len(trajs), *scale, (30*time.Minute).Seconds() / *scale, m.URL())
	subscribe := func(com, nu, from, to, callbackURL string) error {
		body := map[string]any{"company": com, "number": nu, "from": from, "to": to, "key": acct.Key,
			"parameters": map[string]any{"callbackurl": callbackURL, "salt": "demo", "resultv2": "5"}}
		b, _ := json.Marshal(body)
		resp, err := http.Post(m.URL()+"/trackpush/callback", "application/json", bytes.NewReader(b))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var a trackpush.Answer
		json.NewDecoder(resp.Body).Decode(&a)
		say("subscribe %-9s %s %s→%s: %s %s", com, nu, from, orDash(to), a.ReturnCode, a.Message)
		return nil
	}
	// Each trajectory starts at its own offset on the demo clock.
	type due struct {
		at  time.Time
		tr  int
		evt int
	}
	var plan []due
	for i, tr := range trajs {
		target := "http://" + reliable.Addr().String() + "/cb"
		if i == 0 {
			target = "http://" + flaky.Addr().String() + "/cb"
		}
		if err := subscribe(tr.Com, tr.Nu, tr.From, tr.To, target); err != nil {
			return err
		}
		offset := time.Duration(i) * 2 * time.Hour
		for j, t := range tr.Times {
			plan = append(plan, due{start.Add(time.Hour + offset + t.Sub(tr.Times[0])), i, j})
		}
	}
	if err := subscribe("yuantong", demoNoRecord, "广东省深圳市", "北京市朝阳区", "http://"+reliable.Addr().String()+"/cb"); err != nil {
		return err
	}
	printTrailLink(ctx, stdout, m, trajs[0].Nu)
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].at.Before(plan[j].at) })

	// Play the scans into the ingest API at their demo-clock times.
	stop := time.After(*duration)
	played := make(chan struct{})
	go func() {
		defer close(played)
		for _, d := range plan {
			select {
			case <-clk.At(d.at):
			case <-ctx.Done():
				return
			}
			tr := trajs[d.tr]
			ev := tr.Events[d.evt]
			body, _ := json.Marshal(map[string]any{"com": tr.Com, "nu": tr.Nu, "events": []trackpush.RawEvent{{Time: trackpush.FormatTime(d.at), Context: ev.Context}}})
			req, _ := http.NewRequest("POST", m.URL()+"/v1/events", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+m.Config.IngestToken)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
			say("scan      %-9s %s | %s", tr.Com, tr.Nu, ev.Context)
		}
	}()

	// Run until every subscription has ended and been delivered, or the
	// duration is up.
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case <-ctx.Done():
			break wait
		case <-stop:
			break wait
		case <-tick.C:
			select {
			case <-played:
				if demoDone(ctx, m, true) {
					break wait
				}
			default:
			}
		}
	}
	if err := demoSummary(ctx, stdout, m, dir, *keep); err != nil {
		return err
	}
	return keepServing(ctx, stdout, m, *keep)
}

// keepServing keeps the demo's server up until interrupted, with --keep.
func keepServing(ctx context.Context, w io.Writer, m *Main, keep bool) error {
	if !keep {
		return nil
	}
	fmt.Fprintf(w, "server still up at %s (trail links and the console keep working); Ctrl-C stops it\n", m.URL())
	<-ctx.Done()
	return nil
}

// printTrailLink prints the trail page of one subscription (the first
// whose number is in nus and has a link) and the console's address.
func printTrailLink(ctx context.Context, w io.Writer, m *Main, nus ...string) {
	for _, nu := range nus {
		subs, err := m.Store.SearchSubscriptions(ctx, trackpush.SubscriptionQuery{Nu: nu, Limit: 1})
		if err != nil || len(subs) == 0 || subs[0].TrailToken == "" {
			continue
		}
		fmt.Fprintf(w, "trail page of %s %s (open it while the demo runs; --keep keeps the server up): %s\n",
			subs[0].Com, nu, trackpush.TrailURL(m.Config.BaseURL, subs[0].TrailToken))
		break
	}
	fmt.Fprintf(w, "operator console: %s/admin (admin token %s)\n", m.Config.BaseURL, m.Config.AdminToken)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// demoDone reports whether the demo has shown everything: every scan
// played, nothing left to push, and every subscription ended except those
// whose trajectory stops before delivery.
func demoDone(ctx context.Context, m *Main, playedAll bool) bool {
	if !playedAll {
		return false
	}
	for id := int64(1); ; id++ {
		s, err := m.Store.Subscription(ctx, id)
		if err != nil {
			return id > 1
		}
		if s.Push.Pending() || (s.Live() && s.Nu == demoNoRecord) {
			return false
		}
	}
}

// demoSummary prints what happened to each subscription.
func demoSummary(ctx context.Context, w io.Writer, m *Main, dir string, keep bool) error {
	fmt.Fprintln(w, "\nsummary:")
	var subs, pushes, failed, shutdowns, aborts int
	var rows [][]string
	for id := int64(1); ; id++ {
		s, err := m.Store.Subscription(ctx, id)
		if err != nil {
			break
		}
		subs++
		log, err := m.Store.Deliveries(ctx, id, 1000)
		if err != nil {
			return err
		}
		ok, bad := 0, 0
		for _, d := range log {
			if d.OK {
				ok++
			} else {
				bad++
			}
		}
		pushes += ok
		failed += bad
		switch s.Status {
		case trackpush.StatusShutdown:
			shutdowns++
		case trackpush.StatusAbort:
			aborts++
		}
		h, evs, _ := m.Store.Shipment(ctx, s.Com, s.Nu)
		state := "-"
		if h != nil && len(evs) > 0 {
			state = fmt.Sprintf("%s %s", h.Summary.State, h.Summary.State.Name())
		}
		rows = append(rows, []string{fmt.Sprintf("#%d", s.ID), s.Com, s.Nu, s.Status, s.Message, fmt.Sprintf("events=%d", len(evs)),
			fmt.Sprintf("pushes ok=%d failed=%d", ok, bad), "state " + state})
	}
	writeColumns(w, "  ", rows)
	fmt.Fprintf(w, "%d subscriptions: %d shut down (signed), %d aborted; %d pushes acknowledged, %d failed attempts retried\n",
		subs, shutdowns, aborts, pushes, failed)
	if keep {
		fmt.Fprintf(w, "database kept at %s\n", filepath.Join(dir, "demo.db"))
	}
	return nil
}

// serveListener serves a listener on a free loopback port.
func serveListener(l *Listener) (net.Listener, error) { return serveHandler(l) }

// serveHandler serves a handler on a free loopback port.
func serveHandler(h http.Handler) (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go (&http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}).Serve(ln)
	return ln, nil
}

// lockedWriter serialises writes to a shared writer.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// openDemoServer opens a demo's server on a loopback port with a SQLite
// database in dir, on clock clk running scale times real time, with one
// account to subscribe from. setup adjusts the configuration before the
// server opens. The caller closes the server.
func openDemoServer(ctx context.Context, dir string, clk *clock.Scaled, scale float64, verbose bool, stderr io.Writer, setup func(*Main)) (*Main, *trackpush.Account, error) {
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	// The demo's base URL is its own listening address, taken before the
	// server opens (a server never derives one from requests), and its
	// trail links stay valid for the whole accelerated run.
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return nil, nil, err
	}
	m.Listener = ln
	m.Config.BaseURL = "http://" + ln.Addr().String()
	m.Config.AdminToken = api.NewCredential()
	m.Config.TrailTTL, m.Config.TrailSignedTTL = 100*365*24*time.Hour, 100*365*24*time.Hour
	m.Config.DB = filepath.Join(dir, "demo.db")
	m.Config.AllowPrivateCallbacks = true
	m.Config.TimeScale = scale
	m.Clock = clk
	if verbose {
		m.Logger = newLogger(stderr, "info", "text")
	}
	setup(m)
	if err := m.Open(ctx); err != nil {
		ln.Close()
		return nil, nil, err
	}
	acct, err := api.NewAccount("demo", 1000, "")
	if err == nil {
		err = m.Store.CreateAccount(ctx, acct)
	}
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	return m, acct, nil
}
