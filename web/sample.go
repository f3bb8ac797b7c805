package web

import (
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/enrich"
	"github.com/trackpush/trackpush/region"
)

// sampleEvents are a parcel from Huizhou to Chengdu, for the console's
// template preview and the benchmarks (the README Quickstart's number).
var sampleEvents = []trackpush.RawEvent{
	{Time: "2022-01-10 14:25:24", Context: "【广东省惠州市公司】 已揽收 取件人: 某某（138****0000）"},
	{Time: "2022-01-10 19:02:11", Context: "【广东省惠州市公司】 已发出 下一站 【深圳转运中心】"},
	{Time: "2022-01-11 02:41:37", Context: "【深圳转运中心】 已收入"},
	{Time: "2022-01-11 23:34:51", Context: "【深圳转运中心】 已发出 下一站 【成都转运中心公司】"},
	{Time: "2022-01-13 06:12:09", Context: "【成都转运中心公司】 已收入"},
}

// Sample returns a sample subscription with its shipment, events and a
// forecast made after the last event: what the console's preview shows.
func Sample() (*trackpush.Subscription, *trackpush.Shipment, []trackpush.Event) {
	from := enrich.AreaOf(region.ResolveAddress("广东省惠州市"))
	to := enrich.AreaOf(region.ResolveAddress("四川省成都市双流区"))
	sub := &trackpush.Subscription{Com: "yuantong", Nu: "YT6247854916511", From: from, To: to, Status: trackpush.StatusPolling,
		Phone: "13800001234", CreatedAt: time.Date(2022, 1, 10, 14, 0, 0, 0, trackpush.CST)}
	evs, err := enrich.Trajectory(enrich.Shipment{Com: sub.Com, From: from, To: to}, sampleEvents)
	if err != nil {
		panic(err) // the sample's times are fixed and valid
	}
	h := &trackpush.Shipment{Com: sub.Com, Nu: sub.Nu, From: from, To: to, Summary: enrich.Summarize(evs), EventCount: len(evs)}
	at := func(s string) time.Time { t, _ := trackpush.ParseTime(s); return t }
	h.ChangedAt = at("2022-01-13 06:12:09")
	h.Forecast = &trackpush.Forecast{
		MadeAt: at("2022-01-13 06:12:09"), Pickup: at("2022-01-10 14:25:24"),
		Arrival: at("2022-01-14 10:00:00"), Early: at("2022-01-13 20:00:00"), Late: at("2022-01-14 18:00:00"), Basis: trackpush.BasisBlend,
		Route: []trackpush.Stop{
			{Name: "广东省惠州市公司", Type: trackpush.StopOutlet, State: trackpush.StopPassed, Province: "广东", City: "惠州市", Lng: 114.416196, Lat: 23.111847, Arrive: at("2022-01-10 14:25:24"), Leave: at("2022-01-10 19:02:11")},
			{Name: "深圳转运中心", Type: trackpush.StopHub, State: trackpush.StopPassed, Province: "广东", City: "深圳市", Lng: 114.057868, Lat: 22.543099, Arrive: at("2022-01-11 02:41:37"), Leave: at("2022-01-11 23:34:51")},
			{Name: "成都转运中心", Type: trackpush.StopHub, State: trackpush.StopCurrent, Province: "四川", City: "成都市", Lng: 104.065735, Lat: 30.659462, Arrive: at("2022-01-13 06:12:09"), Leave: at("2022-01-13 12:00:00")},
			{Name: "四川省成都市双流区公司", Type: trackpush.StopOutlet, State: trackpush.StopPredicted, Province: "四川", City: "成都市", District: "双流区", Lng: 103.923651, Lat: 30.574474, Arrive: at("2022-01-13 20:30:00"), Leave: at("2022-01-14 08:30:00")},
		},
	}
	return sub, h, evs
}
