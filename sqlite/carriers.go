package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/trackpush/trackpush"
)

// SeenPushKeys returns the keys of a carrier's pushes already recorded.
func (s *Store) SeenPushKeys(ctx context.Context, carrier string, keys []string) (map[string]bool, error) {
	seen := map[string]bool{}
	if len(keys) == 0 {
		return seen, nil
	}
	list, _ := json.Marshal(keys)
	// One statement whatever the number of keys: they come as a JSON array.
	rows, err := s.rquery(ctx, `SELECT key FROM carrier_push_keys
		WHERE carrier = ? AND key IN (SELECT value FROM json_each(?))`, carrier, string(list))
	if err != nil {
		return nil, fmt.Errorf("sqlite: push keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("sqlite: push keys: %w", err)
		}
		seen[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: push keys: %w", err)
	}
	return seen, nil
}

// RecordPushKeys records the keys of a carrier's pushes and forgets the
// carrier's keys older than trackpush.PushKeyRetention.
func (s *Store) RecordPushKeys(ctx context.Context, carrier string, keys []string, now time.Time) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, k := range keys {
			if _, err := s.exec(ctx, tx, `INSERT INTO carrier_push_keys (carrier, key, seen_at) VALUES (?, ?, ?)
				ON CONFLICT (carrier, key) DO NOTHING`, carrier, k, ms(now)); err != nil {
				return fmt.Errorf("sqlite: record push keys: %w", err)
			}
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM carrier_push_keys WHERE carrier = ? AND seen_at < ?`,
			carrier, ms(now.Add(-trackpush.PushKeyRetention))); err != nil {
			return fmt.Errorf("sqlite: forget push keys: %w", err)
		}
		return nil
	})
}
