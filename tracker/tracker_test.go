package tracker

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/sqlite"
)

var t0 = time.Date(2025, 6, 16, 10, 0, 0, 0, trackpush.CST)

func setup(t *testing.T) (trackpush.Store, *trackpush.Account) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a := &trackpush.Account{Name: "a", AppCode: "a", Key: "k", Quota: 10}
	if err := s.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return s, a
}

func sub(a *trackpush.Account, com, nu string) *trackpush.Subscription {
	return &trackpush.Subscription{AccountID: a.ID, Com: com, Nu: nu, CallbackURL: "http://127.0.0.1:9/"}
}

func TestSweep(t *testing.T) {
	ctx := context.Background()
	s, a := setup(t)
	fits := sub(a, "yuantong", "YT1234567890123")
	wrong := sub(a, "zhongtong", "YT1234567890124")
	for _, x := range []*trackpush.Subscription{fits, wrong} {
		if err := s.Subscribe(ctx, x, t0); err != nil {
			t.Fatal(err)
		}
	}
	var redirected []*trackpush.Subscription
	tr := &Tracker{Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Correct: func(_ context.Context, x *trackpush.Subscription) (string, bool, bool) {
			if x.Com == "zhongtong" {
				return "yuantong", false, true
			}
			return "", false, false
		},
		Redirected: func(n *trackpush.Subscription) { redirected = append(redirected, n) },
	}
	if err := tr.Sweep(ctx, t0.Add(trackpush.NoRecordAfter-time.Second)); err != nil {
		t.Fatal(err)
	}
	if len(redirected) != 0 {
		t.Fatal("swept before 3 days")
	}
	now := t0.Add(trackpush.NoRecordAfter)
	if err := tr.Sweep(ctx, now); err != nil {
		t.Fatal(err)
	}
	f, _ := s.Subscription(ctx, fits.ID)
	if f.Status != trackpush.StatusAbort || f.Message != trackpush.MessageNoRecord || f.AutoCheck != "0" || f.ComNew != "" {
		t.Fatalf("a fitting carrier ends plainly: %+v", f)
	}
	w, _ := s.Subscription(ctx, wrong.ID)
	if w.Status != trackpush.StatusAbort || w.AutoCheck != "0" || w.ComOld != "zhongtong" || w.ComNew != "yuantong" || len(redirected) != 1 {
		t.Fatalf("the corrected one: %+v, successors %d", w, len(redirected))
	}
	// The successor, still without a record 3 days on, ends keeping its
	// autoCheck "1", comOld and comNew (docs/protocol.md §2.4).
	if err := tr.Sweep(ctx, now.Add(trackpush.NoRecordAfter)); err != nil {
		t.Fatal(err)
	}
	n, _ := s.Subscription(ctx, redirected[0].ID)
	if n.Status != trackpush.StatusAbort || n.AutoCheck != "1" || n.ComOld != "zhongtong" || n.ComNew != "yuantong" {
		t.Fatalf("the successor's abort: %+v", n)
	}
	// Sweeping again ends nothing more.
	if err := tr.Sweep(ctx, now.Add(90*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(redirected) != 1 {
		t.Fatal("a subscription was redirected twice")
	}
}
