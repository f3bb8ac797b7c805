// Package eval measures the service's models on held-out data: the route
// model's arrival forecasts (ETA) on simulated and real trajectories.
package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/enrich"
	"github.com/trackpush/trackpush/region"
	"github.com/trackpush/trackpush/route"
	"github.com/trackpush/trackpush/sim"
)

// Shipment is one trajectory to learn from or to evaluate on: its events
// enriched one at a time in time order, as ingest enriches them.
type Shipment struct {
	Com, Nu  string
	From, To *trackpush.Area
	Events   []trackpush.Event // time order, numbered
}

// Header returns the shipment as a store would hold it.
func (s *Shipment) Header() *trackpush.Shipment {
	return &trackpush.Shipment{Com: s.Com, Nu: s.Nu, From: s.From, To: s.To}
}

// Target returns the index of the target event (see route.IsTarget), or
// -1 when the shipment never got there.
func (s *Shipment) Target() int {
	for i, e := range s.Events {
		if route.IsTarget(e.State) {
			return i
		}
	}
	return -1
}

// NewShipment enriches raw events (any order) one at a time in time order,
// with the ends as priors, as the service's ingest does.
func NewShipment(com, nu string, from, to *trackpush.Area, raws []trackpush.RawEvent) (*Shipment, error) {
	type timed struct {
		t   time.Time
		raw trackpush.RawEvent
	}
	ts := make([]timed, 0, len(raws))
	for _, r := range raws {
		t, ok := trackpush.ParseTime(strings.TrimSpace(r.Time))
		if !ok {
			return nil, fmt.Errorf("%s %s: time %q is not a time", com, nu, r.Time)
		}
		ts = append(ts, timed{t, r})
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].t.Before(ts[j].t) })
	s := &Shipment{Com: com, Nu: nu, From: from, To: to}
	sh := enrich.Shipment{Com: com, From: from, To: to}
	for _, x := range ts {
		evs, err := enrich.Events(sh, s.Events, []trackpush.RawEvent{x.raw})
		if err != nil {
			return nil, err
		}
		fresh := trackpush.NewEvents(s.Events, evs)
		s.Events = append(s.Events, fresh...)
	}
	return s, nil
}

// SimShipment returns a simulated parcel as a shipment subscribed with its
// addresses.
func SimShipment(p *sim.Parcel) (*Shipment, error) {
	from := enrich.AreaOf(region.ResolveAddress(p.From))
	to := enrich.AreaOf(region.ResolveAddress(p.To))
	return NewShipment(p.Com, p.Nu, from, to, p.Raw())
}

// Metrics are the accuracy figures of a set of predictions.
type Metrics struct {
	// DeliveredByPredictedDate is the share of predictions whose arrival
	// day (China Standard Time) is on or after the actual day: the parcel
	// came by the promised date.
	DeliveredByPredictedDate float64 `json:"delivered_by_predicted_date"`
	// WithinActualPlus1d is the share whose day is no later than the
	// actual day + 1.
	WithinActualPlus1d float64 `json:"predicted_within_actual_plus_1d"`
	MAEHours           float64 `json:"mae_hours"`
	RMSEHours          float64 `json:"rmse_hours"`
	// RangeCoverage is the share whose p10–p90 range held the actual
	// arrival.
	RangeCoverage float64 `json:"range_coverage"`
	NShipments    int     `json:"n_shipments"`
	NPredictions  int     `json:"n_predictions"`
}

// Result is the metrics of a model: over every prediction made after the
// first hub scan, and by stage.
type Result struct {
	Metrics
	Stages map[string]Metrics `json:"stages"`
}

