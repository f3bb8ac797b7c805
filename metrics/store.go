package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trackpush/trackpush"
)

// Store is a trackpush.Store that times every operation of the store it
// wraps (trackpush_store_operation_duration_seconds{op, result}). A domain
// answer (a *trackpush.Error: a duplicate, an unknown id) is a result
// "ok"; "error" is a failure of the store itself. Methods added to the
// interface later pass through the embedded store untimed until they are
// listed here.
type Store struct {
	trackpush.Store
	ops map[string][2]prometheus.Observer // by op: ok, error
}

// InstrumentStore wraps s.
func (m *Metrics) InstrumentStore(s trackpush.Store) *Store {
	st := &Store{Store: s, ops: map[string][2]prometheus.Observer{}}
	for _, op := range []string{"create_account", "accounts", "find_account", "set_account_disabled", "subscribe", "redirect",
		"subscription", "update_all", "shipment", "append_events", "claim_pushes", "complete_pushes", "next_push_at",
		"deliveries", "stale_subscriptions", "end_subscription", "claim_polls", "complete_poll", "stats", "load_blob", "save_blob",
		"update_account", "rotate_key", "create_template", "update_template", "template", "templates", "delete_template",
		"subscription_by_token", "search_subscriptions", "settle_lockers", "seen_push_keys", "record_push_keys",
		"places", "route_counts", "append_events_digest"} {
		st.ops[op] = [2]prometheus.Observer{m.storeLatency.WithLabelValues(op, "ok"), m.storeLatency.WithLabelValues(op, "error")}
	}
	return st
}

// done records an operation that started at start and ended with err.
func (s *Store) done(op string, start time.Time, err error) {
	var e *trackpush.Error
	i := 0
	if err != nil && !errors.As(err, &e) {
		i = 1
	}
	s.ops[op][i].Observe(time.Since(start).Seconds())
}

// CreateAccount implements trackpush.Store, timed.
func (s *Store) CreateAccount(ctx context.Context, a *trackpush.Account) error {
	start := time.Now()
	err := s.Store.CreateAccount(ctx, a)
	s.done("create_account", start, err)
	return err
}

// Accounts implements trackpush.Store, timed.
func (s *Store) Accounts(ctx context.Context) ([]*trackpush.Account, error) {
	start := time.Now()
	r0, err := s.Store.Accounts(ctx)
	s.done("accounts", start, err)
	return r0, err
}

// FindAccount implements trackpush.Store, timed.
func (s *Store) FindAccount(ctx context.Context, appCode, key string) (*trackpush.Account, error) {
	start := time.Now()
	r0, err := s.Store.FindAccount(ctx, appCode, key)
	s.done("find_account", start, err)
	return r0, err
}

// SetAccountDisabled implements trackpush.Store, timed.
func (s *Store) SetAccountDisabled(ctx context.Context, id int64, disabled bool) error {
	start := time.Now()
	err := s.Store.SetAccountDisabled(ctx, id, disabled)
	s.done("set_account_disabled", start, err)
	return err
}

// Subscribe implements trackpush.Store, timed.
func (s *Store) Subscribe(ctx context.Context, sub *trackpush.Subscription, now time.Time) error {
	start := time.Now()
	err := s.Store.Subscribe(ctx, sub, now)
	s.done("subscribe", start, err)
	return err
}

// Redirect implements trackpush.Store, timed.
func (s *Store) Redirect(ctx context.Context, id int64, com string, polled bool, now time.Time) (*trackpush.Subscription, error) {
	start := time.Now()
	r0, err := s.Store.Redirect(ctx, id, com, polled, now)
	s.done("redirect", start, err)
	return r0, err
}

// Subscription implements trackpush.Store, timed.
func (s *Store) Subscription(ctx context.Context, id int64) (*trackpush.Subscription, error) {
	start := time.Now()
	r0, err := s.Store.Subscription(ctx, id)
	s.done("subscription", start, err)
	return r0, err
}

// UpdateAll implements trackpush.Store, timed.
func (s *Store) UpdateAll(ctx context.Context, id int64, now time.Time) error {
	start := time.Now()
	err := s.Store.UpdateAll(ctx, id, now)
	s.done("update_all", start, err)
	return err
}

// Shipment implements trackpush.Store, timed.
func (s *Store) Shipment(ctx context.Context, com, nu string) (*trackpush.Shipment, []trackpush.Event, error) {
	start := time.Now()
	r0, r1, err := s.Store.Shipment(ctx, com, nu)
	s.done("shipment", start, err)
	return r0, r1, err
}

