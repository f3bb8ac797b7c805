package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
)

// startPolling makes a shipment due for polling now, unless it already is
// or is finished.
func (s *Store) startPolling(ctx context.Context, tx *sql.Tx, shipID int64, now time.Time) error {
	_, err := s.exec(ctx, tx, `UPDATE shipments SET next_poll_at = ? WHERE id = ? AND next_poll_at IS NULL AND finished = 0`, ms(now), shipID)
	if err != nil {
		return fmt.Errorf("sqlite: start polling: %w", err)
	}
	return nil
}

// stopPollingIfIdle stops polling a shipment nobody follows any more.
func (s *Store) stopPollingIfIdle(ctx context.Context, tx *sql.Tx, shipID int64) error {
	_, err := s.exec(ctx, tx, `UPDATE shipments SET next_poll_at = NULL, poll_lease_until = NULL
		WHERE id = ? AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE shipment_id = ? AND status = 'polling')`, shipID, shipID)
	if err != nil {
		return fmt.Errorf("sqlite: stop polling: %w", err)
	}
	return nil
}

// ClaimPolls claims shipments due to be polled.
func (s *Store) ClaimPolls(ctx context.Context, coms []string, now time.Time, lease time.Duration, limit int) ([]trackpush.PollJob, error) {
	var jobs []trackpush.PollJob
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		jobs = jobs[:0]
		q := `SELECT h.id, h.com, h.nu, h.state, h.signed, h.finished, h.last_event_at, h.event_count, h.poll_errors,
				(SELECT phone FROM subscriptions WHERE shipment_id = h.id AND status = 'polling' AND phone <> '' LIMIT 1)
			FROM shipments h
			WHERE h.next_poll_at <= ? AND (h.poll_lease_until IS NULL OR h.poll_lease_until <= ?)`
		args := []any{ms(now), ms(now)}
		if coms != nil {
			if len(coms) == 0 {
				return nil
			}
			q += ` AND h.com IN (?` + strings.Repeat(",?", len(coms)-1) + `)`
			for _, c := range coms {
				args = append(args, c)
			}
		}
		q += ` ORDER BY h.next_poll_at LIMIT ?`
		args = append(args, limit)
		rows, err := s.query(ctx, tx, q, args...)
		if err != nil {
			return fmt.Errorf("sqlite: claim polls: %w", err)
		}
		for rows.Next() {
			var j trackpush.PollJob
			var last sql.NullInt64
			var phone sql.NullString
			if err := rows.Scan(&j.ShipmentID, &j.Com, &j.Nu, &j.Summary.State, &j.Summary.Signed, &j.Summary.Finished,
				&last, &j.EventCount, &j.Errors, &phone); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: claim polls: %w", err)
			}
			if last.Valid {
				j.Summary.LastEventAt = time.Unix(last.Int64, 0).In(trackpush.CST)
			}
			j.Phone = phone.String
			j.Claim = rand.Int64()
			jobs = append(jobs, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: read rows: %w", err)
		}
		for _, j := range jobs {
			if _, err := s.exec(ctx, tx, `UPDATE shipments SET poll_lease_until = ?, poll_claim = ? WHERE id = ?`,
				ms(now.Add(lease)), j.Claim, j.ShipmentID); err != nil {
				return fmt.Errorf("sqlite: claim polls: %w", err)
			}
		}
		return nil
	})
	return jobs, err
}

// CompletePoll records a poll.
func (s *Store) CompletePoll(ctx context.Context, d trackpush.PollDone) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var next any
		if !d.Next.IsZero() {
			next = ms(d.Next)
		}
		// Polling stops for good when the shipment finished meanwhile or
		// nobody follows it any more.
		_, err := s.exec(ctx, tx, `UPDATE shipments SET
				next_poll_at = CASE WHEN finished = 1 OR NOT EXISTS (
					SELECT 1 FROM subscriptions WHERE shipment_id = shipments.id AND status = 'polling') THEN NULL ELSE ? END,
				poll_lease_until = NULL, poll_errors = ?, polled_at = ?
			WHERE id = ? AND poll_claim = ?`,
			next, d.Errors, ms(d.At), d.ShipmentID, d.Claim)
		if err != nil {
			return fmt.Errorf("sqlite: complete poll: %w", err)
		}
		return nil
	})
}