// Report is the outcome of an ETA evaluation.
type Report struct {
	Result
	// Cold is the model with no history at all (the cold-start prior).
	Cold *Result `json:"cold,omitempty"`
	// Baselines are two simple estimators on the same predictions:
	// lane_median (pickup + the lane's median time to the target, else
	// the carrier's, else everyone's) and distance (now + a + b × km to
	// the destination, fitted by least squares on the history).
	Baselines map[string]Result `json:"baselines,omitempty"`
	// Skipped counts shipments with no target event (never delivered in
	// the record: stalled, handed over, returned before delivery).
	Skipped int `json:"skipped_no_delivery"`
	// NoForecast counts the states (after the first hub) where the model
	// made no forecast.
	NoForecast int `json:"no_forecast"`
	// BasisShare is the share of the model's predictions (after the first
	// hub) by basis.
	BasisShare map[string]float64 `json:"basis_share,omitempty"`
}

// prediction is one forecast against the truth.
type prediction struct {
	ship        int
	stage       route.Stage
	arrival     time.Time
	early, late time.Time
	actual      time.Time
	basis       string
}

// predictor makes a prediction for a shipment's first k events.
type predictor func(s *Shipment, k int) (arrival, early, late time.Time, basis string, ok bool)

// collect replays each evaluated shipment's events in order and predicts
// after each one before the target event.
func collect(ships []*Shipment, stageOf func(*Shipment, int) route.Stage, p predictor) (preds []prediction, noForecast int) {
	for i, s := range ships {
		target := s.Target()
		if target < 0 {
			continue
		}
		actual := s.Events[target].Time
		for k := 1; k <= target; k++ {
			st := stageOf(s, k)
			arr, early, late, basis, ok := p(s, k)
			if !ok {
				if st >= route.StageHub {
					noForecast++
				}
				continue
			}
			preds = append(preds, prediction{ship: i, stage: st, arrival: arr, early: early, late: late, actual: actual, basis: basis})
		}
	}
	return preds, noForecast
}

func day(t time.Time) time.Time {
	y, m, d := t.In(trackpush.CST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, trackpush.CST)
}

func metrics(ps []prediction) Metrics {
	var m Metrics
	ships := map[int]bool{}
	var by, within, ae, se, cover float64
	for _, p := range ps {
		ships[p.ship] = true
		pd, ad := day(p.arrival), day(p.actual)
		if !pd.Before(ad) {
			by++
		}
		if !pd.After(ad.AddDate(0, 0, 1)) {
			within++
		}
		e := p.arrival.Sub(p.actual).Hours()
		ae += math.Abs(e)
		se += e * e
		if !p.actual.Before(p.early) && !p.actual.After(p.late) {
			cover++
		}
	}
	n := float64(len(ps))
	m.NPredictions, m.NShipments = len(ps), len(ships)
	if n > 0 {
		m.DeliveredByPredictedDate = round(by / n)
		m.WithinActualPlus1d = round(within / n)
		m.MAEHours = round(ae / n)
		m.RMSEHours = round(math.Sqrt(se / n))
		m.RangeCoverage = round(cover / n)
	}
	return m
}

func round(x float64) float64 { return math.Round(x*10000) / 10000 }

// result groups predictions: overall after the first hub, and by stage.
func result(ps []prediction) Result {
	var after []prediction
	by := map[route.Stage][]prediction{}
	for _, p := range ps {
		by[p.stage] = append(by[p.stage], p)
		if p.stage >= route.StageHub {
			after = append(after, p)
		}
	}
	r := Result{Metrics: metrics(after), Stages: map[string]Metrics{}}
	for st := route.StagePickup; st < route.StageArrived; st++ {
		r.Stages[st.String()] = metrics(by[st])
	}
	return r
}

// modelPredictor predicts with a route model.
func modelPredictor(m *route.Model) predictor {
	return func(s *Shipment, k int) (time.Time, time.Time, time.Time, string, bool) {
		f := m.Forecast(s.Header(), s.Events[:k])
		if f == nil {
			return time.Time{}, time.Time{}, time.Time{}, "", false
		}
		return f.Arrival, f.Early, f.Late, f.Basis, true
	}
}

// Learn teaches a model the history.
func Learn(m *route.Model, history []*Shipment) {
	for _, s := range history {
		m.Learn(s.Header(), s.Events)
	}
}

