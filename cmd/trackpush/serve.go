package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/api"
	"github.com/trackpush/trackpush/carrier"
	"github.com/trackpush/trackpush/carrier/autocheck"
	"github.com/trackpush/trackpush/clock"
	"github.com/trackpush/trackpush/keyring"
	"github.com/trackpush/trackpush/metrics"
	"github.com/trackpush/trackpush/postgres"
	"github.com/trackpush/trackpush/push"
	"github.com/trackpush/trackpush/region"
	"github.com/trackpush/trackpush/route"
	"github.com/trackpush/trackpush/source"
	"github.com/trackpush/trackpush/sqlite"
	"github.com/trackpush/trackpush/tracker"
	"github.com/trackpush/trackpush/web"
)

func init() {
	register(command{name: "serve", summary: "run the server: subscribe, ingest, polling, pushes, the real-time query, admin, metrics", run: runServe})
}

// Config is the server's configuration: defaults, then TRACKPUSH_*
// environment variables, then flags.
type Config struct {
	Addr                  string  // listen address
	DB                    string  // SQLite file (a postgres:// DSN with the PostgreSQL store)
	BaseURL               string  // public URL used in links
	IngestToken           string  // bearer token of POST /v1/events ("" disables it)
	IngestMemory          int     // MiB of ingest bodies in flight at once
	AdminToken            string  // bearer token of /admin ("" disables it)
	AllowPrivateCallbacks bool    // permit loopback and private callback hosts
	AllowHTTPS            bool    // permit https callback URLs
	TimeScale             float64 // the clock runs this many times faster
	SensitiveWords        string  // file with one refused word per line
	Workers               int     // pushes in flight
	PerHost               int     // pushes in flight per receiver
	PerAccount            int     // pushes in flight per account (0: half the workers)
	LogLevel              string  // debug, info, warn, error
	LogFormat             string  // text or json
	MetricsAllow          string  // networks served /metrics ("127.0.0.0/8,::1")
	MetricsToken          string  // a bearer token that may read /metrics from anywhere
	SecretFile            string  // the server secret that seals account keys ("": beside the database)

	// Polling: Poll maps carriers to upstreams ("yuantong=kuaidi100,*=sim"),
	// PollRate limits each upstream ("kuaidi100=5" per second),
	// PollIntervals tunes the waits ("transit=4h,dest=2h,delivery=1h,new=30m").
	Poll              string
	PollRate          string
	PollIntervals     string
	Kuaidi100URL      string
	Kuaidi100Customer string
	Kuaidi100Key      string
	SimSeed           int64
	SimParcels        int
	// Carriers configures the direct carrier adapters (carriers.go).
	Carriers CarriersConfig

	KeepDeliveries time.Duration // delivery-log retention
	PushLease      time.Duration // how long a node holds a claimed push (clock time)
	PollLease      time.Duration // how long a node holds a claimed poll
	NodeName       string        // names this node in logs and in the pushes' User-Agent

	// TrailTTL and TrailSignedTTL: how long a trail link stays valid
	// after the last event, unsigned and signed.
	TrailTTL       time.Duration
	TrailSignedTTL time.Duration
	// RouteRefresh is how often the node reads what every node taught the
	// route model (0: never; one node alone needs no refresh).
	RouteRefresh time.Duration
	// LockerWait: a parcel left at a locker or station with no later event
	// for this long counts as signed there (0: never).
	LockerWait time.Duration

	envErrs []error // TRACKPUSH_* variables that did not parse
}

