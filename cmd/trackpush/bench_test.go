package main

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkServer runs the bench command's measurement (see Bench) on a
// temporary SQLite database and reports subscribe and push throughput.
func BenchmarkServer(b *testing.B) {
	for b.Loop() {
		res, err := Bench(context.Background(), BenchConfig{DB: filepath.Join(b.TempDir(), "b.db"), N: 5000, Clients: 32, Workers: 64})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.SubscribePerS, "subscribe/s")
		b.ReportMetric(res.SubscribeP99MS, "subscribe-p99-ms")
		b.ReportMetric(res.PushesPerS, "push/s")
		b.ReportMetric(res.PushRatio, "push/baseline")
	}
}
