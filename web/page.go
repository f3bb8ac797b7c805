package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
)

//go:embed assets
var assets embed.FS

func asset(name string) string {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var (
	trailCSS   = template.CSS(asset("trail.css"))
	trailJS    = template.JS(asset("trail.js"))
	trailPages = template.Must(template.New("").Parse(asset("trail.html")))
)

// colors are a template's colours, checked by MapTemplate.Validate.
type colors struct{ Route, Predicted, Marker template.CSS }

// etaView is the forecast as the page shows it.
type etaView struct{ Arrival, Range, Basis string }

// pageData is what a trail page's templates read.
type pageData struct {
	Nonce, Lang            string
	T                      texts
	PageTitle, Heading     string
	Description, Canonical string
	Logo                   template.URL // checked by MapTemplate.Validate
	CSS                    template.CSS
	JS                     template.JS
	Colors                 colors
	Trail                  *Trail
	Status, StatusClass    string
	Latest                 *EventView
	ETA                    *etaView
	Map                    template.HTML
	ShowTimeline           bool
	ShowPredicted          bool
	Attribution            string
	Message                string // of the expiry and not-found pages
}

// When writes an RFC 3339 time for people, in China Standard Time.
func (p *pageData) When(v string) string { return p.format(v, "1月2日 15:04", "Jan 2 15:04") }

// hour writes a forecast time to the hour, as the wire's arrivalTime.
func (p *pageData) hour(v string) string { return p.format(v, "1月2日 15时", "Jan 2, 15:00") }

// format writes an RFC 3339 time in the page's language, in China
// Standard Time (v itself when it is not a time).
func (p *pageData) format(v, zh, en string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return v
	}
	t = t.In(trackpush.CST)
	if p.Lang == "en" {
		return t.Format(en)
	}
	return t.Format(zh)
}

// Place writes a wire area name ("广东,深圳市,南山区") for people.
func (p *pageData) Place(name string) string {
	return strings.ReplaceAll(name, ",", " ")
}

// StateName names a state code in the page's language.
func (p *pageData) StateName(code string) string { return p.T.State(code) }

// trailPage prepares the page of a trail under a template.
func (s *Server) trailPage(t *Trail, tpl *trackpush.MapTemplate, bm *basemapData) *pageData {
	tx := textsOf(tpl)
	p := s.basePage(tpl, tx)
	p.Trail = t
	p.ShowTimeline, p.ShowPredicted = tpl.ShowTimeline, tpl.ShowPredicted
	p.Status = tx.State(t.State.Code)
	switch {
	case len(t.Events) == 0:
		p.Status = tx.Get("noEvents")
		if i := strings.IndexAny(p.Status, "，:："); i > 0 {
			p.Status = p.Status[:i]
		}
	case t.Signed:
		p.StatusClass = "signed"
	case t.State.Basic == trackpush.StateTrouble.String() || t.State.Basic == trackpush.StateRefused.String():
		p.StatusClass = "trouble"
	}
	if tx.locale != "en" && t.State.Code != "" && t.State.Code != t.State.Basic && len(t.Events) > 0 {
		p.Status = t.State.BasicName + " · " + t.State.Name
	}
	if len(t.Events) > 0 {
		p.Latest = &t.Events[0]
	}
	if f := t.Predict; f != nil && tpl.ShowETA && !t.Signed {
		e := &etaView{Arrival: p.hour(f.Arrival), Basis: tx.Get(f.Basis)}
		if f.Early != "" && f.Late != "" && f.Basis != trackpush.BasisArrived {
			e.Range = p.hour(f.Early) + " – " + p.hour(f.Late)
		}
		if e.Basis == "" {
			e.Basis = f.Basis
		}
		p.ETA = e
	}
	p.PageTitle = p.Heading + " · " + t.Company + " " + t.Nu
	p.Description = p.Status
	if p.Latest != nil {
		p.Description += " · " + p.Latest.Context
	}
	p.Map = mapOf(t, tpl, tx).svg(bm)
	return p
}

// basePage is what every page of a template shares.
func (s *Server) basePage(tpl *trackpush.MapTemplate, tx texts) *pageData {
	p := &pageData{Nonce: trackpush.NewToken(16), Lang: tx.locale, T: tx, CSS: trailCSS, JS: trailJS,
		Colors:      colors{template.CSS(tpl.RouteColor), template.CSS(tpl.PredictedColor), template.CSS(tpl.MarkerColor)},
		Attribution: tx.Get("attribution")}
	if p.Lang == "" {
		p.Lang = "zh-CN"
	}
	p.Heading = tpl.Title
	if p.Heading == "" {
		p.Heading = tx.Get("title")
	}
	p.PageTitle = p.Heading
	switch {
	case strings.HasPrefix(tpl.LogoURL, "data:"):
		sum := sha256.Sum256([]byte(tpl.LogoURL))
		p.Logo = template.URL("/trail/logo/" + url.PathEscape(tpl.Key) + "?v=" + hex.EncodeToString(sum[:6]))
	case tpl.LogoURL != "":
		p.Logo = template.URL(tpl.LogoURL)
	}
	if tpl.Basemap == trackpush.BasemapTiles {
		p.Attribution = tpl.TileAttribution
	}
	return p
}

// csp is the pages' Content-Security-Policy: nothing from elsewhere;
// the page's own style and script by nonce; images from this server (a
// logo) and, with an online basemap, that provider's tile hosts.
func csp(nonce, logo string, tpl *trackpush.MapTemplate) string {
	img := "'self'"
	if strings.HasPrefix(logo, "data:") {
		img += " data:" // the console's preview of an unsaved logo
	}
	if tpl != nil && tpl.Basemap == trackpush.BasemapTiles {
		img += " " + strings.Join(tilesOf(tpl).hosts(), " ")
	}
	return "default-src 'none'; style-src 'nonce-" + nonce + "'; script-src 'nonce-" + nonce + "'; img-src " + img +
		"; base-uri 'none'; form-action 'none'"
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// gzipLevel trades a little size for speed: a page compresses about 3
// times faster than at the default level, for 10–15% more bytes.
const gzipLevel = gzip.BestSpeed

var gzPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzipLevel); return w }}