// Validate checks the configuration and names the bad field.
func (c *Config) Validate() error {
	if len(c.envErrs) > 0 {
		return errors.Join(c.envErrs...)
	}
	switch {
	case c.Addr == "":
		return errors.New("addr: empty")
	case c.DB == "":
		return errors.New("db: empty")
	case c.TimeScale < 1:
		return fmt.Errorf("time-scale: %v, want ≥ 1", c.TimeScale)
	case c.Workers < 1:
		return fmt.Errorf("workers: %d, want ≥ 1", c.Workers)
	case c.PerHost < 1:
		return fmt.Errorf("per-host: %d, want ≥ 1", c.PerHost)
	case c.IngestMemory < 1:
		return fmt.Errorf("ingest-memory: %d MiB, want ≥ 1", c.IngestMemory)
	case c.PerAccount < 0:
		return fmt.Errorf("per-account: %d, want ≥ 1 (or 0: half the workers)", c.PerAccount)
	case c.PushLease < trackpush.PushTimeout+10*time.Second:
		return fmt.Errorf("push-lease: %s, want at least %s (the receiver's 20 s and a margin)", c.PushLease, trackpush.PushTimeout+10*time.Second)
	case c.PollLease < 10*time.Second:
		return fmt.Errorf("poll-lease: %s, want at least 10s", c.PollLease)
	case c.LockerWait < 0:
		return fmt.Errorf("locker-wait: %s, want ≥ 0", c.LockerWait)
	case c.KeepDeliveries < time.Hour:
		return fmt.Errorf("keep-deliveries: %s, want at least 1h", c.KeepDeliveries)
	case c.RouteRefresh < 0:
		return fmt.Errorf("route-refresh: %s, want ≥ 0", c.RouteRefresh)
	case c.TimeScale > 1 && isPostgres(c.DB):
		// Each process's accelerated clock starts when it starts: nodes
		// would disagree on leases and due times.
		return errors.New("time-scale: an accelerated clock is for one node (SQLite), not for a shared PostgreSQL database")
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return fmt.Errorf("base-url: %q is not an http(s) URL without query, fragment or credentials", c.BaseURL)
		}
	}
	if c.TrailTTL <= 0 || c.TrailSignedTTL <= 0 {
		return fmt.Errorf("trail-ttl, trail-signed-ttl: %s, %s, want > 0", c.TrailTTL, c.TrailSignedTTL)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level: %q, want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log-format: %q, want text or json", c.LogFormat)
	}
	if _, err := metrics.ParseAllow(c.MetricsAllow); err != nil {
		return fmt.Errorf("metrics-allow: %w (want networks such as 127.0.0.0/8,10.1.2.3)", err)
	}
	routes, err := parsePairs(c.Poll)
	if err != nil {
		return fmt.Errorf("poll: %w", err)
	}
	for com, up := range routes {
		if up == "kuaidi100" && (c.Kuaidi100URL == "" || c.Kuaidi100Customer == "" || c.Kuaidi100Key == "") {
			return fmt.Errorf("poll: %s=kuaidi100 needs --kuaidi100-url, --kuaidi100-customer and --kuaidi100-key", com)
		}
	}
	if err := c.Carriers.Validate(routes); err != nil {
		return err
	}
	if _, err := parseRates(c.PollRate); err != nil {
		return fmt.Errorf("poll-rate: %w", err)
	}
	if _, err := parseIntervals(c.PollIntervals); err != nil {
		return fmt.Errorf("poll-intervals: %w", err)
	}
	return nil
}

// parsePairs reads "a=x,b=y".
func parsePairs(spec string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range strings.Split(spec, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%q is not name=value", p)
		}
		out[k] = v
	}
	return out, nil
}

func parseRates(spec string) (map[string]float64, error) {
	pairs, err := parsePairs(spec)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for k, v := range pairs {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return nil, fmt.Errorf("%s=%s: not a rate", k, v)
		}
		out[k] = f
	}
	return out, nil
}

func parseIntervals(spec string) (source.Intervals, error) {
	iv := source.DefaultIntervals()
	pairs, err := parsePairs(spec)
	if err != nil {
		return iv, err
	}
	for k, v := range pairs {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return iv, fmt.Errorf("%s=%s: not a duration", k, v)
		}
		switch k {
		case "new":
			iv.New = d
		case "transit":
			iv.Transit = d
		case "dest":
			iv.DestCity = d
		case "delivery":
			iv.Delivery = d
		case "error":
			iv.ErrorBase = d
		case "error-max":
			iv.ErrorMax = d
		default:
			return iv, fmt.Errorf("unknown interval %q (new, transit, dest, delivery, error, error-max)", k)
		}
	}
	return iv, nil
}

// envOr returns the environment variable TRACKPUSH_<name> or def.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv("TRACKPUSH_" + name); ok {
		return v
	}
	return def
}

// env reads typed TRACKPUSH_* variables for bindConfig and keeps the first
// error of each, so that Validate names a variable that does not parse
// (or a _FILE that cannot be read) instead of silently using the default.
type env struct{ errs []error }

func (e *env) fail(name, v, want string) {
	e.errs = append(e.errs, fmt.Errorf("TRACKPUSH_%s: %q is not %s", name, v, want))
}

// parse reads TRACKPUSH_<name> with parse, or returns def when it is
// unset or does not parse (recording the error, with what is wanted).
func parse[T any](e *env, name string, def T, want string, parse func(string) (T, error)) T {
	v, ok := os.LookupEnv("TRACKPUSH_" + name)
	if !ok {
		return def
	}
	x, err := parse(v)
	if err != nil {
		e.fail(name, v, want)
		return def
	}
	return x
}

