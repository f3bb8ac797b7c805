package source

import (
	"context"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/clock"
	"github.com/trackpush/trackpush/route"
	"github.com/trackpush/trackpush/sim"
	"github.com/trackpush/trackpush/sqlite"
)

// BenchmarkIngest ingests simulated scans one request per scan into a
// SQLite store, as carriers push them, without the route model and with it
// (a forecast per event, the learned statistics in the same transaction):
// go test -run '^$' -bench Ingest -cpu 1 ./source/
func BenchmarkIngest(b *testing.B) {
	scans := benchScans()
	for _, withRoute := range []bool{false, true} {
		name := "without-route"
		if withRoute {
			name = "with-route"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			in := benchIngester(b, withRoute)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				s := scans[i%len(scans)]
				nu := s.nu
				if n := i / len(scans); n > 0 {
					nu += string(rune('A' + n%26)) // another round: other shipments
				}
				if _, _, err := in.Ingest(ctx, s.com, nu, []trackpush.RawEvent{s.raw}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchIngester returns an ingester into a new SQLite store, with the
// route model or without.
func benchIngester(b *testing.B, withRoute bool) *Ingester {
	b.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "ingest.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	in := &Ingester{Store: store, Clock: clock.Real{}}
	if withRoute {
		in.Route = route.NewModel()
	}
	return in
}

type benchScan struct {
	com, nu string
	raw     trackpush.RawEvent
}

// benchScans returns the scans of simulated parcels, each parcel's in
// time order.
func benchScans() []benchScan {
	w := sim.NewWorld(sim.Config{Seed: 41, Rates: sim.DefaultRates()})
	var scans []benchScan
	for i := 0; len(scans) < 20000; i++ {
		p := w.Parcel(i)
		for _, r := range p.Raw() {
			scans = append(scans, benchScan{p.Com, p.Nu, r})
		}
	}
	return scans
}

// BenchmarkIngestParallel is BenchmarkIngest with 16 ingests at once (each
// goroutine its own parcels), as a server takes them:
// go test -run '^$' -bench IngestParallel ./source/
func BenchmarkIngestParallel(b *testing.B) {
	scans := benchScans()
	for _, withRoute := range []bool{false, true} {
		name := "without-route"
		if withRoute {
			name = "with-route"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			in := benchIngester(b, withRoute)
			var next atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				g := next.Add(1)
				for i := 0; pb.Next(); i++ {
					s := scans[i%len(scans)]
					nu := s.nu + "-" + strconv.FormatInt(g, 10) + "-" + strconv.Itoa(i/len(scans))
					if _, _, err := in.Ingest(ctx, s.com, nu, []trackpush.RawEvent{s.raw}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