// writePage renders a page to w with its headers, gzip-compressed when the
// client accepts it.
func writePage(w http.ResponseWriter, r *http.Request, status int, name string, p *pageData, tpl *trackpush.MapTemplate) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := executePage(buf, name, p); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp(p.Nonce, string(p.Logo), tpl))
	securityHeaders(h)
	h.Set("Cache-Control", "private, no-cache")
	return writeBody(w, r, status, buf.Bytes())
}

// executePage writes a page. The trail page's map, the bulk of it, is
// written as it is between the template's two halves: printed by the
// template it would be copied once more.
func executePage(w io.Writer, name string, p *pageData) error {
	if name != "trail" {
		return trailPages.ExecuteTemplate(w, name, p)
	}
	if err := trailPages.ExecuteTemplate(w, "trail-a", p); err != nil {
		return err
	}
	if _, err := io.WriteString(w, string(p.Map)); err != nil {
		return err
	}
	return trailPages.ExecuteTemplate(w, "trail-b", p)
}

// securityHeaders are set on every page.
func securityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
}

// writeBody writes a body, gzip-compressed when the client accepts it.
func writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) error {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") || len(body) < 1024 {
		w.WriteHeader(status)
		_, err := w.Write(body)
		return err
	}
	h.Set("Content-Encoding", "gzip")
	w.WriteHeader(status)
	gz := gzPool.Get().(*gzip.Writer)
	defer gzPool.Put(gz)
	gz.Reset(w)
	if _, err := gz.Write(body); err != nil {
		return err
	}
	return gz.Close()
}

func (s *Server) handleTrail(w http.ResponseWriter, r *http.Request) {
	token, asJSON := strings.CutSuffix(r.PathValue("token"), ".json")
	ctx := r.Context()
	code, sub, h, evs, until, err := s.lookup(ctx, token)
	if err != nil {
		s.Log.Error("trail", "err", err)
	}
	var tpl *trackpush.MapTemplate
	if sub != nil {
		tpl = s.templateOf(ctx, sub.MapConfigKey)
	} else {
		tpl = trackpush.DefaultTemplate()
	}
	if code != http.StatusOK {
		s.writeGone(w, r, code, sub, tpl, asJSON)
		return
	}
	t := BuildTrail(sub, h, evs, until)
	if asJSON {
		securityHeaders(w.Header())
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "private, no-cache")
		w.Header().Set("Access-Control-Allow-Origin", "*") // shops draw their own maps from it
		var b bytes.Buffer
		jsonEncode(&b, t)
		writeBody(w, r, http.StatusOK, b.Bytes())
		return
	}
	bm, err := loadBasemap()
	if err != nil {
		s.Log.Error("trail: basemap", "err", err)
		s.writeGone(w, r, http.StatusInternalServerError, sub, tpl, false)
		return
	}
	p := s.trailPage(t, tpl, bm)
	if s.BaseURL != "" {
		p.Canonical = trackpush.TrailURL(s.BaseURL, token)
	}
	if err := writePage(w, r, http.StatusOK, "trail", p, tpl); err != nil {
		s.Log.Warn("trail: write", "err", err)
	}
}

// writeGone answers a link that is unknown (404), expired or ended (410),
// or failed (500): a page that says so, or JSON {"error"}.
func (s *Server) writeGone(w http.ResponseWriter, r *http.Request, code int, sub *trackpush.Subscription, tpl *trackpush.MapTemplate, asJSON bool) {
	tx := textsOf(tpl)
	p := s.basePage(tpl, tx)
	switch {
	case code == http.StatusNotFound:
		p.Status, p.Message = tx.Get("notFound"), tx.Get("notFoundText")
	case code == http.StatusGone && sub != nil && sub.Status == trackpush.StatusAbort:
		p.Status, p.Message = tx.Get("ended"), tx.Get("endedText")
	case code == http.StatusGone:
		p.Status, p.Message = tx.Get("expired"), tx.Get("expiredText")
	default:
		code = http.StatusInternalServerError
		p.Status, p.Message = "500", http.StatusText(code)
	}
	p.PageTitle = p.Status + " · " + p.Heading
	if asJSON {
		securityHeaders(w.Header())
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"error": p.Status, "expired": code == http.StatusGone})
		return
	}
	if err := writePage(w, r, code, "gone", p, tpl); err != nil {
		s.Log.Warn("trail: write", "err", err)
	}
}

// handleLogo serves a template's logo given as a data: URL, from this
// server (the page makes no outside request).
func (s *Server) handleLogo(w http.ResponseWriter, r *http.Request) {
	t, err := s.Store.Template(r.Context(), r.PathValue("key"))
	if err != nil || !strings.HasPrefix(t.LogoURL, "data:") {
		http.NotFound(w, r)
		return
	}
	meta, data, _ := strings.Cut(strings.TrimPrefix(t.LogoURL, "data:"), ",")
	img, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", strings.TrimSuffix(meta, ";base64"))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=86400")
	w.Write(img)
}

// favicon is the pages' icon: a route marker, drawn in SVG.
const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="14" fill="#1f6feb"/><path d="M9 21l5-9 4 5 5-8" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>`

func handleFavicon(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=604800")
	io.WriteString(w, favicon)
}

// jsonEncode writes v as JSON, without HTML escaping.
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