// AppendEvents implements trackpush.Store, timed.
func (s *Store) AppendEvents(ctx context.Context, com, nu string, events []trackpush.Event, now time.Time, summarize func([]trackpush.Event) trackpush.Summary) (int, int, error) {
	start := time.Now()
	r0, r1, err := s.Store.AppendEvents(ctx, com, nu, events, now, summarize)
	s.done("append_events", start, err)
	return r0, r1, err
}

// ClaimPushes implements trackpush.Store, timed.
func (s *Store) ClaimPushes(ctx context.Context, now time.Time, lease time.Duration, limit int, busy trackpush.Busy) ([]*trackpush.PushJob, error) {
	start := time.Now()
	r0, err := s.Store.ClaimPushes(ctx, now, lease, limit, busy)
	s.done("claim_pushes", start, err)
	return r0, err
}

// CompletePushes implements trackpush.Store, timed.
func (s *Store) CompletePushes(ctx context.Context, outcomes []trackpush.PushOutcome, now time.Time) error {
	start := time.Now()
	err := s.Store.CompletePushes(ctx, outcomes, now)
	s.done("complete_pushes", start, err)
	return err
}

// NextPushAt implements trackpush.Store, timed.
func (s *Store) NextPushAt(ctx context.Context) (time.Time, bool, error) {
	start := time.Now()
	r0, r1, err := s.Store.NextPushAt(ctx)
	s.done("next_push_at", start, err)
	return r0, r1, err
}

// Deliveries implements trackpush.Store, timed.
func (s *Store) Deliveries(ctx context.Context, subID int64, limit int) ([]trackpush.Delivery, error) {
	start := time.Now()
	r0, err := s.Store.Deliveries(ctx, subID, limit)
	s.done("deliveries", start, err)
	return r0, err
}

// StaleSubscriptions implements trackpush.Store, timed.
func (s *Store) StaleSubscriptions(ctx context.Context, now time.Time, limit int) ([]trackpush.Stale, error) {
	start := time.Now()
	r0, err := s.Store.StaleSubscriptions(ctx, now, limit)
	s.done("stale_subscriptions", start, err)
	return r0, err
}

// EndSubscription implements trackpush.Store, timed.
func (s *Store) EndSubscription(ctx context.Context, end trackpush.End, now time.Time) (bool, error) {
	start := time.Now()
	r0, err := s.Store.EndSubscription(ctx, end, now)
	s.done("end_subscription", start, err)
	return r0, err
}

// ClaimPolls implements trackpush.Store, timed.
func (s *Store) ClaimPolls(ctx context.Context, coms []string, now time.Time, lease time.Duration, limit int) ([]trackpush.PollJob, error) {
	start := time.Now()
	r0, err := s.Store.ClaimPolls(ctx, coms, now, lease, limit)
	s.done("claim_polls", start, err)
	return r0, err
}

// CompletePoll implements trackpush.Store, timed.
func (s *Store) CompletePoll(ctx context.Context, done trackpush.PollDone) error {
	start := time.Now()
	err := s.Store.CompletePoll(ctx, done)
	s.done("complete_poll", start, err)
	return err
}

// Stats implements trackpush.Store, timed.
func (s *Store) Stats(ctx context.Context, now time.Time) (trackpush.Stats, error) {
	start := time.Now()
	r0, err := s.Store.Stats(ctx, now)
	s.done("stats", start, err)
	return r0, err
}

// LoadBlob implements trackpush.Store, timed.
func (s *Store) LoadBlob(ctx context.Context, name string) ([]byte, error) {
	start := time.Now()
	r0, err := s.Store.LoadBlob(ctx, name)
	s.done("load_blob", start, err)
	return r0, err
}

// SaveBlob implements trackpush.Store, timed.
func (s *Store) SaveBlob(ctx context.Context, name string, data []byte) error {
	start := time.Now()
	err := s.Store.SaveBlob(ctx, name, data)
	s.done("save_blob", start, err)
	return err
}

// UpdateAccount implements trackpush.Store, timed.
func (s *Store) UpdateAccount(ctx context.Context, id int64, u trackpush.AccountUpdate) (*trackpush.Account, error) {
	start := time.Now()
	r0, err := s.Store.UpdateAccount(ctx, id, u)
	s.done("update_account", start, err)
	return r0, err
}

