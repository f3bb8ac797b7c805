package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trackpush/trackpush"
)

// claimPushes takes the due subscriptions, oldest due first, that no other
// transaction holds (SKIP LOCKED: two nodes never wait for, nor take, the
// same rows) and gives each a lease and a new claim token, in one
// statement. The ids go through an array so that the update finds its rows
// by primary key whatever the plan: its cost follows the due rows, not the
// table. RETURNING gives no order: the caller sorts.
var claimPushes = `
	UPDATE subscriptions s SET lease_until = $4, claim = nextval('claims')
	WHERE s.id = ANY (ARRAY(
		SELECT id FROM subscriptions
		WHERE next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
			AND callback_host <> ALL ($2::text[]) AND account_id <> ALL ($5::bigint[])
		ORDER BY next_attempt_at LIMIT $3
		FOR UPDATE SKIP LOCKED))
	RETURNING ` + prefixed("s.", subColumns) + `, s.claim`

// ClaimPushes claims due subscriptions with their shipments and events, in
// one short transaction: the claim, then one pipelined round trip for the
// shipments and events of the batch.
func (s *Store) ClaimPushes(ctx context.Context, now time.Time, lease time.Duration, limit int, busy trackpush.Busy) ([]*trackpush.PushJob, error) {
	// NULL would exclude every row: empty arrays.
	busyHosts, busyAccounts := busy.Hosts, busy.Accounts
	if busyHosts == nil {
		busyHosts = []string{}
	}
	if busyAccounts == nil {
		busyAccounts = []int64{}
	}
	var jobs []*trackpush.PushJob
	err := s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		jobs = nil
		rows, _ := tx.Query(ctx, claimPushes, ms(now), busyHosts, limit, ms(now.Add(lease)), busyAccounts)
		for rows.Next() {
			var claim int64
			sub, err := scanSub(rows, &claim)
			if err != nil {
				rows.Close()
				return err
			}
			// As PushState.Claimed leaves it: the lease is set, the
			// version to deliver is the current one.
			jobs = append(jobs, &trackpush.PushJob{Sub: sub, Version: sub.Push.Version, Claim: claim, Attempt: sub.Push.Attempts + 1})
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: claim: %w", err)
		}
		if len(jobs) == 0 {
			return nil
		}
		slices.SortFunc(jobs, func(a, b *trackpush.PushJob) int {
			return cmp.Or(a.Sub.Push.NextAttemptAt.Compare(*b.Sub.Push.NextAttemptAt), cmp.Compare(a.Sub.ID, b.Sub.ID))
		})
		var ids []int64
		seen := map[int64]bool{}
		for _, j := range jobs {
			if !seen[j.Sub.ShipmentID] {
				seen[j.Sub.ShipmentID] = true
				ids = append(ids, j.Sub.ShipmentID)
			}
		}
		ships := map[int64]*trackpush.Shipment{}
		events := map[int64][]trackpush.Event{}
		b := &pgx.Batch{}
		b.Queue(`SELECT `+shipColumns+` FROM shipments WHERE id = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				h, err := scanShipment(rows)
				if err != nil {
					return err
				}
				ships[h.ID] = h
			}
			return rows.Err()
		})
		b.Queue(`SELECT shipment_id, `+eventColumns+` FROM events WHERE shipment_id = ANY($1) ORDER BY shipment_id, seq`, ids).Query(func(rows pgx.Rows) error {
			var ship int64
			var d eventDest
			_, err := pgx.ForEachRow(rows, append([]any{&ship}, d.dst()...), func() error {
				e, err := d.event()
				events[ship] = append(events[ship], e)
				return err
			})
			return err
		})
		if err := send(ctx, tx, b); err != nil {
			return fmt.Errorf("postgres: claim: %w", err)
		}
		for _, j := range jobs {
			j.Shipment = ships[j.Sub.ShipmentID]
			j.Events = events[j.Sub.ShipmentID]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// CompletePushes records push outcomes in one transaction: it locks the
// subscriptions (in id order), moves the push state of each whose claim is
// still current, and logs every attempt with one multi-row insert.
func (s *Store) CompletePushes(ctx context.Context, outcomes []trackpush.PushOutcome, now time.Time) error {
	if len(outcomes) == 0 {
		return nil
	}
	var ids []int64
	for _, o := range outcomes {
		ids = append(ids, o.SubID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	type held struct {
		sub     *trackpush.Subscription
		staleAt *time.Time
		claim   int64
		changed bool
	}
	return s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		subs := map[int64]*held{}
		rows, _ := tx.Query(ctx, `SELECT `+subColumns+`, stale_at, claim FROM subscriptions WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
		for rows.Next() {
			var stale *int64
			var h held
			sub, err := scanSub(rows, &stale, &h.claim)
			if err != nil {
				rows.Close()
				return fmt.Errorf("postgres: complete: %w", err)
			}
			h.sub, h.staleAt = sub, fromNullMS(stale)
			subs[sub.ID] = &h
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: complete: %w", err)
		}
		var log deliveryRows
		for i, o := range outcomes {
			h := subs[o.SubID]
			if h == nil {
				return trackpush.Errorf(trackpush.CodeNotFound, "no subscription %d", o.SubID)
			}
			d := o.Delivery
			// Only the current claim moves the state: a completion after
			// the lease ran out and another node took over is only logged.
			if h.claim == o.Claim && h.sub.Push.LeaseUntil != nil {
				if o.Deferred {
					h.sub.Push.Deferred(o.DeferUntil)
				} else {
					d.GaveUp = h.sub.Push.Completed(o.Version, d.OK, now)
				}
				h.claim, h.changed = 0, true
			}
			if !o.Deferred {
				outcomes[i].Delivery.GaveUp = d.GaveUp
				log.add(o.SubID, o.Version, d)
			}
		}
		var w subSaves
		for _, id := range ids {
			if h := subs[id]; h.changed {
				w.add(h.sub, h.staleAt, h.claim, now)
			}
		}
		b := &pgx.Batch{}
		s.queueSaves(b, &w)
		log.queue(b)
		if err := send(ctx, tx, b); err != nil {
			return fmt.Errorf("postgres: complete: %w", err)
		}
		return nil
	})
}

