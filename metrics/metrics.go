// Package metrics is trackpush's Prometheus adapter: it implements
// trackpush.Observer with counters and histograms, instruments a
// trackpush.Store (operation latency) and an http.Handler (requests by
// route and status), reads the store's state (subscriptions by status, the
// due backlog) when scraped, and serves it all with the Go runtime and
// process metrics at /metrics, to allowed networks or a bearer token.
//
// The domain does not import it: components report through
// trackpush.Observer, and cmd/trackpush wires this package in.
package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/trackpush/trackpush"
)

// Options describe the process for trackpush_build_info.
type Options struct {
	Version  string // module version ("(devel)" for a local build)
	Revision string // VCS revision, "" when unknown
	Node     string // this node's name
	// StatsTTL is how long a read of the store's state serves scrapes
	// (default 10 s: it counts every subscription, a table scan);
	// negative: read at every scrape.
	StatsTTL time.Duration
}

// Metrics holds the registry and the service's metrics. Its methods are
// safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	statsTTL time.Duration

	subscribes   *prometheus.CounterVec
	ingested     *prometheus.CounterVec
	duplicates   *prometheus.CounterVec
	dropped      *prometheus.CounterVec
	pushes       *prometheus.CounterVec
	pushLatency  prometheus.Histogram
	retries      prometheus.Counter
	givenUp      prometheus.Counter
	deferred     prometheus.Counter
	polls        *prometheus.CounterVec
	pollLatency  *prometheus.HistogramVec
	storeLatency *prometheus.HistogramVec
	httpRequests *prometheus.CounterVec
	httpLatency  *prometheus.HistogramVec
}

var _ trackpush.Observer = (*Metrics)(nil)

// New returns the metrics, registered with a registry of their own along
// with the Go runtime and process collectors.
func New(o Options) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), statsTTL: o.StatsTTL}
	if m.statsTTL == 0 {
		m.statsTTL = 10 * time.Second
	}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	info := prometheus.NewGauge(prometheus.GaugeOpts{Name: "trackpush_build_info", Help: "The running binary: its module version, VCS revision and node name (always 1).",
		ConstLabels: prometheus.Labels{"version": o.Version, "revision": o.Revision, "node": o.Node}})
	info.Set(1)
	f(info)

	m.subscribes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "trackpush_subscribe_requests_total", Help: "Subscribe requests answered, by returnCode."}, []string{"code"})
	m.ingested = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "trackpush_events_ingested_total", Help: "New carrier events stored, by source (ingest, poll)."}, []string{"source"})
	m.duplicates = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "trackpush_events_duplicate_total", Help: "Carrier events received again (same time and text), by source."}, []string{"source"})
	m.dropped = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "trackpush_events_dropped_total", Help: "Carrier events left out as impossible (time out of bounds or unreadable, empty text), by source."}, []string{"source"})
	m.pushes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "trackpush_pushes_total", Help: "Push attempts, by outcome: ack, refused, timeout, non_2xx, bad_ack, guard, error."}, []string{"outcome"})
	m.pushLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "trackpush_push_duration_seconds", Help: "Time from sending a push to its answer (or failure).",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20}})
	m.retries = prometheus.NewCounter(prometheus.CounterOpts{Name: "trackpush_push_retries_total", Help: "Failed pushes scheduled again 30 minutes later."})
	m.givenUp = prometheus.NewCounter(prometheus.CounterOpts{Name: "trackpush_push_given_up_total", Help: "Versions given up after the last retry failed."})
	m.deferred = prometheus.NewCounter(prometheus.CounterOpts{Name: "trackpush_push_deferred_total", Help: "Claimed pushes put back unattempted: their receiver or account was at its concurrency cap."})
	m.polls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "trackpush_polls_total", Help: "Upstream polls, by upstream and outcome: ok, no_record, rate_limited, rejected, error."}, []string{"upstream", "outcome"})
	m.pollLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "trackpush_poll_duration_seconds", Help: "Time an upstream took to answer a poll.",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"upstream"})
	m.storeLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "trackpush_store_operation_duration_seconds", Help: "Store operations' latency, by operation and result (ok, error).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5}}, []string{"op", "result"})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "trackpush_http_requests_total", Help: "HTTP requests answered, by route pattern and status code."}, []string{"route", "code"})
	m.httpLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "trackpush_http_request_duration_seconds", Help: "HTTP request latency, by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"route"})
	for _, c := range []prometheus.Collector{m.subscribes, m.ingested, m.duplicates, m.dropped, m.pushes, m.pushLatency, m.retries,
		m.givenUp, m.deferred, m.polls, m.pollLatency, m.storeLatency, m.httpRequests, m.httpLatency} {
		f(c)
	}
	// Every outcome exists from the start, so that rates and alerts see a
	// zero rather than nothing.
	for _, o := range []string{trackpush.PushAck, trackpush.PushRefused, trackpush.PushTimedOut, trackpush.PushNon2xx,
		trackpush.PushBadAck, trackpush.PushGuarded, trackpush.PushFailed} {
		m.pushes.WithLabelValues(o)
	}
	for _, s := range []string{trackpush.SourceIngest, trackpush.SourcePoll} {
		m.ingested.WithLabelValues(s)
		m.duplicates.WithLabelValues(s)
		m.dropped.WithLabelValues(s)
	}
	return m
}