func (e *env) bool(name string, def bool) bool {
	return parse(e, name, def, "a boolean (true or false)", strconv.ParseBool)
}

func (e *env) dur(name string, def time.Duration) time.Duration {
	return parse(e, name, def, "a duration (90s, 2m, 720h)", time.ParseDuration)
}

func (e *env) int(name string, def int) int {
	return parse(e, name, def, "a whole number", strconv.Atoi)
}

func (e *env) float(name string, def float64) float64 {
	return parse(e, name, def, "a number", func(v string) (float64, error) { return strconv.ParseFloat(v, 64) })
}

// secret reads TRACKPUSH_<name>, or the file named by
// TRACKPUSH_<name>_FILE (trimmed); a file that cannot be read is an error
// naming it.
func (e *env) secret(name string) string {
	if f, ok := os.LookupEnv("TRACKPUSH_" + name + "_FILE"); ok {
		b, err := os.ReadFile(f)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("TRACKPUSH_%s_FILE: %w", name, err))
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	return os.Getenv("TRACKPUSH_" + name)
}

// bindConfig defines the server's flags on fs, with env-derived defaults.
func bindConfig(fs *flag.FlagSet, c *Config) {
	e := &env{}
	defer func() { c.envErrs = e.errs }()
	fs.StringVar(&c.Addr, "addr", envOr("ADDR", ":8080"), "listen address (TRACKPUSH_ADDR)")
	fs.StringVar(&c.DB, "db", envOr("DB", "trackpush.db"), dbFlagHelp+"; created and migrated at start")
	fs.StringVar(&c.BaseURL, "base-url", envOr("BASE_URL", ""), "public URL of this server: trail links (lastResult.trailUrl) are made under it; without it pushes carry none (TRACKPUSH_BASE_URL)")
	fs.DurationVar(&c.TrailTTL, "trail-ttl", e.dur("TRAIL_TTL", trackpush.TrailTTL), "a trail link stays valid this long after the last event while unsigned (TRACKPUSH_TRAIL_TTL)")
	fs.DurationVar(&c.TrailSignedTTL, "trail-signed-ttl", e.dur("TRAIL_SIGNED_TTL", trackpush.TrailSignedTTL), "a trail link stays valid this long after signing (TRACKPUSH_TRAIL_SIGNED_TTL)")
	fs.StringVar(&c.IngestToken, "ingest-token", e.secret("INGEST_TOKEN"), "bearer token of POST /v1/events; empty disables ingest (TRACKPUSH_INGEST_TOKEN or _FILE)")
	fs.IntVar(&c.IngestMemory, "ingest-memory", e.int("INGEST_MEMORY", 32), "MiB of ingest request bodies held at once; past it POST /v1/events answers 503 with Retry-After (TRACKPUSH_INGEST_MEMORY)")
	fs.StringVar(&c.AdminToken, "admin-token", e.secret("ADMIN_TOKEN"), "bearer token of the admin API; empty disables it (TRACKPUSH_ADMIN_TOKEN or _FILE)")
	fs.BoolVar(&c.AllowPrivateCallbacks, "allow-private-callbacks", e.bool("ALLOW_PRIVATE_CALLBACKS", false), "permit loopback and private callback hosts (TRACKPUSH_ALLOW_PRIVATE_CALLBACKS)")
	fs.BoolVar(&c.AllowHTTPS, "allow-https", e.bool("ALLOW_HTTPS", false), "permit https callback URLs; http only by default, as the protocol says (TRACKPUSH_ALLOW_HTTPS)")
	fs.Float64Var(&c.TimeScale, "time-scale", e.float("TIME_SCALE", 1.0), "run every timer this many times faster (TRACKPUSH_TIME_SCALE)")
	fs.StringVar(&c.SensitiveWords, "sensitive-words", envOr("SENSITIVE_WORDS", ""), "file of words refused in subscriptions, one per line (TRACKPUSH_SENSITIVE_WORDS)")
	fs.IntVar(&c.Workers, "workers", e.int("WORKERS", 64), "pushes in flight at once (TRACKPUSH_WORKERS)")
	fs.IntVar(&c.PerHost, "per-host", e.int("PER_HOST", 16), "pushes in flight to one receiver: one address, however its host is spelled (TRACKPUSH_PER_HOST)")
	fs.IntVar(&c.PerAccount, "per-account", e.int("PER_ACCOUNT", 0), "pushes in flight for one account; 0: half the workers, at least --per-host (TRACKPUSH_PER_ACCOUNT)")
	fs.StringVar(&c.LogLevel, "log-level", envOr("LOG_LEVEL", "info"), "debug, info, warn or error (TRACKPUSH_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", envOr("LOG_FORMAT", "text"), "text (key=value) or json, one record per line (TRACKPUSH_LOG_FORMAT)")
	fs.StringVar(&c.MetricsAllow, "metrics-allow", envOr("METRICS_ALLOW", "127.0.0.0/8,::1"), "networks allowed to read GET /metrics, comma-separated; empty: none (TRACKPUSH_METRICS_ALLOW)")
	fs.StringVar(&c.MetricsToken, "metrics-token", e.secret("METRICS_TOKEN"), "a bearer token that may read GET /metrics from any network (TRACKPUSH_METRICS_TOKEN or _FILE)")
	fs.StringVar(&c.SecretFile, "secret-file", envOr("SECRET_FILE", ""), "file holding the server secret that seals account keys; created if missing (default: the database path + .secret) (TRACKPUSH_SECRET_FILE)")
	fs.StringVar(&c.Poll, "poll", envOr("POLL", ""), `carriers followed by polling an upstream: "yuantong=kuaidi100,*=sim" (TRACKPUSH_POLL)`)
	fs.StringVar(&c.PollRate, "poll-rate", envOr("POLL_RATE", ""), `requests per second per upstream: "kuaidi100=5" (TRACKPUSH_POLL_RATE)`)
	fs.StringVar(&c.PollIntervals, "poll-intervals", envOr("POLL_INTERVALS", ""), `waits between polls: "new=30m,transit=4h,dest=2h,delivery=1h,error=5m,error-max=4h" (TRACKPUSH_POLL_INTERVALS)`)
	fs.StringVar(&c.Kuaidi100URL, "kuaidi100-url", envOr("KUAIDI100_URL", ""), "query.do URL of a Kuaidi100-compatible upstream (TRACKPUSH_KUAIDI100_URL)")
	fs.StringVar(&c.Kuaidi100Customer, "kuaidi100-customer", envOr("KUAIDI100_CUSTOMER", ""), "its customer id (TRACKPUSH_KUAIDI100_CUSTOMER)")
	fs.StringVar(&c.Kuaidi100Key, "kuaidi100-key", e.secret("KUAIDI100_KEY"), "its key (TRACKPUSH_KUAIDI100_KEY or _FILE)")
	fs.Int64Var(&c.SimSeed, "sim-seed", int64(e.int("SIM_SEED", 1)), "seed of the simulated carrier world served by the sim upstream (TRACKPUSH_SIM_SEED)")
	fs.DurationVar(&c.KeepDeliveries, "keep-deliveries", e.dur("KEEP_DELIVERIES", 30*24*time.Hour), "keep the delivery log this long (TRACKPUSH_KEEP_DELIVERIES)")
	fs.DurationVar(&c.PushLease, "push-lease", e.dur("PUSH_LEASE", 2*time.Minute), "how long a node holds a claimed push before another may take it over; at least the 20 s receiver timeout + 10 s (TRACKPUSH_PUSH_LEASE)")
	fs.DurationVar(&c.PollLease, "poll-lease", e.dur("POLL_LEASE", 2*time.Minute), "how long a node holds a claimed poll (TRACKPUSH_POLL_LEASE)")
	host, _ := os.Hostname()
	fs.StringVar(&c.NodeName, "node", envOr("NODE", host), "name of this node in logs and in the pushes' User-Agent (TRACKPUSH_NODE)")
	bindCarriers(fs, e, &c.Carriers)
	fs.DurationVar(&c.LockerWait, "locker-wait", e.dur("LOCKER_WAIT", 72*time.Hour), "a parcel left at a locker or station (501) with no later event for this long counts as signed there (304, shutdown); 0: never (TRACKPUSH_LOCKER_WAIT)")
	fs.DurationVar(&c.RouteRefresh, "route-refresh", e.dur("ROUTE_REFRESH", time.Minute), "how often to read what other nodes taught the route model; 0: never (TRACKPUSH_ROUTE_REFRESH)")
	fs.IntVar(&c.SimParcels, "sim-parcels", e.int("SIM_PARCELS", 10000), "parcels of the simulated world the sim upstream knows: those `trackpush sim --n N` writes (TRACKPUSH_SIM_PARCELS)")
}

