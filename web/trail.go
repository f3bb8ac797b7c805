// Package web serves the pages of trackpush: the trail map page of a
// subscription (GET /trail/{token}, and its data as JSON), and the
// operator console (/admin). Pages are rendered on the server with
// html/template from embedded assets — no build step, no framework, no
// CDN — and say so in their Content-Security-Policy: nothing is loaded
// from elsewhere, except the tiles of an online basemap a map template
// chooses.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrier"
	"github.com/trackpush/trackpush/enrich"
	"github.com/trackpush/trackpush/keyring"
	"github.com/trackpush/trackpush/route"
	"github.com/trackpush/trackpush/web/mercator"
)

// Waker is told when pushes may have become due (the push engine).
type Waker interface{ Wake() }

// Server serves the trail pages and the console.
type Server struct {
	Store trackpush.Store
	Clock trackpush.Clock
	Log   *slog.Logger
	// BaseURL is the server's public URL: the pages' canonical links. ""
	// leaves them relative (never derived from a request's Host).
	BaseURL string
	// TTL and SignedTTL: how long a trail link stays valid after the
	// last event, unsigned and signed (trackpush.TrailTTL and
	// TrailSignedTTL when zero).
	TTL, SignedTTL time.Duration
	// AdminToken opens the console; "" disables it.
	AdminToken string
	// Keyring seals rotated keys; Pusher is woken by re-pushes.
	Keyring *keyring.Keyring
	Pusher  Waker

	login loginLimit
}

// Register adds the pages' routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /trail/{token}", s.handleTrail)
	mux.HandleFunc("GET /trail/logo/{key}", s.handleLogo)
	mux.HandleFunc("GET /favicon.ico", handleFavicon)
	s.registerConsole(mux)
}

func (s *Server) ttls() (time.Duration, time.Duration) {
	ttl, signed := s.TTL, s.SignedTTL
	if ttl <= 0 {
		ttl = trackpush.TrailTTL
	}
	if signed <= 0 {
		signed = trackpush.TrailSignedTTL
	}
	return ttl, signed
}

// Trail is a shipment's trail as the page draws it, and as GET
// /trail/{token}.json answers it. Times are RFC 3339 in China Standard
// Time; coordinates GCJ-02.
type Trail struct {
	Com     string      `json:"com"`
	Company string      `json:"company"`
	Nu      string      `json:"nu"`
	State   StateView   `json:"state"`
	Signed  bool        `json:"signed"`
	Ended   bool        `json:"ended"` // tracking is over (signed, or given up)
	Updated string      `json:"updated,omitempty"`
	Expires string      `json:"expires"`
	From    *Place      `json:"from"`
	To      *Place      `json:"to"`
	Current *Place      `json:"current"`
	Route   []Point     `json:"route"`
	Predict *Predicted  `json:"forecast"`
	Loop    *LoopView   `json:"loop"`
	Events  []EventView `json:"events"`
}

// StateView is a state code with its names.
type StateView struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Basic     string `json:"basic"`
	BasicName string `json:"basicName"`
}

// Place is a region on the map.
type Place struct {
	AreaCode string  `json:"areaCode"`
	Name     string  `json:"name"`
	Lng      float64 `json:"lng"`
	Lat      float64 `json:"lat"`
}

// Point is a place the parcel has been, oldest first: a stop of the
// forecast's route when there is one, else the centre of an event's
// region (consecutive events in one region are one point).
type Point struct {
	Name     string  `json:"name"`
	Type     string  `json:"type"` // hub or outlet
	AreaCode string  `json:"areaCode,omitempty"`
	Lng      float64 `json:"lng"`
	Lat      float64 `json:"lat"`
	Time     string  `json:"time,omitempty"`
}

// Predicted is the route model's forecast: the arrival with its range
// (10th–90th percentile), what it rests on, and the stops ahead.
type Predicted struct {
	MadeAt  string     `json:"madeAt"`
	Arrival string     `json:"arrival"`
	Early   string     `json:"early"`
	Late    string     `json:"late"`
	Basis   string     `json:"basis"`
	Stops   []StopView `json:"stops"`
}

