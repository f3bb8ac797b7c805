// Package storetest is the conformance suite every trackpush.Store must
// pass. It is written once and run against each adapter (sqlite always,
// postgres when a database is configured); a change of behaviour extends it.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
)

// Factory returns a new, empty store for one test; the suite closes it.
type Factory func(t *testing.T) trackpush.Store

// Run runs the suite.
func Run(t *testing.T, newStore Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, trackpush.Store)
	}{
		{"Accounts", testAccounts},
		{"SubscribeQuotaAndDuplicates", testSubscribeQuotaAndDuplicates},
		{"SubscribeMonthlyLimit", testSubscribeMonthlyLimit},
		{"RejectedSubscribeWritesNothing", testRejectedSubscribeWritesNothing},
		{"AppendEvents", testAppendEvents},
		{"SubscribeToKnownShipmentIsDue", testSubscribeToKnownShipmentIsDue},
		{"PushRetryAndGiveUp", testPushRetryAndGiveUp},
		{"PushNewVersionWhileInFlight", testPushNewVersionWhileInFlight},
		{"StaleClaimIsIgnored", testStaleClaimIsIgnored},
		{"FinishedShipmentShutsDown", testFinishedShipmentShutsDown},
		{"StaleSubscriptions", testStaleSubscriptions},
		{"UpdateAll", testUpdateAll},
		{"ClaimLimitAndOrder", testClaimLimitAndOrder},
		{"ConcurrentWrites", testConcurrentWrites},
		{"Redirect", testRedirect},
		{"Polls", testPolls},
		{"Blobs", testBlobs},
		{"StaleEndRace", testStaleEndRace},
		{"SubscribeToSignedShipment", testSubscribeToSignedShipment},
		{"TrailTokens", testTrailTokens},
		{"SearchSubscriptions", testSearchSubscriptions},
		{"UpdateAccountAndRotateKey", testUpdateAccountAndRotateKey},
		{"Templates", testTemplates},
		{"PushKeys", testPushKeys},
		{"SettleLockers", testSettleLockers},
		{"DigestForecast", testDigestForecast},
		{"Places", testPlaces},
		{"RouteCounts", testRouteCounts},
		{"RouteCountsConcurrent", testRouteCountsConcurrent},
		{"Stats", testStats},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

var t0 = time.Date(2025, 6, 16, 10, 0, 0, 0, trackpush.CST)

var seq atomic.Int64

func newAccount(t *testing.T, s trackpush.Store, quota int) *trackpush.Account {
	t.Helper()
	n := seq.Add(1)
	a := &trackpush.Account{
		Name: fmt.Sprintf("acct%d", n), AppCode: fmt.Sprintf("app-%d-%d", n, time.Now().UnixNano()),
		Key: fmt.Sprintf("key-%d-%d", n, time.Now().UnixNano()), KeyPrefix: "key-", Quota: quota,
	}
	if err := s.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func newSub(a *trackpush.Account, nu string) *trackpush.Subscription {
	salt := "salt"
	return &trackpush.Subscription{
		AccountID: a.ID, Com: "yuantong", Nu: nu, FromText: "广东省深圳市南山区", ToText: "北京市朝阳区",
		From:        &trackpush.Area{Code: "CN440305000000", Name: "广东,深圳市,南山区", City: "440300000000"},
		To:          &trackpush.Area{Code: "CN110105000000", Name: "北京,朝阳区", City: "110000000000"},
		CallbackURL: "http://127.0.0.1:9/cb", Salt: &salt, Level: trackpush.LevelAdvanced,
	}
}

func code(err error) string { return trackpush.ErrorCode(err) }

func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := code(err); got != want {
		t.Fatalf("error %v: code %s, want %s", err, got, want)
	}
}

func ev(minutes int, context string, state trackpush.State) trackpush.Event {
	tm := t0.Add(time.Duration(minutes) * time.Minute)
	return trackpush.Event{Time: tm, RawTime: trackpush.FormatTime(tm), Context: context, State: state}
}

// lastState summarises like the status engine for these tests: the newest
// event's state, finished when signed.
func lastState(evs []trackpush.Event) trackpush.Summary {
	var sum trackpush.Summary
	for _, e := range evs {
		if !e.Time.Before(sum.LastEventAt) {
			sum.State, sum.LastEventAt = e.State, e.Time
		}
	}
	sum.Signed = sum.State.Basic() == trackpush.StateSigned
	sum.Finished = sum.Signed
	return sum
}

func mustSub(t *testing.T, s trackpush.Store, id int64) *trackpush.Subscription {
	t.Helper()
	sub, err := s.Subscription(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func testAccounts(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 2)
	b := newAccount(t, s, 1)
	if a.ID == 0 || a.ID == b.ID || a.CreatedAt.IsZero() {
		t.Fatalf("ids %d %d", a.ID, b.ID)
	}
	for _, c := range []struct{ app, key string }{{a.AppCode, ""}, {"", a.Key}, {a.AppCode, a.Key}} {
		got, err := trackpush.Authenticate(ctx, s, c.app, c.key, t0, true)
		if err != nil || got.ID != a.ID || got.Quota != 2 || got.Name != a.Name {
			t.Fatalf("authenticate %q/%q: %+v %v", c.app, c.key, got, err)
		}
	}
	_, err := trackpush.Authenticate(ctx, s, a.AppCode, b.Key, t0, true)
	wantCode(t, err, trackpush.CodeUnauthorized)
	_, err = trackpush.Authenticate(ctx, s, "nope", "", t0, true)
	wantCode(t, err, trackpush.CodeUnauthorized)
	_, err = trackpush.Authenticate(ctx, s, "", "", t0, true)
	wantCode(t, err, trackpush.CodeUnauthorized)

	exp := t0.Add(time.Hour)
	c := &trackpush.Account{Name: "expiring", AppCode: "app-exp-" + a.AppCode, Key: "key-exp-" + a.Key, Quota: 5, ExpiresAt: &exp}
	if err := s.CreateAccount(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := trackpush.Authenticate(ctx, s, "", c.Key, t0, true); err != nil {
		t.Fatal(err)
	}
	_, err = trackpush.Authenticate(ctx, s, "", c.Key, exp, true)
	wantCode(t, err, trackpush.CodeExpired)

	if err := s.SetAccountDisabled(ctx, b.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = trackpush.Authenticate(ctx, s, b.AppCode, "", t0, true)
	wantCode(t, err, trackpush.CodeUnauthorized)
	wantCode(t, s.SetAccountDisabled(ctx, 999999, true), trackpush.CodeNotFound)

	all, err := s.Accounts(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("accounts: %d %v", len(all), err)
	}
	if all[0].ID != a.ID || !all[1].Disabled || all[2].ExpiresAt == nil || !all[2].ExpiresAt.Equal(exp) {
		t.Fatalf("accounts: %+v %+v %+v", all[0], all[1], all[2])
	}
	// A duplicate credential is refused.
	if err := s.CreateAccount(ctx, &trackpush.Account{Name: "dup", AppCode: a.AppCode, Key: "other", Quota: 1}); err == nil {
		t.Fatal("duplicate appcode accepted")
	}
}

func testSubscribeQuotaAndDuplicates(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 2)
	sub := newSub(a, "YT0000000001")
	if err := s.Subscribe(ctx, sub, t0); err != nil {
		t.Fatal(err)
	}
	if sub.ID == 0 || sub.ShipmentID == 0 || sub.Status != trackpush.StatusPolling || sub.Push.Pending() {
		t.Fatalf("subscription %+v", sub)
	}
	got := mustSub(t, s, sub.ID)
	if got.CallbackURL != sub.CallbackURL || got.Salt == nil || *got.Salt != "salt" || got.To.Code != "CN110105000000" || got.Level != trackpush.LevelAdvanced || !got.CreatedAt.Equal(t0) {
		t.Fatalf("stored %+v", got)
	}
	// The same account and number while live: 501.
	wantCode(t, s.Subscribe(ctx, newSub(a, "YT0000000001"), t0.Add(time.Minute)), trackpush.CodeDuplicate)
	// Another account may follow the same shipment.
	b := newAccount(t, s, 1)
	other := newSub(b, "YT0000000001")
	if err := s.Subscribe(ctx, other, t0); err != nil {
		t.Fatal(err)
	}
	if other.ShipmentID != sub.ShipmentID {
		t.Fatal("one shipment per company and number")
	}
	// Quota: a has 1 left, b none.
	if err := s.Subscribe(ctx, newSub(a, "YT0000000002"), t0); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.Subscribe(ctx, newSub(a, "YT0000000003"), t0), trackpush.CodeUnauthorized)
	wantCode(t, s.Subscribe(ctx, newSub(b, "YT0000000003"), t0), trackpush.CodeUnauthorized)
	acc, err := trackpush.Authenticate(ctx, s, "", a.Key, t0, true)
	if err == nil || code(err) != trackpush.CodeUnauthorized {
		t.Fatalf("an account without quota must not authenticate: %+v %v", acc, err)
	}
	// After the end, resubscribing waits ResubscribeAfter.
	c := newAccount(t, s, 10)
	first := newSub(c, "YT0000000004")
	if err := s.Subscribe(ctx, first, t0); err != nil {
		t.Fatal(err)
	}
	end := t0.Add(time.Hour)
	if _, err := s.EndSubscription(ctx, trackpush.End{SubID: first.ID, Status: trackpush.StatusAbort, Message: trackpush.MessageNoRecord}, end); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.Subscribe(ctx, newSub(c, "YT0000000004"), end.Add(29*time.Minute)), trackpush.CodeDuplicate)
	if err := s.Subscribe(ctx, newSub(c, "YT0000000004"), end.Add(30*time.Minute)); err != nil {
		t.Fatalf("30 minutes after the end: %v", err)
	}
	accs, _ := s.Accounts(ctx)
	for _, x := range accs {
		want := map[int64]int{a.ID: 2, b.ID: 1, c.ID: 2}[x.ID]
		if x.Used != want {
			t.Errorf("account %d used %d, want %d", x.ID, x.Used, want)
		}
	}
}

func testSubscribeMonthlyLimit(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 100)
	now := time.Date(2025, 3, 1, 0, 10, 0, 0, trackpush.CST)
	for i := 0; i < trackpush.MonthlySubscribeLimit; i++ {
		sub := newSub(a, "SF1234567890")
		if err := s.Subscribe(ctx, sub, now); err != nil {
			t.Fatalf("subscription %d: %v", i+1, err)
		}
		now = now.Add(time.Hour)
		if _, err := s.EndSubscription(ctx, trackpush.End{SubID: sub.ID, Status: trackpush.StatusShutdown}, now); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
	}
	wantCode(t, s.Subscribe(ctx, newSub(a, "SF1234567890"), now), trackpush.CodeDuplicate)
	// A new calendar month (China Standard Time) allows it again.
	next := time.Date(2025, 4, 1, 0, 0, 0, 0, trackpush.CST)
	wantCode(t, s.Subscribe(ctx, newSub(a, "SF1234567890"), next.Add(-time.Second)), trackpush.CodeDuplicate)
	if err := s.Subscribe(ctx, newSub(a, "SF1234567890"), next); err != nil {
		t.Fatal(err)
	}
}