// secretPath returns where the server secret lives: beside a SQLite
// file; for PostgreSQL, trackpush.secret in the working directory (every
// node of one database needs the same secret).
func (c *Config) secretPath() string {
	switch {
	case c.SecretFile != "":
		return c.SecretFile
	case isPostgres(c.DB):
		return "trackpush.secret"
	}
	return c.DB + ".secret"
}

func runServe(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	m := NewMain()
	bindConfig(fs, &m.Config)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %v", fs.Args())}
	}
	m.Logger = newLogger(stderr, m.Config.LogLevel, m.Config.LogFormat)
	if err := m.Open(ctx); err != nil {
		return err
	}
	version, revision := buildVersion()
	m.Logger.Info("trackpush serving", "addr", m.Addr(), "db", redactDSN(m.Config.DB), "node", m.Config.NodeName, "time-scale", m.Config.TimeScale,
		"version", version, "revision", revision)
	<-ctx.Done()
	m.Logger.Info("shutting down")
	return m.Close()
}

// newLogger returns a logger writing text (key=value) or JSON lines at a
// level. Times are RFC 3339 with the offset, as everywhere the operator
// reads (the wire alone keeps China time without a zone).
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: l, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Value.Kind() == slog.KindTime {
			a.Value = slog.StringValue(a.Value.Time().Format(time.RFC3339Nano))
		}
		return a
	}}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Main is the whole server: store, engines and HTTP. Tests run it on :0
