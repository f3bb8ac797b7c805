package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEnrichCommand(t *testing.T) {
	// One shipment, newest first as aggregators list it, plus a second
	// shipment interleaved, a bad time and a broken line.
	in := `{"com":"yuantong","nu":"YT1","time":"2022-01-13 18:52:32","context":"已签收","to":"四川省成都市双流区","keep":1}
{"com":"zhongtong","nu":"ZT1","time":"2022-01-10 10:00:00","context":"【上海市】 快件已经到达 【上海浦东中心】"}
{"com":"yuantong","nu":"YT1","time":"2022-01-13 17:16:34","context":"快件已由成都双流区红树湾二期店菜鸟驿站代收，请及时取件"}
{"com":"yuantong","nu":"YT1","time":"2022-01-13 09:05:21","context":"【成都转运中心公司】 已收入"}
{"com":"yuantong","nu":"YT1","time":"later","context":"x"}
nonsense
`
	out, err := runCLI(t, in, "enrich", "--jsonl", "--resultv2", "5")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines: %q", len(lines), out)
	}
	var got []map[string]any
	for _, l := range lines[:5] {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		got = append(got, m)
	}
	// The signature after a locker event is a locker signature; the hub
	// scan in the destination city is line haul, as the original sends it.
	if got[0]["statusCode"] != "304" || got[0]["keep"] != 1.0 || got[0]["areaCode"] != nil || got[0]["ftime"] != "2022-01-13 18:52:32" {
		t.Errorf("line 1: %v", got[0])
	}
	if got[2]["statusCode"] != "501" || got[2]["areaName"] != "四川,成都市,双流区" || got[2]["areaPinYin"] != "shuang liu qu" {
		t.Errorf("line 3: %v", got[2])
	}
	if got[3]["statusCode"] != "1002" || got[3]["status"] != "干线" || got[3]["location"] != "成都市" {
		t.Errorf("line 4: %v", got[3])
	}
	if got[1]["areaName"] != "上海,浦东新区" {
		t.Errorf("line 2: %v", got[1])
	}
	if got[4]["error"] == nil || got[4]["status"] != nil {
		t.Errorf("line 5 (bad time): %v", got[4])
	}
	if !strings.HasPrefix(lines[5], `{"error":"line 6: not a JSON object`) {
		t.Errorf("line 6: %s", lines[5])
	}
	if !strings.HasPrefix(lines[0], `{"com":"yuantong","nu":"YT1","time":"2022-01-13 18:52:32","context":"已签收","to":"四川省成都市双流区","keep":1,"status":`) {
		t.Errorf("fields must keep their order: %s", lines[0])
	}

	// Level 3: status names and area code/name only.
	out, _ = runCLI(t, in, "enrich", "--jsonl", "--resultv2", "3")
	var m map[string]any
	json.Unmarshal([]byte(strings.Split(out, "\n")[3]), &m)
	if m["status"] != "在途" || m["areaName"] != "四川,成都市" || m["statusCode"] != nil || m["areaCenter"] != nil {
		t.Errorf("level 3: %v", m)
	}
	if _, err := runCLI(t, "", "enrich"); err == nil {
		t.Error("--jsonl is required")
	}
}
