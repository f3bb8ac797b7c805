package source

import (
	"context"
	"errors"
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
