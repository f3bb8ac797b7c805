package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrier"
	"github.com/trackpush/trackpush/enrich"
	"github.com/trackpush/trackpush/region"
)

// subscribeStyle says which endpoint a subscription came through.
type subscribeStyle int

const (
	styleJSON    subscribeStyle = iota // POST /trackpush/callback
	stylePoll                          // POST /poll: from/to optional
	stylePollMap                       // POST /pollmap
)

func (s *Server) handleSubscribeJSON(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSubscribeBody))
	if err != nil {
		s.answerSubscribe(w, trackpush.Errorf(trackpush.CodeInternal, "request body unreadable or larger than %d bytes", maxSubscribeBody))
		return
	}
	s.answerSubscribe(w, s.subscribe(r, body, r.Header.Get("X-ApiG-AppCode"), styleJSON))
}

func (s *Server) handleSubscribeForm(mapStyle bool) http.HandlerFunc {
	style := stylePoll
	if mapStyle {
		style = stylePollMap
	}
	return func(w http.ResponseWriter, r *http.Request) {
		form, err := compatForm(w, r, maxSubscribeBody)
		if err != nil {
			s.answerSubscribe(w, trackpush.Errorf(trackpush.CodeInternal, "form unreadable: %v", err))
			return
		}
		if sc := form.Get("schema"); sc != "" && !strings.EqualFold(sc, "json") {
			s.answerSubscribe(w, trackpush.Errorf(trackpush.CodeInternal, "schema: only json is supported"))
			return
		}
		param := form.Get("param")
		if param == "" {
			s.answerSubscribe(w, trackpush.Errorf(trackpush.CodeInternal, "param: missing"))
			return
		}
		s.answerSubscribe(w, s.subscribe(r, []byte(param), r.Header.Get("X-ApiG-AppCode"), style))
	}
}

// answerSubscribe writes a subscribe answer, counts its returnCode and
// logs a refusal's detail (the answer's message is the original's text).
func (s *Server) answerSubscribe(w http.ResponseWriter, err error) {
	if s.Observer != nil {
		s.Observer.Subscribed(trackpush.ErrorCode(err))
	}
	var e *trackpush.Error
	if errors.As(err, &e) && s.Log != nil {
		s.Log.Debug("subscription refused", "returnCode", e.Code, "detail", e.Detail)
	}
	writeAnswer(w, err)
}

// subscribeRequest is the body of a subscription (docs/protocol.md §1).
type subscribeRequest struct {
	company, number, from, to, key   string
	callbackURL, phone, mapConfigKey string
	salt                             *string
	resultv2                         string
	autoCom                          bool
}

// field reads a string member: absent is "", a JSON null too when
// nullable; any other type is an error naming the field. resultv2 and
// phone may be JSON integers (some clients send them so); the number may
// not: a JSON number is not a tracking number ("123456e1").
func field(m map[string]any, name string, nullable bool) (string, bool, error) {
	v, ok := m[name]
	if !ok {
		return "", false, nil
	}
	switch x := v.(type) {
	case string:
		if err := checkText(name, x); err != nil {
			return "", false, err
		}
		return x, true, nil
	case nil:
		if nullable {
			return "", false, nil
		}
	case json.Number:
		if (name == "resultv2" || name == "phone") && isDigits(x.String()) {
			return x.String(), true, nil
		}
	}
	return "", false, trackpush.Errorf(trackpush.CodeInternal, "%s: must be a string", name)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// freeText are the fields of addresses people type: tabs and line breaks
// pass there; no other field may hold a control character.
var freeText = map[string]bool{"from": true, "to": true}

// checkText refuses control characters: in a salt they would sign pushes
// the receiver cannot reproduce; in the other fields they are never
// meant.
func checkText(name, s string) error {
	for _, r := range s {
		if unicode.IsControl(r) && !(freeText[name] && (r == '\t' || r == '\n' || r == '\r')) {
			return trackpush.Errorf(trackpush.CodeInternal, "%s: contains the control character %U", name, r)
		}
	}
	return nil
}

// checkEncoding refuses the members of a JSON object whose strings are not
// valid UTF-8 or hold an unpaired UTF-16 surrogate escape: decoding would
// replace them with U+FFFD silently, and a salt changed so signs every push
// wrongly. Objects are checked member by member so that the error names the
// field.
func checkEncoding(raw json.RawMessage, path string) error {
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		return nil // not an object: the caller reports it
	}
	for name, v := range members {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) > 0 && v[0] == '{':
			if err := checkEncoding(v, name); err != nil {
				return err
			}
		case len(v) > 0 && v[0] == '"':
			if !utf8.Valid(v) {
				return trackpush.Errorf(trackpush.CodeInternal, "%s: not valid UTF-8", name)
			}
			var s string
			if json.Unmarshal(v, &s) == nil && strings.Count(s, "\uFFFD") > replacementsSent(v) {
				return trackpush.Errorf(trackpush.CodeInternal, "%s: holds an unpaired UTF-16 surrogate", name)
			}
		}
	}
	return nil
}

