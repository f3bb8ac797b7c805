package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
)

// ClaimPushes claims due subscriptions with their shipments and events.
func (s *Store) ClaimPushes(ctx context.Context, now time.Time, lease time.Duration, limit int, busy trackpush.Busy) ([]*trackpush.PushJob, error) {
	var jobs []*trackpush.PushJob
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		jobs = jobs[:0]
		q := `SELECT ` + subColumns + `, stale_at FROM subscriptions
			WHERE next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)`
		args := []any{ms(now), ms(now)}
		if len(busy.Hosts) > 0 {
			q += ` AND callback_host NOT IN (?` + strings.Repeat(",?", len(busy.Hosts)-1) + `)`
			for _, h := range busy.Hosts {
				args = append(args, h)
			}
		}
		if len(busy.Accounts) > 0 {
			q += ` AND account_id NOT IN (?` + strings.Repeat(",?", len(busy.Accounts)-1) + `)`
			for _, a := range busy.Accounts {
				args = append(args, a)
			}
		}
		rows, err := s.query(ctx, tx, q+` ORDER BY next_attempt_at LIMIT ?`, append(args, limit)...)
		if err != nil {
			return fmt.Errorf("sqlite: claim: %w", err)
		}
		var stales []*time.Time
		for rows.Next() {
			var stale sql.NullInt64
			sub, err := scanSub(scanTail{rows, []any{&stale}})
			if err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: claim: %w", err)
			}
			jobs = append(jobs, &trackpush.PushJob{Sub: sub})
			stales = append(stales, fromNullMS(stale))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: read rows: %w", err)
		}
		if len(jobs) == 0 {
			return nil
		}
		ships := map[int64]*trackpush.Shipment{}
		var ids []any
		for i, j := range jobs {
			j.Attempt = j.Sub.Push.Attempts + 1
			j.Version = j.Sub.Push.Claimed(now, lease)
			j.Claim = rand.Int64()
			if err := s.savePush(ctx, tx, j.Sub, stales[i], j.Claim); err != nil {
				return err
			}
			if ships[j.Sub.ShipmentID] == nil {
				ships[j.Sub.ShipmentID] = &trackpush.Shipment{}
				ids = append(ids, j.Sub.ShipmentID)
			}
		}
		in := "?" + strings.Repeat(",?", len(ids)-1)
		srows, err := s.query(ctx, tx, `SELECT `+shipColumns+` FROM shipments WHERE id IN (`+in+`)`, ids...)
		if err != nil {
			return fmt.Errorf("sqlite: claim: shipments: %w", err)
		}
		for srows.Next() {
			h, err := scanShipment(srows)
			if err != nil {
				srows.Close()
				return fmt.Errorf("sqlite: claim: shipments: %w", err)
			}
			ships[h.ID] = h
		}
		srows.Close()
		if err := srows.Err(); err != nil {
			return fmt.Errorf("sqlite: read rows: %w", err)
		}
		events := map[int64][]trackpush.Event{}
		erows, err := s.query(ctx, tx, `SELECT shipment_id, seq, time, raw_time, context, state, area FROM events WHERE shipment_id IN (`+in+`) ORDER BY shipment_id, seq`, ids...)
		if err != nil {
			return fmt.Errorf("sqlite: claim: events: %w", err)
		}
		for erows.Next() {
			e, ship, err := scanEvent(erows, true)
			if err != nil {
				erows.Close()
				return err
			}
			events[ship] = append(events[ship], e)
		}
		erows.Close()
		if err := erows.Err(); err != nil {
			return fmt.Errorf("sqlite: read rows: %w", err)
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

// CompletePushes records push outcomes.
func (s *Store) CompletePushes(ctx context.Context, outcomes []trackpush.PushOutcome, now time.Time) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for i, o := range outcomes {
			sub, staleAt, claim, err := s.loadSubForUpdate(ctx, tx, o.SubID)
			if err != nil {
				return err
			}
			d := o.Delivery
			if claim == o.Claim && sub.Push.LeaseUntil != nil {
				if o.Deferred {
					sub.Push.Deferred(o.DeferUntil)
				} else {
					d.GaveUp = sub.Push.Completed(o.Version, d.OK, now)
				}
				if err := s.savePush(ctx, tx, sub, staleAt, 0); err != nil {
					return err
				}
			}
			if o.Deferred {
				continue
			}
			outcomes[i].Delivery.GaveUp = d.GaveUp
			_, err = s.exec(ctx, tx, `INSERT INTO deliveries (subscription_id, version, attempt, status, at, latency_us, http_status, ok, gave_up, error, response)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				o.SubID, o.Version, d.Attempt, d.Status, ms(d.At), d.Latency.Microseconds(), d.HTTPStatus, d.OK, d.GaveUp, d.Error, d.Response)
			if err != nil {
				return fmt.Errorf("sqlite: delivery log: %w", err)
			}
		}
		return nil
	})
}

// NextPushAt returns when the earliest pending push falls due.
func (s *Store) NextPushAt(ctx context.Context) (time.Time, bool, error) {
	rows, err := s.rquery(ctx, `SELECT next_attempt_at, lease_until FROM subscriptions
		WHERE next_attempt_at IS NOT NULL ORDER BY next_attempt_at LIMIT 256`)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite: next push: %w", err)
	}
	defer rows.Close()
	var best int64
	found := false
	for rows.Next() {
		var next int64
		var lease sql.NullInt64
		if err := rows.Scan(&next, &lease); err != nil {
			return time.Time{}, false, fmt.Errorf("sqlite: next push: %w", err)
		}
		if lease.Valid && lease.Int64 > next {
			next = lease.Int64
		}
		if !found || next < best {
			best, found = next, true
		}
	}
	return fromMS(best), found, rows.Err()
}

// Deliveries returns a subscription's delivery log, newest first.
func (s *Store) Deliveries(ctx context.Context, subID int64, limit int) ([]trackpush.Delivery, error) {
	rows, err := s.rquery(ctx, `SELECT version, attempt, status, at, latency_us, http_status, ok, gave_up, error, response
		FROM deliveries WHERE subscription_id = ? ORDER BY id DESC LIMIT ?`, subID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: deliveries: %w", err)
	}
	defer rows.Close()
	var out []trackpush.Delivery
	for rows.Next() {
		d := trackpush.Delivery{SubscriptionID: subID}
		var at, lat int64
		if err := rows.Scan(&d.Version, &d.Attempt, &d.Status, &at, &lat, &d.HTTPStatus, &d.OK, &d.GaveUp, &d.Error, &d.Response); err != nil {
			return nil, fmt.Errorf("sqlite: deliveries: %w", err)
		}
		d.At, d.Latency = fromMS(at), time.Duration(lat)*time.Microsecond
		out = append(out, d)
	}
	return out, rows.Err()
}

// StaleSubscriptions returns live subscriptions due for an abort.
func (s *Store) StaleSubscriptions(ctx context.Context, now time.Time, limit int) ([]trackpush.Stale, error) {
	rows, err := s.rquery(ctx, `SELECT `+prefixed("s.", subColumns)+`, h.event_count FROM subscriptions s JOIN shipments h ON h.id = s.shipment_id
		WHERE s.status = 'polling' AND s.stale_at <= ? ORDER BY s.stale_at LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stale: %w", err)
	}
	defer rows.Close()
	var out []trackpush.Stale
	for rows.Next() {
		var n int
		sub, err := scanSub(scanTail{rows, []any{&n}})
		if err != nil {
			return nil, fmt.Errorf("sqlite: stale: %w", err)
		}
		out = append(out, trackpush.Stale{Sub: sub, NoRecord: n == 0})
	}
	return out, rows.Err()
}

// EndSubscription ends a live subscription.
func (s *Store) EndSubscription(ctx context.Context, end trackpush.End, now time.Time) (bool, error) {
	ended := false
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		ended = false
		sub, staleAt, claim, err := s.loadSubForUpdate(ctx, tx, end.SubID)
		if err != nil {
			return err
		}
		if !sub.Live() || (end.IfStale && (staleAt == nil || staleAt.After(now))) {
			return nil
		}
		ended = true
		trackpush.EndNow(sub, end, now)
		if err := s.savePush(ctx, tx, sub, nil, claim); err != nil {
			return err
		}
		return s.stopPollingIfIdle(ctx, tx, sub.ShipmentID)
	})
	return ended, err
}

// prefixed qualifies each column of a list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// Stats counts subscriptions by status and the pushes due at now.
func (s *Store) Stats(ctx context.Context, now time.Time) (trackpush.Stats, error) {
	st := trackpush.Stats{Subscriptions: map[string]int64{}}
	rows, err := s.rquery(ctx, `SELECT status, COUNT(*) FROM subscriptions GROUP BY status`)
	if err != nil {
		return st, fmt.Errorf("sqlite: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int64
		if err := rows.Scan(&status, &n); err != nil {
			return st, fmt.Errorf("sqlite: stats: %w", err)
		}
		st.Subscriptions[status] = n
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("sqlite: stats: %w", err)
	}
	var oldest sql.NullInt64
	if err := s.rqueryRow(ctx, `SELECT COUNT(*), MIN(next_attempt_at) FROM subscriptions WHERE next_attempt_at <= ?`, ms(now)).Scan(&st.Due, &oldest); err != nil {
		return st, fmt.Errorf("sqlite: stats: %w", err)
	}
	if oldest.Valid {
		st.OldestDue = fromMS(oldest.Int64)
	}
	return st, nil
}