func testRejectedSubscribeWritesNothing(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 1)
	sub := newSub(a, "YT0000000009")
	sub.AccountID = 987654
	wantCode(t, s.Subscribe(ctx, sub, t0), trackpush.CodeUnauthorized)
	if err := s.SetAccountDisabled(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.Subscribe(ctx, newSub(a, "YT0000000009"), t0), trackpush.CodeUnauthorized)
	h, _, err := s.Shipment(ctx, "yuantong", "YT0000000009")
	if err != nil || h != nil {
		t.Fatalf("a rejected subscription created shipment %+v (%v)", h, err)
	}
	accs, _ := s.Accounts(ctx)
	if accs[0].Used != 0 {
		t.Fatalf("a rejected subscription used quota: %d", accs[0].Used)
	}
}

func testAppendEvents(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 5)
	sub := newSub(a, "YT0000000010")
	if err := s.Subscribe(ctx, sub, t0); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)
	in := []trackpush.Event{
		ev(10, "【深圳转运中心】 已收入", trackpush.StateTrunk),
		ev(5, "【广东省深圳市南山区公司】 已揽收", trackpush.StatePickedUp),
		ev(10, "【深圳转运中心】 已收入", trackpush.StateTrunk), // duplicate within the batch
	}
	in[0].Area = &trackpush.Area{Code: "CN440300000000", Name: "广东,深圳市", City: "440300000000"}
	acc, dup, err := s.AppendEvents(ctx, "yuantong", "YT0000000010", in, now, lastState)
	if err != nil || acc != 2 || dup != 1 {
		t.Fatalf("append: %d %d %v", acc, dup, err)
	}
	acc, dup, err = s.AppendEvents(ctx, "yuantong", "YT0000000010", in[:2], now.Add(time.Minute), lastState)
	if err != nil || acc != 0 || dup != 2 {
		t.Fatalf("append again: %d %d %v", acc, dup, err)
	}
	h, evs, err := s.Shipment(ctx, "yuantong", "YT0000000010")
	if err != nil || h == nil || len(evs) != 2 || h.EventCount != 2 {
		t.Fatalf("shipment %+v events %d %v", h, len(evs), err)
	}
	if evs[0].Seq != 1 || evs[1].Seq != 2 || evs[0].Context != in[0].Context || evs[0].Area == nil || evs[0].Area.Name != "广东,深圳市" || evs[1].Area != nil {
		t.Fatalf("events %+v", evs)
	}
	if !evs[0].Time.Equal(in[0].Time) || evs[0].RawTime != in[0].RawTime || evs[0].State != trackpush.StateTrunk {
		t.Fatalf("event fields %+v", evs[0])
	}
	if h.Summary.State != trackpush.StateTrunk || !h.Summary.LastEventAt.Equal(in[0].Time) || !h.ChangedAt.Equal(now) {
		t.Fatalf("summary %+v changed %v", h.Summary, h.ChangedAt)
	}
	if h.From == nil || h.From.Code != "CN440305000000" || h.To.Code != "CN110105000000" {
		t.Fatalf("route ends %+v %+v", h.From, h.To)
	}
	got := mustSub(t, s, sub.ID)
	if got.Push.Version != 1 || !got.Push.Due(now) {
		t.Fatalf("subscription after one accepted batch: %+v", got.Push)
	}
	// Events for a shipment nobody follows are kept.
	acc, _, err = s.AppendEvents(ctx, "zhongtong", "75000000001", in[:1], now, lastState)
	if err != nil || acc != 1 {
		t.Fatalf("unfollowed: %d %v", acc, err)
	}
	if h, _, _ := s.Shipment(ctx, "zhongtong", "75000000001"); h == nil || h.EventCount != 1 {
		t.Fatalf("unfollowed shipment %+v", h)
	}
}

func testSubscribeToKnownShipmentIsDue(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	if _, _, err := s.AppendEvents(ctx, "yuantong", "YT0000000011", []trackpush.Event{ev(0, "已揽收", trackpush.StatePickedUp)}, t0, lastState); err != nil {
		t.Fatal(err)
	}
	a := newAccount(t, s, 5)
	sub := newSub(a, "YT0000000011")
	now := t0.Add(time.Hour)
	if err := s.Subscribe(ctx, sub, now); err != nil {
		t.Fatal(err)
	}
	if !sub.Push.Due(now) || sub.Push.Version != 1 {
		t.Fatalf("a subscription to a shipment with events is due at once: %+v", sub.Push)
	}
	jobs, err := s.ClaimPushes(ctx, now, time.Minute, 10, trackpush.Busy{})
	if err != nil || len(jobs) != 1 || len(jobs[0].Events) != 1 || jobs[0].Shipment.Nu != "YT0000000011" {
		t.Fatalf("claim: %v %+v", err, jobs)
	}
}