// with a temporary database and a fake clock.
type Main struct {
	Config Config
	// Clock, when set, replaces the real (or scaled) clock.
	Clock  trackpush.Clock
	Logger *slog.Logger

	Store    trackpush.Store
	Pusher   *push.Engine
	Tracker  *tracker.Tracker
	Ingester *source.Ingester
	Detector *carrier.Detector
	Checker  *autocheck.Checker
	Route    *route.Model
	Poller   *source.Poller
	Keyring  *keyring.Keyring
	// Upstreams, when set before Open, are the upstreams the poll routes
	// name (tests put fakes here); otherwise they are made from the
	// configuration.
	Upstreams map[string]source.Upstream
	// Listener, when set before Open, is listened on instead of
	// Config.Addr (the demo makes its base URL from its address first;
	// tests reach the server while it opens).
	Listener net.Listener

	// Metrics are the server's Prometheus metrics (made by Open).
	Metrics *metrics.Metrics

	ln       net.Listener
	srv      *http.Server
	handler  atomic.Pointer[http.Handler] // the startup handler, then the API
	ready    atomic.Bool
	starting atomic.Value // what Open is doing, for /readyz
	// holdPushes leaves the push engine stopped after Open (bench).
	holdPushes  bool
	routeLoaded time.Time // when the route model was loaded (service clock)
	// statsTTL overrides how long a read of the store's state serves
	// scrapes (tests: -1, every scrape).
	statsTTL       time.Duration
	stopBackground context.CancelFunc
	background     sync.WaitGroup
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	m := &Main{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	bindConfig(fs, &m.Config)
	return m
}

// Open starts the server. It listens first: while the database is opened
// and migrated, /healthz answers 200, /readyz 503 with the reason, and
// every other endpoint 503 with Retry-After; then the service takes
// requests.
func (m *Main) Open(ctx context.Context) (err error) {
	if err := m.Config.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if m.Clock == nil {
		if m.Config.TimeScale > 1 {
			m.Clock = clock.NewScaled(time.Now(), m.Config.TimeScale)
		} else {
			m.Clock = clock.Real{}
		}
	}
	var words []string
	if m.Config.SensitiveWords != "" {
		if words, err = readWords(m.Config.SensitiveWords); err != nil {
			return fmt.Errorf("sensitive-words: %w", err)
		}
	}
	if err := checkSecretFile(m.Config.secretPath()); err != nil {
		return err
	}
	allow, _ := metrics.ParseAllow(m.Config.MetricsAllow)
	version, revision := buildVersion()
	m.Metrics = metrics.New(metrics.Options{Version: version, Revision: revision, Node: m.Config.NodeName, StatsTTL: m.statsTTL})
	metricsHandler := m.Metrics.Handler(metrics.Access{Allow: allow, Token: m.Config.MetricsToken})
	m.warnDisabled()

	// Listen, and say what is happening until the service is ready.
	m.ready.Store(false)
	m.starting.Store("opening the database")
	m.handler.Store(m.startupHandler(metricsHandler))
	if m.ln = m.Listener; m.ln == nil {
		if m.ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
			return fmt.Errorf("listen %s: %w", m.Config.Addr, err)
		}
	}
	m.srv = &http.Server{
		Handler: m.Metrics.InstrumentHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			(*m.handler.Load()).ServeHTTP(w, r)
		})),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	go m.srv.Serve(m.ln)
	defer func() {
		if err != nil {
			m.srv.Close()
			m.srv = nil
		}
	}()

	m.starting.Store("migrating the database")
	if m.Store, err = openServerStore(ctx, m.Config.DB); err != nil {
		return err
	}
	if ps, ok := m.Store.(*postgres.Store); ok {
		ps.Logger = m.Logger.With("component", "postgres")
	}
	defer func() {
		if err != nil {
			m.Store.Close()
		}
	}()
	m.starting.Store("loading the server secret")
	if m.Keyring, err = openKeyring(ctx, m.Store, m.Config.secretPath()); err != nil {
		return err
	}
	m.starting.Store("loading the engines")
	region.Warm()
	if err := m.openDetector(ctx); err != nil {
		return err
	}
	if err := m.openRoute(ctx); err != nil {
		return err
	}
	// The components work on the store through the metrics' timing.
	store := m.Metrics.InstrumentStore(m.Store)
	m.Metrics.WatchStore(m.Store, m.Clock)
	m.Pusher = push.New(store, m.Clock, m.Logger, push.Config{
		Workers: m.Config.Workers, PerHost: m.Config.PerHost, PerAccount: m.Config.PerAccount, AllowPrivate: m.Config.AllowPrivateCallbacks,
		Lease: m.Config.PushLease, UserAgent: "trackpush/" + m.Config.NodeName, BaseURL: m.Config.BaseURL, Observer: m.Metrics,
	})
	m.Ingester = &source.Ingester{Store: store, Clock: m.Clock, Pusher: m.Pusher, Log: m.Logger.With("component", "ingest"),
		Learn: m.Checker.Learn, Route: m.Route, Observer: m.Metrics}
	if err := m.openPoller(store); err != nil {
		return err
	}
	if m.Poller != nil {
		m.Checker.Prober = m.Poller
	}
	m.Tracker = &tracker.Tracker{Store: store, Clock: m.Clock, Log: m.Logger.With("component", "tracker"), Pusher: m.Pusher,
		LockerWait: m.Config.LockerWait,
		Correct:    m.Checker.Correct, Redirected: func(*trackpush.Subscription) {
			if m.Poller != nil {
				m.Poller.Wake()
			}
		}}
	var poller api.Poller
	if m.Poller != nil {
		poller = m.Poller
	}
	var carriers http.Handler
	if rc, err := m.openCarriers(); err != nil {
		return fmt.Errorf("config: %w", err)
	} else if rc != nil {
		carriers = rc
	}
	apiServer := &api.Server{
		Store: store, Clock: m.Clock, Log: m.Logger.With("component", "api"),
		Ingester: m.Ingester, Pusher: m.Pusher, Detector: m.Detector, Poller: poller, Keyring: m.Keyring,
		URLPolicy:   push.URLPolicy{AllowHTTPS: m.Config.AllowHTTPS, AllowPrivate: m.Config.AllowPrivateCallbacks},
		Sensitive:   words,
		IngestToken: m.Config.IngestToken, AdminToken: m.Config.AdminToken, BaseURL: m.Config.BaseURL,
		IngestMemory: int64(m.Config.IngestMemory) << 20,
		Observer:     m.Metrics, Metrics: metricsHandler, Ready: m.checkReady,
		Pages: &web.Server{Store: store, Clock: m.Clock, Log: m.Logger.With("component", "web"), BaseURL: m.Config.BaseURL,
			TTL: m.Config.TrailTTL, SignedTTL: m.Config.TrailSignedTTL, AdminToken: m.Config.AdminToken, Keyring: m.Keyring, Pusher: m.Pusher},
		Carriers: carriers,
	}
	m.Metrics.GaugeFunc("trackpush_ingest_inflight_bytes", "Bytes of ingest request bodies held now (bounded by --ingest-memory).",
		func() float64 { return float64(apiServer.IngestBytesInFlight()) })
	if m.Config.BaseURL == "" {
		m.Logger.Warn("no --base-url: pushes and maptrack.do answers carry no trailUrl (the pages are served at /trail/<token> all the same)")
	}
	if !m.holdPushes {
		m.Pusher.Start(context.WithoutCancel(ctx))
	}
	m.Tracker.Start(context.WithoutCancel(ctx))
	if m.Poller != nil {
		m.Poller.Start(context.WithoutCancel(ctx))
	}
	var bg context.Context
	bg, m.stopBackground = context.WithCancel(context.WithoutCancel(ctx))
	m.startBackground(bg)
	// Last: requests find every engine running.
	h := apiServer.Handler()
	m.handler.Store(&h)
	m.ready.Store(true)
	return nil
}

