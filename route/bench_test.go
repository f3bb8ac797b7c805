package route

import (
	"testing"

	"github.com/trackpush/trackpush"
)

// benchSetup returns a model that learned 2,000 simulated shipments and
// the states (shipment, events so far) of 400 others at each event.
func benchSetup(b *testing.B) (*Model, []*trackpush.Shipment, [][]trackpush.Event) {
	b.Helper()
	m := NewModel()
	for _, p := range simParcels(31, 0, 2000) {
		h, evs := simShipment(p)
		m.Learn(h, evs)
	}
	var hs []*trackpush.Shipment
	var states [][]trackpush.Event
	for _, p := range simParcels(31, 2000, 400) {
		h, evs := simShipment(p)
		for k := 1; k <= len(evs); k++ {
			hs = append(hs, h)
			states = append(states, evs[:k])
		}
	}
	return m, hs, states
}

// BenchmarkForecast is the forecast made at an event (what ingest adds per
// event): go test -run '^$' -bench Forecast -cpu 1 ./route/
func BenchmarkForecast(b *testing.B) {
	m, hs, states := benchSetup(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := i % len(states)
		m.Forecast(hs[k], states[k])
	}
}

// BenchmarkDigest is all the route model does per ingested event: the new
// places, the increments of the statistics and the forecast.
func BenchmarkDigest(b *testing.B) {
	m, hs, states := benchSetup(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := i % len(states)
		evs := states[k]
		m.Digest(hs[k], evs[:len(evs)-1], evs[len(evs)-1:])
	}
}