// Evaluate evaluates a model that learned history on ships, with the cold
// model and the baselines beside it.
func Evaluate(history, ships []*Shipment, progress io.Writer) Report {
	learned := route.NewModel()
	Learn(learned, history)
	fmt.Fprintf(progress, "learned %d shipments: %d places\n", len(history), learned.Gaz.Len())
	base := fitBaseline(history)
	return evaluate(ships, func(int) *route.Model { return learned }, func(int) *baseline { return base }, progress)
}

// LeaveOneOut evaluates each shipment with every other one as history.
func LeaveOneOut(ships []*Shipment, progress io.Writer) Report {
	others := func(i int) []*Shipment {
		out := make([]*Shipment, 0, len(ships)-1)
		out = append(out, ships[:i]...)
		return append(out, ships[i+1:]...)
	}
	models := make([]*route.Model, len(ships))
	bases := make([]*baseline, len(ships))
	modelOf := func(i int) *route.Model {
		if models[i] == nil {
			models[i] = route.NewModel()
			Learn(models[i], others(i))
		}
		return models[i]
	}
	baseOf := func(i int) *baseline {
		if bases[i] == nil {
			bases[i] = fitBaseline(others(i))
		}
		return bases[i]
	}
	return evaluate(ships, modelOf, baseOf, progress)
}

// evaluate evaluates ships, shipment i with the model modelOf(i) and the
// baselines baseOf(i).
func evaluate(ships []*Shipment, modelOf func(int) *route.Model, baseOf func(int) *baseline, progress io.Writer) Report {
	index := map[*Shipment]int{}
	for i, s := range ships {
		index[s] = i
	}
	cold := route.NewModel()
	stageOf := func(s *Shipment, k int) route.Stage { return cold.StageOf(s.Header(), s.Events[:k]) }
	var rep Report
	for _, s := range ships {
		if s.Target() < 0 {
			rep.Skipped++
		}
	}
	preds, nf := collect(ships, stageOf, func(s *Shipment, k int) (time.Time, time.Time, time.Time, string, bool) {
		return modelPredictor(modelOf(index[s]))(s, k)
	})
	rep.Result, rep.NoForecast = result(preds), nf
	rep.BasisShare = map[string]float64{}
	after := 0
	for _, p := range preds {
		if p.stage >= route.StageHub {
			rep.BasisShare[p.basis]++
			after++
		}
	}
	for k, v := range rep.BasisShare {
		rep.BasisShare[k] = round(v / float64(max(after, 1)))
	}
	fmt.Fprintf(progress, "learned model: %d predictions\n", len(preds))

	coldPreds, _ := collect(ships, stageOf, modelPredictor(cold))
	c := result(coldPreds)
	rep.Cold = &c
	fmt.Fprintf(progress, "cold model: %d predictions\n", len(coldPreds))

	rep.Baselines = map[string]Result{}
	lp, _ := collect(ships, stageOf, func(s *Shipment, k int) (time.Time, time.Time, time.Time, string, bool) {
		return baseOf(index[s]).lane(s, k)
	})
	rep.Baselines["lane_median"] = result(lp)
	dp, _ := collect(ships, stageOf, func(s *Shipment, k int) (time.Time, time.Time, time.Time, string, bool) {
		return baseOf(index[s]).distance(s, k)
	})
	rep.Baselines["distance"] = result(dp)
	fmt.Fprintf(progress, "baselines: %d and %d predictions\n", len(lp), len(dp))
	return rep
}

// baseline holds the two baselines fitted on a history.
type baseline struct {
	lanes map[string][]float64 // lane, carrier, "" → sorted hours pickup → target
	// distance: hours to target = a + b·km; residual quantiles for the range
	a, b     float64
	rlo, rhi float64
}

func laneKey(s *Shipment) string {
	o, d := "", ""
	if s.From != nil {
		o = s.From.City
	}
	if s.To != nil {
		d = s.To.City
	}
	return s.Com + "|" + o + "|" + d
}