// warnDisabled warns at start of each surface the configuration leaves
// off or opens wide, so that an operator reading the log learns why an
// endpoint answers 401.
func (m *Main) warnDisabled() {
	if m.Config.IngestToken == "" {
		m.Logger.Warn("ingest disabled: no --ingest-token; POST /v1/events answers 401")
	}
	if m.Config.AdminToken == "" {
		m.Logger.Warn("admin API disabled: no --admin-token; /admin/… answers 401")
	}
	if m.Config.AllowPrivateCallbacks {
		m.Logger.Warn("--allow-private-callbacks: subscribers may have pushes sent to loopback, private and link-local addresses; for tests and closed networks only")
	}
}

// startupHandler answers while the server opens: liveness yes, readiness
// no (with what it is doing), metrics, and 503 with Retry-After for the
// rest.
func (m *Main) startupHandler(metricsHandler http.Handler) *http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeHTTPJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		writeHTTPJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting: " + m.starting.Load().(string)})
	})
	mux.Handle("GET /metrics", metricsHandler)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		writeHTTPJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "starting: " + m.starting.Load().(string)})
	})
	var h http.Handler = mux
	return &h
}

func writeHTTPJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// checkReady is /readyz once the server has opened: the store must
// answer.
func (m *Main) checkReady(ctx context.Context) error {
	if !m.ready.Load() {
		return errors.New("starting: " + m.starting.Load().(string))
	}
	if _, _, err := m.Store.NextPushAt(ctx); err != nil {
		return errors.New("store unavailable")
	}
	return nil
}