// deliveryRows collects delivery log rows for one insert.
type deliveryRows struct {
	sub, version, at, latency []int64
	attempt, httpStatus       []int32
	status, errText           []string
	ok, gaveUp                []bool
	response                  [][]byte
}

func (r *deliveryRows) add(subID, version int64, d trackpush.Delivery) {
	r.sub = append(r.sub, subID)
	r.version = append(r.version, version)
	r.attempt = append(r.attempt, int32(d.Attempt))
	r.status = append(r.status, text(d.Status))
	r.at = append(r.at, ms(d.At))
	r.latency = append(r.latency, d.Latency.Microseconds())
	r.httpStatus = append(r.httpStatus, int32(d.HTTPStatus))
	r.ok = append(r.ok, d.OK)
	r.gaveUp = append(r.gaveUp, d.GaveUp)
	r.errText = append(r.errText, text(d.Error))
	r.response = append(r.response, []byte(d.Response))
}

func (r *deliveryRows) queue(b *pgx.Batch) {
	if len(r.sub) == 0 {
		return
	}
	b.Queue(`INSERT INTO deliveries (subscription_id, version, attempt, status, at, latency_us, http_status, ok, gave_up, error, response)
		SELECT u.s, u.v, u.a, u.st, u.at, u.l, u.h, u.ok, u.g, u.e, u.r
		FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::bigint[], $6::bigint[], $7::int[],
			$8::boolean[], $9::boolean[], $10::text[], $11::bytea[]) WITH ORDINALITY AS u(s, v, a, st, at, l, h, ok, g, e, r, n)
		ORDER BY u.n`,
		r.sub, r.version, r.attempt, r.status, r.at, r.latency, r.httpStatus, r.ok, r.gaveUp, r.errText, r.response)
}

