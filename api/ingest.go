package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrier"
)

func (s *Server) handleCompanies(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="companies.csv"`)
		carrier.WriteCSV(w)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	carrier.WriteJSON(w)
}

// defaultIngestMemory is Server.IngestMemory's default.
const defaultIngestMemory = 32 << 20

// budget counts bytes held against a limit.
type budget struct {
	mu   sync.Mutex
	used int64
}

// take reserves n bytes if they fit in limit. A request larger than the
// whole limit is let through when nothing else is held, so that the
// largest body stays possible.
func (b *budget) take(n, limit int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used > 0 && b.used+n > limit {
		return false
	}
	b.used += n
	return true
}

func (b *budget) give(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
}

// inUse returns the bytes held.
func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Limits of one ingest request.
const (
	maxIngestEvents  = 1000
	maxContextLength = 2000 // characters
)

type ingestRequest struct {
	Com    string               `json:"com"`
	Nu     string               `json:"nu"`
	Events []trackpush.RawEvent `json:"events"`
}

// badInput is a 400 of the ingest endpoint.
type badInput struct{ field, msg string }

func (e *badInput) Error() string { return e.field + ": " + e.msg }

// parseIngest reads and checks an ingest body at now (the service clock).
func parseIngest(body []byte, now time.Time) (*ingestRequest, error) {
	var req ingestRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, &badInput{"body", "not the expected JSON object: " + err.Error()}
	}
	if dec.More() {
		return nil, &badInput{"body", "data after the JSON object"}
	}
	req.Com = strings.ToLower(strings.TrimSpace(req.Com))
	req.Nu = trackpush.CanonicalNumber(req.Nu)
	if req.Com == "" {
		return nil, &badInput{"com", "missing"}
	}
	if _, ok := carrier.Lookup(req.Com); !ok {
		return nil, &badInput{"com", fmt.Sprintf("%q is not in the carrier table", req.Com)}
	}
	if err := checkNumber(req.Nu); err != nil {
		return nil, &badInput{"nu", strings.TrimPrefix(err.(*trackpush.Error).Detail, "number: ")}
	}
	if len(req.Events) == 0 {
		return nil, &badInput{"events", "no events"}
	}
	if len(req.Events) > maxIngestEvents {
		return nil, &badInput{"events", fmt.Sprintf("more than %d events in one request", maxIngestEvents)}
	}
	for i, e := range req.Events {
		f := fmt.Sprintf("events[%d]", i)
		t, ok := trackpush.ParseTime(strings.TrimSpace(e.Time))
		if !ok {
			return nil, &badInput{f + ".time", fmt.Sprintf("%q is not a time (want YYYY-MM-DD HH:MM:SS, China Standard Time)", e.Time)}
		}
		if err := trackpush.CheckEventTime(t, now); err != nil {
			return nil, &badInput{f + ".time", err.Error()}
		}
		if strings.TrimSpace(e.Context) == "" {
			return nil, &badInput{f + ".context", "empty"}
		}
		if !utf8.ValidString(e.Context) {
			return nil, &badInput{f + ".context", "not valid UTF-8"}
		}
		if strings.ContainsRune(e.Context, 0) || strings.ContainsRune(e.Time, 0) {
			return nil, &badInput{f + ".context", "contains a NUL character"}
		}
		if utf8.RuneCountInString(e.Context) > maxContextLength {
			return nil, &badInput{f + ".context", fmt.Sprintf("longer than %d characters", maxContextLength)}
		}
	}
	return &req, nil
}

func (s *Server) handleIngest(w http.ResponseWriter, r *http.Request) {
	// Reserve the body's size (the most a body may be when the client does
	// not say) before reading it.
	need := r.ContentLength
	if need < 0 || need > maxIngestBody {
		need = maxIngestBody
	}
	limit := s.IngestMemory
	if limit <= 0 {
		limit = defaultIngestMemory
	}
	if !s.ingestBytes.take(need, limit) {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: fmt.Sprintf("busy: %d MiB of ingest requests are being read; retry", limit>>20)})
		return
	}
	defer s.ingestBytes.give(need)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxIngestBody))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: fmt.Sprintf("body unreadable or larger than %d bytes", maxIngestBody)})
		return
	}
	req, err := parseIngest(body, s.Clock.Now())
	if err != nil {
		var bi *badInput
		errors.As(err, &bi)
		writeJSON(w, http.StatusBadRequest, errorBody{Error: bi.Error(), Field: bi.field})
		return
	}
	accepted, dups, err := s.Ingester.Ingest(r.Context(), req.Com, req.Nu, req.Events)
	if err != nil {
		s.Log.Error("ingest", "com", req.Com, "nu", req.Nu, "err", err)
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "could not store the events; nothing was stored, retry"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"accepted": accepted, "duplicates": dups})
}