// startBackground runs what the store offers beyond the interface: a
// LISTEN for the work other nodes make due (PostgreSQL), and the periodic
// maintenance (pruning the delivery log; on PostgreSQL one node at a time).
func (m *Main) startBackground(ctx context.Context) {
	type listener interface {
		Listen(ctx context.Context, onPush, onPoll func()) error
	}
	if l, ok := m.Store.(listener); ok {
		onPoll := func() {
			if m.Poller != nil {
				m.Poller.Wake()
			}
		}
		m.background.Add(1)
		go func() {
			defer m.background.Done()
			if err := l.Listen(ctx, m.Pusher.Wake, onPoll); err != nil && ctx.Err() == nil {
				m.Logger.Error("listen for due work", "err", err)
			}
		}()
	}
	m.startRouteRefresh(ctx)
	type maintainer interface {
		Maintain(ctx context.Context, keepDeliveries time.Duration, now time.Time) (bool, int64, error)
	}
	if mt, ok := m.Store.(maintainer); ok {
		m.background.Add(1)
		go func() {
			defer m.background.Done()
			for {
				now := m.Clock.Now()
				ran, pruned, err := mt.Maintain(ctx, m.Config.KeepDeliveries, now)
				switch {
				case err != nil && ctx.Err() == nil:
					m.Logger.Warn("maintenance", "err", err)
				case ran && pruned > 0:
					m.Logger.Info("maintenance: pruned the delivery log", "rows", pruned)
				}
				select {
				case <-m.Clock.At(now.Add(time.Hour)):
				case <-ctx.Done():
					return
				}
			}
		}()
	}
}

// checkSecretFile reports, before anything is opened or created, why the
// server secret at path cannot be used: a file that exists must hold a
// secret; a missing one must be creatable.
func checkSecretFile(path string) error {
	_, err := keyring.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		err = keyring.CheckCreatable(path)
	}
	if err != nil {
		return fmt.Errorf("secret-file: %w", err)
	}
	return nil
}

// openKeyring loads the server secret and checks it against the one the
// database was set up with: nodes, or tools, with another secret would
// seal keys no other node can open. The secret file is created (a new
// random secret, mode 0600) only for a database set up with none; a
// wrong --secret-file creates nothing.
func openKeyring(ctx context.Context, store trackpush.Store, path string) (*keyring.Keyring, error) {
	const blob = "keyring.fingerprint"
	have, err := store.LoadBlob(ctx, blob)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	kr, err := keyring.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && have != nil:
		return nil, fmt.Errorf("secret: %s does not exist, but this database was set up with a secret: give the --secret-file it was set up with", path)
	case errors.Is(err, fs.ErrNotExist):
		kr, err = keyring.LoadOrCreate(path)
	}
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	switch {
	case have == nil:
		if err := store.SaveBlob(ctx, blob, kr.Fingerprint()); err != nil {
			return nil, fmt.Errorf("secret: %w", err)
		}
	case !bytes.Equal(have, kr.Fingerprint()):
		return nil, fmt.Errorf("secret: %s is not the secret this database was set up with; every node and tool must use the same --secret-file", path)
	}
	return kr, nil
}

