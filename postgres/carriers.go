package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trackpush/trackpush"
)

// SeenPushKeys returns the keys of a carrier's pushes already recorded.
func (s *Store) SeenPushKeys(ctx context.Context, carrier string, keys []string) (map[string]bool, error) {
	seen := map[string]bool{}
	if len(keys) == 0 {
		return seen, nil
	}
	err := s.read(ctx, func(ctx context.Context) error {
		clear(seen)
		rows, err := s.pool.Query(ctx, `SELECT key FROM carrier_push_keys WHERE carrier = $1 AND key = ANY($2)`, carrier, keys)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return err
			}
			seen[k] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: push keys: %w", err)
	}
	return seen, nil
}

// RecordPushKeys records the keys of a carrier's pushes and forgets the
// carrier's keys older than trackpush.PushKeyRetention.
func (s *Store) RecordPushKeys(ctx context.Context, carrier string, keys []string, now time.Time) error {
	return s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if len(keys) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO carrier_push_keys (carrier, key, seen_at)
				SELECT $1, k, $3 FROM unnest($2::text[]) AS k
				ON CONFLICT (carrier, key) DO NOTHING`, carrier, keys, now.UnixMilli()); err != nil {
				return fmt.Errorf("postgres: record push keys: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM carrier_push_keys WHERE carrier = $1 AND seen_at < $2`,
			carrier, now.Add(-trackpush.PushKeyRetention).UnixMilli()); err != nil {
			return fmt.Errorf("postgres: forget push keys: %w", err)
		}
		return nil
	})
}
