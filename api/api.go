// Package api is the HTTP edge of trackpush: the subscribe endpoints of the
// original service (JSON and the classic form style), the carrier table,
// event ingest, and the admin API. Domain errors become the wire's
// {result, returnCode, message} here and nowhere else.
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrier"
	"github.com/trackpush/trackpush/keyring"
	"github.com/trackpush/trackpush/push"
)

// Waker is told when pushes may have become due.
type Waker interface{ Wake() }

// Ingester stores a shipment's raw carrier events (enriching them).
type Ingester interface {
	Ingest(ctx context.Context, com, nu string, events []trackpush.RawEvent) (accepted, duplicates int, err error)
}

// Server holds the handlers' dependencies.
type Server struct {
	Store    trackpush.Store
	Clock    trackpush.Clock
	Log      *slog.Logger
	Ingester Ingester
	Detector *carrier.Detector
	// Poller, when set, follows the carriers it serves by polling; the
	// real-time query API asks it for shipments the service lacks.
	Poller Poller
	// Keyring opens accounts' sealed keys (query signatures) and seals
	// new ones.
	Keyring *keyring.Keyring
	Pusher  Waker
	// Observer, when set, counts the subscribe answers by returnCode.
	Observer trackpush.Observer
	// Metrics, when set, serves GET /metrics.
	Metrics http.Handler
	// Ready, when set, says whether the service is ready to serve
	// (GET /readyz): nil, or why not. Without it /readyz asks the store.
	Ready     func(ctx context.Context) error
	URLPolicy push.URLPolicy
	// Sensitive is the operator's list of words refused in subscriptions
	// (502).
	Sensitive []string
	// IngestToken and AdminToken guard /v1/events and /admin; an empty
	// token disables its endpoints.
	IngestToken string
	AdminToken  string
	// BaseURL is the server's public URL: trail links in maptrack.do
	// answers ("" leaves them out).
	BaseURL string
	// Pages, when set, adds the web pages (trail pages, console) to the
	// routes.
	Pages interface{ Register(*http.ServeMux) }
	// Carriers, when set, takes the carriers' pushes at POST
	// /v1/carriers/{code}/push (source/direct.Receiver).
	Carriers http.Handler
	// IngestMemory bounds the bytes of ingest bodies held at once
	// (default 32 MiB): decoding and enriching a body takes a few times
	// its size, and many large bodies at once would exhaust memory. Past
	// it ingest answers 503 with Retry-After.
	IngestMemory int64

	ingestBytes budget

	queryRecent recentQueries
	queryLimit  perKeyLimit
}

// Body size limits.
const (
	maxSubscribeBody = 64 << 10
	maxIngestBody    = 8 << 20
	maxAdminBody     = 64 << 10
)

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /trackpush/callback", s.handleSubscribeJSON)
	mux.HandleFunc("POST /poll", s.handleSubscribeForm(false))
	mux.HandleFunc("POST /pollmap", s.handleSubscribeForm(true))
	mux.HandleFunc("GET /companies", s.handleCompanies)
	mux.HandleFunc("POST /poll/query.do", s.handleQuery(false))
	mux.HandleFunc("POST /poll/maptrack.do", s.handleQuery(true))
	mux.HandleFunc("GET /autonumber/auto", s.handleAutonumber)
	mux.HandleFunc("POST /autonumber/auto", s.handleAutonumber)
	mux.HandleFunc("POST /v1/events", s.requireToken(s.IngestToken, s.handleIngest))
	if s.Carriers != nil {
		mux.Handle("POST /v1/carriers/{code}/push", s.Carriers)
	}
	mux.HandleFunc("POST /admin/accounts", s.requireToken(s.AdminToken, s.handleCreateAccount))
	mux.HandleFunc("GET /admin/accounts", s.requireToken(s.AdminToken, s.handleListAccounts))
	mux.HandleFunc("POST /admin/accounts/{id}/disable", s.requireToken(s.AdminToken, s.handleDisableAccount(true)))
	mux.HandleFunc("POST /admin/accounts/{id}/enable", s.requireToken(s.AdminToken, s.handleDisableAccount(false)))
	mux.HandleFunc("GET /admin/subscriptions/{id}", s.requireToken(s.AdminToken, s.handleGetSubscription))
	mux.HandleFunc("POST /admin/subscriptions/{id}/updateall", s.requireToken(s.AdminToken, s.handleUpdateAll))
	s.operateRoutes(mux)
	if s.Pages != nil {
		s.Pages.Register(mux)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.handleReady)
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics)
	}
	mux.HandleFunc("/", s.handleUnknown)
	return s.recoverer(mux)
}

