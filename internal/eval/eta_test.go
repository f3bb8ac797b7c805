package eval

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/trackpush/trackpush"
)

// TestSimTargets holds the model to the targets on the simulator
// (a seed the published figures do not use): after learning 2,000
// shipments it beats both baselines on MAE, comes by the predicted date
// and no later than a day after it at least 90% of the time at every stage
// after the first hub scan, and its p10–p90 range covers 75–90%.
func TestSimTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluation")
	}
	rep, err := Sim(SimConfig{Seed: 11, History: 2000, N: 300}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NPredictions < 1500 || rep.NShipments < 250 || rep.Cold == nil {
		t.Fatalf("%d predictions of %d shipments", rep.NPredictions, rep.NShipments)
	}
	for name, b := range rep.Baselines {
		if rep.MAEHours >= b.MAEHours {
			t.Errorf("MAE %.2f h, baseline %s %.2f h", rep.MAEHours, name, b.MAEHours)
		}
	}
	check := func(what string, m Metrics) {
		if m.DeliveredByPredictedDate < 0.9 || m.WithinActualPlus1d < 0.9 {
			t.Errorf("%s: by the date %.3f, within a day %.3f", what, m.DeliveredByPredictedDate, m.WithinActualPlus1d)
		}
	}
	check("after the first hub", rep.Metrics)
	for _, st := range []string{"after_first_hub", "in_dest_city", "out_for_delivery"} {
		check(st, rep.Stages[st])
	}
	if rep.RangeCoverage < 0.75 || rep.RangeCoverage > 0.9 {
		t.Errorf("range coverage %.3f", rep.RangeCoverage)
	}
	if rep.BasisShare[trackpush.BasisPrior] > 0.1 {
		t.Errorf("basis after learning 2,000 shipments: %v", rep.BasisShare)
	}
}

// TestLeaveOneOut: each shipment is predicted with the others as history —
// shipments whose twins (the same trajectory under other numbers) are in
// the file are predicted from the twins' history.
func TestLeaveOneOut(t *testing.T) {
	lines := ""
	for _, nu := range []string{"YT0000000000001", "YT0000000000002", "YT0000000000003", "YT0000000000004", "YT0000000000005", "YT0000000000006"} {
		for _, e := range []string{
			`"2025-06-15 14:25:24","context":"【广东省惠州市公司】 已揽收"`,
			`"2025-06-16 08:22:33","context":"【深圳转运中心公司】 已收入"`,
			`"2025-06-16 08:34:51","context":"【深圳转运中心】 已发出 下一站 【成都转运中心公司】"`,
			`"2025-06-17 18:05:21","context":"【成都转运中心公司】 已收入"`,
			`"2025-06-17 22:47:04","context":"【四川省成都市高新区中和一部公司】 派件中 派件人: 某某"`,
		} {
			lines += `{"com":"yuantong","nu":"` + nu + `","time":` + e + "}\n"
		}
	}
	ships := map[string]*[]trackpush.RawEvent{}
	var order []string
	if err := ReadJSONL(strings.NewReader(lines), ships, &order); err != nil {
		t.Fatal(err)
	}
	ss, err := RealShipments(ships, order)
	if err != nil || len(ss) != 6 {
		t.Fatalf("%d shipments, %v", len(ss), err)
	}
	if ss[0].To == nil || ss[0].To.City != "510100000000" || ss[0].From == nil || ss[0].From.City != "441300000000" {
		t.Fatalf("ends read from the events: %+v → %+v", ss[0].From, ss[0].To)
	}
	rep := LeaveOneOut(ss, io.Discard)
	if rep.NShipments != 6 || rep.BasisShare[trackpush.BasisPrior] == 1 {
		t.Fatalf("leave-one-out: %+v", rep.Result)
	}
	if rep.MAEHours > 0.7*rep.Cold.MAEHours {
		t.Fatalf("with its twin's history: MAE %.2f h, cold %.2f h", rep.MAEHours, rep.Cold.MAEHours)
	}
}

// TestReadJSONL groups lines by carrier and number across files, keeps an
// event given twice once, and names a bad line.
func TestReadJSONL(t *testing.T) {
	ships := map[string]*[]trackpush.RawEvent{}
	var order []string
	a := `{"com":"jd","nu":"1","time":"2025-06-16 10:00:00","context":"x"}
{"com":"jd","nu":"2","time":"2025-06-16 10:00:00","context":"y"}

{"com":"jd","nu":"1","time":"2025-06-16 11:00:00","context":"z","source":"ignored"}
`
	b := `{"com":"jd","nu":"1","time":"2025-06-16 10:00:00","context":"x"}` + "\n"
	if err := ReadJSONL(strings.NewReader(a), ships, &order); err != nil {
		t.Fatal(err)
	}
	if err := ReadJSONL(strings.NewReader(b), ships, &order); err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "jd 1,jd 2" || len(dedupe(*ships["jd 1"])) != 2 {
		t.Fatalf("%v %v", order, *ships["jd 1"])
	}
	for _, bad := range []string{"{", `{"nu":"1","time":"2025-06-16 10:00:00"}`} {
		if err := ReadJSONL(strings.NewReader("\n"+bad), map[string]*[]trackpush.RawEvent{}, new([]string)); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := NewShipment("jd", "1", nil, nil, []trackpush.RawEvent{{Time: "yesterday", Context: "x"}}); err == nil {
		t.Error("a bad time was taken")
	}
}

// TestRealDevelopment runs the leave-one-out evaluation on the real
// development trajectories (the README's figures): every shipment is read,
// those never delivered in their record are counted as skipped.
func TestRealDevelopment(t *testing.T) {
	ships := map[string]*[]trackpush.RawEvent{}
	var order []string
	for _, f := range []string{devEvents, trajEvents} {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		err = ReadJSONL(fh, ships, &order)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	ss, err := RealShipments(ships, order)
	if err != nil {
		t.Fatal(err)
	}
	rep := LeaveOneOut(ss, io.Discard)
	if len(ss) != 35 || rep.Skipped != 6 || rep.NShipments < 20 || rep.Cold == nil || len(rep.Baselines) != 2 {
		t.Fatalf("%d shipments, %d skipped, %d evaluated", len(ss), rep.Skipped, rep.NShipments)
	}
	if rep.MAEHours <= 0 || rep.MAEHours > 24 || rep.Stages["in_dest_city"].NPredictions == 0 {
		t.Fatalf("%+v", rep.Result)
	}
}