// complete records an attempt and returns whether the store reported it
// gave the version up.
func complete(t *testing.T, s trackpush.Store, j *trackpush.PushJob, ok bool, now time.Time) bool {
	t.Helper()
	d := trackpush.Delivery{SubscriptionID: j.Sub.ID, Version: j.Version, Attempt: j.Attempt, Status: trackpush.PushStatus(j.Sub), At: now, OK: ok, HTTPStatus: 200, Latency: 3 * time.Millisecond}
	if !ok {
		d.HTTPStatus, d.Error, d.Response = 500, "status 500", "oops"
	}
	outcomes := []trackpush.PushOutcome{{SubID: j.Sub.ID, Version: j.Version, Claim: j.Claim, Delivery: d}}
	if err := s.CompletePushes(context.Background(), outcomes, now); err != nil {
		t.Fatal(err)
	}
	return outcomes[0].Delivery.GaveUp
}

func claimOne(t *testing.T, s trackpush.Store, now time.Time) *trackpush.PushJob {
	t.Helper()
	jobs, err := s.ClaimPushes(context.Background(), now, time.Minute, 10, trackpush.Busy{})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 {
		t.Fatalf("claimed %d jobs at %s, want 1", len(jobs), trackpush.FormatTime(now))
	}
	return jobs[0]
}

func claimNone(t *testing.T, s trackpush.Store, now time.Time) {
	t.Helper()
	jobs, err := s.ClaimPushes(context.Background(), now, time.Minute, 10, trackpush.Busy{})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 0 {
		t.Fatalf("claimed %d jobs at %s, want none", len(jobs), trackpush.FormatTime(now))
	}
}

func testPushRetryAndGiveUp(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 5)
	sub := newSub(a, "YT0000000020")
	if err := s.Subscribe(ctx, sub, t0); err != nil {
		t.Fatal(err)
	}
	claimNone(t, s, t0)
	if _, ok, _ := s.NextPushAt(ctx); ok {
		t.Fatal("nothing is pending before the first event")
	}
	now := t0.Add(time.Hour)
	if _, _, err := s.AppendEvents(ctx, "yuantong", "YT0000000020", []trackpush.Event{ev(50, "已揽收", trackpush.StatePickedUp)}, now, lastState); err != nil {
		t.Fatal(err)
	}
	if next, ok, _ := s.NextPushAt(ctx); !ok || !next.Equal(now) {
		t.Fatalf("next push at %v %v", next, ok)
	}
	for attempt := 1; attempt <= 1+trackpush.MaxRetries; attempt++ {
		j := claimOne(t, s, now)
		if j.Attempt != attempt || j.Version != 1 {
			t.Fatalf("attempt %d: job %+v", attempt, j)
		}
		claimNone(t, s, now) // claimed: no second push in flight
		if gaveUp := complete(t, s, j, false, now); gaveUp != (attempt == 1+trackpush.MaxRetries) {
			t.Fatalf("attempt %d: the outcome says gave up %v", attempt, gaveUp)
		}
		if attempt <= trackpush.MaxRetries {
			claimNone(t, s, now.Add(trackpush.RetryAfter-time.Second))
			if next, ok, _ := s.NextPushAt(ctx); !ok || !next.Equal(now.Add(trackpush.RetryAfter)) {
				t.Fatalf("after failure %d: next %v", attempt, next)
			}
			now = now.Add(trackpush.RetryAfter)
		}
	}
	claimNone(t, s, now.Add(24*time.Hour))
	got := mustSub(t, s, sub.ID)
	if got.Push.GaveUpVersion != 1 || got.Push.PushedVersion != 0 || got.Push.Pending() {
		t.Fatalf("after giving up: %+v", got.Push)
	}
	log, err := s.Deliveries(ctx, sub.ID, 10)
	if err != nil || len(log) != 4 {
		t.Fatalf("delivery log: %d %v", len(log), err)
	}
	if !log[0].GaveUp || log[1].GaveUp || log[0].Attempt != 4 || log[3].Attempt != 1 || log[0].OK || log[0].Response != "oops" || log[0].HTTPStatus != 500 || log[0].Latency != 3*time.Millisecond {
		t.Fatalf("delivery log %+v", log)
	}
	// A newer version starts afresh and succeeds.
	now = now.Add(time.Hour)
	if _, _, err := s.AppendEvents(ctx, "yuantong", "YT0000000020", []trackpush.Event{ev(200, "运输中", trackpush.StateInTransit)}, now, lastState); err != nil {
		t.Fatal(err)
	}
	j := claimOne(t, s, now)
	if j.Attempt != 1 || j.Version != 2 || len(j.Events) != 2 {
		t.Fatalf("newer version job %+v", j)
	}
	complete(t, s, j, true, now)
	got = mustSub(t, s, sub.ID)
	if got.Push.PushedVersion != 2 || got.Push.Pending() {
		t.Fatalf("after success: %+v", got.Push)
	}
}

func testPushNewVersionWhileInFlight(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 5)
	sub := newSub(a, "YT0000000030")
	if err := s.Subscribe(ctx, sub, t0); err != nil {
		t.Fatal(err)
	}
	s.AppendEvents(ctx, "yuantong", "YT0000000030", []trackpush.Event{ev(1, "已揽收", trackpush.StatePickedUp)}, t0, lastState)
	j := claimOne(t, s, t0)
	s.AppendEvents(ctx, "yuantong", "YT0000000030", []trackpush.Event{ev(2, "已发出", trackpush.StateTrunk)}, t0, lastState)
	claimNone(t, s, t0) // still in flight
	complete(t, s, j, true, t0)
	j2 := claimOne(t, s, t0)
	if j2.Version != 2 || len(j2.Events) != 2 {
		t.Fatalf("the newer version goes next: %+v", j2)
	}
	complete(t, s, j2, true, t0)
	claimNone(t, s, t0.Add(time.Hour))
}

func testStaleClaimIsIgnored(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 5)
	sub := newSub(a, "YT0000000040")
	s.Subscribe(ctx, sub, t0)
	s.AppendEvents(ctx, "yuantong", "YT0000000040", []trackpush.Event{ev(1, "已揽收", trackpush.StatePickedUp)}, t0, lastState)
	j1 := claimOne(t, s, t0)
	// The pusher dies; after the lease another takes the job over.
	j2 := claimOne(t, s, t0.Add(time.Minute))
	if j1.Claim == j2.Claim {
		t.Fatal("claims must differ")
	}
	complete(t, s, j1, false, t0.Add(2*time.Minute)) // the late, stale completion
	got := mustSub(t, s, sub.ID)
	if got.Push.Attempts != 0 || got.Push.LeaseUntil == nil {
		t.Fatalf("a stale completion changed the state: %+v", got.Push)
	}
	complete(t, s, j2, true, t0.Add(2*time.Minute))
	got = mustSub(t, s, sub.ID)
	if got.Push.PushedVersion != 1 || got.Push.Pending() {
		t.Fatalf("after the current completion: %+v", got.Push)
	}
	if log, _ := s.Deliveries(ctx, sub.ID, 10); len(log) != 2 {
		t.Fatalf("both attempts are logged: %d", len(log))
	}
}

