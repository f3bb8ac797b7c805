package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

type simLine struct {
	Com      string `json:"com"`
	GivenCom string `json:"givenCom"`
	Nu       string `json:"nu"`
	From     string `json:"from"`
	To       string `json:"to"`
	Events   []struct {
		Time    string `json:"time"`
		Context string `json:"context"`
		State   int    `json:"state"`
		City    string `json:"city"`
	} `json:"events"`
	Truth struct {
		Outcome string   `json:"outcome"`
		Shipped string   `json:"shipped"`
		Trouble []string `json:"trouble"`
		Route   []struct {
			Name, Type, City string
		} `json:"route"`
	} `json:"truth"`
}

func simLines(t *testing.T, args ...string) (string, []simLine) {
	t.Helper()
	out, err := runCLI(t, "", append([]string{"sim"}, args...)...)
	if err != nil {
		t.Fatalf("sim %v: %v", args, err)
	}
	var ls []simLine
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var s simLine
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		ls = append(ls, s)
	}
	return out, ls
}

func TestSimCommand(t *testing.T) {
	a, ls := simLines(t, "--n", "40", "--seed", "5")
	if len(ls) != 40 {
		t.Fatalf("%d lines, want 40", len(ls))
	}
	if b, _ := simLines(t, "--n", "40", "--seed", "5"); a != b {
		t.Fatal("the same seed wrote different output")
	}
	if c, _ := simLines(t, "--n", "40", "--seed", "6"); a == c {
		t.Fatal("different seeds wrote the same output")
	}
	for i, l := range ls {
		if l.Com == "" || l.GivenCom == "" || l.Nu == "" || l.From == "" || l.To == "" || l.Truth.Outcome == "" {
			t.Errorf("line %d lacks fields: %+v", i, l)
		}
		if l.Truth.Outcome == "norecord" {
			continue
		}
		if len(l.Events) == 0 || len(l.Truth.Route) == 0 {
			t.Errorf("line %d: %d events, %d route nodes", i, len(l.Events), len(l.Truth.Route))
		}
		for _, e := range l.Events {
			if _, ok := trackpush.ParseTime(e.Time); !ok || e.Context == "" || !trackpush.State(e.State).Valid() {
				t.Errorf("line %d: event %+v", i, e)
			}
		}
	}
	// --first n … continues where a longer run goes on.
	whole := strings.Split(a, "\n")
	part, _ := simLines(t, "--n", "3", "--seed", "5", "--first", "10")
	if part != strings.Join(whole[10:13], "\n")+"\n" {
		t.Error("--first 10 --n 3 differs from lines 10–12 of --n 40")
	}
}

func TestSimFlags(t *testing.T) {
	_, ls := simLines(t, "--n", "30", "--carriers", "jd,shunfeng", "--rates", "none")
	for i, l := range ls {
		if l.Com != "jd" && l.Com != "shunfeng" || l.GivenCom != l.Com || len(l.Truth.Trouble) > 0 || l.Truth.Outcome != "signed" {
			t.Errorf("line %d: %s/%s %s %v", i, l.Com, l.GivenCom, l.Truth.Outcome, l.Truth.Trouble)
		}
	}
	_, ls = simLines(t, "--n", "10", "--rates", "none,norecord=1")
	for i, l := range ls {
		if l.Truth.Outcome != "norecord" || len(l.Events) != 0 {
			t.Errorf("line %d: %s with %d events", i, l.Truth.Outcome, len(l.Events))
		}
	}
	start := time.Date(2024, 11, 11, 0, 0, 0, 0, trackpush.CST)
	_, ls = simLines(t, "--n", "10", "--start", start.Format(time.RFC3339), "--window", "1h")
	for i, l := range ls {
		sh, ok := trackpush.ParseTime(l.Truth.Shipped)
		if !ok || sh.Before(start) || !sh.Before(start.Add(time.Hour)) {
			t.Errorf("line %d shipped %q, want within an hour of %v", i, l.Truth.Shipped, start)
		}
	}
	for _, bad := range [][]string{
		{"--carriers", "nosuchcarrier"},
		{"--rates", "loop=2"},
		{"--rates", "nosuchrate=0.1"},
		{"--rates", "loop"},
		{"--start", "yesterday"},
		{"--n", "-1"},
		{"--window", "0s"},
		{"extra"},
	} {
		if _, err := runCLI(t, "", append([]string{"sim"}, bad...)...); err == nil || exitCode(err) != 2 {
			t.Errorf("sim %v: err %v, want a usage error", bad, err)
		}
	}
}