// pickupOf returns the first scan that is not an order.
func pickupOf(evs []trackpush.Event) time.Time {
	for _, e := range evs {
		if e.State != trackpush.StateOrdered && e.State != trackpush.StateAwaitingPickup {
			return e.Time
		}
	}
	return time.Time{}
}

// kmToDest returns the great-circle distance from the newest located
// event (else the origin) to the destination.
func kmToDest(s *Shipment, k int) (float64, bool) {
	if s.To == nil {
		return 0, false
	}
	var cur *trackpush.Area
	for i := k - 1; i >= 0; i-- {
		if s.Events[i].Area != nil {
			cur = s.Events[i].Area
			break
		}
	}
	if cur == nil {
		cur = s.From
	}
	if cur == nil {
		return 0, false
	}
	return route.Distance(cur.Center, s.To.Center)
}

func fitBaseline(history []*Shipment) *baseline {
	b := &baseline{lanes: map[string][]float64{}}
	var xs, ys []float64
	for _, s := range history {
		t := s.Target()
		if t < 0 {
			continue
		}
		p := pickupOf(s.Events)
		h := s.Events[t].Time.Sub(p).Hours()
		for _, k := range []string{laneKey(s), s.Com, ""} {
			b.lanes[k] = append(b.lanes[k], h)
		}
		for k := 1; k <= t; k++ {
			if km, ok := kmToDest(s, k); ok {
				xs = append(xs, km)
				ys = append(ys, s.Events[t].Time.Sub(s.Events[k-1].Time).Hours())
			}
		}
	}
	for _, v := range b.lanes {
		sort.Float64s(v)
	}
	// Least squares.
	if n := float64(len(xs)); n >= 2 {
		var sx, sy, sxx, sxy float64
		for i := range xs {
			sx, sy, sxx, sxy = sx+xs[i], sy+ys[i], sxx+xs[i]*xs[i], sxy+xs[i]*ys[i]
		}
		if d := n*sxx - sx*sx; d != 0 {
			b.b = (n*sxy - sx*sy) / d
			b.a = (sy - b.b*sx) / n
		}
		res := make([]float64, len(xs))
		for i := range xs {
			res[i] = ys[i] - (b.a + b.b*xs[i])
		}
		sort.Float64s(res)
		b.rlo, b.rhi = route.Quantile(res, 0.1), route.Quantile(res, 0.9)
	} else {
		b.a, b.b = 24, 1.0/40 // no history: a day, and 40 km/h
		b.rlo, b.rhi = -12, 24
	}
	return b
}

func atLeast(t, now time.Time) time.Time {
	if t.Before(now) {
		return now
	}
	return t
}

func (b *baseline) lane(s *Shipment, k int) (time.Time, time.Time, time.Time, string, bool) {
	var hs []float64
	for _, key := range []string{laneKey(s), s.Com, ""} {
		if hs = b.lanes[key]; len(hs) > 0 {
			break
		}
	}
	if len(hs) == 0 {
		return time.Time{}, time.Time{}, time.Time{}, "", false
	}
	p := pickupOf(s.Events[:k])
	now := s.Events[k-1].Time
	at := func(q float64) time.Time {
		return atLeast(p.Add(time.Duration(route.Quantile(hs, q)*float64(time.Hour))), now)
	}
	return at(0.5), at(0.1), at(0.9), "lane_median", true
}

func (b *baseline) distance(s *Shipment, k int) (time.Time, time.Time, time.Time, string, bool) {
	km, ok := kmToDest(s, k)
	if !ok {
		return time.Time{}, time.Time{}, time.Time{}, "", false
	}
	now := s.Events[k-1].Time
	h := b.a + b.b*km
	at := func(x float64) time.Time { return atLeast(now.Add(time.Duration(x*float64(time.Hour))), now) }
	return at(h), at(h + b.rlo), at(h + b.rhi), "distance", true
}