func testFinishedShipmentShutsDown(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 5)
	sub := newSub(a, "YT0000000050")
	s.Subscribe(ctx, sub, t0)
	s.AppendEvents(ctx, "yuantong", "YT0000000050", []trackpush.Event{ev(1, "已揽收", trackpush.StatePickedUp)}, t0, lastState)
	now := t0.Add(time.Hour)
	s.AppendEvents(ctx, "yuantong", "YT0000000050", []trackpush.Event{ev(60, "已签收", trackpush.StateSignedSelf)}, now, lastState)
	got := mustSub(t, s, sub.ID)
	if got.Status != trackpush.StatusShutdown || got.EndedAt == nil || !got.EndedAt.Equal(now) || got.Push.EndVersion != got.Push.Version || got.Push.Version != 2 {
		t.Fatalf("signed: %+v", got)
	}
	j := claimOne(t, s, now)
	if trackpush.PushStatus(j.Sub) != trackpush.PushShutdown || j.Version != 2 {
		t.Fatalf("shutdown push: %s v%d", trackpush.PushStatus(j.Sub), j.Version)
	}
	complete(t, s, j, true, now)
	// Later events change nothing for an ended subscription.
	s.AppendEvents(ctx, "yuantong", "YT0000000050", []trackpush.Event{ev(90, "又一条", trackpush.StateSigned)}, now, lastState)
	claimNone(t, s, now.Add(time.Hour))
	if stale, _ := s.StaleSubscriptions(ctx, now.Add(365*24*time.Hour), 10); len(stale) != 0 {
		t.Fatal("an ended subscription is never stale")
	}
	wantCode(t, s.Subscribe(ctx, newSub(a, "YT0000000050"), now.Add(29*time.Minute)), trackpush.CodeDuplicate)
}

func testStaleSubscriptions(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 5)
	quiet := newSub(a, "YT0000000060")
	s.Subscribe(ctx, quiet, t0)
	active := newSub(a, "YT0000000061")
	s.Subscribe(ctx, active, t0)
	s.AppendEvents(ctx, "yuantong", "YT0000000061", []trackpush.Event{ev(1, "已揽收", trackpush.StatePickedUp)}, t0.Add(time.Hour), lastState)

	stale, err := s.StaleSubscriptions(ctx, t0.Add(trackpush.NoRecordAfter-time.Second), 10)
	if err != nil || len(stale) != 0 {
		t.Fatalf("before 3 days: %d %v", len(stale), err)
	}
	stale, _ = s.StaleSubscriptions(ctx, t0.Add(trackpush.NoRecordAfter), 10)
	if len(stale) != 1 || stale[0].Sub.ID != quiet.ID || !stale[0].NoRecord {
		t.Fatalf("at 3 days: %+v", stale)
	}
	now := t0.Add(trackpush.NoRecordAfter)
	if _, err := s.EndSubscription(ctx, trackpush.End{SubID: quiet.ID, Status: trackpush.StatusAbort, Message: trackpush.MessageNoRecord, AutoCheck: "0"}, now); err != nil {
		t.Fatal(err)
	}
	got := mustSub(t, s, quiet.ID)
	if got.Status != trackpush.StatusAbort || got.Message != trackpush.MessageNoRecord || !got.Push.Due(now) || got.Push.EndVersion != 1 {
		t.Fatalf("aborted: %+v", got)
	}
	// Ending twice does nothing.
	if _, err := s.EndSubscription(ctx, trackpush.End{SubID: quiet.ID, Status: trackpush.StatusShutdown}, now); err != nil {
		t.Fatal(err)
	}
	if got := mustSub(t, s, quiet.ID); got.Status != trackpush.StatusAbort || got.Push.Version != 1 {
		t.Fatalf("ended twice: %+v", got)
	}
	changed := t0.Add(time.Hour)
	stale, _ = s.StaleSubscriptions(ctx, changed.Add(trackpush.NoChangeAfter-time.Second), 10)
	if len(stale) != 0 {
		t.Fatalf("before 60 days: %+v", stale)
	}
	stale, _ = s.StaleSubscriptions(ctx, changed.Add(trackpush.NoChangeAfter), 10)
	if len(stale) != 1 || stale[0].Sub.ID != active.ID || stale[0].NoRecord {
		t.Fatalf("at 60 days: %+v", stale)
	}
	// A new event moves the 60 days on.
	s.AppendEvents(ctx, "yuantong", "YT0000000061", []trackpush.Event{ev(2000, "运输中", trackpush.StateInTransit)}, changed.Add(50*24*time.Hour), lastState)
	if stale, _ = s.StaleSubscriptions(ctx, changed.Add(trackpush.NoChangeAfter), 10); len(stale) != 0 {
		t.Fatalf("after a new event: %+v", stale)
	}
	_, err = s.EndSubscription(ctx, trackpush.End{SubID: 424242, Status: trackpush.StatusAbort}, now)
	wantCode(t, err, trackpush.CodeNotFound)
}

func testUpdateAll(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 5)
	sub := newSub(a, "YT0000000070")
	s.Subscribe(ctx, sub, t0)
	s.AppendEvents(ctx, "yuantong", "YT0000000070", []trackpush.Event{ev(1, "已揽收", trackpush.StatePickedUp)}, t0, lastState)
	complete(t, s, claimOne(t, s, t0), true, t0)
	if err := s.UpdateAll(ctx, sub.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	j := claimOne(t, s, t0.Add(time.Hour))
	if trackpush.PushStatus(j.Sub) != trackpush.PushUpdateAll || j.Version != 2 {
		t.Fatalf("updateall push: %s v%d", trackpush.PushStatus(j.Sub), j.Version)
	}
	complete(t, s, j, true, t0.Add(time.Hour))
	if got := mustSub(t, s, sub.ID); trackpush.PushStatus(got) != trackpush.PushPolling {
		t.Fatalf("after the updateall push: %s", trackpush.PushStatus(got))
	}
	wantCode(t, s.UpdateAll(ctx, 999999, t0), trackpush.CodeNotFound)
	var e *trackpush.Error
	if !errors.As(s.UpdateAll(ctx, 999999, t0), &e) {
		t.Fatal("not found must be a *trackpush.Error")
	}
}

func testClaimLimitAndOrder(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 50)
	for i := 0; i < 5; i++ {
		nu := fmt.Sprintf("YT00000001%02d", i)
		s.Subscribe(ctx, newSub(a, nu), t0)
		s.AppendEvents(ctx, "yuantong", nu, []trackpush.Event{ev(1, "已揽收", trackpush.StatePickedUp)}, t0.Add(time.Duration(5-i)*time.Second), lastState)
	}
	now := t0.Add(time.Minute)
	if busy, _ := s.ClaimPushes(ctx, now, time.Minute, 10, trackpush.Busy{Hosts: []string{"127.0.0.1:9"}}); len(busy) != 0 {
		t.Fatalf("claimed %d pushes to a busy host", len(busy))
	}
	if busy, _ := s.ClaimPushes(ctx, now, time.Minute, 10, trackpush.Busy{Accounts: []int64{a.ID}}); len(busy) != 0 {
		t.Fatalf("claimed %d pushes of a busy account", len(busy))
	}
	if busy, _ := s.ClaimPushes(ctx, now, time.Minute, 10, trackpush.Busy{Hosts: []string{"127.0.0.1:9"}, Accounts: []int64{a.ID + 1}}); len(busy) != 0 {
		t.Fatalf("claimed %d pushes to a busy host of another account", len(busy))
	}
	jobs, err := s.ClaimPushes(ctx, now, time.Minute, 3, trackpush.Busy{Hosts: []string{"other.example:80"}, Accounts: []int64{a.ID + 1}})
	if err != nil || len(jobs) != 3 {
		t.Fatalf("claim 3: %d %v", len(jobs), err)
	}
	// Oldest due first: the last appended became due first.
	if jobs[0].Sub.Nu != "YT0000000104" || jobs[1].Sub.Nu != "YT0000000103" {
		t.Fatalf("order: %s %s", jobs[0].Sub.Nu, jobs[1].Sub.Nu)
	}
	rest, _ := s.ClaimPushes(ctx, now, time.Minute, 10, trackpush.Busy{})
	if len(rest) != 2 {
		t.Fatalf("rest: %d", len(rest))
	}
	// Deferring releases without an attempt.
	j := rest[0]
	err = s.CompletePushes(ctx, []trackpush.PushOutcome{{SubID: j.Sub.ID, Version: j.Version, Claim: j.Claim, Deferred: true, DeferUntil: now.Add(time.Second)}}, now)
	if err != nil {
		t.Fatal(err)
	}
	claimNone(t, s, now)
	again := claimOne(t, s, now.Add(time.Second))
	if again.Sub.ID != j.Sub.ID || again.Attempt != 1 {
		t.Fatalf("after deferral: %+v", again)
	}
	if log, _ := s.Deliveries(ctx, j.Sub.ID, 10); len(log) != 0 {
		t.Fatal("a deferral is not an attempt")
	}
}

