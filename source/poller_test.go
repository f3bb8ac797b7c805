package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/clock"
	"github.com/trackpush/trackpush/sqlite"
)

// scripted is an upstream that answers from a script, one entry per
// poll, and records the clock time of each poll.
type scripted struct {
	mu     sync.Mutex
	clock  trackpush.Clock
	script []func() ([]trackpush.RawEvent, error)
	at     []time.Time
	polled chan time.Time
}

func (s *scripted) Name() string { return "scripted" }

func (s *scripted) Track(ctx context.Context, q Query) ([]trackpush.RawEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.at = append(s.at, now)
	defer func() { s.polled <- now }()
	if len(s.script) == 0 {
		return nil, ErrNoRecord
	}
	f := s.script[0]
	s.script = s.script[1:]
	return f()
}

func events(evs ...trackpush.RawEvent) func() ([]trackpush.RawEvent, error) {
	return func() ([]trackpush.RawEvent, error) { return evs, nil }
}

func fail(err error) func() ([]trackpush.RawEvent, error) {
	return func() ([]trackpush.RawEvent, error) { return nil, err }
}

// TestPollerSchedule follows one polled shipment on a fake clock: the
// first poll at once, then the waits of DefaultIntervals by state, the
// backoff after errors, and no more polls once signed.
func TestPollerSchedule(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 6, 16, 10, 0, 0, 0, trackpush.CST)
	fc := clock.NewFake(t0)
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pickup := trackpush.RawEvent{Time: "2025-06-16 09:00:00", Context: "【广东省深圳市南山区公司】 已揽收"}
	hub := trackpush.RawEvent{Time: "2025-06-16 20:00:00", Context: "【深圳转运中心】 已发出 下一站 【北京转运中心】"}
	dest := trackpush.RawEvent{Time: "2025-06-17 12:00:00", Context: "【北京转运中心】 已收入"}
	out := trackpush.RawEvent{Time: "2025-06-17 18:00:00", Context: "【北京市朝阳区望京公司】 派件中 派件人: 某某 电话 138****0000"}
	signed := trackpush.RawEvent{Time: "2025-06-17 20:00:00", Context: "客户签收人: 本人签收 已签收"}
	up := &scripted{clock: fc, polled: make(chan time.Time, 10), script: []func() ([]trackpush.RawEvent, error){
		fail(ErrNoRecord),                      // t0: nothing yet → +30m
		events(pickup),                         // picked up → +4h
		fail(errors.New("connection reset")),   // error → +5m
		fail(errors.New("connection reset")),   // error → +10m
		events(pickup, hub),                    // transit → +4h
		events(pickup, hub, dest),              // destination city → +2h
		events(pickup, hub, dest, out),         // out for delivery → +1h
		events(pickup, hub, dest, out, signed), // signed → no more
	}}
	var learned []string
	in := &Ingester{Store: store, Clock: fc, Log: log, Learn: func(com, nu string) { learned = append(learned, com+" "+nu) }}
	recorded := make(chan trackpush.PollDone, 10)
	p := &Poller{Store: store, Clock: fc, Log: log, Ingester: in, Routes: map[string]Upstream{"yuantong": up},
		Done: func(d trackpush.PollDone) { recorded <- d }}
	a := &trackpush.Account{Name: "a", AppCode: "a", Key: "k", Quota: 10}
	store.CreateAccount(ctx, a)
	to := &trackpush.Area{Code: "CN110105000000", Name: "北京,朝阳区", City: "110000000000"}
	sub := &trackpush.Subscription{AccountID: a.ID, Com: "yuantong", Nu: "YT1234567890123", CallbackURL: "http://x/", To: to, Polled: true}
	if err := store.Subscribe(ctx, sub, t0); err != nil {
		t.Fatal(err)
	}
	// A push-only carrier is never polled.
	other := &trackpush.Subscription{AccountID: a.ID, Com: "zhongtong", Nu: "75000000000001", CallbackURL: "http://x/", Polled: true}
	store.Subscribe(ctx, other, t0)
	p.Start(ctx)
	defer p.Stop()

	waits := []time.Duration{0, 30 * time.Minute, 4 * time.Hour, 5 * time.Minute, 10 * time.Minute, 4 * time.Hour, 2 * time.Hour, time.Hour}
	for i, w := range waits {
		if w > time.Minute {
			fc.Advance(w - time.Minute)
			select {
			case at := <-up.polled:
				t.Fatalf("poll %d came early, at %s", i+1, trackpush.FormatTime(at))
			default:
			}
			fc.Advance(time.Minute)
		} else {
			fc.Advance(w)
		}
		select {
		case <-up.polled:
		case <-time.After(10 * time.Second):
			t.Fatalf("poll %d did not come (clock %s)", i+1, trackpush.FormatTime(fc.Now()))
		}
		d := <-recorded // the next poll is scheduled before the clock moves on
		if i < len(waits)-1 && !d.Next.Equal(fc.Now().Add(waits[i+1])) {
			t.Fatalf("poll %d scheduled the next at %s, want +%s", i+1, trackpush.FormatTime(d.Next), waits[i+1])
		}
	}
	fc.Advance(30 * 24 * time.Hour)
	select {
	case at := <-up.polled:
		t.Fatalf("polled after signing, at %s", trackpush.FormatTime(at))
	default:
	}
	h, evs, _ := store.Shipment(ctx, "yuantong", sub.Nu)
	if len(evs) != 5 || !h.Summary.Finished {
		t.Fatalf("shipment %+v with %d events", h.Summary, len(evs))
	}
	if len(learned) != 1 || learned[0] != "yuantong YT1234567890123" {
		t.Fatalf("learned %v", learned)
	}
}

