package main

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestDemo runs the demo (faster than its default) and checks that it
// shows what it promises: pushes, retries, a loop, an abort, a corrected
// carrier, and every parcel's story to its end.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo for several seconds")
	}
	out, err := runCLI(t, "", "demo", "--time-scale", "60000", "--duration", "60s")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"subscribe ", "polling ", "shutdown ", "abort ", "3天查询无记录", " LOOP", "autoCheck=1", "✗ receiver failed", "operator console: http://127.0.0.1:"} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo output lacks %q", want)
		}
	}
	if !regexp.MustCompile(`trail page of \w+ \w+ \(open it while the demo runs; --keep keeps the server up\): http://127\.0\.0\.1:\d+/trail/[0-9a-f]{32}\n`).MatchString(out) {
		t.Errorf("the demo prints no trail link:\n%.2000s", out)
	}
	m := regexp.MustCompile(`(\d+) parcels, (\d+) as the simulator says: (\d+) shut down \(signed\), (\d+) aborted, (\d+) still polling; (\d+) loops detected, (\d+) carriers auto-corrected\npushes: (\d+) acknowledged, (\d+) failed attempts retried`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no summary line in:\n%s", out)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	if n(1) != 24 || n(3)+n(4)+n(5) != 24 || n(4) < 1 || n(6) < 1 || n(7) < 1 || n(8) < 24 || n(9) < 1 {
		t.Fatalf("summary: %s", m[0])
	}
	if n(2) != 24 {
		t.Errorf("%d of 24 parcels as the simulator says:\n%s", n(2), summaryOf(out))
	}
	if n(5) > 1 {
		t.Errorf("%d parcels left unfinished: %s", n(5), m[0])
	}
	// Every parcel line is marked, and its columns align (the number
	// column starts at one place, whatever the carrier's code).
	col := -1
	for _, line := range strings.Split(summaryOf(out), "\n") {
		if !strings.HasPrefix(line, "  ✓ ") && !strings.HasPrefix(line, "  ✗ ") {
			continue
		}
		f := strings.Fields(line)
		if c := displayWidth(line[:strings.Index(line, " "+f[2]+" ")]); col == -1 {
			col = c
		} else if c != col {
			t.Errorf("misaligned: %q", line)
		}
	}
}

// summaryOf returns the demo's summary: from its heading to the line
// before the push counts.
func summaryOf(out string) string {
	i := strings.Index(out, "\nsummary (seed")
	j := strings.Index(out, "\npushes: ")
	if i < 0 || j < i {
		return ""
	}
	return out[i:j]
}

// TestDemoSameSeedSameSummary: the summary holds only what the seed
// decides, so two runs print the same one.
func TestDemoSameSeedSameSummary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo twice")
	}
	var outs [2]string
	var wg sync.WaitGroup
	for i := range outs {
		wg.Go(func() {
			out, err := runCLI(t, "", "demo", "--n", "8", "--seed", "11", "--time-scale", "60000", "--duration", "90s")
			if err != nil {
				t.Error(err)
			}
			outs[i] = summaryOf(out)
		})
	}
	wg.Wait()
	if outs[0] == "" || outs[0] != outs[1] {
		t.Fatalf("two runs, two summaries:\n%s\n---\n%s", outs[0], outs[1])
	}
}

func TestReplayDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo")
	}
	out, err := runCLI(t, "", "demo", "--replay", "--time-scale", "60000", "--duration", "30s")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "shut down (signed)") || !strings.Contains(out, "flaky shutdown") || !strings.Contains(out, "3天查询无记录") || !strings.Contains(out, "/trail/") {
		t.Fatalf("replay demo output:\n%s", out)
	}
}

// TestCarriersDemo runs the demo on the fakes of SF's and ZTO's platforms:
// SF's route queries (batched), ZTO's signed pushes acknowledged, pushes
// going out, and parcels followed to their end.
func TestCarriersDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo for several seconds")
	}
	out, err := runCLI(t, "", "demo", "--carriers-fake", "--n", "12", "--time-scale", "60000", "--duration", "40s")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"subscribe shunfeng", "subscribe zhongtong", "sf query:", "zto push 7", "→ ack", "polling   shunfeng", "polling   zhongtong", "shutdown "} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo output lacks %q", want)
		}
	}
	if strings.Contains(out, "refused: ") {
		t.Errorf("a ZTO push was refused:\n%s", out)
	}
	m := regexp.MustCompile(`carriers: SF answered (\d+) route queries for (\d+) waybills \(up to (\d+) in one\), (\d+) refused; ZTO answered (\d+) trace queries, (\d+) refused, and pushed (\d+) scans, (\d+) acknowledged`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no carriers summary in:\n%s", out)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	if n(1) < 1 || n(3) > 10 || n(4) != 0 || n(6) != 0 || n(7) < 10 || n(8) != n(7) {
		t.Fatalf("carriers summary: %s", m[0])
	}
	s := regexp.MustCompile(`(\d+) parcels, \d+ as the simulator says: (\d+) shut down \(signed\)`).FindStringSubmatch(out)
	if s == nil || s[1] != "12" || s[2] == "0" {
		t.Fatalf("summary: %v", s)
	}
}