// StopView is a stop of the forecast's route.
type StopView struct {
	Name     string  `json:"name"`
	Type     string  `json:"type"`  // 转运中心 or 网点
	State    string  `json:"state"` // 已经过节点, 当前停留节点 or 预估途径节点
	AreaCode string  `json:"areaCode,omitempty"`
	Province string  `json:"province,omitempty"`
	City     string  `json:"city,omitempty"`
	District string  `json:"district,omitempty"`
	Lng      float64 `json:"lng"`
	Lat      float64 `json:"lat"`
	Arrive   string  `json:"arrive,omitempty"`
	Leave    string  `json:"leave,omitempty"`
}

// LoopView says where the route looped: the place the parcel came back to.
type LoopView struct {
	Place    string `json:"place"`
	AreaCode string `json:"areaCode"`
	AreaName string `json:"areaName"`
	LeftAt   string `json:"leftAt"`
	BackAt   string `json:"backAt"`
}

// EventView is one scan, newest first. The context has phone numbers
// masked.
type EventView struct {
	Time       string   `json:"time"`
	Status     string   `json:"status"`
	StatusCode string   `json:"statusCode"`
	Context    string   `json:"context"`
	AreaCode   string   `json:"areaCode,omitempty"`
	AreaName   string   `json:"areaName,omitempty"`
	Lng        *float64 `json:"lng,omitempty"`
	Lat        *float64 `json:"lat,omitempty"`
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(trackpush.CST).Format(time.RFC3339)
}

// parseCenter reads an area's "lng,lat".
func parseCenter(c string) (float64, float64, bool) {
	a, b, ok := strings.Cut(c, ",")
	if !ok {
		return 0, 0, false
	}
	lng, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lat, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	return lng, lat, err1 == nil && err2 == nil && lng != 0 && lat != 0
}

func placeOf(a *trackpush.Area) *Place {
	if a == nil {
		return nil
	}
	lng, lat, ok := parseCenter(a.Center)
	if !ok {
		return nil
	}
	return &Place{AreaCode: a.Code, Name: a.Name, Lng: lng, Lat: lat}
}

// hubWords name transfer centres in scan texts.
var hubWords = []string{"转运中心", "分拨中心", "集散中心", "中转中心", "分拣中心", "转运场", "航空部", "处理中心", "枢纽"}

