// Package push is the durable callback engine: it claims due
// subscriptions from the store, builds each push from the current state,
// signs and POSTs it, and records every attempt. What must be delivered is
// the newest version of a subscription, not a queue of copies (see
// trackpush.PushState): a failed push is retried 30 minutes later with the
// newest state, up to 3 retries; one push per subscription is in flight at a
// time, so pushes of one subscription are never reordered; a per-host cap
// protects slow receivers.
package push

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/callback"
	"github.com/trackpush/trackpush/enrich"
)

// Config tunes the engine. Zero fields take the defaults.
type Config struct {
	Workers      int           // pushes in flight at once (default 64)
	PerHost      int           // pushes in flight per receiver (default 16)
	PerAccount   int           // pushes in flight for one account (default half the workers, at least PerHost)
	Batch        int           // subscriptions claimed per round (default 256)
	Lease        time.Duration // claim lease, longer than Timeout (default 2 min)
	Timeout      time.Duration // receiver's time to answer (default 20 s)
	DeferDelay   time.Duration // wait when a host is at its cap (default 1 s)
	MaxIdle      time.Duration // longest sleep between store checks (default 1 min)
	AllowPrivate bool          // permit loopback and private receivers
	// UserAgent is sent with every push.
	UserAgent string
	// BaseURL is the server's public URL: pushes of subscriptions with a
	// trail token carry lastResult.trailUrl under it ("" leaves it out).
	BaseURL string
	// Observer is told of every attempt and deferral once recorded (nil:
	// nobody).
	Observer trackpush.Observer
}

func (c *Config) setDefaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Workers, 64)
	def(&c.PerHost, 16)
	def(&c.Batch, 256)
	def(&c.PerAccount, max(c.Workers/2, c.PerHost))
	defd := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defd(&c.Timeout, trackpush.PushTimeout)
	defd(&c.Lease, 2*time.Minute)
	defd(&c.DeferDelay, time.Second)
	defd(&c.MaxIdle, time.Minute)
	if c.Lease < c.Timeout+10*time.Second {
		c.Lease = c.Timeout + 10*time.Second
	}
	if c.UserAgent == "" {
		c.UserAgent = "trackpush"
	}
	if c.Observer == nil {
		c.Observer = trackpush.NopObserver{}
	}
}

