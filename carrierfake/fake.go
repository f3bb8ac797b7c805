// Package carrierfake holds faithful fakes of the carriers' open platforms
// — SF, ZTO, J&T, STO, YTO and Deppon — for the tests and the demo, since
// the real ones cannot be reached from here. Each fake is an httptest
// server that:
//
//   - verifies signatures exactly as its carrier does, over the raw bytes
//     received, and answers its carrier's real error shapes (SF A1006, ZTO
//     S211, STO's and YTO's XML error bodies, …);
//   - serves traces from a Book of parcels (fixtures, or the simulator in
//     the demo), shaped as its carrier's answers;
//   - enforces the documented limits (SF: 10 waybills a query, 30 calls a
//     second and 3,000 a day in the sandbox; J&T: 30 waybills a query);
//   - pushes in its carrier's format, signed where the carrier signs, and
//     checks the answer by the carrier's rule.
//
// The fakes are written from carriers.md independently of package
// source/direct — their own signing code, their own encoders — so that a
// mistake in the adapters is not mirrored here. Where a shape rests on a
// single unofficial source, the code says "provisional".
package carrierfake

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
)

// Scan is one scan of a parcel in its carrier's own terms.
type Scan struct {
	Time time.Time `json:"-"`
	// At is Time as the fixtures write it (yyyy-MM-dd HH:mm:ss, China
	// Standard Time).
	At   string `json:"time"`
	Code string `json:"code"` // the operation code: SF opCode, ZTO scanType (push: action), J&T scanType, …
	Desc string `json:"desc"` // the carrier's text: remark, desc, memo, processInfo, description
	City string `json:"city"` // the scan's city
	Site string `json:"site"` // the outlet or hub
	// ID is the push's idempotency key where the carrier has one (SF
	// route id, STO outBizCode); made from the scan when empty.
	ID string `json:"id,omitempty"`
	// Action is ZTO's push action for the scan ("" : from Code).
	Action string `json:"action,omitempty"`
}

// id returns the scan's idempotency key: ID, or a stable digest of the
// scan, so that a re-push carries the same key.
func (s Scan) id(nu string) string {
	if s.ID != "" {
		return s.ID
	}
	sum := sha1.Sum([]byte(nu + "|" + s.stamp() + "|" + s.Code + "|" + s.Desc))
	return hex.EncodeToString(sum[:8])
}

// stamp is the scan's time as carriers write it.
func (s Scan) stamp() string { return s.Time.In(trackpush.CST).Format("2006-01-02 15:04:05") }

// Parcel is a waybill a fake knows.
type Parcel struct {
	Nu string `json:"nu"`
	// Phone is the last four digits the carrier checks for it (ZTO's
	// mobilePhone), "" when it checks none.
	Phone string `json:"phone,omitempty"`
	Scans []Scan `json:"scans"`
}

// Traces is where a fake finds parcels: a Book, or the simulator (the
// demo).
type Traces interface {
	// Parcel returns the parcel with the scans made by now, oldest first.
	Parcel(nu string, now time.Time) (Parcel, bool)
}

// Book is a set of parcels, from fixtures or added by tests.
type Book struct {
	mu      sync.Mutex
	parcels map[string]Parcel
}

// NewBook returns a book of the given parcels.
func NewBook(ps ...Parcel) *Book {
	b := &Book{parcels: map[string]Parcel{}}
	for _, p := range ps {
		b.Add(p)
	}
	return b
}

// Add adds (or replaces) a parcel.
func (b *Book) Add(p Parcel) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.parcels == nil {
		b.parcels = map[string]Parcel{}
	}
	p.Scans = append([]Scan(nil), p.Scans...)
	for i, sc := range p.Scans {
		if sc.Time.IsZero() {
			t, ok := trackpush.ParseTime(sc.At)
			if !ok {
				panic(fmt.Sprintf("carrierfake: %s scan %d: time %q", p.Nu, i, sc.At))
			}
			p.Scans[i].Time = t
		}
	}
	sort.SliceStable(p.Scans, func(i, j int) bool { return p.Scans[i].Time.Before(p.Scans[j].Time) })
	b.parcels[p.Nu] = p
}

// Parcel returns a parcel with its scans up to now.
func (b *Book) Parcel(nu string, now time.Time) (Parcel, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, ok := b.parcels[nu]
	if !ok {
		return Parcel{}, false
	}
	var scans []Scan
	for _, s := range p.Scans {
		if !s.Time.After(now) {
			scans = append(scans, s)
		}
	}
	p.Scans = scans
	return p, true
}

// Numbers lists the book's waybills, sorted.
func (b *Book) Numbers() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for nu := range b.parcels {
		out = append(out, nu)
	}
	sort.Strings(out)
	return out
}

// Call is one request a fake answered.
type Call struct {
	Numbers []string // the waybills asked for
	Phone   string   // the phone digits sent (SF checkPhoneNo, ZTO mobilePhone)
	Answer  string   // the carrier's code of the answer: "A1000", "S211", "ok", "xml-error", …
	Scans   int      // the scans answered, over all the waybills
}