// Registry returns the registry, for more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// GaugeFunc registers a gauge read from f at each scrape.
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

// Subscribed implements trackpush.Observer.
func (m *Metrics) Subscribed(code string) { m.subscribes.WithLabelValues(code).Inc() }

// Ingested implements trackpush.Observer.
func (m *Metrics) Ingested(source string, accepted, duplicates, dropped int) {
	m.ingested.WithLabelValues(source).Add(float64(accepted))
	m.duplicates.WithLabelValues(source).Add(float64(duplicates))
	m.dropped.WithLabelValues(source).Add(float64(dropped))
}

// Pushed implements trackpush.Observer.
func (m *Metrics) Pushed(r trackpush.PushReport) {
	if r.Outcome == trackpush.PushDeferred {
		m.deferred.Inc()
		return
	}
	m.pushes.WithLabelValues(r.Outcome).Inc()
	m.pushLatency.Observe(r.Latency.Seconds())
	switch {
	case r.GaveUp:
		m.givenUp.Inc()
	case r.Retry:
		m.retries.Inc()
	}
}

// Polled implements trackpush.Observer.
func (m *Metrics) Polled(upstream, outcome string, took time.Duration) {
	m.polls.WithLabelValues(upstream, outcome).Inc()
	m.pollLatency.WithLabelValues(upstream).Observe(took.Seconds())
}

// WatchStore reports the store's state at each scrape (read at most every
// Options.StatsTTL): subscriptions by status, pushes due, the age of the
// oldest due push, on the clock's time.
func (m *Metrics) WatchStore(store trackpush.Store, clock trackpush.Clock) {
	m.reg.MustRegister(&statsCollector{store: store, clock: clock, ttl: m.statsTTL})
}

type statsCollector struct {
	store trackpush.Store
	clock trackpush.Clock
	ttl   time.Duration

	mu     sync.Mutex
	at     time.Time // real time of the last read
	stats  trackpush.Stats
	now    time.Time // clock time of the last read
	errors float64
}

var (
	descSubs   = prometheus.NewDesc("trackpush_subscriptions", "Subscriptions by status (polling, shutdown, abort).", []string{"status"}, nil)
	descDue    = prometheus.NewDesc("trackpush_push_due", "Pushes due now, in flight included (the backlog).", nil, nil)
	descOldest = prometheus.NewDesc("trackpush_push_oldest_due_seconds", "How long the oldest due push has waited (service clock); 0 when none is due.", nil, nil)
	descErrors = prometheus.NewDesc("trackpush_store_stats_errors_total", "Scrapes whose read of the store's state failed.", nil, nil)
)

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descSubs
	ch <- descDue
	ch <- descOldest
	ch <- descErrors
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stats.Subscriptions == nil || time.Since(c.at) >= c.ttl {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		now := c.clock.Now()
		st, err := c.store.Stats(ctx, now)
		cancel()
		if err != nil {
			c.errors++
		} else {
			c.stats, c.now, c.at = st, now, time.Now()
		}
	}
	ch <- prometheus.MustNewConstMetric(descErrors, prometheus.CounterValue, c.errors)
	if c.stats.Subscriptions == nil {
		return // never read: report nothing rather than zeros
	}
	for _, s := range []string{trackpush.StatusPolling, trackpush.StatusShutdown, trackpush.StatusAbort} {
		ch <- prometheus.MustNewConstMetric(descSubs, prometheus.GaugeValue, float64(c.stats.Subscriptions[s]), s)
	}
	ch <- prometheus.MustNewConstMetric(descDue, prometheus.GaugeValue, float64(c.stats.Due))
	age := 0.0
	if !c.stats.OldestDue.IsZero() {
		age = max(c.now.Sub(c.stats.OldestDue).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, age)
}