// testConcurrentWrites races subscriptions and events: each operation is
// all or nothing, whatever runs beside it.
func testConcurrentWrites(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 30)
	const numbers, tries = 20, 3
	var wg sync.WaitGroup
	var ok, dup, other atomic.Int64
	for i := 0; i < numbers*tries; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nu := fmt.Sprintf("YT8%011d", i%numbers)
			switch err := s.Subscribe(ctx, newSub(a, nu), t0); code(err) {
			case trackpush.CodeOK:
				ok.Add(1)
			case trackpush.CodeDuplicate:
				dup.Add(1)
			default:
				other.Add(1)
				t.Errorf("subscribe %s: %v", nu, err)
			}
			evs := []trackpush.Event{ev(i%5, fmt.Sprintf("扫描 %d", i%5), trackpush.StateInTransit)}
			if _, _, err := s.AppendEvents(ctx, "yuantong", nu, evs, t0, lastState); err != nil {
				t.Errorf("append %s: %v", nu, err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != numbers || dup.Load() != numbers*(tries-1) {
		t.Fatalf("accepted %d, duplicates %d, want %d and %d", ok.Load(), dup.Load(), numbers, numbers*(tries-1))
	}
	accs, _ := s.Accounts(ctx)
	if accs[0].Used != numbers {
		t.Fatalf("quota used %d, want %d", accs[0].Used, numbers)
	}
	for i := 0; i < numbers; i++ {
		nu := fmt.Sprintf("YT8%011d", i)
		h, evs, err := s.Shipment(ctx, "yuantong", nu)
		if err != nil || h == nil || len(evs) == 0 || h.EventCount != len(evs) {
			t.Fatalf("%s: %+v %d events %v", nu, h, len(evs), err)
		}
		seen := map[int64]bool{}
		for _, e := range evs {
			if seen[e.Seq] {
				t.Fatalf("%s: sequence %d twice", nu, e.Seq)
			}
			seen[e.Seq] = true
		}
	}
}

func testRedirect(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 1)
	old := newSub(a, "7700000000001")
	old.Com = "zhongtong"
	old.Phone = "1234"
	if err := s.Subscribe(ctx, old, t0); err != nil {
		t.Fatal(err)
	}
	// The right carrier already has events for the number.
	s.AppendEvents(ctx, "shentong", "7700000000001", []trackpush.Event{ev(1, "已揽收", trackpush.StatePickedUp)}, t0, lastState)
	now := t0.Add(trackpush.NoRecordAfter)
	// Not yet stale: nothing happens.
	if early, err := s.Redirect(ctx, old.ID, "shentong", true, now.Add(-time.Second)); err != nil || early != nil {
		t.Fatalf("redirected before 3 days: %+v %v", early, err)
	}
	n, err := s.Redirect(ctx, old.ID, "shentong", true, now)
	if err != nil || n == nil {
		t.Fatal(err)
	}
	got := mustSub(t, s, old.ID)
	if got.Status != trackpush.StatusAbort || got.Message != trackpush.MessageNoRecord || got.AutoCheck != "0" ||
		got.ComOld != "zhongtong" || got.ComNew != "shentong" || !got.Push.Due(now) {
		t.Fatalf("the old subscription: %+v", got)
	}
	if n.ID == 0 || n.ID == old.ID || n.Com != "shentong" || n.Nu != old.Nu || n.AutoCheck != "1" || n.ComOld != "zhongtong" ||
		n.ComNew != "shentong" || n.CallbackURL != old.CallbackURL || *n.Salt != "salt" || n.Level != old.Level || n.Phone != "1234" {
		t.Fatalf("the successor: %+v", n)
	}
	stored := mustSub(t, s, n.ID)
	if stored.AutoCheck != "1" || stored.ComOld != "zhongtong" || !stored.Push.Due(now) || stored.Status != trackpush.StatusPolling {
		t.Fatalf("the stored successor (its shipment has events, so it is due): %+v", stored)
	}
	// No quota was used (the account had exactly one).
	accs, _ := s.Accounts(ctx)
	if accs[0].Used != 1 {
		t.Fatalf("quota used %d, want 1", accs[0].Used)
	}
	// Redirecting an ended subscription does nothing.
	if again, err := s.Redirect(ctx, old.ID, "yunda", false, now); err != nil || again != nil {
		t.Fatalf("redirected an ended subscription: %+v %v", again, err)
	}
	// The successor is polled.
	jobs, err := s.ClaimPolls(ctx, nil, now, time.Minute, 10)
	if err != nil || len(jobs) != 1 || jobs[0].Com != "shentong" || jobs[0].Phone != "1234" {
		t.Fatalf("polls after redirect: %+v %v", jobs, err)
	}
	// The successor keeps its auto-check fields when it shuts down.
	s.AppendEvents(ctx, "shentong", "7700000000001", []trackpush.Event{ev(2, "已签收", trackpush.StateSigned)}, now, lastState)
	if done := mustSub(t, s, n.ID); done.Status != trackpush.StatusShutdown || done.AutoCheck != "1" || done.ComOld != "zhongtong" || done.ComNew != "shentong" {
		t.Fatalf("the successor's end: %+v", done)
	}
}