// RotateKey implements trackpush.Store, timed.
func (s *Store) RotateKey(ctx context.Context, id int64, key, keyPrefix string, sealed []byte) error {
	start := time.Now()
	err := s.Store.RotateKey(ctx, id, key, keyPrefix, sealed)
	s.done("rotate_key", start, err)
	return err
}

// CreateTemplate implements trackpush.Store, timed.
func (s *Store) CreateTemplate(ctx context.Context, t *trackpush.MapTemplate, now time.Time) error {
	start := time.Now()
	err := s.Store.CreateTemplate(ctx, t, now)
	s.done("create_template", start, err)
	return err
}

// UpdateTemplate implements trackpush.Store, timed.
func (s *Store) UpdateTemplate(ctx context.Context, t *trackpush.MapTemplate, now time.Time) error {
	start := time.Now()
	err := s.Store.UpdateTemplate(ctx, t, now)
	s.done("update_template", start, err)
	return err
}

// Template implements trackpush.Store, timed.
func (s *Store) Template(ctx context.Context, key string) (*trackpush.MapTemplate, error) {
	start := time.Now()
	r0, err := s.Store.Template(ctx, key)
	s.done("template", start, err)
	return r0, err
}

// Templates implements trackpush.Store, timed.
func (s *Store) Templates(ctx context.Context) ([]*trackpush.MapTemplate, error) {
	start := time.Now()
	r0, err := s.Store.Templates(ctx)
	s.done("templates", start, err)
	return r0, err
}

// DeleteTemplate implements trackpush.Store, timed.
func (s *Store) DeleteTemplate(ctx context.Context, key string) error {
	start := time.Now()
	err := s.Store.DeleteTemplate(ctx, key)
	s.done("delete_template", start, err)
	return err
}

// SubscriptionByToken implements trackpush.Store, timed.
func (s *Store) SubscriptionByToken(ctx context.Context, token string) (*trackpush.Subscription, error) {
	start := time.Now()
	r0, err := s.Store.SubscriptionByToken(ctx, token)
	s.done("subscription_by_token", start, err)
	return r0, err
}

// SearchSubscriptions implements trackpush.Store, timed.
func (s *Store) SearchSubscriptions(ctx context.Context, q trackpush.SubscriptionQuery) ([]*trackpush.Subscription, error) {
	start := time.Now()
	r0, err := s.Store.SearchSubscriptions(ctx, q)
	s.done("search_subscriptions", start, err)
	return r0, err
}

// SettleLockers implements trackpush.Store, timed.
func (s *Store) SettleLockers(ctx context.Context, before, now time.Time, limit int) (int, error) {
	start := time.Now()
	r0, err := s.Store.SettleLockers(ctx, before, now, limit)
	s.done("settle_lockers", start, err)
	return r0, err
}

// SeenPushKeys implements trackpush.Store, timed.
func (s *Store) SeenPushKeys(ctx context.Context, carrier string, keys []string) (map[string]bool, error) {
	start := time.Now()
	r0, err := s.Store.SeenPushKeys(ctx, carrier, keys)
	s.done("seen_push_keys", start, err)
	return r0, err
}

// RecordPushKeys implements trackpush.Store, timed.
func (s *Store) RecordPushKeys(ctx context.Context, carrier string, keys []string, now time.Time) error {
	start := time.Now()
	err := s.Store.RecordPushKeys(ctx, carrier, keys, now)
	s.done("record_push_keys", start, err)
	return err
}

// Places implements trackpush.Store, timed.
func (s *Store) Places(ctx context.Context, since time.Time) ([]trackpush.Place, error) {
	start := time.Now()
	r0, err := s.Store.Places(ctx, since)
	s.done("places", start, err)
	return r0, err
}

// RouteCounts implements trackpush.Store, timed.
func (s *Store) RouteCounts(ctx context.Context, since time.Time) ([]trackpush.RouteCount, error) {
	start := time.Now()
	r0, err := s.Store.RouteCounts(ctx, since)
	s.done("route_counts", start, err)
	return r0, err
}

// AppendEventsDigest implements trackpush.Store, timed.
func (s *Store) AppendEventsDigest(ctx context.Context, com, nu string, events []trackpush.Event, now time.Time, digest trackpush.DigestFunc) (int, int, error) {
	start := time.Now()
	a, d, err := s.Store.AppendEventsDigest(ctx, com, nu, events, now, digest)
	s.done("append_events_digest", start, err)
	return a, d, err
}
