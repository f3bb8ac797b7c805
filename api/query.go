package api

import (
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrier"
	"github.com/trackpush/trackpush/enrich"
	"github.com/trackpush/trackpush/region"
	"github.com/trackpush/trackpush/route"
	"github.com/trackpush/trackpush/source"
)

// Poller follows shipments that no carrier pushes (source.Poller).
type Poller interface {
	// Polls reports whether a carrier's shipments are polled.
	Polls(com string) bool
	// Poll polls a shipment now.
	Poll(ctx context.Context, com, nu, phone string) (source.Result, error)
	// Wake tells the poller a shipment may be due.
	Wake()
}

// queryParam is the param of the real-time query API.
type queryParam struct {
	Com      string `json:"com"`
	Num      string `json:"num"`
	Phone    string `json:"phone"`
	From     string `json:"from"`
	To       string `json:"to"`
	ResultV2 any    `json:"resultv2"`
	Order    string `json:"order"`
}

// queryFail writes the query API's failure shape.
func queryFail(w http.ResponseWriter, code, detail string) {
	writeJSON(w, http.StatusOK, answer{Result: false, ReturnCode: code, Message: trackpush.QueryMessage(code), Detail: detail})
}

// querySign is the query API's signature: upper-case hex MD5(param + key +
// customer).
func querySign(param, key, customer string) string {
	sum := md5.Sum([]byte(param + key + customer))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// handleQuery serves POST /poll/query.do and /poll/maptrack.do: the
// current lastResult of a shipment, polling its upstream first when the
// service has nothing for it yet.
func (s *Server) handleQuery(maptrack bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		form, err := compatForm(w, r, maxSubscribeBody)
		if err != nil {
			queryFail(w, trackpush.QueryBadRequest, "form unreadable")
			return
		}
		customer, param, sign := form.Get("customer"), form.Get("param"), form.Get("sign")
		if customer == "" || param == "" || sign == "" {
			queryFail(w, trackpush.QueryBadRequest, "customer, param and sign are required")
			return
		}
		ctx := r.Context()
		acct, err := trackpush.Authenticate(ctx, s.Store, customer, "", s.Clock.Now(), false)
		if err != nil {
			switch code := trackpush.ErrorCode(err); code {
			case trackpush.CodeExpired, trackpush.CodeUnauthorized:
				queryFail(w, code, "")
			default:
				s.Log.Error("query: find account", "err", err)
				queryFail(w, trackpush.QueryServerError, "")
			}
			return
		}
		if !s.queryLimit.allow(customer) {
			queryFail(w, trackpush.QueryTooFrequent, "")
			return
		}
		key, err := s.openKey(acct)
		if err != nil {
			queryFail(w, trackpush.QueryBadSign, err.Error())
			return
		}
		if subtle.ConstantTimeCompare([]byte(strings.ToUpper(sign)), []byte(querySign(param, key, customer))) != 1 {
			queryFail(w, trackpush.QueryBadSign, "")
			return
		}
		var p queryParam
		if err := json.Unmarshal([]byte(param), &p); err != nil {
			queryFail(w, trackpush.QueryBadRequest, "param is not a JSON object")
			return
		}
		com := strings.ToLower(strings.TrimSpace(p.Com))
		num := trackpush.CanonicalNumber(p.Num)
		if _, ok := carrier.Lookup(com); !ok {
			queryFail(w, trackpush.QueryBadRequest, "com: unknown carrier code")
			return
		}
		if err := checkNumber(num); err != nil {
			queryFail(w, trackpush.QueryBadRequest, "num: "+strings.TrimPrefix(err.(*trackpush.Error).Detail, "number: "))
			return
		}
		h, evs, err := s.Store.Shipment(ctx, com, num)
		if err != nil {
			s.Log.Error("query", "err", err)
			queryFail(w, trackpush.QueryServerError, "")
			return
		}
		// Ask the upstream when the service has nothing, or when what it has
		// may be stale — at most once per number in queryRefresh.
		if (h == nil || !h.Summary.Finished) && s.Poller != nil && s.Poller.Polls(com) && s.queryRecent.first(com+" "+num, s.Clock.Now()) {
			switch _, err := s.Poller.Poll(ctx, com, num, p.Phone); {
			case err == nil:
				h, evs, err = s.Store.Shipment(ctx, com, num)
				if err != nil {
					queryFail(w, trackpush.QueryServerError, "")
					return
				}
			case errors.Is(err, source.ErrNoRecord), errors.Is(err, source.ErrRejected):
			case errors.Is(err, source.ErrRateLimited):
				queryFail(w, trackpush.QueryTooFrequent, "")
				return
			default:
				s.Log.Warn("live query", "com", com, "nu", num, "err", err)
				queryFail(w, trackpush.QueryServerError, "upstream unavailable")
				return
			}
		}
		if h == nil || len(evs) == 0 {
			queryFail(w, trackpush.QueryNoResult, "")
			return
		}
		level := trackpush.ParseClassicLevel(jsonString(p.ResultV2))
		if maptrack {
			// The map-trajectory answer carries the map fields and the
			// ETA whatever resultv2 says (docs/protocol.md §1.1).
			level = trackpush.LevelPredict
		}
		from, to := h.From, h.To
		if pl := region.ResolveAddress(p.From); pl != nil {
			from = enrich.AreaOf(pl)
		}
		if pl := region.ResolveAddress(p.To); pl != nil {
			to = enrich.AreaOf(pl)
		}
		a := queryAnswer{LastResult: enrich.LastResult(h, evs, level, from, to, s.Clock.Now())}
		if maptrack {
			a.TrailURL = s.trailURL(ctx, acct.ID, com, num)
		}
		if strings.EqualFold(p.Order, "asc") {
			for i, j := 0, len(a.Data)-1; i < j; i, j = i+1, j-1 {
				a.Data[i], a.Data[j] = a.Data[j], a.Data[i]
			}
		}
		a.extend(h, evs, level)
		writeJSON(w, http.StatusOK, a)
	}
}