func testPolls(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 10)
	polled := newSub(a, "YT0000000080")
	polled.Polled = true
	s.Subscribe(ctx, polled, t0)
	s.Subscribe(ctx, newSub(a, "YT0000000081"), t0) // push-only
	jd := newSub(a, "JDVA00000000082")
	jd.Com, jd.Polled = "jd", true
	s.Subscribe(ctx, jd, t0)

	jobs, err := s.ClaimPolls(ctx, []string{"yuantong"}, t0, time.Minute, 10)
	if err != nil || len(jobs) != 1 || jobs[0].Nu != "YT0000000080" || jobs[0].EventCount != 0 {
		t.Fatalf("claim yuantong polls: %+v %v", jobs, err)
	}
	if again, _ := s.ClaimPolls(ctx, nil, t0, time.Minute, 10); len(again) != 1 || again[0].Com != "jd" {
		t.Fatalf("a claimed poll must not be claimed again: %+v", again)
	}
	if none, _ := s.ClaimPolls(ctx, []string{}, t0, time.Minute, 10); len(none) != 0 {
		t.Fatal("no carriers, no polls")
	}
	// A stale completion (wrong claim) changes nothing.
	if err := s.CompletePoll(ctx, trackpush.PollDone{ShipmentID: jobs[0].ShipmentID, Claim: jobs[0].Claim + 1, Next: t0.Add(time.Hour), At: t0}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimPolls(ctx, []string{"yuantong"}, t0.Add(30*time.Second), time.Minute, 10); len(got) != 0 {
		t.Fatal("a stale completion released the claim")
	}
	next := t0.Add(4 * time.Hour)
	if err := s.CompletePoll(ctx, trackpush.PollDone{ShipmentID: jobs[0].ShipmentID, Claim: jobs[0].Claim, Next: next, Errors: 2, At: t0}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimPolls(ctx, []string{"yuantong"}, next.Add(-time.Second), time.Minute, 10); len(got) != 0 {
		t.Fatal("polled before it was due")
	}
	got, _ := s.ClaimPolls(ctx, []string{"yuantong"}, next, time.Minute, 10)
	if len(got) != 1 || got[0].Errors != 2 {
		t.Fatalf("due again: %+v", got)
	}
	// A signed shipment is polled no more, even if the completion asks.
	s.AppendEvents(ctx, "yuantong", "YT0000000080", []trackpush.Event{ev(1, "已签收", trackpush.StateSigned)}, next, lastState)
	s.CompletePoll(ctx, trackpush.PollDone{ShipmentID: got[0].ShipmentID, Claim: got[0].Claim, Next: next.Add(time.Hour), At: next})
	if after, _ := s.ClaimPolls(ctx, []string{"yuantong"}, next.Add(48*time.Hour), time.Minute, 10); len(after) != 0 {
		t.Fatalf("a finished shipment is still polled: %+v", after)
	}
	// When its last subscription ends, a shipment is polled no more — even
	// when a poll was in flight and completes afterwards.
	inflight, _ := s.ClaimPolls(ctx, []string{"jd"}, t0.Add(2*time.Minute), time.Minute, 10)
	if len(inflight) != 1 {
		t.Fatalf("jd poll: %+v", inflight)
	}
	if _, err := s.EndSubscription(ctx, trackpush.End{SubID: jd.ID, Status: trackpush.StatusAbort, Message: trackpush.MessageNoRecord}, t0); err != nil {
		t.Fatal(err)
	}
	s.CompletePoll(ctx, trackpush.PollDone{ShipmentID: inflight[0].ShipmentID, Claim: inflight[0].Claim, Next: t0.Add(30 * time.Minute), At: t0})
	if after, _ := s.ClaimPolls(ctx, nil, next.Add(48*time.Hour), time.Minute, 10); len(after) != 0 {
		t.Fatalf("an unfollowed shipment is still polled: %+v", after)
	}
}

func testBlobs(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	if b, err := s.LoadBlob(ctx, "x"); err != nil || b != nil {
		t.Fatalf("unknown blob: %q %v", b, err)
	}
	for _, v := range []string{"first", "second"} {
		if err := s.SaveBlob(ctx, "x", []byte(v)); err != nil {
			t.Fatal(err)
		}
		if b, err := s.LoadBlob(ctx, "x"); err != nil || string(b) != v {
			t.Fatalf("blob: %q %v", b, err)
		}
	}
	// The sealed key round-trips with the account.
	a := &trackpush.Account{Name: "sealed", AppCode: "sealed-app", Key: "sealed-key", Quota: 1, SealedKey: []byte{1, 2, 3}}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindAccount(ctx, "sealed-app", "")
	if err != nil || string(got.SealedKey) != "\x01\x02\x03" {
		t.Fatalf("sealed key: %v %v", got, err)
	}
}

// testStaleEndRace: a subscription found stale whose first event arrives
// before it is ended is not aborted (nor redirected).
func testStaleEndRace(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 5)
	sub := newSub(a, "YT0000000090")
	s.Subscribe(ctx, sub, t0)
	now := t0.Add(trackpush.NoRecordAfter)
	stale, _ := s.StaleSubscriptions(ctx, now, 10)
	if len(stale) != 1 {
		t.Fatalf("stale: %d", len(stale))
	}
	s.AppendEvents(ctx, "yuantong", "YT0000000090", []trackpush.Event{ev(1, "已揽收", trackpush.StatePickedUp)}, now, lastState)
	end := trackpush.End{SubID: sub.ID, Status: trackpush.StatusAbort, Message: trackpush.MessageNoRecord, IfStale: true}
	if ok, err := s.EndSubscription(ctx, end, now); err != nil || ok {
		t.Fatalf("ended a subscription that got an event: %v %v", ok, err)
	}
	if n, err := s.Redirect(ctx, sub.ID, "shentong", false, now); err != nil || n != nil {
		t.Fatalf("redirected a subscription that got an event: %+v %v", n, err)
	}
	if got := mustSub(t, s, sub.ID); got.Status != trackpush.StatusPolling {
		t.Fatalf("status %s", got.Status)
	}
	// Without IfStale an end is unconditional.
	if ok, err := s.EndSubscription(ctx, trackpush.End{SubID: sub.ID, Status: trackpush.StatusAbort, Message: "operator"}, now); err != nil || !ok {
		t.Fatalf("unconditional end: %v %v", ok, err)
	}
}

// testSubscribeToSignedShipment: subscribing to a shipment that is already
// signed gives one shutdown push with the whole trajectory.
func testSubscribeToSignedShipment(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	s.AppendEvents(ctx, "yuantong", "YT0000000091", []trackpush.Event{
		ev(1, "已揽收", trackpush.StatePickedUp), ev(90, "已签收", trackpush.StateSignedSelf)}, t0, lastState)
	a := newAccount(t, s, 5)
	sub := newSub(a, "YT0000000091")
	now := t0.Add(time.Hour)
	if err := s.Subscribe(ctx, sub, now); err != nil {
		t.Fatal(err)
	}
	got := mustSub(t, s, sub.ID)
	if got.Status != trackpush.StatusShutdown || got.EndedAt == nil || !got.Push.Due(now) || got.Push.EndVersion != got.Push.Version {
		t.Fatalf("subscription to a signed shipment: %+v", got)
	}
	j := claimOne(t, s, now)
	if trackpush.PushStatus(j.Sub) != trackpush.PushShutdown || len(j.Events) != 2 {
		t.Fatalf("push %s with %d events", trackpush.PushStatus(j.Sub), len(j.Events))
	}
	complete(t, s, j, true, now)
	claimNone(t, s, now.Add(90*24*time.Hour))
	if stale, _ := s.StaleSubscriptions(ctx, now.Add(90*24*time.Hour), 10); len(stale) != 0 {
		t.Fatal("a shut-down subscription was found stale")
	}
}

func testTrailTokens(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 5)
	withLink := newSub(a, "7700000000002")
	withLink.Com, withLink.Phone = "zhongtong", "1234"
	withLink.TrailToken = trackpush.NewTrailToken()
	if err := s.Subscribe(ctx, withLink, t0); err != nil {
		t.Fatal(err)
	}
	classic := newSub(a, "YT0000000900") // the classic /poll: no link
	if err := s.Subscribe(ctx, classic, t0); err != nil {
		t.Fatal(err)
	}
	got, err := s.SubscriptionByToken(ctx, withLink.TrailToken)
	if err != nil || got.ID != withLink.ID || got.TrailToken != withLink.TrailToken {
		t.Fatalf("by token: %+v %v", got, err)
	}
	if c := mustSub(t, s, classic.ID); c.TrailToken != "" {
		t.Fatalf("a subscription without a link got %q", c.TrailToken)
	}
	for _, tok := range []string{"", trackpush.NewTrailToken()} {
		_, err := s.SubscriptionByToken(ctx, tok)
		wantCode(t, err, trackpush.CodeNotFound)
	}
	// The auto-check's successor takes the link over.
	n, err := s.Redirect(ctx, withLink.ID, "shentong", false, t0.Add(trackpush.NoRecordAfter))
	if err != nil || n == nil {
		t.Fatalf("redirect: %+v %v", n, err)
	}
	got, err = s.SubscriptionByToken(ctx, withLink.TrailToken)
	if err != nil || got.ID != n.ID || got.Com != "shentong" || n.TrailToken != withLink.TrailToken {
		t.Fatalf("after redirect the link names %+v %v, want the successor %d", got, err, n.ID)
	}
	if old := mustSub(t, s, withLink.ID); old.TrailToken != "" {
		t.Fatalf("the ended subscription kept the link %q", old.TrailToken)
	}
	// Tokens are unique.
	dup := newSub(a, "YT0000000901")
	dup.TrailToken = withLink.TrailToken
	if err := s.Subscribe(ctx, dup, t0); err == nil {
		t.Fatal("a token given twice was accepted")
	}
}

