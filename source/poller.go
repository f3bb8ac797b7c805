package source

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
)

// Intervals are the poller's waits between polls of one shipment, by what
// its events say: slower in transit, faster as delivery nears.
type Intervals struct {
	New      time.Duration // no event yet
	Transit  time.Duration // in transit, picked up, trouble
	DestCity time.Duration // arrived in the destination city
	Delivery time.Duration // out for delivery, at a locker or station
	// ErrorBase and ErrorMax bound the backoff after failed polls:
	// ErrorBase·2^(failures−1), at most ErrorMax.
	ErrorBase time.Duration
	ErrorMax  time.Duration
}

// DefaultIntervals are the poller's defaults.
func DefaultIntervals() Intervals {
	return Intervals{New: 30 * time.Minute, Transit: 4 * time.Hour, DestCity: 2 * time.Hour, Delivery: time.Hour,
		ErrorBase: 5 * time.Minute, ErrorMax: 4 * time.Hour}
}

// Next returns when a shipment is to be polled again after a poll at now
// that left it with summary sum (events: how many it has; inDest: its
// newest located event is in its destination city) and failures
// consecutive failed polls; zero when it needs no more polling.
func (iv Intervals) Next(now time.Time, sum trackpush.Summary, events, failures int, inDest bool) time.Time {
	if sum.Finished {
		return time.Time{}
	}
	if failures > 0 {
		d := iv.ErrorBase << min(failures-1, 16)
		if d <= 0 || d > iv.ErrorMax {
			d = iv.ErrorMax
		}
		return now.Add(d)
	}
	if events == 0 {
		return now.Add(iv.New)
	}
	switch st := sum.State; {
	case st.Basic() == trackpush.StateDelivery:
		return now.Add(iv.Delivery)
	case st == trackpush.StateArrivedDestCity, inDest && st.Basic() == trackpush.StateInTransit:
		return now.Add(iv.DestCity)
	}
	return now.Add(iv.Transit)
}