// recoverer turns a panic into a 500 answer in the protocol's shape.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic in handler", "path", r.URL.Path, "panic", v)
				writeAnswer(w, trackpush.Errorf(trackpush.CodeInternal, "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// protocolPaths answer in the protocol's shape even when misused.
var protocolPaths = map[string]bool{"/trackpush/callback": true, "/poll": true, "/pollmap": true,
	"/poll/query.do": true, "/poll/maptrack.do": true}

// handleUnknown answers requests no route takes: a wrong method on a
// protocol endpoint in the protocol's shape, anything else 404 JSON.
func (s *Server) handleUnknown(w http.ResponseWriter, r *http.Request) {
	if protocolPaths[r.URL.Path] {
		writeAnswer(w, trackpush.Errorf(trackpush.CodeInternal, "use POST"))
		return
	}
	writeJSON(w, http.StatusNotFound, errorBody{Error: "no such endpoint: " + r.Method + " " + r.URL.Path})
}

// handleReady answers 200 {"status":"ready"} when the service can serve,
// else 503 with the reason: a load balancer sends no traffic to a node
// that is still migrating its database or cannot reach it.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	ready := s.Ready
	if ready == nil {
		ready = func(ctx context.Context) error {
			if _, _, err := s.Store.NextPushAt(ctx); err != nil {
				return errors.New("store unavailable")
			}
			return nil
		}
	}
	if err := ready(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// IngestBytesInFlight returns the bytes of ingest bodies held now (see
// IngestMemory), for a gauge.
func (s *Server) IngestBytesInFlight() int64 { return s.ingestBytes.inUse() }

// requireToken guards a handler with a bearer token.
func (s *Server) requireToken(token string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if token == "" || !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			writeJSON(w, http.StatusUnauthorized, errorBody{Error: "missing or wrong bearer token"})
			return
		}
		h(w, r)
	}
}

// errorBody is the error answer of trackpush's own endpoints (ingest,
// admin).
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// answer is the protocol's reply shape with trackpush's own detail: the
// message stays exactly the original's text for the code (clients show it,
// and some match on it); what exactly was wrong goes into detail, which
// clients of the original ignore.
type answer struct {
	Result     bool   `json:"result"`
	ReturnCode string `json:"returnCode"`
	Message    string `json:"message"`
	Detail     string `json:"detail,omitempty"`
}

// writeAnswer writes the protocol's answer for err (nil: accepted). The
// original service answers HTTP 200 with the code in the body; so does
// trackpush, so that its clients work unchanged.
func writeAnswer(w http.ResponseWriter, err error) {
	a := answer{Result: err == nil, ReturnCode: trackpush.ErrorCode(err)}
	var e *trackpush.Error
	switch {
	case err == nil:
		a.Message = trackpush.CodeMessage(trackpush.CodeOK)
	case errors.As(err, &e):
		a.Message = e.Message
		if a.Message == "" {
			a.Message = trackpush.CodeMessage(e.Code)
		}
		a.Detail = e.Detail
	default:
		a.Message = trackpush.CodeMessage(trackpush.CodeInternal)
	}
	writeJSON(w, http.StatusOK, a)
}

// compatForm reads the form of a request to one of the original's form
// endpoints (/poll, /pollmap, the query API, autonumber): the URL query and
// a form body alike, as r.Form merges them (body first), because real
// clients send either — a popular one posts the fields in the URL with an
// empty body.
func compatForm(w http.ResponseWriter, r *http.Request, limit int64) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.Form, nil
}
