package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/sqlite"
	"github.com/trackpush/trackpush/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) trackpush.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a := &trackpush.Account{Name: "a", AppCode: "app", Key: "key", Quota: 3}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path) // migrations already applied
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := trackpush.Authenticate(ctx, s, "app", "", a.CreatedAt, true); err != nil || got.ID != a.ID {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
}

func TestMigrationUpperNumbers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	storetest.UpperNumbers(t, func() trackpush.Store {
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, func() {
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`DELETE FROM schema_migrations WHERE version = 6`); err != nil {
			t.Fatal(err)
		}
	})
}

// TestOpenServerLock: one server per file; a tool's Open beside it (or
// after it died) leaves the claims alone; the next server releases the
// claims of the dead one.
func TestOpenServerLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	s1, err := sqlite.OpenServer(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.OpenServer(ctx, path); err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), "process") {
		t.Fatalf("second server: %v", err)
	}
	a := &trackpush.Account{Name: "a", AppCode: "a", Key: "k", Quota: 10}
	if err := s1.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	sub := &trackpush.Subscription{AccountID: a.ID, Com: "yuantong", Nu: "YT0000000001", CallbackURL: "http://127.0.0.1:9/cb", Level: trackpush.LevelAdvanced}
	if err := s1.Subscribe(ctx, sub, t0); err != nil {
		t.Fatal(err)
	}
	ev := trackpush.Event{Time: t0, RawTime: trackpush.FormatTime(t0), Context: "已揽收", State: trackpush.StatePickedUp}
	sum := func(evs []trackpush.Event) trackpush.Summary { return trackpush.Summary{State: evs[0].State} }
	if _, _, err := s1.AppendEvents(ctx, "yuantong", sub.Nu, []trackpush.Event{ev}, t0, sum); err != nil {
		t.Fatal(err)
	}
	if jobs, err := s1.ClaimPushes(ctx, t0, time.Hour, 10, trackpush.Busy{}); err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %d %v", len(jobs), err)
	}
	s1.Close() // the server dies with its claim

	leased := func(s trackpush.Store) bool {
		got, err := s.Subscription(ctx, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Push.LeaseUntil != nil
	}
	tool, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !leased(tool) {
		t.Fatal("a tool's Open released a claim")
	}
	tool.Close()
	s2, err := sqlite.OpenServer(ctx, path)
	if err != nil {
		t.Fatalf("the next server: %v", err)
	}
	defer s2.Close()
	if leased(s2) {
		t.Fatal("the next server kept the dead server's claim")
	}
}

var t0 = time.Date(2025, 6, 16, 10, 0, 0, 0, trackpush.CST)
