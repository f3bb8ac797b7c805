package direct

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// Receiver is the endpoint of carrier pushes, POST
// /v1/carriers/{code}/push. For each push it: checks the carrier's
// signature over the raw bytes (or, for carriers that do not sign, the
// endpoint's secret token, ?token=…); checks every scan (number, time,
// text) and refuses the whole push if one is bad; drops the scans whose
// idempotency key it has already ingested; ingests the rest through the
// same path as POST /v1/events (enriched once, stored, pushes due);
// records their keys; and answers in the carrier's own format. A refused
// push stores nothing; a push that fails to store is answered as a
// failure, so the carrier pushes it again.
type Receiver struct {
	Store    trackpush.Store
	Ingester *source.Ingester
	Clock    trackpush.Clock
	Log      *slog.Logger
	// Check, when set, tells whether a waybill number is acceptable
	// (trackpush's own rule for numbers).
	Check func(nu string) error

	carriers map[string]*inbound
}

// inbound is one carrier's push endpoint.
type inbound struct {
	format PushFormat
	coms   []string // the carrier codes its waybills are followed under
	token  string
}

// Add enables a carrier's endpoint. Its waybills are ingested under the
// first of coms that has a shipment of the number, or under coms[0].
// token, when not empty, must be given as ?token= on every push; pushes
// without a signature need it.
func (rc *Receiver) Add(f PushFormat, coms []string, token string) {
	if rc.carriers == nil {
		rc.carriers = map[string]*inbound{}
	}
	rc.carriers[f.Carrier()] = &inbound{format: f, coms: coms, token: token}
}

// Carriers lists the carriers whose endpoint is enabled.
func (rc *Receiver) Carriers() []string {
	var out []string
	for c := range rc.carriers {
		out = append(out, c)
	}
	return out
}

// maxPushBody bounds a push: carriers push one waybill's new scans.
const maxPushBody = 1 << 20

// Limits of a pushed scan, as for POST /v1/events.
const maxPushedText = 2000

// ServeHTTP takes a push.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in := rc.carriers[r.PathValue("code")]
	if in == nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"error": fmt.Sprintf("no push endpoint for carrier %q", r.PathValue("code"))})
		return
	}
	f := in.format
	log := rc.Log.With("carrier", f.Carrier())
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPushBody))
	if err != nil {
		f.Fail(w, nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body unreadable or larger than %d bytes", maxPushBody))
		return
	}
	p, err := f.Read(r, body)
	tokenOK := in.token != "" && subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("token")), []byte(in.token)) == 1
	switch {
	case err != nil:
	case in.token != "" && !tokenOK:
		err = fmt.Errorf("wrong or missing token: %w", ErrUnauthenticated)
	case !p.Signed && !tokenOK:
		err = ErrUnauthenticated
	default:
		err = rc.checkScans(p)
	}
	if err != nil {
		log.Warn("carrier push refused", "err", err, "remote", r.RemoteAddr)
		f.Fail(w, p, statusOf(err), err)
		return
	}
	if err := rc.ingest(r.Context(), in, p); err != nil {
		log.Error("carrier push not stored", "err", err)
		f.Fail(w, p, http.StatusInternalServerError, errors.New("not stored, push again"))
		return
	}
	f.Ack(w, p)
}

// checkScans refuses a push with a scan that could not be stored: the
// whole push, so that nothing of it is half taken.
func (rc *Receiver) checkScans(p *Push) error {
	for i, s := range p.Scans {
		if rc.Check != nil {
			if err := rc.Check(s.Nu); err != nil {
				return badPush("scan %d: waybill %q: %v", i, s.Nu, err)
			}
		}
		if s.Key == "" {
			return badPush("scan %d: no idempotency key", i)
		}
		if _, ok := trackpush.ParseTime(s.Event.Time); !ok {
			return badPush("scan %d: time %q is not yyyy-MM-dd HH:mm:ss", i, s.Event.Time)
		}
		c := s.Event.Context
		switch {
		case strings.TrimSpace(c) == "":
			return badPush("scan %d: no text", i)
		case !utf8.ValidString(c) || strings.ContainsRune(c, 0):
			return badPush("scan %d: text is not valid UTF-8", i)
		case utf8.RuneCountInString(c) > maxPushedText:
			return badPush("scan %d: text longer than %d characters", i, maxPushedText)
		}
	}
	return nil
}

// ingest stores a push's new scans and records their keys.
func (rc *Receiver) ingest(ctx context.Context, in *inbound, p *Push) error {
	carrier := in.format.Carrier()
	keys := make([]string, len(p.Scans))
	for i, s := range p.Scans {
		keys[i] = s.Key
	}
	seen, err := rc.Store.SeenPushKeys(ctx, carrier, keys)
	if err != nil {
		return err
	}
	byNu := map[string][]trackpush.RawEvent{}
	var order []string
	var fresh []string
	for _, s := range p.Scans {
		if seen[s.Key] {
			continue
		}
		seen[s.Key] = true // a key twice in one push counts once
		if byNu[s.Nu] == nil {
			order = append(order, s.Nu)
		}
		byNu[s.Nu] = append(byNu[s.Nu], s.Event)
		fresh = append(fresh, s.Key)
	}
	for _, nu := range order {
		coms, err := rc.comsOf(ctx, in, nu)
		if err != nil {
			return err
		}
		for _, com := range coms {
			if _, err := rc.Ingester.IngestFrom(ctx, trackpush.SourceCarrier, com, nu, byNu[nu]); err != nil {
				return err
			}
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	// After the events: a failure here leaves keys unrecorded, and the
	// re-push is deduplicated on time and text instead.
	return rc.Store.RecordPushKeys(ctx, carrier, fresh, rc.Clock.Now())
}

// comsOf returns the carrier codes a pushed waybill is ingested under: each
// of the endpoint's codes that has a shipment of it, or the first code.
func (rc *Receiver) comsOf(ctx context.Context, in *inbound, nu string) ([]string, error) {
	if len(in.coms) == 1 {
		return in.coms, nil
	}
	var out []string
	for _, com := range in.coms {
		h, _, err := rc.Store.Shipment(ctx, com, nu)
		if err != nil {
			return nil, err
		}
		if h != nil {
			out = append(out, com)
		}
	}
	if len(out) == 0 {
		out = in.coms[:1]
	}
	return out, nil
}
