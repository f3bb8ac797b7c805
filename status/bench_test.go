package status

import (
	"testing"

	"github.com/trackpush/trackpush"
)

// BenchmarkClassify classifies the dev texts in turn, with a realistic
// context; one op is one event.
func BenchmarkClassify(b *testing.B) {
	rows := readDev(b)
	ctxs := make([]Context, len(rows))
	prev := []trackpush.State{103, 1002, 1002, 1001}
	for i, r := range rows {
		ctxs[i] = Context{Com: r.Com, Prev: prev, City: r.city(), DestCity: "北京市北京市"}
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		Classify(rows[i].Context, ctxs[i])
		if i++; i == len(rows) {
			i = 0
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkClassifyLong measures a long marketing-laden text (~500 bytes).
func BenchmarkClassifyLong(b *testing.B) {
	text := "【苏州市】 您的快递已签收, 签收人在【丰巢的索特传动设备西门丰巢柜2号柜(丰巢智能快递柜)】领取。如有疑问请电联:（137****4974）, 投诉电话:（4000633333,137****4974）, 您的快递已经妥投。风里来雨里去, 只为客官您满意。上有老下有小, 赏个好评好不好？【请在评价快递员处帮忙点亮五颗星星哦~】"
	b.ReportAllocs()
	for b.Loop() {
		Classify(text, Context{Com: "zhongtong"})
	}
}

func BenchmarkSummarize(b *testing.B) {
	events := make([]Event, 30)
	for i := range events {
		events[i].Seq = (i * 7) % 30
		events[i].Result = Result{Basic: 0, Advanced: 1002}
	}
	b.ReportAllocs()
	for b.Loop() {
		Summarize(events)
	}
}