// batcher is an upstream that answers several numbers at once and
// records each request's numbers and batch keys.
type batcher struct {
	mu      sync.Mutex
	max     int
	batches [][]Query
	single  []Query
	known   map[string][]trackpush.RawEvent
}

func (b *batcher) Name() string            { return "batcher" }
func (b *batcher) MaxBatch() int           { return b.max }
func (b *batcher) BatchKey(q Query) string { return q.Phone }
func (b *batcher) answer(q Query) Tracked {
	if evs, ok := b.known[q.Nu]; ok {
		return Tracked{Events: evs}
	}
	return Tracked{Err: ErrNoRecord}
}

func (b *batcher) Track(ctx context.Context, q Query) ([]trackpush.RawEvent, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.single = append(b.single, q)
	a := b.answer(q)
	return a.Events, a.Err
}

func (b *batcher) TrackBatch(ctx context.Context, qs []Query) ([]Tracked, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.batches = append(b.batches, qs)
	out := make([]Tracked, len(qs))
	for i, q := range qs {
		out[i] = b.answer(q)
	}
	return out, nil
}

// TestPollerBatches: shipments of a batching upstream are asked in
// requests of at most its batch size, each with one batch key (SF's phone
// tail), and every shipment gets its own answer.
func TestPollerBatches(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 6, 16, 10, 0, 0, 0, trackpush.CST)
	fc := clock.NewFake(t0)
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := &batcher{max: 10, known: map[string][]trackpush.RawEvent{}}
	single := &scripted{clock: fc, polled: make(chan time.Time, 10)}
	done := make(chan trackpush.PollDone, 100)
	in := &Ingester{Store: store, Clock: fc, Log: log}
	p := &Poller{Store: store, Clock: fc, Log: log, Ingester: in,
		Routes: map[string]Upstream{"shunfeng": b, "*": single}, Done: func(d trackpush.PollDone) { done <- d }}
	a := &trackpush.Account{Name: "a", AppCode: "a", Key: "k", Quota: 100}
	store.CreateAccount(ctx, a)
	subscribe := func(com, nu, phone string) {
		s := &trackpush.Subscription{AccountID: a.ID, Com: com, Nu: nu, Phone: phone, CallbackURL: "http://x/", Polled: true}
		if err := store.Subscribe(ctx, s, t0); err != nil {
			t.Fatal(err)
		}
	}
	// 15 numbers with one phone, 10 with another, 1 of another carrier.
	for i := 0; i < 25; i++ {
		phone := "13800001111"
		if i >= 15 {
			phone = "13900002222"
		}
		nu := fmt.Sprintf("SF%013d", i)
		if i%2 == 0 {
			b.known[nu] = []trackpush.RawEvent{{Time: "2025-06-16 09:00:00", Context: "顺丰速运 已收取快件"}}
		}
		subscribe("shunfeng", nu, phone)
	}
	subscribe("yuantong", "YT0000000000001", "")
	p.Start(ctx)
	defer p.Stop()
	for i := 0; i < 26; i++ {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of 26 polls recorded", i)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.single) != 0 {
		t.Fatalf("batched carrier asked singly: %v", b.single)
	}
	seen := map[string]bool{}
	for _, qs := range b.batches {
		if len(qs) > 10 {
			t.Fatalf("a batch of %d", len(qs))
		}
		for _, q := range qs {
			if q.Phone != qs[0].Phone {
				t.Fatalf("one batch with two phones: %v", qs)
			}
			if seen[q.Nu] {
				t.Fatalf("%s asked twice", q.Nu)
			}
			seen[q.Nu] = true
		}
	}
	// 15 → 10 + 5, 10 → 10: three requests, claimed together.
	if len(seen) != 25 || len(b.batches) != 3 {
		t.Fatalf("%d numbers in %d requests, want 25 in 3", len(seen), len(b.batches))
	}
	for nu, evs := range b.known {
		if _, got, _ := store.Shipment(ctx, "shunfeng", nu); len(got) != len(evs) {
			t.Fatalf("%s: %d events stored", nu, len(got))
		}
	}
	if len(single.at) != 1 {
		t.Fatalf("the other carrier was polled %d times", len(single.at))
	}
}

// TestLaneFill: a batching lane claims as many shipments per worker as
// its requests lately carried, so shipments that cannot share a request
// are not claimed ten at a time per worker.
func TestLaneFill(t *testing.T) {
	l := lane{batch: 10, fill: 10}
	if l.perWorker() != 10 {
		t.Fatalf("start: %d", l.perWorker())
	}
	l.observe(80, 80, 80) // every shipment its own request
	if l.perWorker() != 1 {
		t.Fatalf("after singles: %d", l.perWorker())
	}
	l.observe(3, 3, 8) // few due: no news
	if l.perWorker() != 1 {
		t.Fatalf("after a small claim: %d", l.perWorker())
	}
	l.observe(8, 1, 8) // eight shared one request
	if l.perWorker() != 8 {
		t.Fatalf("after a full batch: %d", l.perWorker())
	}
	l.observe(5, 1, 64) // fewer due, but they shared: no lower
	if l.perWorker() != 8 {
		t.Fatalf("after a partial claim: %d", l.perWorker())
	}
	l.observe(64, 7, 64)
	if l.perWorker() != 10 {
		t.Fatalf("capped at the batch size: %d", l.perWorker())
	}
}
