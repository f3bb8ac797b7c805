package postgres

// Tests of what the conformance suite cannot see: several nodes (stores
// with pools of their own) on one database, notifications, maintenance,
// connection loss.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trackpush/trackpush"
)

var t0 = time.Date(2025, 6, 16, 10, 0, 0, 0, trackpush.CST)

func account(t *testing.T, s *Store, quota int) *trackpush.Account {
	t.Helper()
	a := &trackpush.Account{Name: "a", AppCode: "app-" + randomHex(8), Key: "key-" + randomHex(8), Quota: quota}
	if err := s.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func subscription(a *trackpush.Account, nu string) *trackpush.Subscription {
	return &trackpush.Subscription{AccountID: a.ID, Com: "yuantong", Nu: nu, FromText: "广东省深圳市", ToText: "北京市",
		CallbackURL: "http://127.0.0.1:9/cb", Level: trackpush.LevelAdvanced}
}

func event(minutes int, text string) trackpush.Event {
	tm := t0.Add(time.Duration(minutes) * time.Minute)
	return trackpush.Event{Time: tm, RawTime: trackpush.FormatTime(tm), Context: text, State: trackpush.StateInTransit}
}

func summary(evs []trackpush.Event) trackpush.Summary {
	return trackpush.Summary{State: evs[len(evs)-1].State, LastEventAt: evs[len(evs)-1].Time}
}

// dueSubscriptions makes n subscriptions due at t0.
func dueSubscriptions(t *testing.T, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	a := account(t, s, n)
	for i := range n {
		nu := fmt.Sprintf("YT9%011d", i)
		if err := s.Subscribe(ctx, subscription(a, nu), t0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AppendEvents(ctx, "yuantong", nu, []trackpush.Event{event(1, "已揽收")}, t0, summary); err != nil {
			t.Fatal(err)
		}
	}
}

// race runs fn on each store from several goroutines at once.
func race(stores []*Store, perStore int, fn func(s *Store)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, s := range stores {
		for range perStore {
			wg.Go(func() {
				<-start
				fn(s)
			})
		}
	}
	close(start)
	wg.Wait()
}

// TestNodesClaimPushesOnce: two nodes claiming the same due subscriptions
// at once claim each exactly once.
func TestNodesClaimPushesOnce(t *testing.T) {
	t.Parallel()
	dsn := newSchema(t)
	a, b := openStore(t, dsn), openStore(t, dsn)
	const n = 150
	dueSubscriptions(t, a, n)
	var mu sync.Mutex
	claimed := map[int64]int{}
	race([]*Store{a, b}, 4, func(s *Store) {
		for {
			jobs, err := s.ClaimPushes(context.Background(), t0, time.Hour, 7, trackpush.Busy{})
			if err != nil {
				t.Error(err)
				return
			}
			if len(jobs) == 0 {
				return
			}
			mu.Lock()
			for _, j := range jobs {
				claimed[j.Sub.ID]++
				if len(j.Events) != 1 || j.Shipment == nil || j.Shipment.Nu != j.Sub.Nu {
					t.Errorf("job %d: shipment %+v, %d events", j.Sub.ID, j.Shipment, len(j.Events))
				}
			}
			mu.Unlock()
		}
	})
	claimedOnce(t, claimed, n, "subscription")
}

// TestNodesClaimPollsOnce: the same for polls.
func TestNodesClaimPollsOnce(t *testing.T) {
	t.Parallel()
	dsn := newSchema(t)
	a, b := openStore(t, dsn), openStore(t, dsn)
	ctx := context.Background()
	const n = 150
	acct := account(t, a, n)
	for i := range n {
		sub := subscription(acct, fmt.Sprintf("YT7%011d", i))
		sub.Polled = true
		if err := a.Subscribe(ctx, sub, t0); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	claimed := map[int64]int{}
	race([]*Store{a, b}, 4, func(s *Store) {
		for {
			jobs, err := s.ClaimPolls(ctx, []string{"yuantong"}, t0, time.Hour, 7)
			if err != nil {
				t.Error(err)
				return
			}
			if len(jobs) == 0 {
				return
			}
			mu.Lock()
			for _, j := range jobs {
				claimed[j.ShipmentID]++
			}
			mu.Unlock()
		}
	})
	claimedOnce(t, claimed, n, "shipment")
}

// TestLeaseHandOver: a node that dies keeps its claims until the lease
// runs out; then another takes them over, and the dead node's late
// completion moves nothing.
func TestLeaseHandOver(t *testing.T) {
	t.Parallel()
	dsn := newSchema(t)
	a, b := openStore(t, dsn), openStore(t, dsn)
	ctx := context.Background()
	dueSubscriptions(t, a, 1)
	acct := account(t, a, 1)
	polled := subscription(acct, "YT6000000001")
	polled.Polled = true
	if err := a.Subscribe(ctx, polled, t0); err != nil {
		t.Fatal(err)
	}

	pa, err := a.ClaimPushes(ctx, t0, time.Minute, 10, trackpush.Busy{})
	if err != nil || len(pa) != 1 {
		t.Fatalf("a claims: %d %v", len(pa), err)
	}
	qa, err := a.ClaimPolls(ctx, nil, t0, time.Minute, 10)
	if err != nil || len(qa) != 1 {
		t.Fatalf("a claims polls: %d %v", len(qa), err)
	}
	// a "dies"; a node starting now leaves a's claims alone (they might be
	// a live node's). Before the lease ends nobody gets them.
	c := openStore(t, dsn)
	if jobs, _ := c.ClaimPushes(ctx, t0.Add(59*time.Second), time.Minute, 10, trackpush.Busy{}); len(jobs) != 0 {
		t.Fatal("a node that started took a push under a's lease")
	}
	if jobs, _ := b.ClaimPushes(ctx, t0.Add(59*time.Second), time.Minute, 10, trackpush.Busy{}); len(jobs) != 0 {
		t.Fatal("b took a push under a's lease")
	}
	if jobs, _ := b.ClaimPolls(ctx, nil, t0.Add(59*time.Second), time.Minute, 10); len(jobs) != 0 {
		t.Fatal("b took a poll under a's lease")
	}
	later := t0.Add(time.Minute)
	pb, err := b.ClaimPushes(ctx, later, time.Minute, 10, trackpush.Busy{})
	if err != nil || len(pb) != 1 || pb[0].Sub.ID != pa[0].Sub.ID || pb[0].Claim == pa[0].Claim || pb[0].Attempt != 1 {
		t.Fatalf("b takes the push over: %+v %v", pb, err)
	}
	qb, err := b.ClaimPolls(ctx, nil, later, time.Minute, 10)
	if err != nil || len(qb) != 1 || qb[0].Claim == qa[0].Claim {
		t.Fatalf("b takes the poll over: %+v %v", qb, err)
	}
	// a's late completions.
	d := trackpush.Delivery{Version: pa[0].Version, Attempt: 1, Status: "polling", At: later, OK: true}
	if err := a.CompletePushes(ctx, []trackpush.PushOutcome{{SubID: pa[0].Sub.ID, Version: pa[0].Version, Claim: pa[0].Claim, Delivery: d}}, later); err != nil {
		t.Fatal(err)
	}
	if err := a.CompletePoll(ctx, trackpush.PollDone{ShipmentID: qa[0].ShipmentID, Claim: qa[0].Claim, Next: later, At: later}); err != nil {
		t.Fatal(err)
	}
	got, _ := b.Subscription(ctx, pa[0].Sub.ID)
	if got.Push.PushedVersion != 0 || got.Push.LeaseUntil == nil {
		t.Fatalf("a stale completion moved the state: %+v", got.Push)
	}
	if jobs, _ := b.ClaimPolls(ctx, nil, later.Add(30*time.Second), time.Minute, 10); len(jobs) != 0 {
		t.Fatal("a stale poll completion released b's claim")
	}
	if err := b.CompletePushes(ctx, []trackpush.PushOutcome{{SubID: pb[0].Sub.ID, Version: pb[0].Version, Claim: pb[0].Claim, Delivery: d}}, later); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Subscription(ctx, pa[0].Sub.ID); got.Push.PushedVersion != 1 || got.Push.Pending() {
		t.Fatalf("after b's completion: %+v", got.Push)
	}
}

// TestNodesSubscribeOnce: two nodes subscribing the same account and number
// at once accept exactly one.
func TestNodesSubscribeOnce(t *testing.T) {
	t.Parallel()
	dsn := newSchema(t)
	a, b := openStore(t, dsn), openStore(t, dsn)
	ctx := context.Background()
	const numbers = 10
	acct := account(t, a, 100)
	for i := range numbers {
		nu := fmt.Sprintf("YT5%011d", i)
		var ok, dup atomic.Int64
		race([]*Store{a, b}, 2, func(s *Store) {
			switch err := s.Subscribe(ctx, subscription(acct, nu), t0); trackpush.ErrorCode(err) {
			case trackpush.CodeOK:
				ok.Add(1)
			case trackpush.CodeDuplicate:
				dup.Add(1)
			default:
				t.Errorf("subscribe: %v", err)
			}
		})
		if ok.Load() != 1 || dup.Load() != 3 {
			t.Fatalf("%s: %d accepted, %d duplicates", nu, ok.Load(), dup.Load())
		}
	}
	accs, err := b.Accounts(ctx)
	if err != nil || accs[0].Used != numbers {
		t.Fatalf("quota used: %+v %v", accs, err)
	}
}

// TestOpenConcurrently: nodes starting at once on an empty schema migrate
// it once.
func TestOpenConcurrently(t *testing.T) {
	t.Parallel()
	dsn := newSchema(t)
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	errs := make([]error, 4)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), dsn) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		s.Close()
	}
	s := openStore(t, dsn)
	var n int
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(files) || n < 2 {
		t.Fatalf("migrations applied: %d %v, want each of the %d once", n, err, len(files))
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func expect(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s notification", what)
	}
}

func drain(ch <-chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// TestListen: a node listening is woken when another makes a push or a
// poll due, ignores other schemas' notifications, and keeps listening after
// its connection is killed.
func TestListen(t *testing.T) {
	t.Parallel()
	dsn := newSchema(t)
	a, b := openStore(t, dsn), openStore(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pushes, polls := make(chan struct{}, 100), make(chan struct{}, 100)
	done := make(chan error, 1)
	go func() {
		done <- a.Listen(ctx, func() { pushes <- struct{}{} }, func() { polls <- struct{}{} })
	}()
	waitFor(t, "listening", func() bool { return a.listenPID.Load() != 0 })
	drain(pushes)
	drain(polls)

	acct := account(t, b, 10)
	sub := subscription(acct, "YT4000000001")
	if err := b.Subscribe(context.Background(), sub, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.AppendEvents(context.Background(), "yuantong", sub.Nu, []trackpush.Event{event(1, "已揽收")}, t0, summary); err != nil {
		t.Fatal(err)
	}
	expect(t, pushes, "push")

	// Another schema's notification is not this store's; notifications
	// arrive in order, so once the poll one is in, the other was skipped.
	drain(pushes)
	adminExec(t, testDSN(t), `SELECT pg_notify('trackpush_push', 'tp_someone_else')`)
	polled := subscription(acct, "YT4000000002")
	polled.Polled = true
	if err := b.Subscribe(context.Background(), polled, t0); err != nil {
		t.Fatal(err)
	}
	expect(t, polls, "poll")
	if len(pushes) != 0 {
		t.Fatal("woken by another schema's notification")
	}

	// Kill the listening backend: Listen reconnects and keeps working.
	old := a.listenPID.Load()
	adminExec(t, testDSN(t), `SELECT pg_terminate_backend($1)`, int32(old))
	waitFor(t, "listening again", func() bool { pid := a.listenPID.Load(); return pid != 0 && pid != old })
	drain(pushes)
	if _, _, err := b.AppendEvents(context.Background(), "yuantong", sub.Nu, []trackpush.Event{event(2, "运输中")}, t0, summary); err != nil {
		t.Fatal(err)
	}
	expect(t, pushes, "push after reconnecting")

	// Close stops Listen.
	a.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Listen returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Listen did not return after Close")
	}
}

// TestMaintain: of two nodes maintaining at once, one prunes the old
// deliveries (in batches) and the other does nothing.
func TestMaintain(t *testing.T) {
	t.Parallel()
	dsn := newSchema(t)
	a, b := openStore(t, dsn), openStore(t, dsn)
	ctx := context.Background()
	const old, recent = 2*pruneBatch + 17, 5
	keep := 30 * 24 * time.Hour
	now := t0.Add(90 * 24 * time.Hour)
	_, err := a.pool.Exec(ctx, `INSERT INTO deliveries (subscription_id, version, attempt, status, at, latency_us, http_status, ok, gave_up, error, response)
		SELECT 1, 1, 1, 'polling', CASE WHEN i <= $1::int THEN $2::bigint ELSE $3::bigint END, 0, 200, true, false, '', ''::bytea
		FROM generate_series(1, $1::int + $4::int) i`, old, ms(now.Add(-keep-time.Second)), ms(now.Add(-keep)), recent)
	if err != nil {
		t.Fatal(err)
	}
	locked, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.maintainHook = func() {
		once.Do(func() {
			close(locked)
			<-release
		})
	}
	type result struct {
		ran    bool
		pruned int64
		err    error
	}
	resA := make(chan result, 1)
	go func() {
		ran, n, err := a.Maintain(ctx, keep, now)
		resA <- result{ran, n, err}
	}()
	<-locked
	ran, n, err := b.Maintain(ctx, keep, now)
	close(release)
	if err != nil || ran || n != 0 {
		t.Fatalf("b maintained while a did: %v %d %v", ran, n, err)
	}
	r := <-resA
	if r.err != nil || !r.ran || r.pruned != old {
		t.Fatalf("a: ran %v, pruned %d (want %d), %v", r.ran, r.pruned, old, r.err)
	}
	var left int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries`).Scan(&left); err != nil || left != recent {
		t.Fatalf("%d deliveries left, want %d (%v)", left, recent, err)
	}
	// Once a is done, b may run (finding nothing to prune).
	if ran, n, err := b.Maintain(ctx, keep, now); err != nil || !ran || n != 0 {
		t.Fatalf("b afterwards: %v %d %v", ran, n, err)
	}
}

// TestConnectionsKilled: operations after the server dropped every
// connection of the pool (as a restart does) succeed; a transaction whose
// connection dies leaves nothing behind.
func TestConnectionsKilled(t *testing.T) {
	t.Parallel()
	app := "tp_test_" + randomHex(4)
	dsn := withParam(newSchema(t), "application_name", app)
	s := openStore(t, dsn)
	ctx := context.Background()
	dueSubscriptions(t, s, 3)
	// Several connections in the pool.
	race([]*Store{s}, 4, func(s *Store) { s.Accounts(ctx) })
	kill := func() {
		adminExec(t, testDSN(t), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, app)
	}
	kill()
	acct := account(t, s, 5)
	if err := s.Subscribe(ctx, subscription(acct, "YT3000000001"), t0); err != nil {
		t.Fatalf("subscribe after the connections died: %v", err)
	}
	kill()
	if jobs, err := s.ClaimPushes(ctx, t0, time.Minute, 10, trackpush.Busy{}); err != nil || len(jobs) != 3 {
		t.Fatalf("claim after the connections died: %d %v", len(jobs), err)
	}
	kill()
	if _, err := s.Accounts(ctx); err != nil {
		t.Fatalf("read after the connections died: %v", err)
	}

	// The connection dies inside the transaction, after a write, every
	// time: the operation fails and nothing is written.
	insert := func(ctx context.Context, tx pgx.Tx, name string, die bool) error {
		if _, err := tx.Exec(ctx, `INSERT INTO blobs (name, data, updated_at) VALUES ($1, '', 0)`, name); err != nil {
			return err
		}
		if die {
			_, err := tx.Exec(ctx, `SELECT pg_terminate_backend(pg_backend_pid())`)
			return err
		}
		return nil
	}
	err := s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error { return insert(ctx, tx, "always", true) })
	if err == nil {
		t.Fatal("a transaction whose connection died succeeded")
	}
	if b, err := s.LoadBlob(ctx, "always"); err != nil || b != nil {
		t.Fatalf("a failed transaction left its write: %q %v", b, err)
	}
	// Dying once: the transaction runs again, and its write is there once.
	tries := 0
	err = s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tries++
		return insert(ctx, tx, "once", tries == 1)
	})
	if err != nil || tries != 2 {
		t.Fatalf("retried transaction: %v after %d tries", err, tries)
	}
	if b, err := s.LoadBlob(ctx, "once"); err != nil || b == nil {
		t.Fatalf("the retried write: %q %v", b, err)
	}
	// Domain errors are not retried.
	tries = 0
	err = s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tries++
		return trackpush.Errorf(trackpush.CodeDuplicate, "no")
	})
	var te *trackpush.Error
	if !errors.As(err, &te) || tries != 1 {
		t.Fatalf("domain error: %v after %d tries", err, tries)
	}
}

// TestDeliveryText: a receiver's answer is logged byte for byte, whatever
// it holds; an error text is made storable.
func TestDeliveryText(t *testing.T) {
	t.Parallel()
	s := openStore(t, newSchema(t))
	ctx := context.Background()
	dueSubscriptions(t, s, 1)
	jobs, err := s.ClaimPushes(ctx, t0, time.Minute, 10, trackpush.Busy{})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %d %v", len(jobs), err)
	}
	j := jobs[0]
	d := trackpush.Delivery{Version: j.Version, Attempt: 1, Status: "polling", At: t0, HTTPStatus: 200,
		Response: "\xff\x00 not utf-8", Error: "bad answer \x00\xfe"}
	if err := s.CompletePushes(ctx, []trackpush.PushOutcome{{SubID: j.Sub.ID, Version: j.Version, Claim: j.Claim, Delivery: d}}, t0); err != nil {
		t.Fatal(err)
	}
	log, err := s.Deliveries(ctx, j.Sub.ID, 10)
	if err != nil || len(log) != 1 || log[0].Response != d.Response || log[0].Error != "bad answer \uFFFD\uFFFD" {
		t.Fatalf("log: %+v %v", log, err)
	}
}

// TestMixedLoad: two nodes running every kind of write on the same
// accounts, shipments and subscriptions at once never deadlock (the lock
// order of the package doc) and never fail.
func TestMixedLoad(t *testing.T) {
	t.Parallel()
	dsn := newSchema(t)
	a, b := openStore(t, dsn), openStore(t, dsn)
	ctx := context.Background()
	const numbers = 12
	now := t0.Add(trackpush.NoRecordAfter + time.Hour)
	accts := []*trackpush.Account{account(t, a, 1000), account(t, a, 1000)}
	var subs, stale []int64
	for i := range numbers {
		nu := fmt.Sprintf("YT2%011d", i)
		for _, acct := range accts {
			sub := subscription(acct, nu)
			if err := a.Subscribe(ctx, sub, t0); err != nil {
				t.Fatal(err)
			}
			subs = append(subs, sub.ID)
			// The same number with a carrier that has no record: it is
			// redirected to yuantong, whose shipment gets events meanwhile.
			wrong := subscription(acct, nu)
			wrong.Com = "zhongtong"
			if err := a.Subscribe(ctx, wrong, t0); err != nil {
				t.Fatal(err)
			}
			stale = append(stale, wrong.ID)
		}
	}
	var failures atomic.Int64
	check := func(what string, err error) {
		if err != nil {
			failures.Add(1)
			t.Errorf("%s: %v", what, err)
		}
	}
	var step atomic.Int64
	race([]*Store{a, b}, 4, func(s *Store) {
		for range 60 {
			i := int(step.Add(1))
			nu := fmt.Sprintf("YT2%011d", i%numbers)
			switch i % 7 {
			case 0, 1:
				_, _, err := s.AppendEvents(ctx, "yuantong", nu, []trackpush.Event{event(i, fmt.Sprintf("扫描 %d", i))}, now, summary)
				check("append", err)
			case 2:
				jobs, err := s.ClaimPushes(ctx, now, time.Minute, 8, trackpush.Busy{})
				check("claim", err)
				var outs []trackpush.PushOutcome
				for k, j := range jobs {
					d := trackpush.Delivery{Version: j.Version, Attempt: j.Attempt, Status: trackpush.PushStatus(j.Sub), At: now, OK: k%2 == 0}
					outs = append(outs, trackpush.PushOutcome{SubID: j.Sub.ID, Version: j.Version, Claim: j.Claim, Delivery: d})
				}
				check("complete", s.CompletePushes(ctx, outs, now))
			case 3:
				check("updateall", s.UpdateAll(ctx, subs[i%len(subs)], now))
			case 4:
				_, err := s.Redirect(ctx, stale[i%len(stale)], "yuantong", false, now)
				check("redirect", err)
			case 5:
				// Locks the shipment and the subscription, and leaves it
				// live: it had an event since.
				_, err := s.EndSubscription(ctx, trackpush.End{SubID: subs[i%len(subs)], Status: trackpush.StatusAbort, IfStale: true}, now)
				check("end if stale", err)
			case 6:
				if i%5 == 1 {
					_, err := s.EndSubscription(ctx, trackpush.End{SubID: subs[i%len(subs)], Status: trackpush.StatusAbort, Message: "operator"}, now)
					check("end", err)
				} else {
					err := s.Subscribe(ctx, subscription(accts[i%2], fmt.Sprintf("YT1%011d", i%numbers)), now)
					if c := trackpush.ErrorCode(err); c != trackpush.CodeOK && c != trackpush.CodeDuplicate {
						check("subscribe", err)
					}
				}
			}
		}
	})
	if n := a.deadlocks.Load() + b.deadlocks.Load(); n != 0 {
		t.Fatalf("%d deadlocks", n)
	}
	if failures.Load() != 0 {
		t.FailNow()
	}
}

// TestRedirectToFollowed: when the account already follows the number with
// the right carrier, Redirect ends the wrong subscription and returns the
// one it has.
func TestRedirectToFollowed(t *testing.T) {
	t.Parallel()
	s := openStore(t, newSchema(t))
	ctx := context.Background()
	acct := account(t, s, 5)
	wrong := subscription(acct, "7700000000009")
	wrong.Com = "zhongtong"
	right := subscription(acct, "7700000000009")
	right.Com = "shentong"
	for _, sub := range []*trackpush.Subscription{wrong, right} {
		if err := s.Subscribe(ctx, sub, t0); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(trackpush.NoRecordAfter)
	n, err := s.Redirect(ctx, wrong.ID, "shentong", false, now)
	if err != nil || n == nil || n.ID != right.ID || n.Status != trackpush.StatusPolling {
		t.Fatalf("redirect: %+v %v", n, err)
	}
	if got, _ := s.Subscription(ctx, wrong.ID); got.Status != trackpush.StatusAbort || got.ComNew != "shentong" {
		t.Fatalf("the wrong subscription: %+v", got)
	}
	if accs, _ := s.Accounts(ctx); accs[0].Used != 2 {
		t.Fatalf("quota used %d", accs[0].Used)
	}
}

// claimedOnce fails unless each of n things (by id) was claimed exactly once.
func claimedOnce(t *testing.T, claimed map[int64]int, n int, what string) {
	t.Helper()
	if len(claimed) != n {
		t.Fatalf("claimed %d %ss, want %d", len(claimed), what, n)
	}
	for id, c := range claimed {
		if c != 1 {
			t.Fatalf("%s %d claimed %d times", what, id, c)
		}
	}
}