// queryAnswer is a query's lastResult with trackpush's extension fields
// (clients ignore fields they do not know): why the route is a loop, and
// the range and basis of the arrival estimate.
type queryAnswer struct {
	trackpush.LastResult
	// ArrivalRange is the arrival's 10th to 90th percentile, in
	// arrivalTime's format (level 7 and maptrack.do, with the ETA).
	ArrivalRange *arrivalRange `json:"arrivalRange,omitempty"`
	// ArrivalBasis is what the estimate rests on: "lane" (history),
	// "prior" (the cold-start prior), "blend", or "arrived".
	ArrivalBasis string `json:"arrivalBasis,omitempty"`
	// LoopReason says which place the parcel came back to and when (with
	// isLoop true, from level 5).
	LoopReason *loopReason `json:"loopReason,omitempty"`
}

type arrivalRange struct {
	Early string `json:"early"`
	Late  string `json:"late"`
}

type loopReason struct {
	Place    string `json:"place"`
	AreaCode string `json:"areaCode"`
	AreaName string `json:"areaName"`
	LeftAt   string `json:"leftAt"`
	BackAt   string `json:"backAt"`
}

// extend sets the extension fields the answer's level carries: rawTime on
// the events whose carrier time was written otherwise than time.
func (a *queryAnswer) extend(h *trackpush.Shipment, evs []trackpush.Event, level trackpush.Level) {
	for i := range a.Data {
		a.Data[i] = a.Data[i].WithRawTime()
	}
	if level >= trackpush.LevelAdvanced && a.IsLoop != nil && *a.IsLoop {
		if l := route.FindLoop(evs); l != nil {
			a.LoopReason = &loopReason{Place: l.Place, AreaCode: l.AreaCode, AreaName: l.AreaName,
				LeftAt: trackpush.FormatTime(l.LeftAt), BackAt: trackpush.FormatTime(l.BackAt)}
		}
	}
	if level >= trackpush.LevelPredict && h.Forecast != nil {
		f := h.Forecast
		a.ArrivalRange = &arrivalRange{Early: trackpush.FormatHour(f.Early), Late: trackpush.FormatHour(f.Late)}
		a.ArrivalBasis = f.Basis
	}
}

