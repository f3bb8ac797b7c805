package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return s
}

func count(t *testing.T, s *Store) int {
	var n int
	if err := s.w.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGroupCommitIsolation: operations committed together each stand or
// fall alone — a failing one leaves nothing, even after writing, and its
// neighbours keep everything.
func TestGroupCommitIsolation(t *testing.T) {
	s := openTest(t)
	defer s.Close()
	var wg sync.WaitGroup
	var okN, failN atomic.Int64
	for i := 0; i < 400; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.write(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
				if _, err := s.exec(ctx, tx, `INSERT INTO t (k, v) VALUES (?, ?)`, i, "x"); err != nil {
					return err
				}
				if _, err := s.exec(ctx, tx, `INSERT INTO t (k, v) VALUES (?, ?)`, 100000+i, "y"); err != nil {
					return err
				}
				if i%3 == 0 {
					return errors.New("fails after writing")
				}
				return nil
			})
			if err == nil {
				okN.Add(1)
			} else {
				failN.Add(1)
			}
		}()
	}
	wg.Wait()
	if failN.Load() != 134 || okN.Load() != 266 {
		t.Fatalf("ok %d, failed %d", okN.Load(), failN.Load())
	}
	if n := count(t, s); n != 2*266 {
		t.Fatalf("%d rows, want %d: a failed operation's writes survived or a good one's were lost", n, 2*266)
	}
}

// TestGroupCommitCancelledCaller: a caller that gives up does not make its
// neighbours fail; an operation whose caller gave up before it started is
// skipped.
func TestGroupCommitCancelledCaller(t *testing.T) {
	s := openTest(t)
	defer s.Close()
	var wg sync.WaitGroup
	var bad atomic.Int64
	for i := 0; i < 600; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithCancel(context.Background())
			if i%2 == 0 {
				defer cancel()
			}
			err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
				if i%2 == 1 {
					cancel() // gives up while running
				}
				for j := 0; j < 5; j++ {
					if _, err := s.exec(ctx, tx, `INSERT INTO t (k, v) VALUES (?, ?)`, i*10+j, "x"); err != nil {
						return err
					}
				}
				return nil
			})
			if i%2 == 0 && err != nil {
				bad.Add(1)
				t.Errorf("operation %d (never cancelled) failed: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if bad.Load() > 0 {
		t.Fatalf("%d operations failed because a neighbour's caller gave up", bad.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error { ran = true; return nil })
	if err == nil || ran {
		t.Fatalf("a cancelled caller's operation ran: %v %v", err, ran)
	}
}

// TestWriteAfterCloseReturns: writes racing Close get an answer, never
// hang.
func TestWriteAfterCloseReturns(t *testing.T) {
	for round := 0; round < 20; round++ {
		s := openTest(t)
		var wg sync.WaitGroup
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.write(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
					_, err := s.exec(ctx, tx, `INSERT INTO t (k, v) VALUES (?, ?)`, i, "x")
					return err
				})
			}()
		}
		s.Close()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal(fmt.Sprintf("round %d: writes hang after Close", round))
		}
		if err := s.write(context.Background(), func(context.Context, *sql.Tx) error { return nil }); !errors.Is(err, errClosed) {
			t.Fatalf("write after Close: %v", err)
		}
	}
}

func TestMaintainPrunesDeliveries(t *testing.T) {
	s := openTest(t)
	defer s.Close()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 12000; i++ {
		s.w.Exec(`INSERT INTO deliveries (subscription_id, version, attempt, status, at, latency_us, http_status, ok, gave_up, error, response)
			VALUES (1, 1, 1, 'polling', ?, 0, 200, 1, 0, '', '')`, t0.Add(time.Duration(i)*time.Minute).UnixMilli())
	}
	ran, pruned, err := s.Maintain(context.Background(), 100*time.Hour, t0.Add(200*time.Hour))
	if err != nil || !ran || pruned != 6000 {
		t.Fatalf("ran %v pruned %d err %v, want 6000", ran, pruned, err)
	}
	var left int
	s.w.QueryRow(`SELECT COUNT(*) FROM deliveries`).Scan(&left)
	if left != 6000 {
		t.Fatalf("%d left", left)
	}
}
