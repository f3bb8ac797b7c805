package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trackpush/trackpush"
)

// ClaimPolls claims shipments due to be polled: one statement takes the
// due rows no other transaction holds (SKIP LOCKED) and gives each a lease
// and a new claim token (as claimPushes does).
func (s *Store) ClaimPolls(ctx context.Context, coms []string, now time.Time, lease time.Duration, limit int) ([]trackpush.PollJob, error) {
	if coms != nil && len(coms) == 0 {
		return nil, nil // no carriers, no polls (nil: every carrier)
	}
	var jobs []trackpush.PollJob
	err := s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			UPDATE shipments h SET poll_lease_until = $4, poll_claim = nextval('claims')
			WHERE h.id = ANY (ARRAY(
				SELECT id FROM shipments
				WHERE next_poll_at <= $1 AND (poll_lease_until IS NULL OR poll_lease_until <= $1)
					AND ($2::text[] IS NULL OR com = ANY ($2))
				ORDER BY next_poll_at LIMIT $3
				FOR UPDATE SKIP LOCKED))
			RETURNING h.id, h.com, h.nu, h.state, h.signed, h.finished, h.last_event_at, h.event_count, h.poll_errors, h.poll_claim,
				h.next_poll_at,
				(SELECT phone FROM subscriptions WHERE shipment_id = h.id AND status = 'polling' AND phone <> '' LIMIT 1)`,
			ms(now), coms, limit, ms(now.Add(lease)))
		type due struct {
			job  trackpush.PollJob
			next int64
		}
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (due, error) {
			var d due
			j := &d.job
			var last *int64
			var phone *string
			err := r.Scan(&j.ShipmentID, &j.Com, &j.Nu, &j.Summary.State, &j.Summary.Signed, &j.Summary.Finished,
				&last, &j.EventCount, &j.Errors, &j.Claim, &d.next, &phone)
			if last != nil {
				j.Summary.LastEventAt = time.Unix(*last, 0).In(trackpush.CST)
			}
			if phone != nil {
				j.Phone = *phone
			}
			return d, err
		})
		if err != nil {
			return fmt.Errorf("postgres: claim polls: %w", err)
		}
		slices.SortFunc(got, func(a, b due) int {
			return cmp.Or(cmp.Compare(a.next, b.next), cmp.Compare(a.job.ShipmentID, b.job.ShipmentID))
		})
		jobs = jobs[:0]
		for _, d := range got {
			jobs = append(jobs, d.job)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// CompletePoll records a poll, provided the claim is still current.
func (s *Store) CompletePoll(ctx context.Context, d trackpush.PollDone) error {
	var next *int64
	if !d.Next.IsZero() {
		v := ms(d.Next)
		next = &v
	}
	return s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		// Polling stops for good when the shipment finished meanwhile or
		// nobody follows it any more. A shipment due again at once wakes
		// the pollers.
		_, err := tx.Exec(ctx, `
			WITH u AS (
				UPDATE shipments SET next_poll_at = CASE WHEN finished OR NOT EXISTS (
						SELECT 1 FROM subscriptions WHERE shipment_id = shipments.id AND status = 'polling')
					THEN NULL ELSE $1::bigint END,
					poll_lease_until = NULL, poll_errors = $2, polled_at = $3
				WHERE id = $4 AND poll_claim = $5
				RETURNING next_poll_at)
			SELECT pg_notify($6, $7) FROM u WHERE u.next_poll_at <= $3`,
			next, d.Errors, ms(d.At), d.ShipmentID, d.Claim, chanPoll, s.schema)
		if err != nil {
			return fmt.Errorf("postgres: complete poll: %w", err)
		}
		return nil
	})
}

// LoadBlob returns named state, nil when unknown.
func (s *Store) LoadBlob(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	err := s.read(ctx, func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, `SELECT data FROM blobs WHERE name = $1`, name).Scan(&data)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: load %s: %w", name, err)
	}
	return data, nil
}

// SaveBlob stores named state.
func (s *Store) SaveBlob(ctx context.Context, name string, data []byte) error {
	if data == nil {
		data = []byte{} // NOT NULL
	}
	return s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO blobs (name, data, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
			name, data, time.Now().UnixMilli())
		if err != nil {
			return fmt.Errorf("postgres: save %s: %w", name, err)
		}
		return nil
	})
}