// LoadBlob returns named state, nil when unknown.
func (s *Store) LoadBlob(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	err := s.rqueryRow(ctx, `SELECT data FROM blobs WHERE name = ?`, name).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: load %s: %w", name, err)
	}
	return data, nil
}

// SaveBlob stores named state.
func (s *Store) SaveBlob(ctx context.Context, name string, data []byte) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `INSERT INTO blobs (name, data, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
			name, data, time.Now().UnixMilli())
		if err != nil {
			return fmt.Errorf("sqlite: save %s: %w", name, err)
		}
		return nil
	})
}

// Redirect ends a subscription and follows its number with another
// carrier.
func (s *Store) Redirect(ctx context.Context, id int64, com string, polled bool, now time.Time) (*trackpush.Subscription, error) {
	var next *trackpush.Subscription
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		next = nil
		old, staleAt, claim, err := s.loadSubForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		var events int
		if err := s.queryRow(ctx, tx, `SELECT event_count FROM shipments WHERE id = ?`, old.ShipmentID).Scan(&events); err != nil {
			return fmt.Errorf("sqlite: redirect: %w", err)
		}
		if !old.Live() || events > 0 || staleAt == nil || staleAt.After(now) {
			return nil // ended, or a record arrived: nothing to correct
		}
		trackpush.EndNow(old, trackpush.End{Status: trackpush.StatusAbort, Message: trackpush.MessageNoRecord,
			AutoCheck: "0", ComOld: old.Com, ComNew: com}, now)
		if err := s.savePush(ctx, tx, old, nil, claim); err != nil {
			return err
		}
		if err := s.stopPollingIfIdle(ctx, tx, old.ShipmentID); err != nil {
			return err
		}
		// The account may follow that number with that carrier already.
		var have int64
		err = s.queryRow(ctx, tx, `SELECT id FROM subscriptions WHERE account_id = ? AND com = ? AND nu = ? AND status = 'polling'`,
			old.AccountID, com, old.Nu).Scan(&have)
		if err == nil {
			next, err = s.subscriptionTx(ctx, tx, have)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: redirect: %w", err)
		}
		// The successor takes the trail link over.
		if _, err := s.exec(ctx, tx, `UPDATE subscriptions SET trail_token = NULL WHERE id = ?`, old.ID); err != nil {
			return fmt.Errorf("sqlite: redirect: %w", err)
		}
		n := *old
		n.ID, n.Com, n.AutoCheck, n.ComOld, n.ComNew, n.Message, n.Polled = 0, com, "1", old.Com, com, "", polled
		old.TrailToken = ""
		if err := s.insertSub(ctx, tx, &n, now); err != nil {
			return err
		}
		next = &n
		return nil
	})
	return next, err
}

// subscriptionTx reads a subscription inside a write transaction.
func (s *Store) subscriptionTx(ctx context.Context, tx *sql.Tx, id int64) (*trackpush.Subscription, error) {
	sub, _, _, err := s.loadSubForUpdate(ctx, tx, id)
	return sub, err
}

// Maintain prunes delivery-log rows older than keepDeliveries. One node owns
// a SQLite file, so it always runs (ran is true).
func (s *Store) Maintain(ctx context.Context, keepDeliveries time.Duration, now time.Time) (ran bool, pruned int64, err error) {
	cutoff := ms(now.Add(-keepDeliveries))
	for {
		var n int64
		err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			res, err := s.exec(ctx, tx, `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE at < ? LIMIT 5000)`, cutoff)
			if err != nil {
				return fmt.Errorf("sqlite: prune deliveries: %w", err)
			}
			n, _ = res.RowsAffected()
			return nil
		})
		if err != nil {
			return true, pruned, err
		}
		pruned += n
		if n < 5000 {
			return true, pruned, nil
		}
	}
}