// replacementsSent counts the U+FFFD a raw JSON string really holds:
// literal, or escaped as \ufffd.
func replacementsSent(raw []byte) int {
	s := string(raw)
	return strings.Count(s, "\uFFFD") + strings.Count(strings.ToLower(s), `\ufffd`)
}

// parseSubscribe reads and type-checks the body. Control characters (NUL
// and the like) are refused anywhere: no store takes them in text.
func parseSubscribe(body []byte) (*subscribeRequest, error) {
	if strings.Contains(string(body), `\u0000`) || bytes.IndexByte(body, 0) >= 0 {
		return nil, trackpush.Errorf(trackpush.CodeInternal, "body contains a NUL character")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, trackpush.Errorf(trackpush.CodeInternal, "body is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, trackpush.Errorf(trackpush.CodeInternal, "body: data after the JSON object")
	}
	// Walk the members only when something is wrong somewhere, to name it.
	if !utf8.Valid(body) || bytes.Contains(body, []byte(`\ud`)) || bytes.Contains(body, []byte(`\uD`)) {
		if err := checkEncoding(body, ""); err != nil {
			return nil, err
		}
	}
	req := &subscribeRequest{}
	var err error
	str := func(dst *string, m map[string]any, name string, nullable bool) {
		if err == nil {
			*dst, _, err = field(m, name, nullable)
		}
	}
	str(&req.company, m, "company", true)
	str(&req.number, m, "number", false)
	str(&req.from, m, "from", true)
	str(&req.to, m, "to", true)
	str(&req.key, m, "key", true)
	if err != nil {
		return nil, err
	}
	pv, ok := m["parameters"]
	if !ok || pv == nil {
		return nil, trackpush.Errorf(trackpush.CodeInternal, "parameters: missing")
	}
	p, ok := pv.(map[string]any)
	if !ok {
		return nil, trackpush.Errorf(trackpush.CodeInternal, "parameters: must be an object")
	}
	str(&req.callbackURL, p, "callbackurl", false)
	str(&req.phone, p, "phone", true)
	str(&req.mapConfigKey, p, "mapConfigKey", true)
	str(&req.resultv2, p, "resultv2", true)
	var autoCom string
	str(&autoCom, p, "autoCom", true)
	if err != nil {
		return nil, err
	}
	req.autoCom = autoCom == "1"
	if salt, present, e := field(p, "salt", true); e != nil {
		return nil, e
	} else if present {
		req.salt = &salt
	}
	return req, nil
}

// subscribe validates a subscription in the order a client can act on —
// body, credentials, number, company, phone, route, callback, content —
// and stores it.
func (s *Server) subscribe(r *http.Request, body []byte, appCode string, style subscribeStyle) error {
	ctx := r.Context()
	now := s.Clock.Now()
	req, err := parseSubscribe(body)
	if err != nil {
		return err
	}
	acct, err := trackpush.Authenticate(ctx, s.Store, strings.TrimSpace(appCode), strings.TrimSpace(req.key), now, true)
	if err != nil {
		return err
	}
	company := strings.ToLower(strings.TrimSpace(req.company))
	number := trackpush.CanonicalNumber(req.number)
	if err := checkNumber(number); err != nil {
		return err
	}
	switch {
	case company != "":
		if _, ok := carrier.Lookup(company); !ok {
			return trackpush.Errorf(trackpush.CodeBadCompany, "company %q is not in the carrier table (GET /companies)", req.company)
		}
	case req.autoCom:
		c, ok := s.Detector.Best(number)
		if !ok {
			return trackpush.Errorf(trackpush.CodeNoCompany, "no carrier fits number %s", number)
		}
		company = c.Code
	default:
		return trackpush.Errorf(trackpush.CodeInternal, "company: missing")
	}
	if carrier.RequiresPhone(company) && strings.TrimSpace(req.phone) == "" {
		return trackpush.Errorf(trackpush.CodeInternal, "phone: required for %s", company)
	}
	level := trackpush.ParseMapLevel(req.resultv2)
	if style == stylePoll {
		level = trackpush.ParseClassicLevel(req.resultv2)
	}
	routeOptional := style == stylePoll && level != trackpush.LevelPredict
	from, err := resolveEnd("from", req.from, routeOptional)
	if err != nil {
		return err
	}
	to, err := resolveEnd("to", req.to, routeOptional)
	if err != nil {
		return err
	}
	if strings.TrimSpace(req.callbackURL) == "" {
		return trackpush.Errorf(trackpush.CodeInternal, "callbackurl: missing")
	}
	if _, err := s.URLPolicy.Check(strings.TrimSpace(req.callbackURL)); err != nil {
		return trackpush.Errorf(trackpush.CodeInternal, "callbackurl: %v", err)
	}
	if w := s.sensitiveWord(req); w != "" {
		return trackpush.Errorf(trackpush.CodeSensitive, "")
	}
	mapKey := strings.TrimSpace(req.mapConfigKey)
	if mapKey != "" {
		if _, err := s.Store.Template(ctx, mapKey); err != nil {
			if trackpush.ErrorCode(err) == trackpush.CodeNotFound {
				return trackpush.Errorf(trackpush.CodeInternal, "mapConfigKey: no map template %q", mapKey)
			}
			return err
		}
	}
	sub := &trackpush.Subscription{
		AccountID: acct.ID, Com: company, Nu: number,
		FromText: req.from, ToText: req.to, From: from, To: to,
		CallbackURL: strings.TrimSpace(req.callbackURL), Salt: req.salt, Phone: req.phone,
		MapConfigKey: mapKey, Level: level,
		Polled: s.Poller != nil && s.Poller.Polls(company),
	}
	if style != stylePoll {
		// The map-trajectory endpoints' subscriptions have a map page.
		sub.TrailToken = trackpush.NewTrailToken()
	}
	if err := s.Store.Subscribe(ctx, sub, now); err != nil {
		var e *trackpush.Error
		if !errors.As(err, &e) {
			s.Log.Error("subscribe", "err", err)
		}
		return err
	}
	s.Log.Info("subscribed", "id", sub.ID, "account", acct.ID, "com", company, "nu", number, "resultv2", level.String())
	if sub.Push.Pending() && s.Pusher != nil {
		s.Pusher.Wake()
	}
	if sub.Polled {
		s.Poller.Wake()
	}
	return nil
}

// checkNumber applies the number rule: 6–32 characters, letters, digits
// and '-' only.
func checkNumber(n string) error {
	c := utf8.RuneCountInString(n)
	if n == "" {
		return trackpush.Errorf(trackpush.CodeInternal, "number: missing")
	}
	if c < 6 || c > 32 {
		return trackpush.Errorf(trackpush.CodeInternal, "number: must be 6–32 characters, got %d", c)
	}
	for _, r := range n {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return trackpush.Errorf(trackpush.CodeInternal, "number: only letters, digits and '-' allowed")
		}
	}
	return nil
}

