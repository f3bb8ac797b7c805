package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), err
}

func TestRegionCommand(t *testing.T) {
	out, err := runCLI(t, "", "region", "广东省深圳市南山区")
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if p["areaCode"] != "CN440305000000" || p["areaName"] != "广东,深圳市,南山区" || p["areaPinYin"] != "nan shan qu" {
		t.Errorf("got %v", p)
	}
	if strings.Count(out, "\n") != 1 {
		t.Errorf("want one line, got %q", out)
	}

	out, err = runCLI(t, "", "region", "--mode", "event", "您的订单已出库")
	if err != nil || out != "null\n" {
		t.Errorf("no place: %q, %v", out, err)
	}
	out, err = runCLI(t, "", "region", "--mode", "event", "您的快件离开【陕西省延安市吴起县】，已发往【西安转运中心】")
	if err != nil || !strings.Contains(out, `"areaName":"陕西,延安市,吴起县"`) {
		t.Errorf("event: %q, %v", out, err)
	}
	if _, err := runCLI(t, "", "region", "--mode", "nope", "x"); err == nil {
		t.Error("bad mode must fail")
	}
	if _, err := runCLI(t, "", "region"); err == nil {
		t.Error("no text must fail")
	}
}

func TestRegionJSONL(t *testing.T) {
	in := `{"id":7,"text":"【泸州市】四川叙永县公司 派件员 某某 正在为您派件","x":[1,2]}
{"text":"快件已发车"}
not json

{"id":"no text"}
{"text":"鼓楼区","to":"福建省福州市"}
`
	out, err := runCLI(t, in, "region", "--jsonl", "--mode", "event")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("want 6 lines (one per input line), got %d: %q", len(lines), out)
	}
	if !strings.HasPrefix(lines[0], `{"id":7,"text":"【泸州市】四川叙永县公司 派件员 某某 正在为您派件","x":[1,2],"region":{"areaCode":"CN510524000000","areaName":"四川,泸州市,叙永县"`) {
		t.Errorf("line 1: %s", lines[0])
	}
	if lines[1] != `{"text":"快件已发车","region":null}` {
		t.Errorf("line 2: %s", lines[1])
	}
	if !strings.HasPrefix(lines[2], `{"error":"line 3: not a JSON object`) {
		t.Errorf("line 3: %s", lines[2])
	}
	if lines[3] != "" || lines[4] != `{"id":"no text","region":null}` {
		t.Errorf("lines 4–5: %q %q", lines[3], lines[4])
	}
	if !strings.Contains(lines[5], `"areaName":"福建,福州市,鼓楼区"`) {
		t.Errorf("line 6 (priors from the object): %s", lines[5])
	}
}