// trailURL returns the trail link of the account's newest subscription of
// a shipment that has one, or "" (no base URL, or no such subscription:
// the real-time query makes no link of its own).
func (s *Server) trailURL(ctx context.Context, account int64, com, nu string) string {
	if s.BaseURL == "" {
		return ""
	}
	subs, err := s.Store.SearchSubscriptions(ctx, trackpush.SubscriptionQuery{AccountID: account, Com: com, Nu: nu, Limit: 10})
	if err != nil {
		s.Log.Warn("maptrack: trail link", "err", err)
		return ""
	}
	for _, sub := range subs {
		if sub.TrailToken != "" {
			return trackpush.TrailURL(s.BaseURL, sub.TrailToken)
		}
	}
	return ""
}

// jsonString reads a JSON string or number as text.
func jsonString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return ""
}

// openKey recovers an account's key for checking signatures.
func (s *Server) openKey(a *trackpush.Account) (string, error) {
	if s.Keyring == nil || a.SealedKey == nil {
		return "", errors.New("this account has no query key (create a new account)")
	}
	return s.Keyring.Open(a.SealedKey)
}

// handleAutonumber serves GET|POST /autonumber/auto?num=&key=: the
// carriers that may have issued a number, best first.
func (s *Server) handleAutonumber(w http.ResponseWriter, r *http.Request) {
	form, _ := compatForm(w, r, maxAdminBody) // an unreadable form lacks key and num
	key, num := strings.TrimSpace(form.Get("key")), trackpush.CanonicalNumber(form.Get("num"))
	fail := func(code, msg string) {
		writeJSON(w, http.StatusOK, trackpush.Answer{Result: false, ReturnCode: code, Message: msg})
	}
	if key == "" {
		fail(trackpush.CodeKeyMissing, trackpush.CodeMessage(trackpush.CodeKeyMissing))
		return
	}
	if _, err := trackpush.Authenticate(r.Context(), s.Store, "", key, s.Clock.Now(), false); err != nil {
		switch trackpush.ErrorCode(err) {
		case trackpush.CodeExpired, trackpush.CodeUnauthorized:
			fail(trackpush.CodeExpired, "KEY过期或未开通")
		default:
			s.Log.Error("autonumber: find account", "err", err)
			fail(trackpush.CodeInternal, trackpush.CodeMessage(trackpush.CodeInternal))
		}
		return
	}
	if _, ok := carrier.NormalizeNumber(num); !ok {
		fail(trackpush.CodeBadNumber, trackpush.CodeMessage(trackpush.CodeBadNumber))
		return
	}
	type item struct {
		LengthPre int    `json:"lengthPre"`
		ComCode   string `json:"comCode"`
		Name      string `json:"name"`
	}
	out := []item{}
	for _, c := range s.Detector.Rank(num) {
		out = append(out, item{LengthPre: c.LengthPre, ComCode: c.Code, Name: c.Name})
	}
	writeJSON(w, http.StatusOK, out)
}

// queryRefresh is how often the real-time query asks the upstream about one
// number (service clock): a burst of queries for it costs one upstream
// request.
const queryRefresh = 10 * time.Minute

// recentQueries remembers when the upstream was last asked about a number.
type recentQueries struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// first reports whether the number was not asked about in queryRefresh,
// and records now.
func (r *recentQueries) first(key string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		r.last = map[string]time.Time{}
	}
	if t, ok := r.last[key]; ok && now.Sub(t) < queryRefresh {
		return false
	}
	if len(r.last) > 100000 { // forget the old ones
		for k, t := range r.last {
			if now.Sub(t) >= queryRefresh {
				delete(r.last, k)
			}
		}
	}
	r.last[key] = now
	return true
}

// perKeyLimit is a token bucket per customer (real time): the real-time
// query API is cheap to call and may cost an upstream request.
type perKeyLimit struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// Query rate per customer.
const (
	queryRate  = 10 // per second
	queryBurst = 50
)

func (l *perKeyLimit) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	now := time.Now()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: queryBurst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(queryBurst, b.tokens+now.Sub(b.last).Seconds()*queryRate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