func testSearchSubscriptions(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 20)
	b := newAccount(t, s, 20)
	var ids []int64
	for i := range 6 {
		acct := a
		if i%2 == 1 {
			acct = b
		}
		sub := newSub(acct, fmt.Sprintf("YT00000010%02d", i%3))
		if i >= 3 {
			sub.Com = "zhongtong"
			sub.Phone = "1234"
		}
		if err := s.Subscribe(ctx, sub, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sub.ID)
	}
	if _, err := s.EndSubscription(ctx, trackpush.End{SubID: ids[4], Status: trackpush.StatusAbort, Message: trackpush.MessageStopped}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	idsOf := func(subs []*trackpush.Subscription) []int64 {
		out := []int64{}
		for _, s := range subs {
			out = append(out, s.ID)
		}
		return out
	}
	cases := []struct {
		name string
		q    trackpush.SubscriptionQuery
		want []int64
	}{
		{"all, newest first", trackpush.SubscriptionQuery{}, []int64{ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{"number", trackpush.SubscriptionQuery{Nu: "YT0000001001"}, []int64{ids[4], ids[1]}},
		{"number and company", trackpush.SubscriptionQuery{Nu: "YT0000001001", Com: "yuantong"}, []int64{ids[1]}},
		{"account", trackpush.SubscriptionQuery{AccountID: a.ID}, []int64{ids[4], ids[2], ids[0]}},
		{"status", trackpush.SubscriptionQuery{Status: trackpush.StatusAbort}, []int64{ids[4]}},
		{"company and status", trackpush.SubscriptionQuery{Com: "zhongtong", Status: trackpush.StatusPolling}, []int64{ids[5], ids[3]}},
		{"first page", trackpush.SubscriptionQuery{Limit: 2}, []int64{ids[5], ids[4]}},
		{"next page", trackpush.SubscriptionQuery{Limit: 2, Before: ids[4]}, []int64{ids[3], ids[2]}},
		{"last page", trackpush.SubscriptionQuery{Limit: 2, Before: ids[2]}, []int64{ids[1], ids[0]}},
		{"past the end", trackpush.SubscriptionQuery{Limit: 2, Before: ids[0]}, []int64{}},
		{"nothing matches", trackpush.SubscriptionQuery{Nu: "nope"}, []int64{}},
	}
	for _, c := range cases {
		got, err := s.SearchSubscriptions(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if fmt.Sprint(idsOf(got)) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, idsOf(got), c.want)
		}
	}
	got, _ := s.SearchSubscriptions(ctx, trackpush.SubscriptionQuery{Nu: "YT0000001001", Com: "zhongtong"})
	if len(got) != 1 || got[0].Status != trackpush.StatusAbort || got[0].Message != trackpush.MessageStopped || got[0].CallbackURL == "" {
		t.Fatalf("search returns whole subscriptions: %+v", got)
	}
}

func testUpdateAccountAndRotateKey(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 1)
	if err := s.Subscribe(ctx, newSub(a, "YT0000002001"), t0); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.Subscribe(ctx, newSub(a, "YT0000002002"), t0), trackpush.CodeUnauthorized) // no quota left
	quota, name := 3, "renamed"
	exp := t0.Add(24 * time.Hour)
	got, err := s.UpdateAccount(ctx, a.ID, trackpush.AccountUpdate{Quota: &quota, Name: &name, ExpiresAt: &exp})
	if err != nil || got.Quota != 3 || got.Used != 1 || got.Name != "renamed" || got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) {
		t.Fatalf("update: %+v %v", got, err)
	}
	if err := s.Subscribe(ctx, newSub(a, "YT0000002002"), t0); err != nil {
		t.Fatalf("after raising the quota: %v", err)
	}
	_, err = trackpush.Authenticate(ctx, s, "", a.Key, exp, false)
	wantCode(t, err, trackpush.CodeExpired)
	disabled := true
	got, err = s.UpdateAccount(ctx, a.ID, trackpush.AccountUpdate{ClearExpiry: true, Disabled: &disabled})
	if err != nil || got.ExpiresAt != nil || !got.Disabled || got.Quota != 3 || got.Name != "renamed" {
		t.Fatalf("clear expiry, disable: %+v %v", got, err)
	}
	_, err = s.UpdateAccount(ctx, 999999, trackpush.AccountUpdate{Quota: &quota})
	wantCode(t, err, trackpush.CodeNotFound)
	disabled = false
	s.UpdateAccount(ctx, a.ID, trackpush.AccountUpdate{Disabled: &disabled})

	// Rotate: the old key stops working at once, the AppCode keeps working.
	if err := s.RotateKey(ctx, a.ID, "new-key-"+a.Key, "new-ke", []byte("sealed")); err != nil {
		t.Fatal(err)
	}
	_, err = trackpush.Authenticate(ctx, s, "", a.Key, t0, false)
	wantCode(t, err, trackpush.CodeUnauthorized)
	acct, err := trackpush.Authenticate(ctx, s, "", "new-key-"+a.Key, t0, false)
	if err != nil || acct.ID != a.ID || acct.KeyPrefix != "new-ke" || string(acct.SealedKey) != "sealed" {
		t.Fatalf("new key: %+v %v", acct, err)
	}
	if acct, err := trackpush.Authenticate(ctx, s, a.AppCode, "new-key-"+a.Key, t0, false); err != nil || acct.ID != a.ID {
		t.Fatalf("appcode with the new key: %v", err)
	}
	wantCode(t, s.RotateKey(ctx, 999999, "k", "k", nil), trackpush.CodeNotFound)
}

func testTemplates(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	if list, err := s.Templates(ctx); err != nil || len(list) != 0 {
		t.Fatalf("templates of an empty store: %v %v", list, err)
	}
	tpl := trackpush.DefaultTemplate()
	tpl.Key, tpl.Name, tpl.Title, tpl.RouteColor = "shop-a", "Shop A", "Shop A 物流", "#ff0000"
	tpl.Texts = map[string]string{"eta": "预计送达"}
	if err := s.CreateTemplate(ctx, tpl, t0); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateTemplate(ctx, tpl, t0), trackpush.CodeDuplicate)
	got, err := s.Template(ctx, "shop-a")
	if err != nil || got.Title != "Shop A 物流" || got.RouteColor != "#ff0000" || got.Texts["eta"] != "预计送达" || !got.ShowETA ||
		!got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0) {
		t.Fatalf("template: %+v %v", got, err)
	}
	got.Title, got.ShowTimeline = "changed", false
	if err := s.UpdateTemplate(ctx, got, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	again, _ := s.Template(ctx, "shop-a")
	if again.Title != "changed" || again.ShowTimeline || !again.CreatedAt.Equal(t0) || !again.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("updated: %+v", again)
	}
	other := trackpush.DefaultTemplate()
	other.Key = "a-first"
	if err := s.CreateTemplate(ctx, other, t0); err != nil {
		t.Fatal(err)
	}
	list, err := s.Templates(ctx)
	if err != nil || len(list) != 2 || list[0].Key != "a-first" || list[1].Key != "shop-a" {
		t.Fatalf("list: %v %v", list, err)
	}
	missing := trackpush.DefaultTemplate()
	missing.Key = "nope"
	wantCode(t, s.UpdateTemplate(ctx, missing, t0), trackpush.CodeNotFound)
	if err := s.DeleteTemplate(ctx, "shop-a"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Template(ctx, "shop-a")
	wantCode(t, err, trackpush.CodeNotFound)
	wantCode(t, s.DeleteTemplate(ctx, "shop-a"), trackpush.CodeNotFound)
}