// openDetector makes the carrier detector and its auto-check, and
// restores what it learned.
func (m *Main) openDetector(ctx context.Context) error {
	m.Detector = carrier.NewDetector()
	m.Checker = &autocheck.Checker{Detector: m.Detector, Blobs: m.Store, Log: m.Logger.With("component", "carrier")}
	return m.Checker.Load(ctx)
}

// openPoller makes the poller from the poll routes (none: no poller).
func (m *Main) openPoller(store trackpush.Store) error {
	routes, _ := parsePairs(m.Config.Poll)
	if len(routes) == 0 {
		return nil
	}
	ups := map[string]source.Upstream{}
	for name, u := range m.Upstreams {
		ups[name] = u
	}
	p := &source.Poller{Store: store, Clock: m.Clock, Log: m.Logger.With("component", "poller"), Ingester: m.Ingester,
		Routes: map[string]source.Upstream{}, Workers: 8, Lease: m.Config.PollLease, Observer: m.Metrics}
	p.Rates, _ = parseRates(m.Config.PollRate)
	p.Intervals, _ = parseIntervals(m.Config.PollIntervals)
	for com, name := range routes {
		u := ups[name]
		if u == nil {
			switch name {
			case "kuaidi100":
				u = &source.Kuaidi100{URL: m.Config.Kuaidi100URL, Customer: m.Config.Kuaidi100Customer, Key: m.Config.Kuaidi100Key}
			case "sim":
				var err error
				if u, err = newSimUpstream(m.Config.SimSeed, m.Config.SimParcels, m.Clock); err != nil {
					return err
				}
			default:
				var err error
				if u, err = m.Config.Carriers.upstream(name); err != nil {
					return err
				}
			}
			if _, ok := p.Rates[name]; !ok && m.Config.Carriers.defaultRate(name) > 0 {
				p.Rates[name] = m.Config.Carriers.defaultRate(name)
			}
			ups[name] = u
		}
		p.Routes[com] = u
	}
	m.Poller = p
	return nil
}

// Addr returns the address the server listens on.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// URL returns the server's base URL on loopback.
func (m *Main) URL() string {
	_, port, _ := net.SplitHostPort(m.Addr())
	return "http://127.0.0.1:" + port
}

// Close stops accepting requests, lets those in progress and the pushes
// in flight finish, and closes the store.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	var errs []error
	if m.srv != nil {
		errs = append(errs, m.srv.Shutdown(ctx))
	}
	if m.stopBackground != nil {
		m.stopBackground()
		m.background.Wait()
	}
	if m.Tracker != nil {
		m.Tracker.Stop()
	}
	if m.Poller != nil {
		m.Poller.Stop()
	}
	if m.Pusher != nil {
		m.Pusher.Stop()
	}
	if m.Store != nil {
		if m.Checker != nil {
			if err := m.Checker.Save(context.Background()); err != nil {
				m.Logger.Warn("carrier detector", "err", err)
			}
		}
		errs = append(errs, m.Store.Close())
	}
	return errors.Join(errs...)
}

// redactDSN hides the password of a database URL, for logs.
func redactDSN(db string) string {
	if !isPostgres(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// isPostgres reports whether a --db value is a PostgreSQL DSN.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openStore opens the store a --db value names, for a tool: a PostgreSQL
// DSN, or a SQLite file (beside a live server on it).
func openStore(ctx context.Context, db string) (trackpush.Store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db)
}

// openExistingStore is openStore for a tool that only reads or changes
// what is there: a SQLite file that does not exist is an error naming it,
// rather than a new empty database.
func openExistingStore(ctx context.Context, db string) (trackpush.Store, error) {
	if !isPostgres(db) {
		if _, err := os.Stat(db); err != nil {
			return nil, fmt.Errorf("db: %w", err)
		}
	}
	return openStore(ctx, db)
}

// openServerStore opens the store for a server: a SQLite file is locked
// to it (a second server is refused) and the claims a dead server left
// are released.
func openServerStore(ctx context.Context, db string) (trackpush.Store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.OpenServer(ctx, db)
}

func readWords(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			out = append(out, w)
		}
	}
	return out, sc.Err()
}