// server is what every fake shares: the HTTP server, the parcels, the
// clock and the log of calls.
type server struct {
	srv    *httptest.Server
	traces Traces
	clock  trackpush.Clock
	onCall func(Call)

	mu    sync.Mutex
	calls []Call
}

// Options configure a fake.
type Options struct {
	// Traces are the parcels served (default: an empty Book).
	Traces Traces
	// Clock is the carrier's time: which scans exist, and the rate
	// limits' windows (default: the real clock).
	Clock trackpush.Clock
	// OnCall, when set, is told of every request answered (the demo
	// prints them).
	OnCall func(Call)
}

// newServer starts a fake's server, answering POSTs to paths with h.
func newServer(o Options, h http.HandlerFunc, paths ...string) *server {
	mux := http.NewServeMux()
	for _, p := range paths {
		mux.HandleFunc("POST "+p, h)
	}
	s := &server{traces: o.Traces, clock: o.Clock, onCall: o.OnCall}
	if s.traces == nil {
		s.traces = NewBook()
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	s.srv = httptest.NewServer(mux)
	return s
}

// realClock is the real time.
type realClock struct{}

func (realClock) Now() time.Time                  { return time.Now() }
func (realClock) At(t time.Time) <-chan time.Time { return time.After(time.Until(t)) }

// Base returns the server's base URL (http://127.0.0.1:port).
func (s *server) Base() string { return s.srv.URL }

// Close shuts the server down.
func (s *server) Close() { s.srv.Close() }

// Calls returns the requests answered so far.
func (s *server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

func (s *server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	if s.onCall != nil {
		s.onCall(c)
	}
}

// parcel looks a waybill up as of the carrier's now.
func (s *server) parcel(nu string) (Parcel, bool) {
	p, ok := s.traces.Parcel(nu, s.clock.Now())
	if ok && len(p.Scans) == 0 {
		return p, false
	}
	return p, ok
}

// window counts calls per key in fixed windows of the carrier's clock
// (a second, a day), as quota counters do.
type window struct {
	mu     sync.Mutex
	size   time.Duration
	limit  int
	start  map[string]time.Time
	counts map[string]int
}

// allow counts a call and reports whether it is within the limit (always
// true when the limit is 0).
func (w *window) allow(key string, now time.Time) bool {
	if w == nil || w.limit <= 0 {
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.counts == nil {
		w.start, w.counts = map[string]time.Time{}, map[string]int{}
	}
	ws := now.Truncate(w.size)
	if w.size >= 24*time.Hour { // calendar days in China
		y, m, d := now.In(trackpush.CST).Date()
		ws = time.Date(y, m, d, 0, 0, 0, 0, trackpush.CST)
	}
	if !w.start[key].Equal(ws) {
		w.start[key], w.counts[key] = ws, 0
	}
	w.counts[key]++
	return w.counts[key] <= w.limit
}

// The fakes' own signing primitives (independent of source/direct).

func md5Base64(s string) string {
	h := md5.New()
	io.WriteString(h, s)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func md5Hex(s string) string {
	h := md5.New()
	io.WriteString(h, s)
	return hex.EncodeToString(h.Sum(nil))
}

// javaURLEncode is java.net.URLEncoder.encode(s, "UTF-8"), byte by byte:
// a–z A–Z 0–9 and ".-*_" kept, space as '+', every other byte %XX in
// upper-case hex. php is PHP's urlencode, which differs only in encoding
// '*' (SF's error table tells non-Java callers to mind it).
func javaURLEncode(s string, php bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
			b.WriteByte(c)
		case c == '*' && !php:
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// writeJSON writes an answer as the carriers' Java and PHP servers do:
// no HTML escaping.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	w.Write(jsonText(v))
}

func jsonText(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// PushResult is what a fake's push saw of the answer.
type PushResult struct {
	Status int
	Body   string
	// Acked reports whether the answer is a success by the carrier's
	// rule.
	Acked bool
	// Attempts is how many times the push was sent (re-pushes after a
	// failure or a timeout).
	Attempts int
}

// pushClient sends a carrier's push; Timeout is how long the carrier
// waits for an answer.
type pushClient struct {
	Timeout time.Duration
	Retries int // re-pushes after a failed answer or a timeout
}

// send posts a push until it is acknowledged or the retries are spent.
func (pc pushClient) send(ctx context.Context, url, contentType string, header http.Header, body []byte, acked func(status int, body []byte) bool) (PushResult, error) {
	timeout := pc.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	client := &http.Client{Timeout: timeout}
	var res PushResult
	var last error
	for try := 0; try <= pc.Retries; try++ {
		res.Attempts++
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return res, err
		}
		req.Header.Set("Content-Type", contentType)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := client.Do(req)
		if err != nil {
			last = err
			if ctx.Err() != nil {
				return res, err
			}
			continue // a timeout: the carrier pushes again
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		res.Status, res.Body, res.Acked, last = resp.StatusCode, string(b), acked(resp.StatusCode, b), nil
		if res.Acked {
			return res, nil
		}
	}
	if last != nil && res.Status == 0 {
		return res, fmt.Errorf("push: %w", last)
	}
	return res, nil
}