// resolveEnd resolves a subscription's from or to (400 when it names no
// place).
func resolveEnd(name, text string, optional bool) (*trackpush.Area, error) {
	if strings.TrimSpace(text) == "" {
		if optional {
			return nil, nil
		}
		return nil, trackpush.Errorf(trackpush.CodeUnparsable, "%s: missing", name)
	}
	p := region.ResolveAddress(text)
	if p == nil {
		return nil, trackpush.Errorf(trackpush.CodeUnparsable, "%s: %q names no region", name, text)
	}
	return enrich.AreaOf(p), nil
}

// sensitiveWord returns the first operator-listed word in the callback or
// the content of a subscription, or "". Both sides are compared in a
// normal form, and the callback URL also percent-decoded, so that a word
// spelled differently on the wire (%65vil, ｅｖｉｌ, e\u200bvil) is still
// the word.
func (s *Server) sensitiveWord(req *subscribeRequest) string {
	if len(s.Sensitive) == 0 {
		return ""
	}
	fields := []string{req.callbackURL, unescapeAll(req.callbackURL), req.number, req.from, req.to, req.phone, req.mapConfigKey}
	if req.salt != nil {
		fields = append(fields, *req.salt)
	}
	for i, f := range fields {
		fields[i] = normalizeText(f)
	}
	for _, w := range s.Sensitive {
		nw := normalizeText(w)
		if nw == "" {
			continue
		}
		for _, f := range fields {
			if strings.Contains(f, nw) {
				return w
			}
		}
	}
	return ""
}

// unescapeAll percent-decodes s until nothing changes (a few rounds at
// most: %2565 is %65 is e).
func unescapeAll(s string) string {
	for range 4 {
		u, err := url.PathUnescape(s)
		if err != nil || u == s {
			break
		}
		s = u
	}
	return s
}

// normalizeText folds what makes one word look like another: NFKC
// (full-width letters, compatibility ideographs, ligatures), case, and the
// invisible characters that can sit inside a word.
func normalizeText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u00ad', '\u180e', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
			return -1
		}
		return r
	}, s)
	return strings.ToLower(norm.NFKC.String(s))
}