// SimConfig is a simulated evaluation.
type SimConfig struct {
	Seed    int64
	History int // shipments to learn from (parcels 0 … History-1)
	N       int // shipments to evaluate (the parcels after them)
}

// Sim evaluates on the simulator: learn from History parcels of the
// seed's world, evaluate on the N after them.
func Sim(cfg SimConfig, progress io.Writer) (Report, error) {
	w := sim.NewWorld(sim.Config{Seed: cfg.Seed, Rates: sim.DefaultRates()})
	load := func(first, n int) ([]*Shipment, error) {
		out := make([]*Shipment, 0, n)
		for i := first; i < first+n; i++ {
			p := w.Parcel(i)
			if len(p.Events) == 0 {
				continue // no record: nothing to predict or learn
			}
			s, err := SimShipment(p)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	history, err := load(0, cfg.History)
	if err != nil {
		return Report{}, err
	}
	ships, err := load(cfg.History, cfg.N)
	if err != nil {
		return Report{}, err
	}
	fmt.Fprintf(progress, "simulated: %d history, %d to evaluate (seed %d)\n", len(history), len(ships), cfg.Seed)
	return Evaluate(history, ships, progress), nil
}

// ReadJSONL reads real trajectories: lines {"com","nu","time","context"}
// (other fields ignored), grouped by com+nu in order of first appearance;
// events repeated across files count once. A shipment's ends are read from
// its own events, as a subscriber would give them: the origin is the
// place of the first located scan, the destination that of the delivery
// (the located scan at or before the target event, the last located one
// otherwise).
func ReadJSONL(r io.Reader, ships map[string]*[]trackpush.RawEvent, order *[]string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var rec struct {
			Com     string `json:"com"`
			Nu      string `json:"nu"`
			Time    string `json:"time"`
			Context string `json:"context"`
		}
		if err := json.Unmarshal([]byte(text), &rec); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if rec.Com == "" || rec.Time == "" {
			return fmt.Errorf("line %d: com and time are required", line)
		}
		k := rec.Com + " " + rec.Nu
		if ships[k] == nil {
			ships[k] = &[]trackpush.RawEvent{}
			*order = append(*order, k)
		}
		*ships[k] = append(*ships[k], trackpush.RawEvent{Time: rec.Time, Context: rec.Context})
	}
	return sc.Err()
}

// RealShipments builds shipments of grouped raw events, reading each one's
// ends from its events (see ReadJSONL).
func RealShipments(ships map[string]*[]trackpush.RawEvent, order []string) ([]*Shipment, error) {
	var out []*Shipment
	for _, k := range order {
		com, nu, _ := strings.Cut(k, " ")
		raws := dedupe(*ships[k])
		// First pass without ends: where it started and ended.
		probe, err := NewShipment(com, nu, nil, nil, raws)
		if err != nil {
			return nil, err
		}
		from, to := ends(probe)
		s, err := NewShipment(com, nu, from, to, raws)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func dedupe(raws []trackpush.RawEvent) []trackpush.RawEvent {
	seen := map[trackpush.RawEvent]bool{}
	var out []trackpush.RawEvent
	for _, r := range raws {
		r.Time = strings.TrimSpace(r.Time)
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// ends returns the origin and destination areas a shipment's own events
// show.
func ends(s *Shipment) (from, to *trackpush.Area) {
	target := s.Target()
	last := len(s.Events) - 1
	if target >= 0 {
		last = target
	}
	for _, e := range s.Events {
		if e.Area != nil {
			from = e.Area
			break
		}
	}
	for i := last; i >= 0; i-- {
		if a := s.Events[i].Area; a != nil {
			to = a
			break
		}
	}
	if target >= 0 {
		// After the target, a later located scan (the signature at the
		// outlet) may place the delivery better.
		for i := target + 1; i < len(s.Events) && to == nil; i++ {
			to = s.Events[i].Area
		}
	}
	return from, to
}
