package enrich

import (
	"testing"

	"github.com/trackpush/trackpush"
)

// TestCarrierCodes: a raw event from a carrier's API carries its operation
// code, and enrichment reconciles it with the text (status.Reconcile);
// without the code the text alone decides.
func TestCarrierCodes(t *testing.T) {
	code := func(c string, st trackpush.State) *trackpush.CarrierCode {
		return &trackpush.CarrierCode{Carrier: "test", Code: c, State: st}
	}
	raws := []trackpush.RawEvent{
		{Time: "2025-06-15 09:00:00", Context: "【义乌市】 【义乌北苑】 的 某某 已经进行了扫描", Code: code("收件", trackpush.StatePickup)},
		{Time: "2025-06-16 09:00:00", Context: "您的快件已暂存至【兔喜生活超市】，请凭取件码及时领取", Code: code("快件签收", trackpush.StateSigned)},
		{Time: "2025-06-16 10:00:00", Context: "快件派送不成功(因电话无人接听，暂无法联系到收方客户),正在处理中", Code: code("44", trackpush.StateDelivery)},
	}
	with, err := Events(Shipment{Com: "zhongtong"}, nil, raws)
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]trackpush.RawEvent, len(raws))
	for i, r := range raws {
		plain[i] = trackpush.RawEvent{Time: r.Time, Context: r.Context}
	}
	without, err := Events(Shipment{Com: "zhongtong"}, nil, plain)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ with, without trackpush.State }{
		{trackpush.StatePickup, trackpush.StateInTransit},        // the code names the pickup the text does not
		{trackpush.StateSignedAtLocker, trackpush.StateAtLocker}, // signed per the code, at a station per the text
		{trackpush.StateUnreachable, trackpush.StateUnreachable}, // trouble in the text beats a delivery code
	}
	for i, w := range want {
		if with[i].State != w.with || without[i].State != w.without {
			t.Errorf("event %d: with code %d, without %d; want %d and %d", i, with[i].State, without[i].State, w.with, w.without)
		}
	}
	// Trajectory (whole trajectories at once) reconciles too.
	tr, err := Trajectory(Shipment{Com: "zhongtong"}, raws)
	if err != nil || tr[0].State != trackpush.StatePickup || tr[1].State != trackpush.StateSignedAtLocker {
		t.Fatalf("Trajectory: %v %+v", err, tr)
	}
}
