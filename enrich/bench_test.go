package enrich

import (
	"testing"
	"unicode/utf8"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

// BenchmarkEnrichEvent measures the per-event work at ingest: region
// resolution with the route as priors plus status classification.
func BenchmarkEnrichEvent(b *testing.B) {
	rows := loadDev(b)
	region.Warm()
	sh := Shipment{Com: "yuantong", From: AreaOf(region.ResolveAddress("广东省深圳市")), To: AreaOf(region.ResolveAddress("北京市朝阳区"))}
	raws := make([][]trackpush.RawEvent, len(rows))
	for i, r := range rows {
		raws[i] = []trackpush.RawEvent{{Time: r.Time, Context: r.Context}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := Events(sh, nil, raws[i%len(raws)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkData measures building a push's data[] (30 events, level 5).
func BenchmarkData(b *testing.B) {
	trs := loadTrajectories(b)
	evs, _ := Trajectory(Shipment{Com: "yuantong"}, append(trs[0].Events, trs[3].Events...))
	b.ReportAllocs()
	for b.Loop() {
		Data(evs, trackpush.LevelAdvanced)
	}
}

func FuzzTrajectory(f *testing.F) {
	for _, r := range loadDev(f)[:40] {
		f.Add(r.Time, r.Context, "广东省深圳市")
	}
	f.Add("2025-1-1 1:2:3", "\xff【】", "")
	f.Fuzz(func(t *testing.T, tm, text, to string) {
		sh := Shipment{Com: "zhongtong", To: AreaOf(region.ResolveAddress(to))}
		evs, err := Trajectory(sh, []trackpush.RawEvent{{Time: tm, Context: text}, {Time: "2025-01-01 00:00:00", Context: text}})
		if err != nil {
			return
		}
		for _, e := range evs {
			if !e.State.Valid() {
				t.Fatalf("invalid state %d", e.State)
			}
			for _, lvl := range []trackpush.Level{0, 3, 5, 7} {
				b, err := DataItem(&e, lvl).MarshalJSON()
				if err != nil || !utf8.Valid(b) {
					t.Fatalf("marshal: %v %q", err, b)
				}
			}
		}
	})
}