func isHubText(s string) bool {
	for _, w := range hubWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// stateView returns a state's codes and names.
func stateView(st trackpush.State) StateView {
	return StateView{Code: st.String(), Name: st.Name(), Basic: st.Basic().String(), BasicName: st.Basic().Name()}
}

// BuildTrail returns the trail of a subscription's shipment (h nil when
// the shipment is not known yet) at now.
func BuildTrail(sub *trackpush.Subscription, h *trackpush.Shipment, events []trackpush.Event, expires time.Time) *Trail {
	t := &Trail{Com: sub.Com, Nu: sub.Nu, Ended: sub.Status != trackpush.StatusPolling, Expires: rfc(expires),
		Route: []Point{}, Events: []EventView{}}
	if c, ok := carrier.Lookup(sub.Com); ok {
		t.Company = c.Name
	}
	from, to := sub.From, sub.To
	if h != nil {
		if from == nil {
			from = h.From
		}
		if to == nil {
			to = h.To
		}
		t.State = stateView(h.Summary.State)
		t.Signed = h.Summary.Signed
		t.Updated = rfc(h.Summary.LastEventAt)
	}
	t.From, t.To = placeOf(from), placeOf(to)
	if len(events) == 0 {
		t.State = StateView{}
	}
	t.Current = placeOf(route.Current(events))
	mask := newMasker(sub.Phone)
	for _, e := range enrich.NewestFirst(events) {
		v := EventView{Time: rfc(e.Time), Status: e.State.Name(), StatusCode: e.State.String(), Context: mask.mask(e.Context)}
		if e.Area != nil {
			v.AreaCode, v.AreaName = e.Area.Code, e.Area.Name
			if lng, lat, ok := parseCenter(e.Area.Center); ok {
				v.Lng, v.Lat = &lng, &lat
			}
		}
		t.Events = append(t.Events, v)
	}
	if l := route.FindLoop(events); l != nil {
		t.Loop = &LoopView{Place: l.Place, AreaCode: l.AreaCode, AreaName: l.AreaName, LeftAt: rfc(l.LeftAt), BackAt: rfc(l.BackAt)}
	}
	var f *trackpush.Forecast
	if h != nil {
		f = h.Forecast
	}
	if f != nil {
		p := &Predicted{MadeAt: rfc(f.MadeAt), Arrival: rfc(f.Arrival), Early: rfc(f.Early), Late: rfc(f.Late), Basis: f.Basis, Stops: []StopView{}}
		for _, s := range f.Route {
			p.Stops = append(p.Stops, StopView{Name: s.Name, Type: s.Type, State: s.State, AreaCode: s.AreaCode, Province: s.Province,
				City: s.City, District: s.District, Lng: s.Lng, Lat: s.Lat, Arrive: rfc(s.Arrive), Leave: rfc(s.Leave)})
		}
		t.Predict = p
	}
	// The way so far: the forecast's passed and current stops when it
	// has them with coordinates, else the events' regions.
	if f != nil {
		for _, s := range f.Route {
			if s.State == trackpush.StopPredicted || (s.Lng == 0 && s.Lat == 0) {
				continue
			}
			t.Route = append(t.Route, Point{Name: s.Name, Type: stopType(s.Type), AreaCode: s.AreaCode, Lng: s.Lng, Lat: s.Lat, Time: rfc(s.Arrive)})
		}
	}
	if len(t.Route) == 0 {
		for _, e := range route.Chronological(events) {
			if e.Area == nil {
				continue
			}
			lng, lat, ok := parseCenter(e.Area.Center)
			if !ok {
				continue
			}
			typ := "outlet"
			if isHubText(e.Context) {
				typ = "hub"
			}
			if n := len(t.Route); n > 0 && t.Route[n-1].AreaCode == e.Area.Code {
				if typ == "hub" {
					t.Route[n-1].Type = typ
				}
				continue
			}
			t.Route = append(t.Route, Point{Name: e.Area.Name, Type: typ, AreaCode: e.Area.Code, Lng: lng, Lat: lat, Time: rfc(e.Time)})
		}
	}
	return t
}

func stopType(t string) string {
	if t == trackpush.StopHub {
		return "hub"
	}
	return "outlet"
}

// lookup finds a token's subscription, its shipment and its expiry. It
// answers the status the page must have: 200, 404 (unknown) or 410
// (expired or ended).
func (s *Server) lookup(ctx context.Context, token string) (int, *trackpush.Subscription, *trackpush.Shipment, []trackpush.Event, time.Time, error) {
	if !trackpush.ValidTrailToken(token) {
		return http.StatusNotFound, nil, nil, nil, time.Time{}, nil
	}
	sub, err := s.Store.SubscriptionByToken(ctx, token)
	if trackpush.ErrorCode(err) == trackpush.CodeNotFound {
		return http.StatusNotFound, nil, nil, nil, time.Time{}, nil
	}
	if err != nil {
		return http.StatusInternalServerError, nil, nil, nil, time.Time{}, err
	}
	h, evs, err := s.Store.Shipment(ctx, sub.Com, sub.Nu)
	if err != nil {
		return http.StatusInternalServerError, nil, nil, nil, time.Time{}, err
	}
	ttl, signed := s.ttls()
	until, ok := trackpush.TrailExpiry(sub, h, ttl, signed)
	if !ok || !s.Clock.Now().Before(until) {
		return http.StatusGone, sub, h, evs, until, nil
	}
	return http.StatusOK, sub, h, evs, until, nil
}

// templateOf returns a subscription's map template: its own, or the default
// when it names none or one that was deleted.
func (s *Server) templateOf(ctx context.Context, key string) *trackpush.MapTemplate {
	if key == "" {
		return trackpush.DefaultTemplate()
	}
	t, err := s.Store.Template(ctx, key)
	if err != nil {
		if trackpush.ErrorCode(err) != trackpush.CodeNotFound {
			s.Log.Warn("trail: template", "key", key, "err", err)
		}
		return trackpush.DefaultTemplate()
	}
	return t
}

// mapOf is the map of a trail under a template.
func mapOf(t *Trail, tpl *trackpush.MapTemplate, tx texts) *mapSpec {
	m := &mapSpec{Label: tx.Get("mapLabel")}
	pt := func(lng, lat float64) (float64, float64) { return mercator.Project(lng, lat) }
	for _, p := range t.Route {
		x, y := pt(p.Lng, p.Lat)
		m.Travelled = append(m.Travelled, mark{X: x, Y: y})
	}
	if t.Predict != nil && tpl.ShowPredicted {
		started := false
		for _, s := range t.Predict.Stops {
			if s.Lng == 0 && s.Lat == 0 {
				continue
			}
			if s.State == trackpush.StopCurrent {
				started = true
			}
			if s.State == trackpush.StopPredicted {
				if !started && len(m.Travelled) > 0 {
					m.Predicted = append(m.Predicted, m.Travelled[len(m.Travelled)-1])
				}
				started = true
			}
			if started {
				x, y := pt(s.Lng, s.Lat)
				m.Predicted = append(m.Predicted, mark{X: x, Y: y})
				if s.State == trackpush.StopPredicted {
					kind := markOutlet
					if s.Type == trackpush.StopHub {
						kind = markHub
					}
					m.Marks = append(m.Marks, mark{X: x, Y: y, Kind: kind, Predicted: true, Title: tx.Get("predicted") + " · " + s.Name})
				}
			}
		}
	}
	for i, p := range t.Route {
		if i == len(t.Route)-1 {
			break // the current position is drawn apart
		}
		x, y := pt(p.Lng, p.Lat)
		kind := markOutlet
		if p.Type == "hub" {
			kind = markHub
		}
		m.Marks = append(m.Marks, mark{X: x, Y: y, Kind: kind, Title: p.Name})
	}
	cityOf := func(name string) string {
		parts := strings.Split(name, ",")
		if len(parts) > 1 {
			return parts[1]
		}
		return parts[0]
	}
	if t.From != nil {
		x, y := pt(t.From.Lng, t.From.Lat)
		m.Marks = append(m.Marks, mark{X: x, Y: y, Kind: markFrom, Title: tx.Get("from") + " · " + t.From.Name, Label: cityOf(t.From.Name)})
	}
	if t.To != nil {
		x, y := pt(t.To.Lng, t.To.Lat)
		m.Marks = append(m.Marks, mark{X: x, Y: y, Kind: markTo, Title: tx.Get("to") + " · " + t.To.Name, Label: cityOf(t.To.Name)})
	}
	if n := len(t.Route); n > 0 {
		p := t.Route[n-1]
		x, y := pt(p.Lng, p.Lat)
		label := cityOf(p.Name)
		if t.To != nil && t.To.AreaCode == p.AreaCode || t.From != nil && t.From.AreaCode == p.AreaCode {
			label = ""
		}
		m.Marks = append(m.Marks, mark{X: x, Y: y, Kind: markCurrent, Title: tx.Get("current") + " · " + p.Name, Label: label})
	}
	if tpl.Basemap == trackpush.BasemapTiles {
		m.Tiles = tilesOf(tpl)
	}
	return m
}

func tilesOf(tpl *trackpush.MapTemplate) *tiles {
	t := &tiles{URL: tpl.TileURL, Key: tpl.TileKey}
	for _, s := range strings.Split(tpl.TileSubdomains, ",") {
		if s = strings.TrimSpace(s); s != "" {
			t.Subdomains = append(t.Subdomains, s)
		}
	}
	return t
}
