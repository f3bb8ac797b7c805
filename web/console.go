package web

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrier"
)

var (
	consoleCSS   = template.CSS(asset("console.css"))
	consoleJS    = template.JS(asset("console.js"))
	consolePages = template.Must(template.New("").Funcs(template.FuncMap{"rfc": rfc, "level": func(l trackpush.Level) string {
		if l == trackpush.LevelNone {
			return "—"
		}
		return l.String()
	}}).Parse(asset("console.html")))
)

// registerConsole adds the operator console: /admin and /admin/ui/….
func (s *Server) registerConsole(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin", s.handleConsoleHome)
	mux.HandleFunc("GET /admin/login", s.handleLoginForm)
	mux.HandleFunc("POST /admin/login", s.handleLogin)
	mux.HandleFunc("POST /admin/logout", s.console(s.handleLogout))
	mux.HandleFunc("GET /admin/ui/subscriptions", s.console(s.handleSubscriptions))
	mux.HandleFunc("GET /admin/ui/subscriptions/{id}", s.console(s.handleSubscription))
	mux.HandleFunc("POST /admin/ui/subscriptions/{id}/updateall", s.console(s.handleRepush))
	mux.HandleFunc("POST /admin/ui/subscriptions/{id}/stop", s.console(s.handleStop))
	mux.HandleFunc("GET /admin/ui/accounts", s.console(s.handleAccounts))
	mux.HandleFunc("POST /admin/ui/accounts", s.console(s.handleCreateAccount))
	mux.HandleFunc("POST /admin/ui/accounts/{id}", s.console(s.handleUpdateAccount))
	mux.HandleFunc("POST /admin/ui/accounts/{id}/rotate", s.console(s.handleRotate))
	mux.HandleFunc("GET /admin/ui/templates", s.console(s.handleTemplates))
	mux.HandleFunc("GET /admin/ui/templates/{key}", s.console(s.handleTemplate))
	mux.HandleFunc("POST /admin/ui/templates", s.console(s.handleSaveTemplate))
	mux.HandleFunc("POST /admin/ui/templates/{key}/delete", s.console(s.handleDeleteTemplate))
	mux.HandleFunc("POST /admin/ui/preview", s.console(s.handlePreview))
}

// consolePage is what the console's templates read.
type consolePage struct {
	Nonce, CSRF string
	CSS         template.CSS
	JS          template.JS
	Nav         string
	Title       string
	Flash       string
	Error       string
	Data        any
}

// console guards a console handler: a session, and on POST its CSRF
// token.
func (s *Server) console(h func(w http.ResponseWriter, r *http.Request, p *consolePage)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.AdminToken == "" {
			http.NotFound(w, r)
			return
		}
		ss := s.session(r, time.Now())
		if ss == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "signed out: sign in again", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if err := r.ParseForm(); err != nil || !ss.checkCSRF(r) {
				http.Error(w, "the form is stale or forged (CSRF token): reload the page", http.StatusForbidden)
				return
			}
		}
		p := &consolePage{Nonce: trackpush.NewToken(16), CSRF: ss.csrf, CSS: consoleCSS, JS: consoleJS, Flash: r.URL.Query().Get("ok")}
		h(w, r, p)
	}
}

// render writes a console page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *consolePage) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := consolePages.ExecuteTemplate(buf, name, p); err != nil {
		s.Log.Error("console: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+p.Nonce+"'; script-src 'nonce-"+p.Nonce+
		"'; img-src 'self' data:; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'")
	securityHeaders(h)
	h.Set("Cache-Control", "no-store")
	writeBody(w, r, status, buf.Bytes())
}

