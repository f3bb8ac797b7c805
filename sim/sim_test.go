package sim

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

func dump(t testing.TB, w *World, idx []int) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, i := range idx {
		j, err := json.Marshal(w.Parcel(i))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	cfg := Config{Seed: 42, Rates: DefaultRates()}
	a := dump(t, NewWorld(cfg), seq(500))
	b := dump(t, NewWorld(cfg), seq(500))
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different parcels")
	}
	cfg.Seed = 43
	c := dump(t, NewWorld(cfg), seq(500))
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same parcels")
	}
	// Parcels of different seeds differ one by one, not just as a whole.
	same := 0
	la, lc := bytes.Split(a, []byte("\n")), bytes.Split(c, []byte("\n"))
	for i := range 500 {
		if bytes.Equal(la[i], lc[i]) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d of 500 parcels identical across seeds", same)
	}
}

func TestParcelIndependentOfOrder(t *testing.T) {
	t.Parallel()
	cfg := Config{Seed: 7, Rates: DefaultRates()}
	inOrder := dump(t, NewWorld(cfg), seq(300))

	rev := make([]int, 300)
	for i := range rev {
		rev[i] = 299 - i
	}
	w := NewWorld(cfg)
	dump(t, w, rev)             // generate backwards…
	w.Parcel(100000)            // …and something far away
	got := dump(t, w, seq(300)) // then read in order (cached)
	if !bytes.Equal(inOrder, got) {
		t.Fatal("parcels depend on the order they were generated in")
	}

	// Concurrent generation: the same parcels, and one pointer per index.
	w = NewWorld(cfg)
	var wg sync.WaitGroup
	ptrs := make([][]*Parcel, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				ptrs[g] = append(ptrs[g], w.Parcel((i*7+g*13)%300))
			}
		}()
	}
	wg.Wait()
	for g := 1; g < 4; g++ {
		for _, p := range ptrs[g] {
			if w.Parcel(p.Index) != p {
				t.Fatalf("parcel %d handed out twice", p.Index)
			}
		}
	}
	if got := dump(t, w, seq(300)); !bytes.Equal(inOrder, got) {
		t.Fatal("concurrent generation changed the parcels")
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	w := NewWorld(Config{Seed: 1, Rates: DefaultRates()})
	if _, ok := w.Lookup("yuantong", "YT0000000000000"); ok {
		t.Error("lookup of a number never generated")
	}
	for i := range 200 {
		p := w.Parcel(i)
		q, ok := w.Lookup(p.Com, p.Nu)
		if !ok || q != p {
			t.Fatalf("Lookup(%s, %s) = %v, %v", p.Com, p.Nu, q, ok)
		}
		if p.GivenCom != p.Com {
			if _, ok := w.Lookup(p.GivenCom, p.Nu); ok {
				t.Errorf("parcel %d found under its wrong carrier code", i)
			}
		}
	}
	if w.Parcel(-1) != nil {
		t.Error("Parcel(-1) must be nil")
	}
}

func TestVisible(t *testing.T) {
	t.Parallel()
	w := NewWorld(Config{Seed: 3})
	p := w.Parcel(0)
	if len(p.Events) < 5 {
		t.Fatalf("parcel 0 has %d events", len(p.Events))
	}
	if got := p.Visible(p.Events[0].Time.Add(-time.Second)); len(got) != 0 {
		t.Errorf("before the first event: %v", got)
	}
	k := len(p.Events) / 2
	got := p.Visible(p.Events[k].Time)
	if len(got) < k+1 {
		t.Fatalf("Visible at event %d: %d events", k, len(got))
	}
	for i, e := range got {
		if e.Context != p.Events[i].Context || e.Time != trackpush.FormatTime(p.Events[i].Time) {
			t.Fatalf("event %d: %+v", i, e)
		}
		if tm, ok := trackpush.ParseTime(e.Time); !ok || tm.After(p.Events[k].Time) {
			t.Fatalf("event %d at %s after %s", i, e.Time, p.Events[k].Time)
		}
	}
	if all := p.Visible(p.Last()); len(all) != len(p.Events) {
		t.Errorf("Visible(last) has %d of %d events", len(all), len(p.Events))
	}
	if raw := p.Raw(); len(raw) != len(p.Events) {
		t.Errorf("Raw has %d of %d events", len(raw), len(p.Events))
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	for _, c := range []Config{
		{Carriers: []string{"nosuchcarrier"}},
		{Rates: Rates{Loop: 1.5}},
		{Rates: Rates{Stall: -0.1}},
		{Window: -time.Hour},
	} {
		if c.Validate() == nil {
			t.Errorf("%+v: want an error", c)
		}
	}
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("zero config: %v", err)
	}
	for _, com := range DefaultCarriers() {
		if styleOf(com) == nil {
			t.Errorf("default carrier %s is not simulated", com)
		}
	}
	w := NewWorld(Config{Seed: 1, Carriers: []string{"shunfeng", "jd"}})
	for i := range 100 {
		if c := w.Parcel(i).Com; c != "shunfeng" && c != "jd" {
			t.Fatalf("parcel %d of carrier %s", i, c)
		}
	}
	if got := w.Config(); !got.Start.Equal(DefaultStart) || got.Window != DefaultWindow {
		t.Errorf("defaults not filled in: %+v", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("NewWorld with a bad config must panic")
		}
	}()
	NewWorld(Config{Carriers: []string{"nosuchcarrier"}})
}

func TestJSON(t *testing.T) {
	t.Parallel()
	w := NewWorld(Config{Seed: 2, Rates: Rates{NoRecord: 1}})
	b, err := json.Marshal(w.Parcel(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"events":[]`, `"outcome":"norecord"`, `"route":[]`, `"shipped":"2025-06-`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("norecord parcel JSON lacks %s: %s", want, b)
		}
	}
	w = NewWorld(Config{Seed: 2})
	var p struct {
		Events []map[string]any `json:"events"`
		Truth  map[string]any   `json:"truth"`
	}
	b, _ = json.Marshal(w.Parcel(0))
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	e := p.Events[0]
	if _, ok := trackpush.ParseTime(e["time"].(string)); !ok || e["state"].(float64) != 1 || e["context"] == "" {
		t.Errorf("first event: %v", e)
	}
	if p.Truth["outcome"] != "signed" || p.Truth["delivered"] == nil || p.Truth["route"] == nil {
		t.Errorf("truth: %v", p.Truth)
	}
}