// testPushKeys: carrier push keys are kept per carrier, recorded once
// (the first time stays), and forgotten after PushKeyRetention.
func testPushKeys(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	seen := func(carrier string, keys ...string) map[string]bool {
		t.Helper()
		m, err := s.SeenPushKeys(ctx, carrier, keys)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := seen("sf", "a", "b"); len(m) != 0 {
		t.Fatalf("nothing recorded yet: %v", m)
	}
	if m := seen("sf"); len(m) != 0 {
		t.Fatalf("no keys: %v", m)
	}
	if err := s.RecordPushKeys(ctx, "sf", []string{"a", "b", "b"}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordPushKeys(ctx, "sto", []string{"a"}, t0); err != nil {
		t.Fatal(err)
	}
	if m := seen("sf", "a", "b", "c"); len(m) != 2 || !m["a"] || !m["b"] || m["c"] {
		t.Fatalf("sf: %v", m)
	}
	if m := seen("zto", "a"); len(m) != 0 {
		t.Fatalf("another carrier's keys: %v", m)
	}
	// Keys with odd characters and many at once (one statement).
	odd := []string{`73100000000001|2024-01-02 03:04:05|签收`, "'; DROP TABLE x; --", `"quoted"`}
	var many []string
	for i := 0; i < 500; i++ {
		many = append(many, fmt.Sprintf("k%03d", i))
	}
	if err := s.RecordPushKeys(ctx, "zto", append(odd, many...), t0); err != nil {
		t.Fatal(err)
	}
	if m := seen("zto", append(odd, many...)...); len(m) != 503 {
		t.Fatalf("zto: %d keys seen, want 503", len(m))
	}
	// Re-recording keeps the first time: "a" is forgotten PushKeyRetention
	// after t0 even though it was recorded again later.
	if err := s.RecordPushKeys(ctx, "sf", []string{"a", "c"}, t0.Add(trackpush.PushKeyRetention-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordPushKeys(ctx, "sf", nil, t0.Add(trackpush.PushKeyRetention+time.Minute)); err != nil {
		t.Fatal(err)
	}
	if m := seen("sf", "a", "b", "c"); len(m) != 1 || !m["c"] {
		t.Fatalf("after the retention: %v", m)
	}
	// Forgetting is per carrier: sto's "a" of t0 stays until sto records.
	if m := seen("sto", "a"); !m["a"] {
		t.Fatalf("sto forgot with sf: %v", m)
	}
}

// testSettleLockers: a shipment left at a locker (501) with no event for
// the wait becomes signed there (304) and its live subscriptions end with
// one shutdown push; one that moved on, or changed since, is left alone.
func testSettleLockers(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	a := newAccount(t, s, 5)
	atLocker := newSub(a, "YT0000003001")
	movedOn := newSub(a, "YT0000003002")
	later := newSub(a, "YT0000003003")
	for _, sub := range []*trackpush.Subscription{atLocker, movedOn, later} {
		if err := s.Subscribe(ctx, sub, t0); err != nil {
			t.Fatal(err)
		}
	}
	append := func(nu string, at time.Time, evs ...trackpush.Event) {
		t.Helper()
		if _, _, err := s.AppendEvents(ctx, "yuantong", nu, evs, at, lastState); err != nil {
			t.Fatal(err)
		}
	}
	locker := ev(10, "快件已放入【文三路丰巢智能柜】，请凭取件码及时取件", trackpush.StateAtLocker)
	append("YT0000003001", t0, locker)
	append("YT0000003002", t0, locker, ev(20, "已取件", trackpush.StateSignedAtLocker))
	append("YT0000003003", t0.Add(24*time.Hour), locker)
	// Push what is due, so that the settling's push is the only one left.
	jobs, err := s.ClaimPushes(ctx, t0.Add(24*time.Hour), time.Minute, 10, trackpush.Busy{})
	if err != nil || len(jobs) != 3 {
		t.Fatalf("claimed %d, %v", len(jobs), err)
	}
	for _, j := range jobs {
		complete(t, s, j, true, t0.Add(24*time.Hour))
	}

	wait := 72 * time.Hour
	early := t0.Add(wait - time.Hour)
	if n, err := s.SettleLockers(ctx, early.Add(-wait), early, 10); err != nil || n != 0 {
		t.Fatalf("before the wait: settled %d, %v", n, err)
	}
	now := t0.Add(wait + time.Hour)
	if n, err := s.SettleLockers(ctx, now.Add(-wait), now, 10); err != nil || n != 1 {
		t.Fatalf("after the wait: settled %d, %v", n, err)
	}
	h, _, err := s.Shipment(ctx, "yuantong", "YT0000003001")
	if err != nil || h.Summary.State != trackpush.StateSignedAtLocker || !h.Summary.Signed || !h.Summary.Finished {
		t.Fatalf("settled shipment: %+v %v", h, err)
	}
	sub := mustSub(t, s, atLocker.ID)
	if sub.Status != trackpush.StatusShutdown || !sub.Push.Due(now) || trackpush.PushStatus(sub) != trackpush.PushShutdown {
		t.Fatalf("settled subscription: %+v", sub)
	}
	if sub := mustSub(t, s, later.ID); sub.Status != trackpush.StatusPolling {
		t.Fatalf("a parcel at the locker for a shorter time was settled: %+v", sub)
	}
	if h, _, _ := s.Shipment(ctx, "yuantong", "YT0000003002"); h.Summary.State != trackpush.StateSignedAtLocker {
		t.Fatalf("a parcel taken from the locker: %+v", h.Summary)
	}
	if n, err := s.SettleLockers(ctx, now.Add(-wait), now, 10); err != nil || n != 0 {
		t.Fatalf("settled twice: %d, %v", n, err)
	}
	// The shutdown is pushed once, like any end.
	j := claimOne(t, s, now)
	if j.Sub.ID != atLocker.ID || !j.Shipment.Summary.Signed {
		t.Fatalf("claimed %+v", j.Sub)
	}
	complete(t, s, j, true, now)
	claimNone(t, s, now)
}

func testStats(t *testing.T, s trackpush.Store) {
	ctx := context.Background()
	stats := func(now time.Time) trackpush.Stats {
		t.Helper()
		st, err := s.Stats(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := stats(t0); len(st.Subscriptions) != 0 || st.Due != 0 || !st.OldestDue.IsZero() {
		t.Fatalf("empty store: %+v", st)
	}
	a := newAccount(t, s, 10)
	subs := map[string]*trackpush.Subscription{}
	for _, nu := range []string{"YT0000000301", "YT0000000302", "YT0000000303"} {
		subs[nu] = newSub(a, nu)
		if err := s.Subscribe(ctx, subs[nu], t0); err != nil {
			t.Fatal(err)
		}
	}
	t1, t2 := t0.Add(time.Hour), t0.Add(2*time.Hour)
	if _, _, err := s.AppendEvents(ctx, "yuantong", "YT0000000301", []trackpush.Event{ev(10, "已揽收", trackpush.StatePickedUp)}, t1, lastState); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EndSubscription(ctx, trackpush.End{SubID: subs["YT0000000303"].ID, Status: trackpush.StatusAbort, Message: trackpush.MessageNoRecord}, t2); err != nil {
		t.Fatal(err)
	}
	st := stats(t1)
	if st.Subscriptions[trackpush.StatusPolling] != 2 || st.Subscriptions[trackpush.StatusAbort] != 1 || st.Due != 1 || !st.OldestDue.Equal(t1) {
		t.Fatalf("at t1: %+v", st)
	}
	if st := stats(t2); st.Due != 2 || !st.OldestDue.Equal(t1) {
		t.Fatalf("at t2: %+v", st)
	}
	// A push in flight is still due; delivered, it is not.
	jobs, err := s.ClaimPushes(ctx, t2, time.Minute, 1, trackpush.Busy{})
	if err != nil || len(jobs) != 1 || jobs[0].Sub.Nu != "YT0000000301" {
		t.Fatalf("claim: %v %v", jobs, err)
	}
	if st := stats(t2); st.Due != 2 {
		t.Fatalf("with a push in flight: %+v", st)
	}
	complete(t, s, jobs[0], true, t2)
	if st := stats(t2); st.Due != 1 || !st.OldestDue.Equal(t2) {
		t.Fatalf("after the push: %+v", st)
	}
}