// Engine pushes due subscriptions.
type Engine struct {
	store  trackpush.Store
	clock  trackpush.Clock
	log    *slog.Logger
	cfg    Config
	client *http.Client
	// resolver finds the receivers' addresses for the per-receiver cap.
	resolver *net.Resolver

	wake  chan struct{}
	done  chan result
	slots chan struct{} // one per push in flight

	// The caps, counted per canonical host, per resolved receiver address
	// and per account; addrs remembers which address a host resolved to.
	mu         sync.Mutex
	perHost    map[string]int
	perAddr    map[string]int
	perAccount map[int64]int
	addrs      map[string]resolved

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns an engine; Start runs it.
func New(store trackpush.Store, clock trackpush.Clock, logger *slog.Logger, cfg Config) *Engine {
	cfg.setDefaults()
	// The lease must outlast the exchange in real time: on an accelerated
	// clock it is as many times longer.
	if scaled := time.Duration(float64(cfg.Timeout+10*time.Second) * trackpush.ClockScale(clock)); scaled > cfg.Lease {
		cfg.Lease = scaled
	}
	tr := &http.Transport{
		DialContext:         dialer(cfg.AllowPrivate).DialContext,
		MaxIdleConns:        cfg.Workers * 2,
		MaxIdleConnsPerHost: cfg.PerHost,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	return &Engine{
		store:      store,
		clock:      clock,
		log:        logger.With("component", "push"),
		cfg:        cfg,
		client:     &http.Client{Transport: tr, Timeout: cfg.Timeout, CheckRedirect: noRedirect},
		resolver:   net.DefaultResolver,
		wake:       make(chan struct{}, 1),
		done:       make(chan result, cfg.Workers*2),
		slots:      make(chan struct{}, cfg.Workers),
		perHost:    map[string]int{},
		perAddr:    map[string]int{},
		perAccount: map[int64]int{},
		addrs:      map[string]resolved{},
	}
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Wake tells the engine that work may have become due.
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Start runs the engine until Stop or ctx ends.
func (e *Engine) Start(ctx context.Context) error {
	ctx, e.cancel = context.WithCancel(ctx)
	e.wg.Add(2)
	go func() { defer e.wg.Done(); e.dispatch(ctx) }()
	go func() { defer e.wg.Done(); e.complete() }()
	return nil
}

// Stop stops claiming, waits for the pushes in flight and records them.
func (e *Engine) Stop() {
	if e.cancel != nil {
		e.cancel()
	}
	e.wg.Wait()
}

// dispatch claims due subscriptions and starts their pushes.
func (e *Engine) dispatch(ctx context.Context) {
	var inflight sync.WaitGroup
	defer func() {
		inflight.Wait()
		close(e.done)
	}()
	errs := 0
	for {
		// Wait for at least one free worker.
		select {
		case e.slots <- struct{}{}:
			<-e.slots
		case <-ctx.Done():
			return
		}
		free := e.cfg.Workers - len(e.slots)
		now := e.clock.Now()
		busy := e.busy()
		jobs, err := e.store.ClaimPushes(ctx, now, e.cfg.Lease, min(free, e.cfg.Batch), busy)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			errs++
			if errs == 1 || errs%100 == 0 {
				e.log.Error("claim pushes", "err", err, "failures", errs)
			}
			if !e.sleep(ctx, now.Add(min(time.Duration(errs)*time.Second, 30*time.Second))) {
				return
			}
			continue
		}
		errs = 0
		for _, j := range jobs {
			host, acct := trackpush.CallbackHost(j.Sub.CallbackURL), j.Sub.AccountID
			if !e.take(host, acct) {
				e.done <- e.deferred(j, now)
				continue
			}
			e.slots <- struct{}{}
			inflight.Add(1)
			go func() {
				defer inflight.Done()
				// The receiver's address, resolved here rather than in
				// the loop: a slow name server holds one worker, not
				// the engine.
				var o result
				if addr := e.resolve(ctx, host); e.takeAddr(addr) {
					o = e.attempt(j)
					e.releaseAddr(addr)
				} else {
					o = e.deferred(j, e.clock.Now())
				}
				e.release(host, acct)
				<-e.slots
				e.done <- o
			}()
		}
		if len(jobs) > 0 && len(jobs) == min(free, e.cfg.Batch) {
			continue // there may be more due
		}
		next := now.Add(e.cfg.MaxIdle)
		if t, ok, err := e.store.NextPushAt(ctx); err == nil && ok && t.Before(next) {
			next = t
		}
		// What is due may be waiting for a busy host or account: sleep
		// until a slot frees (release wakes the engine) rather than spin.
		if (len(busy.Hosts) > 0 || len(busy.Accounts) > 0) && len(jobs) == 0 && next.Before(now.Add(e.cfg.DeferDelay)) {
			next = now.Add(e.cfg.DeferDelay)
		}
		if !e.sleep(ctx, next) {
			return
		}
	}
}

// sleep waits until the clock reaches t, a wake-up or the end; it reports
// false at the end.
func (e *Engine) sleep(ctx context.Context, t time.Time) bool {
	select {
	case <-e.clock.At(t):
	case <-e.wake:
	case <-ctx.Done():
		return false
	}
	return true
}

// result is a push's outcome and its class (a trackpush.Push* outcome).
type result struct {
	trackpush.PushOutcome
	class string
}

// deferred releases a claimed push without an attempt: its receiver or
// account is at its cap; it is due again after DeferDelay.
func (e *Engine) deferred(j *trackpush.PushJob, now time.Time) result {
	return result{trackpush.PushOutcome{SubID: j.Sub.ID, Version: j.Version, Claim: j.Claim, Deferred: true, DeferUntil: now.Add(e.cfg.DeferDelay)}, trackpush.PushDeferred}
}

// busy returns the hosts and accounts at their concurrency caps: a host is
// busy when it is, or when the address it resolved to is.
func (e *Engine) busy() trackpush.Busy {
	e.mu.Lock()
	defer e.mu.Unlock()
	var b trackpush.Busy
	for h, n := range e.perHost {
		if n >= e.cfg.PerHost {
			b.Hosts = append(b.Hosts, h)
		}
	}
	for h, r := range e.addrs {
		if e.perAddr[r.addr] >= e.cfg.PerHost && e.perHost[h] < e.cfg.PerHost {
			b.Hosts = append(b.Hosts, h)
		}
	}
	for a, n := range e.perAccount {
		if n >= e.cfg.PerAccount {
			b.Accounts = append(b.Accounts, a)
		}
	}
	return b
}

// take takes a slot of the host and of the account, or neither.
func (e *Engine) take(host string, acct int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.perHost[host] >= e.cfg.PerHost || e.perAccount[acct] >= e.cfg.PerAccount {
		return false
	}
	e.perHost[host]++
	e.perAccount[acct]++
	return true
}

func (e *Engine) release(host string, acct int64) {
	e.mu.Lock()
	full := e.perHost[host] >= e.cfg.PerHost || e.perAccount[acct] >= e.cfg.PerAccount
	if e.perHost[host]--; e.perHost[host] <= 0 {
		delete(e.perHost, host)
	}
	if e.perAccount[acct]--; e.perAccount[acct] <= 0 {
		delete(e.perAccount, acct)
	}
	e.mu.Unlock()
	if full {
		e.Wake() // the waiting pushes may go now
	}
}

func (e *Engine) takeAddr(addr string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.perAddr[addr] >= e.cfg.PerHost {
		return false
	}
	e.perAddr[addr]++
	return true
}

func (e *Engine) releaseAddr(addr string) {
	e.mu.Lock()
	full := e.perAddr[addr] >= e.cfg.PerHost
	if e.perAddr[addr]--; e.perAddr[addr] <= 0 {
		delete(e.perAddr, addr)
	}
	e.mu.Unlock()
	if full {
		e.Wake()
	}
}

// complete records outcomes in batches until dispatch closes e.done.
func (e *Engine) complete() {
	batch := make([]result, 0, 256)
	for o := range e.done {
		batch = append(batch[:0], o)
	more:
		for len(batch) < cap(batch) {
			select {
			case o, ok := <-e.done:
				if !ok {
					break more
				}
				batch = append(batch, o)
			default:
				break more
			}
		}
		e.record(batch)
		e.Wake() // the outcomes may have made newer versions due
	}
}

// record stores outcomes, retrying on store errors: a push that was made
// must be recorded (if the process dies first, the lease runs out and the
// push is made again: at-least-once). Recorded, each is reported.
func (e *Engine) record(batch []result) {
	outcomes := make([]trackpush.PushOutcome, len(batch))
	for i, r := range batch {
		outcomes[i] = r.PushOutcome
	}
	for i := 0; ; i++ {
		now := e.clock.Now()
		err := e.store.CompletePushes(context.Background(), outcomes, now)
		if err == nil {
			if i > 0 {
				e.log.Info("recorded push outcomes after retrying", "attempts", i+1)
			}
			for j, o := range outcomes {
				e.report(o, batch[j].class, now)
			}
			return
		}
		if i == 0 || i%100 == 0 {
			e.log.Error("record push outcomes", "err", err, "n", len(batch))
		}
		if i >= 600 {
			e.log.Error("giving up recording push outcomes; their leases will expire and the pushes repeat", "n", len(batch))
			return
		}
		time.Sleep(min(time.Duration(i+1)*100*time.Millisecond, 2*time.Second))
	}
}

// report tells the observer and the log of a recorded outcome: each
// given-up version at info, each retry at debug.
func (e *Engine) report(o trackpush.PushOutcome, class string, now time.Time) {
	d := o.Delivery
	r := trackpush.PushReport{SubscriptionID: o.SubID, Outcome: class, Attempt: d.Attempt, Latency: d.Latency, GaveUp: d.GaveUp,
		Retry: !o.Deferred && !d.OK && !d.GaveUp}
	e.cfg.Observer.Pushed(r)
	switch {
	case r.GaveUp:
		e.log.Info("push given up", "subscription", o.SubID, "version", o.Version, "status", d.Status,
			"attempts", d.Attempt, "outcome", class, "error", d.Error)
	case r.Retry:
		e.log.Debug("push failed; retry scheduled", "subscription", o.SubID, "version", o.Version, "attempt", d.Attempt,
			"outcome", class, "error", d.Error, "retry_at", now.Add(trackpush.RetryAfter).Format(time.RFC3339))
	}
}

// maxExcerpt caps the response excerpt kept in the delivery log.
const maxExcerpt = 512

// attempt makes one push and returns its outcome.
func (e *Engine) attempt(j *trackpush.PushJob) result {
	now := e.clock.Now()
	p := enrich.Param(j, now)
	p.LastResult.TrailURL = trackpush.TrailURL(e.cfg.BaseURL, j.Sub.TrailToken)
	d := trackpush.Delivery{
		SubscriptionID: j.Sub.ID, Version: j.Version, Attempt: j.Attempt,
		Status: p.Status, At: now,
	}
	o := trackpush.PushOutcome{SubID: j.Sub.ID, Version: j.Version, Claim: j.Claim}
	body, err := EncodeParam(&p)
	if err != nil {
		d.Error = "encode: " + err.Error()
		o.Delivery = d
		return result{o, trackpush.PushFailed}
	}
	form := url.Values{"param": {string(body)}}
	if j.Sub.Salt != nil {
		form.Set("sign", callback.Sign(string(body), *j.Sub.Salt))
	}
	start := time.Now()
	d.HTTPStatus, d.Response, err = e.post(j.Sub.CallbackURL, form.Encode())
	d.Latency = time.Since(start)
	class := trackpush.PushAck
	switch {
	case err != nil:
		class = classify(err)
		d.Error = redact(err)
	default:
		if err = checkAck(d.HTTPStatus, d.Response); err != nil {
			class = trackpush.PushBadAck
			if d.HTTPStatus < 200 || d.HTTPStatus > 299 {
				class = trackpush.PushNon2xx
			}
			d.Error = err.Error()
		} else {
			d.OK = true
		}
	}
	if len(d.Response) > maxExcerpt {
		d.Response = truncateUTF8(d.Response, maxExcerpt)
	}
	o.Delivery = d
	return result{o, class}
}

// classify names why an exchange failed (a trackpush.Push* outcome).
func classify(err error) string {
	var g *guardError
	var ne net.Error
	switch {
	case errors.As(err, &g):
		return trackpush.PushGuarded
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return trackpush.PushRefused
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return trackpush.PushTimedOut
	}
	return trackpush.PushFailed
}

// redact writes an exchange's error without the callback URL that
// net/http puts in it: its query string may carry the subscriber's
// secrets, and the error goes to the delivery log and the logs.
func redact(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

// EncodeParam encodes a push message as sent: JSON without HTML escaping.
func EncodeParam(p *trackpush.PushParam) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// post sends the form and returns the status and (up to 64 KiB of) the body.
func (e *Engine) post(target, form string) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	req.Header.Set("User-Agent", e.cfg.UserAgent)
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	if err != nil {
		return resp.StatusCode, string(body), fmt.Errorf("read answer: %w", err)
	}
	return resp.StatusCode, string(body), nil
}

// checkAck accepts only a 2xx answer with the documented body:
// {"result": true, "returnCode": "200", …}.
func checkAck(status int, body string) error {
	if status < 200 || status > 299 {
		return fmt.Errorf("HTTP status %d", status)
	}
	var a struct {
		Result     any `json:"result"`
		ReturnCode any `json:"returnCode"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(body)), &a); err != nil {
		return errors.New("answer is not the acknowledgement JSON")
	}
	if a.Result != true {
		return fmt.Errorf("answer result %v, want true", a.Result)
	}
	if fmt.Sprint(a.ReturnCode) != "200" {
		return fmt.Errorf("answer returnCode %v, want \"200\"", a.ReturnCode)
	}
	return nil
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