// text makes a string storable as TEXT, which refuses NUL and invalid
// UTF-8 (an error message may quote a receiver's answer).
func text(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// NextPushAt returns when the earliest pending push falls due.
func (s *Store) NextPushAt(ctx context.Context) (time.Time, bool, error) {
	var next *int64
	err := s.read(ctx, func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, `SELECT min(GREATEST(next_attempt_at, lease_until)) FROM (
			SELECT next_attempt_at, lease_until FROM subscriptions
			WHERE next_attempt_at IS NOT NULL ORDER BY next_attempt_at LIMIT 256) t`).Scan(&next)
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("postgres: next push: %w", err)
	}
	if next == nil {
		return fromMS(0), false, nil
	}
	return fromMS(*next), true, nil
}

// Deliveries returns a subscription's delivery log, newest first.
func (s *Store) Deliveries(ctx context.Context, subID int64, limit int) ([]trackpush.Delivery, error) {
	var out []trackpush.Delivery
	err := s.read(ctx, func(ctx context.Context) error {
		rows, _ := s.pool.Query(ctx, `SELECT version, attempt, status, at, latency_us, http_status, ok, gave_up, error, response
			FROM deliveries WHERE subscription_id = $1 ORDER BY id DESC LIMIT $2`, subID, limit)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trackpush.Delivery, error) {
			d := trackpush.Delivery{SubscriptionID: subID}
			var at, lat int64
			var resp []byte
			err := r.Scan(&d.Version, &d.Attempt, &d.Status, &at, &lat, &d.HTTPStatus, &d.OK, &d.GaveUp, &d.Error, &resp)
			d.At, d.Latency, d.Response = fromMS(at), time.Duration(lat)*time.Microsecond, string(resp)
			return d, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: deliveries: %w", err)
	}
	return out, nil
}

// StaleSubscriptions returns live subscriptions due for an abort.
func (s *Store) StaleSubscriptions(ctx context.Context, now time.Time, limit int) ([]trackpush.Stale, error) {
	var out []trackpush.Stale
	err := s.read(ctx, func(ctx context.Context) error {
		rows, _ := s.pool.Query(ctx, `SELECT `+prefixed("s.", subColumns)+`, h.event_count
			FROM subscriptions s JOIN shipments h ON h.id = s.shipment_id
			WHERE s.status = 'polling' AND s.stale_at <= $1 ORDER BY s.stale_at LIMIT $2`, ms(now), limit)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trackpush.Stale, error) {
			var n int
			sub, err := scanSub(r, &n)
			return trackpush.Stale{Sub: sub, NoRecord: n == 0}, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: stale: %w", err)
	}
	return out, nil
}

// Stats counts subscriptions by status and the pushes due at now.
func (s *Store) Stats(ctx context.Context, now time.Time) (trackpush.Stats, error) {
	var st trackpush.Stats
	err := s.read(ctx, func(ctx context.Context) error {
		st = trackpush.Stats{Subscriptions: map[string]int64{}}
		rows, _ := s.pool.Query(ctx, `SELECT status, count(*) FROM subscriptions GROUP BY status`)
		var status string
		var n int64
		if _, err := pgx.ForEachRow(rows, []any{&status, &n}, func() error {
			st.Subscriptions[status] = n
			return nil
		}); err != nil {
			return err
		}
		var oldest *int64
		if err := s.pool.QueryRow(ctx, `SELECT count(*), min(next_attempt_at) FROM subscriptions WHERE next_attempt_at <= $1`, ms(now)).Scan(&st.Due, &oldest); err != nil {
			return err
		}
		if oldest != nil {
			st.OldestDue = fromMS(*oldest)
		}
		return nil
	})
	if err != nil {
		return trackpush.Stats{}, fmt.Errorf("postgres: stats: %w", err)
	}
	return st, nil
}
