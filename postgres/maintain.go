package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// pruneBatch bounds the delivery log rows one transaction deletes.
const pruneBatch = 5000

// Maintain does the chores that one node at a time should do, if no other
// node is doing them: it deletes the delivery log rows older than
// now−keepDeliveries and reports how many. ran is false when another node
// holds the maintenance lock (nothing was done).
//
// The lock is a transaction-level advisory lock (pg_try_advisory_xact_lock:
// it cannot outlive a node that dies). The rows go in batches, each in a
// transaction of its own that takes the lock again: no long transaction
// holds back vacuum or piles up locks, and what is deleted stays deleted if
// a later batch fails. Should another node take the lock between two
// batches, this one stops and leaves the rest to it.
func (s *Store) Maintain(ctx context.Context, keepDeliveries time.Duration, now time.Time) (ran bool, pruned int64, err error) {
	cutoff := ms(now.Add(-keepDeliveries))
	for {
		var locked bool
		var n int64
		err := s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
			locked, n = false, 0
			if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1, $2)`, lockMaintain, s.lockKey).Scan(&locked); err != nil {
				return err
			}
			if !locked {
				return errRollback
			}
			if s.maintainHook != nil {
				s.maintainHook()
			}
			tag, err := tx.Exec(ctx, `DELETE FROM deliveries WHERE id IN (
				SELECT id FROM deliveries WHERE at < $1 ORDER BY at LIMIT $2)`, cutoff, pruneBatch)
			n = tag.RowsAffected()
			return err
		})
		if err != nil {
			return ran, pruned, fmt.Errorf("postgres: maintain: %w", err)
		}
		if !locked {
			return ran, pruned, nil
		}
		ran, pruned = true, pruned+n
		if n < pruneBatch {
			return ran, pruned, nil
		}
	}
}