// Poller follows the shipments that have no push source by polling the
// upstream that serves their carrier: each shipment by one poller at a
// time (claims with leases in the store), at an adaptive interval, within
// each upstream's rate limit, backing off on errors.
type Poller struct {
	Store     trackpush.Store
	Clock     trackpush.Clock
	Log       *slog.Logger
	Ingester  *Ingester
	Intervals Intervals
	// Routes maps carrier codes to their upstream; "*" serves every other
	// carrier.
	Routes map[string]Upstream
	// Rates limit requests per second (real time) per upstream name; 0 or
	// absent: unlimited.
	Rates   map[string]float64
	Workers int           // polls in flight (default 8)
	Lease   time.Duration // claim lease (default 2 min)
	MaxIdle time.Duration // longest sleep between store checks (default 1 min of clock time)
	// Done, when set, is told of every poll recorded (tests).
	Done func(trackpush.PollDone)
	// Observer, when set, is told of every upstream request.
	Observer trackpush.Observer

	once     sync.Once
	wake     chan struct{}
	limiters map[string]*limiter
	failures failureLog
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// Upstream returns the upstream that serves a carrier, or nil.
func (p *Poller) Upstream(com string) Upstream {
	if u, ok := p.Routes[com]; ok {
		return u
	}
	return p.Routes["*"]
}

// Polls reports whether a carrier's shipments are polled.
func (p *Poller) Polls(com string) bool { return p != nil && p.Upstream(com) != nil }

// Wake tells the poller that a shipment may have become due.
func (p *Poller) Wake() {
	p.init()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// init sets the poller up, once, whichever comes first: Start, or a Poll
// from the real-time query API.
func (p *Poller) init() { p.once.Do(p.setup) }

func (p *Poller) setup() {
	if p.Workers <= 0 {
		p.Workers = 8
	}
	if p.Lease <= 0 {
		p.Lease = 2 * time.Minute
	}
	// The lease must outlast the query in real time (up to a minute).
	if scaled := time.Duration(float64(time.Minute) * trackpush.ClockScale(p.Clock)); scaled > p.Lease {
		p.Lease = scaled
	}
	if p.MaxIdle <= 0 {
		p.MaxIdle = time.Minute
	}
	if p.Intervals == (Intervals{}) {
		p.Intervals = DefaultIntervals()
	}
	p.wake = make(chan struct{}, 1)
	p.limiters = map[string]*limiter{}
	for _, u := range p.Routes {
		if p.limiters[u.Name()] == nil {
			p.limiters[u.Name()] = newLimiter(p.Rates[u.Name()], 4)
		}
	}
}

// Start runs the poller until Stop.
func (p *Poller) Start(ctx context.Context) error {
	p.init()
	ctx, p.cancel = context.WithCancel(ctx)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.run(ctx)
	}()
	return nil
}

// Stop stops the poller and waits for the polls in flight.
func (p *Poller) Stop() {
	if p.cancel != nil {
		p.cancel()
	}
	p.wg.Wait()
}

func (p *Poller) run(ctx context.Context) {
	slots := make(chan struct{}, p.Workers)
	var inflight sync.WaitGroup
	defer inflight.Wait()
	lanes := p.lanes()
	errs := 0
	for {
		select {
		case slots <- struct{}{}:
			<-slots
		case <-ctx.Done():
			return
		}
		now := p.Clock.Now()
		var groups [][]trackpush.PollJob
		var err error
		for i := range lanes {
			l := &lanes[i]
			free := p.Workers - len(slots) - len(groups)
			if free <= 0 {
				break
			}
			limit := free * l.perWorker()
			var jobs []trackpush.PollJob
			jobs, err = p.Store.ClaimPolls(ctx, l.coms, now, p.Lease, limit)
			if err != nil {
				break
			}
			gs := p.group(jobs)
			l.observe(len(jobs), len(gs), limit)
			groups = append(groups, gs...)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if errs++; errs == 1 || errs%100 == 0 {
				p.Log.Error("claim polls", "err", err, "failures", errs)
			}
		} else {
			errs = 0
		}
		for _, g := range groups {
			slots <- struct{}{}
			inflight.Add(1)
			go func() {
				defer inflight.Done()
				p.pollGroup(ctx, g)
				<-slots
				p.Wake()
			}()
		}
		if len(groups) > 0 {
			continue
		}
		select {
		case <-p.Clock.At(now.Add(p.MaxIdle)):
		case <-p.wake:
		case <-ctx.Done():
			return
		}
	}
}

// lane is a set of carriers whose polls are claimed together: a batching
// upstream's lane claims several shipments per free worker, as many as
// its requests have lately carried (up to its batch size). Claiming a
// full batch per worker when the shipments cannot share requests (SF
// waybills of different phones) would hold claims on shipments waiting
// for a worker.
type lane struct {
	coms  []string // nil: all
	batch int
	fill  float64 // shipments per request lately; starts at batch
}

// perWorker is how many shipments to claim per free worker.
func (l *lane) perWorker() int {
	return max(1, min(l.batch, int(math.Ceil(l.fill))))
}

// observe learns from a claim: jobs claimed (of limit) in groups
// requests. A claim that took all it asked for measures the fill; one
// that found fewer shipments due can only show it is higher.
func (l *lane) observe(jobs, groups, limit int) {
	if groups == 0 {
		return
	}
	f := float64(jobs) / float64(groups)
	if jobs >= limit || f > l.fill {
		l.fill = f
	}
}

// lanes returns the claim lanes: one per batching upstream (its carriers,
// up to its batch size per worker), then the rest one per worker.
func (p *Poller) lanes() []lane {
	batched := map[Upstream][]string{}
	var rest []string
	for com, u := range p.Routes {
		if b, ok := u.(Batcher); ok && com != "*" && b.MaxBatch() > 1 {
			batched[u] = append(batched[u], com)
		} else if com != "*" {
			rest = append(rest, com)
		}
	}
	var out []lane
	for u, coms := range batched {
		sort.Strings(coms)
		b := u.(Batcher).MaxBatch()
		out = append(out, lane{coms: coms, batch: b, fill: float64(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].coms[0] < out[j].coms[0] })
	sort.Strings(rest)
	switch _, all := p.Routes["*"]; {
	case all:
		out = append(out, lane{batch: 1, fill: 1}) // may claim batched carriers too: polled singly
	case len(rest) > 0:
		out = append(out, lane{coms: rest, batch: 1, fill: 1})
	}
	return out
}

// group splits claimed polls into requests: those of one batching
// upstream and batch key together, up to its batch size; others alone.
func (p *Poller) group(jobs []trackpush.PollJob) [][]trackpush.PollJob {
	type key struct {
		u Upstream
		k string
	}
	var out [][]trackpush.PollJob
	open := map[key]int{} // the group being filled, by key
	for _, j := range jobs {
		u := p.Upstream(j.Com)
		b, ok := u.(Batcher)
		if !ok || b.MaxBatch() <= 1 {
			out = append(out, []trackpush.PollJob{j})
			continue
		}
		k := key{u, b.BatchKey(Query{Com: j.Com, Nu: j.Nu, Phone: j.Phone})}
		if i, ok := open[k]; ok && len(out[i]) < b.MaxBatch() {
			out[i] = append(out[i], j)
			continue
		}
		open[k] = len(out)
		out = append(out, []trackpush.PollJob{j})
	}
	return out
}

// Poll polls one shipment now, outside the schedule (the real-time query
// API asks for it): it returns what the ingest did.
func (p *Poller) Poll(ctx context.Context, com, nu, phone string) (Result, error) {
	raws, err := p.fetch(ctx, com, nu, phone)
	if err != nil {
		return Result{}, err
	}
	return p.Ingester.IngestResult(ctx, com, nu, raws)
}

// Knows asks com's upstream whether it has a record of nu, within the
// upstream's rate limit, and ingests nothing: the probe of the carrier
// auto-check. It answers false, nil for ErrNoRecord and for carriers that
// are not polled.
func (p *Poller) Knows(ctx context.Context, com, nu, phone string) (bool, error) {
	if !p.Polls(com) {
		return false, nil
	}
	raws, err := p.fetch(ctx, com, nu, phone)
	if errors.Is(err, ErrNoRecord) {
		return false, nil
	}
	return len(raws) > 0, err
}

// fetch asks com's upstream for nu's trajectory, within its rate limit.
func (p *Poller) fetch(ctx context.Context, com, nu, phone string) ([]trackpush.RawEvent, error) {
	u := p.Upstream(com)
	if u == nil {
		return nil, ErrRejected
	}
	p.init()
	if err := p.limiters[u.Name()].wait(ctx); err != nil {
		return nil, err
	}
	start := time.Now()
	raws, err := u.Track(ctx, Query{Com: com, Nu: nu, Phone: phone})
	if errors.Is(err, ErrRateLimited) {
		p.limiters[u.Name()].pause(30 * time.Second)
	}
	if p.Observer != nil && ctx.Err() == nil {
		p.Observer.Polled(u.Name(), pollOutcome(err), time.Since(start))
	}
	return raws, err
}

// pollOutcome names an upstream's answer (a trackpush.Poll* outcome).
func pollOutcome(err error) string {
	switch {
	case err == nil:
		return trackpush.PollOK
	case errors.Is(err, ErrNoRecord):
		return trackpush.PollNoRecord
	case errors.Is(err, ErrRateLimited):
		return trackpush.PollRateLimited
	case errors.Is(err, ErrRejected):
		return trackpush.PollRejected
	}
	return trackpush.PollFailed
}

// failureLog rate-limits the poller's failure warnings: an upstream that is
// down fails every poll, and a line for each would drown the log. The first
// failure of an upstream is logged at once, then at most one line per
// failureLogEvery with the count since the last line.
type failureLog struct {
	mu   sync.Mutex
	last map[string]time.Time
	held map[string]int
}

// failureLogEvery is the least time between two poll-failure lines of one
// upstream (real time).
const failureLogEvery = time.Minute

// note records a failure and reports whether to log it, and how many
// failures of the upstream went unlogged before it.
func (f *failureLog) note(upstream string, now time.Time) (bool, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.last == nil {
		f.last, f.held = map[string]time.Time{}, map[string]int{}
	}
	if t, ok := f.last[upstream]; ok && now.Sub(t) < failureLogEvery {
		f.held[upstream]++
		return false, 0
	}
	n := f.held[upstream]
	f.last[upstream], f.held[upstream] = now, 0
	return true, n
}

// pollGroup polls claimed shipments — several in one request when their
// upstream batches — and schedules their next polls.
func (p *Poller) pollGroup(ctx context.Context, jobs []trackpush.PollJob) {
	if len(jobs) == 1 {
		raws, err := p.fetch(ctx, jobs[0].Com, jobs[0].Nu, jobs[0].Phone)
		p.polled(ctx, jobs[0], raws, err)
		return
	}
	u := p.Upstream(jobs[0].Com).(Batcher)
	qs := make([]Query, len(jobs))
	for i, j := range jobs {
		qs[i] = Query{Com: j.Com, Nu: j.Nu, Phone: j.Phone}
	}
	lim := p.limiters[u.Name()]
	err := lim.wait(ctx)
	var answers []Tracked
	if err == nil {
		start := time.Now()
		answers, err = u.TrackBatch(ctx, qs)
		if errors.Is(err, ErrRateLimited) {
			lim.pause(30 * time.Second)
		}
		if p.Observer != nil && ctx.Err() == nil {
			p.Observer.Polled(u.Name(), pollOutcome(err), time.Since(start))
		}
		if err == nil && len(answers) != len(qs) {
			err = fmt.Errorf("%s: %d answers to %d queries", u.Name(), len(answers), len(qs))
		}
	}
	for i, j := range jobs {
		if err != nil {
			p.polled(ctx, j, nil, err)
		} else {
			p.polled(ctx, j, answers[i].Events, answers[i].Err)
		}
	}
}

// polled ingests what a claimed poll fetched and schedules the next poll.
func (p *Poller) polled(ctx context.Context, j trackpush.PollJob, raws []trackpush.RawEvent, err error) {
	failures := 0
	sum, events, dest := j.Summary, j.EventCount, false
	if err == nil {
		var res Result
		if res, err = p.Ingester.IngestResult(ctx, j.Com, j.Nu, raws); err == nil {
			sum, events, dest = res.Summary, res.Events, res.InDestCity
		}
	}
	switch {
	case err == nil:
	case errors.Is(err, ErrNoRecord):
	case ctx.Err() != nil:
		return // stopping: the lease runs out and another poll comes
	default:
		failures = j.Errors + 1
		up := "?"
		if u := p.Upstream(j.Com); u != nil {
			up = u.Name()
		}
		if ok, held := p.failures.note(up, time.Now()); ok {
			p.Log.Warn("poll failed", "upstream", up, "com", j.Com, "nu", j.Nu, "failures", failures, "err", err,
				"unlogged_failures", held)
		}
	}
	now := p.Clock.Now()
	done := trackpush.PollDone{ShipmentID: j.ShipmentID, Claim: j.Claim, Errors: failures, At: now,
		Next: p.Intervals.Next(now, sum, events, failures, dest)}
	for i := 0; ; i++ {
		err := p.Store.CompletePoll(context.WithoutCancel(ctx), done)
		if err == nil {
			if p.Done != nil {
				p.Done(done)
			}
			return
		}
		if i == 5 {
			p.Log.Error("record poll", "err", err) // the lease runs out; the poll repeats
			return
		}
		time.Sleep(time.Duration(i+1) * 100 * time.Millisecond)
	}
}
