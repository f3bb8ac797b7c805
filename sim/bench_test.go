package sim

import "testing"

// BenchmarkParcel measures generating and registering new parcels with
// the default trouble rates (each iteration a parcel never made before).
func BenchmarkParcel(b *testing.B) {
	w := NewWorld(Config{Seed: 1, Rates: DefaultRates()})
	w.Parcel(0) // build the geography and a first network outside the timing
	for _, com := range w.carriers {
		networkOf(com)
	}
	b.ReportAllocs()
	b.ResetTimer()
	events := 0
	for i := 0; i < b.N; i++ {
		events += len(w.Parcel(i + 1).Events)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "parcels/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/parcel")
}

// BenchmarkNewWorld measures starting a world: the city list and the ten
// carriers' networks are built once per process, so this is the cost after
// the first.
func BenchmarkNewWorld(b *testing.B) {
	for _, com := range DefaultCarriers() {
		networkOf(com)
	}
	for i := 0; i < b.N; i++ {
		NewWorld(Config{Seed: int64(i)}).Parcel(0)
	}
}