// redirect ends a POST: back to a page with a message.
func redirect(w http.ResponseWriter, r *http.Request, to, msg string) {
	if msg != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "ok=" + url.QueryEscape(msg)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (s *Server) handleConsoleHome(w http.ResponseWriter, r *http.Request) {
	if s.AdminToken == "" {
		http.NotFound(w, r)
		return
	}
	if s.session(r, time.Now()) == nil {
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/admin/ui/subscriptions", http.StatusSeeOther)
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if s.AdminToken == "" {
		http.NotFound(w, r)
		return
	}
	p := &consolePage{Nonce: trackpush.NewToken(16), CSS: consoleCSS, JS: consoleJS, Title: "Sign in", Data: safeNext(r.URL.Query().Get("next"))}
	s.render(w, r, http.StatusOK, "login", p)
}

// safeNext keeps a post-login destination inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin/ui/") || strings.ContainsAny(next, "\\\r\n") || strings.HasPrefix(next, "//") {
		return "/admin/ui/subscriptions"
	}
	return next
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if s.AdminToken == "" {
		http.NotFound(w, r)
		return
	}
	now := time.Now()
	p := &consolePage{Nonce: trackpush.NewToken(16), CSS: consoleCSS, JS: consoleJS, Title: "Sign in"}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	r.ParseForm()
	next := safeNext(r.PostFormValue("next"))
	p.Data = next
	if s.login.blocked(now) {
		p.Error = "Too many failed sign-ins: wait a minute."
		s.render(w, r, http.StatusTooManyRequests, "login", p)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("token")), []byte(s.AdminToken)) != 1 {
		s.login.failed(now)
		s.Log.Warn("console: failed sign-in", "remote", r.RemoteAddr)
		p.Error = "That is not the admin token."
		s.render(w, r, http.StatusUnauthorized, "login", p)
		return
	}
	s.setSession(w, s.newSession(now), int(sessionTTL.Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, p *consolePage) {
	s.setSession(w, "", -1)
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

// subscriptionsData is the search page.
type subscriptionsData struct {
	Q        url.Values
	Subs     []*trackpush.Subscription
	Accounts map[int64]string
	Next     string
}

func (s *Server) handleSubscriptions(w http.ResponseWriter, r *http.Request, p *consolePage) {
	p.Nav, p.Title = "subscriptions", "Subscriptions"
	q := r.URL.Query()
	sq, err := trackpush.ParseQuery(q)
	d := &subscriptionsData{Q: q, Accounts: map[int64]string{}}
	p.Data = d
	if err != nil {
		p.Error = err.Error()
		s.render(w, r, http.StatusBadRequest, "subscriptions", p)
		return
	}
	subs, err := s.Store.SearchSubscriptions(r.Context(), sq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Subs = subs
	if accts, err := s.Store.Accounts(r.Context()); err == nil {
		for _, a := range accts {
			d.Accounts[a.ID] = a.Name
		}
	}
	if len(subs) == sq.PageSize() {
		n := url.Values{}
		for k, v := range q {
			n[k] = v
		}
		n.Set("before", strconv.FormatInt(subs[len(subs)-1].ID, 10))
		d.Next = "/admin/ui/subscriptions?" + n.Encode()
	}
	s.render(w, r, http.StatusOK, "subscriptions", p)
}

// subscriptionData is a subscription's page.
type subscriptionData struct {
	Sub        *trackpush.Subscription
	Account    string
	Company    string
	Shipment   *trackpush.Shipment
	Events     []EventView
	Deliveries []trackpush.Delivery
	Trail      string
	Expires    string
	Valid      bool
}

func (s *Server) handleSubscription(w http.ResponseWriter, r *http.Request, p *consolePage) {
	p.Nav = "subscriptions"
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	sub, err := s.Store.Subscription(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h, evs, err := s.Store.Shipment(ctx, sub.Com, sub.Nu)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	log, err := s.Store.Deliveries(ctx, id, 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &subscriptionData{Sub: sub, Shipment: h, Deliveries: log}
	if c, ok := carrier.Lookup(sub.Com); ok {
		d.Company = c.Name
	}
	if accts, err := s.Store.Accounts(ctx); err == nil {
		for _, a := range accts {
			if a.ID == sub.AccountID {
				d.Account = a.Name
			}
		}
	}
	d.Events = BuildTrail(sub, h, evs, time.Time{}).Events
	if sub.TrailToken != "" {
		d.Trail = "/trail/" + sub.TrailToken
		if s.BaseURL != "" {
			d.Trail = trackpush.TrailURL(s.BaseURL, sub.TrailToken)
		}
		ttl, signed := s.ttls()
		until, ok := trackpush.TrailExpiry(sub, h, ttl, signed)
		d.Valid = ok && s.Clock.Now().Before(until)
		if ok {
			d.Expires = rfc(until)
		}
	}
	p.Title = fmt.Sprintf("Subscription %d", id)
	p.Data = d
	s.render(w, r, http.StatusOK, "subscription", p)
}

func (s *Server) pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return 0, false
	}
	return id, true
}

func (s *Server) handleRepush(w http.ResponseWriter, r *http.Request, p *consolePage) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	if err := s.Store.UpdateAll(r.Context(), id, s.Clock.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.Pusher != nil {
		s.Pusher.Wake()
	}
	s.Log.Info("console: re-push", "subscription", id)
	redirect(w, r, fmt.Sprintf("/admin/ui/subscriptions/%d", id), "Re-push (updateall) queued.")
}

func (s *Server) handleStop(w http.ResponseWriter, r *http.Request, p *consolePage) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	ended, err := s.Store.EndSubscription(r.Context(), trackpush.End{SubID: id, Status: trackpush.StatusAbort, Message: trackpush.MessageStopped}, s.Clock.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "The subscription had already ended."
	if ended {
		msg = "Stopped: one abort push (" + trackpush.MessageStopped + ") tells the subscriber."
		if s.Pusher != nil {
			s.Pusher.Wake()
		}
		s.Log.Info("console: stopped", "subscription", id)
	}
	redirect(w, r, fmt.Sprintf("/admin/ui/subscriptions/%d", id), msg)
}

// accountsData is the accounts page; Created is an account whose
// credentials are shown this once.
type accountsData struct {
	Accounts []*trackpush.Account
	Created  *trackpush.Account
	Now      time.Time
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request, p *consolePage, status int, created *trackpush.Account) {
	p.Nav, p.Title = "accounts", "Accounts"
	accts, err := s.Store.Accounts(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = &accountsData{Accounts: accts, Created: created, Now: s.Clock.Now()}
	s.render(w, r, status, "accounts", p)
}

func (s *Server) handleAccounts(w http.ResponseWriter, r *http.Request, p *consolePage) {
	s.accountsPage(w, r, p, http.StatusOK, nil)
}

func (s *Server) handleCreateAccount(w http.ResponseWriter, r *http.Request, p *consolePage) {
	quota, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("quota")))
	if err != nil {
		quota = 0
	}
	a, err := trackpush.NewAccount(r.PostFormValue("name"), quota, trackpush.ExpiryField(r.PostFormValue("expires")))
	if err != nil {
		p.Error = err.Error()
		s.accountsPage(w, r, p, http.StatusBadRequest, nil)
		return
	}
	a.SealedKey = s.seal(a.Key)
	if err := s.Store.CreateAccount(r.Context(), a); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.Info("console: account created", "account", a.ID)
	p.Flash = "Account created. Copy its AppCode and key now: they are not shown again."
	s.accountsPage(w, r, p, http.StatusOK, a)
}

func (s *Server) handleUpdateAccount(w http.ResponseWriter, r *http.Request, p *consolePage) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	u, err := trackpush.ParseAccountUpdate(func(name string) (string, bool) {
		_, present := r.PostForm[name]
		return r.PostFormValue(name), present
	})
	if err != nil {
		p.Error = err.Error()
		s.accountsPage(w, r, p, http.StatusBadRequest, nil)
		return
	}
	if _, err := s.Store.UpdateAccount(r.Context(), id, u); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.Info("console: account updated", "account", id)
	redirect(w, r, "/admin/ui/accounts", fmt.Sprintf("Account %d saved.", id))
}

func (s *Server) handleRotate(w http.ResponseWriter, r *http.Request, p *consolePage) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	a, err := trackpush.RotateKey(r.Context(), s.Store, s.seal, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.Info("console: key rotated", "account", id)
	p.Flash = "New key made: the old key no longer works. Copy it now: it is not shown again."
	s.accountsPage(w, r, p, http.StatusOK, a)
}

// templatesData is the templates pages.
type templatesData struct {
	Templates []*trackpush.MapTemplate
	T         *trackpush.MapTemplate
	New       bool
	Texts     string
	TextKeys  []string
}

func (s *Server) handleTemplates(w http.ResponseWriter, r *http.Request, p *consolePage) {
	list, err := s.Store.Templates(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := trackpush.DefaultTemplate()
	s.templatePage(w, r, p, http.StatusOK, &templatesData{Templates: list, T: t, New: true})
}

func (s *Server) templatePage(w http.ResponseWriter, r *http.Request, p *consolePage, status int, d *templatesData) {
	p.Nav, p.Title = "templates", "Map templates"
	d.TextKeys = TextKeys()
	if d.Texts == "" && d.T != nil {
		d.Texts = formatTexts(d.T.Texts)
	}
	p.Data = d
	s.render(w, r, status, "templates", p)
}

func (s *Server) handleTemplate(w http.ResponseWriter, r *http.Request, p *consolePage) {
	t, err := s.Store.Template(r.Context(), r.PathValue("key"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.templatePage(w, r, p, http.StatusOK, &templatesData{T: t})
}

func (s *Server) handleSaveTemplate(w http.ResponseWriter, r *http.Request, p *consolePage) {
	t, err := TemplateFromForm(r.PostForm)
	isNew := r.PostFormValue("new") == "1"
	if err == nil {
		err = t.Validate()
	}
	if err == nil {
		if isNew {
			err = s.Store.CreateTemplate(r.Context(), t, s.Clock.Now())
		} else {
			err = s.Store.UpdateTemplate(r.Context(), t, s.Clock.Now())
		}
	}
	if err != nil {
		var e *trackpush.Error
		if !errors.As(err, &e) {
			s.fail(w, r, err)
			return
		}
		p.Error = e.Detail
		list, _ := s.Store.Templates(r.Context())
		s.templatePage(w, r, p, http.StatusBadRequest, &templatesData{Templates: list, T: t, New: isNew, Texts: r.PostFormValue("texts")})
		return
	}
	s.Log.Info("console: template saved", "key", t.Key)
	redirect(w, r, "/admin/ui/templates/"+url.PathEscape(t.Key), "Template saved.")
}

func (s *Server) handleDeleteTemplate(w http.ResponseWriter, r *http.Request, p *consolePage) {
	if err := s.Store.DeleteTemplate(r.Context(), r.PathValue("key")); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/ui/templates", "Template deleted: its subscriptions get the default look.")
}

// handlePreview renders the trail page of the sample parcel with the
// template the form holds (not saved).
func (s *Server) handlePreview(w http.ResponseWriter, r *http.Request, _ *consolePage) {
	t, err := TemplateFromForm(r.PostForm)
	if err == nil {
		if t.Key == "" {
			t.Key = "preview"
		}
		err = t.Validate()
	}
	if err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintln(w, err)
		return
	}
	bm, err := loadBasemap()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sub, h, evs := Sample()
	ttl, signed := s.ttls()
	until, _ := trackpush.TrailExpiry(sub, h, ttl, signed)
	pg := s.trailPage(BuildTrail(sub, h, evs, until), t, bm)
	if strings.HasPrefix(t.LogoURL, "data:") {
		pg.Logo = template.URL(t.LogoURL) // not saved: /trail/logo cannot serve it; checked by Validate
	}
	if err := writePage(w, r, http.StatusOK, "trail", pg, t); err != nil {
		s.Log.Warn("console: preview", "err", err)
	}
}

// TemplateFromForm reads a template from form fields named as its JSON
// (key, name, title, logoUrl, routeColor, …; the show* fields as
// checkboxes; texts as key=value lines).
func TemplateFromForm(f url.Values) (*trackpush.MapTemplate, error) {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	t := &trackpush.MapTemplate{Key: get("key"), Name: get("name"), Title: get("title"), LogoURL: get("logoUrl"),
		RouteColor: get("routeColor"), PredictedColor: get("predictedColor"), MarkerColor: get("markerColor"),
		ShowPredicted: f.Get("showPredicted") != "", ShowTimeline: f.Get("showTimeline") != "", ShowETA: f.Get("showEta") != "",
		Locale: get("locale"), Basemap: get("basemap"), TileURL: get("tileUrl"), TileSubdomains: get("tileSubdomains"),
		TileKey: get("tileKey"), TileAttribution: get("tileAttribution")}
	for i, line := range strings.Split(f.Get("texts"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return t, trackpush.Errorf(trackpush.CodeInternal, "texts: line %d is not key=value", i+1)
		}
		if t.Texts == nil {
			t.Texts = map[string]string{}
		}
		t.Texts[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return t, nil
}

func formatTexts(m map[string]string) string {
	var b strings.Builder
	for _, k := range TextKeys() {
		if v, ok := m[k]; ok {
			b.WriteString(k + "=" + v + "\n")
		}
	}
	return b.String()
}

// fail answers a store error: 404 for what does not exist, else 500.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if trackpush.ErrorCode(err) == trackpush.CodeNotFound {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	s.Log.Error("console", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// seal seals a new key for the real-time query API (nil without a
// keyring).
func (s *Server) seal(key string) []byte {
	if s.Keyring == nil {
		return nil
	}
	return s.Keyring.Seal(key)
}
