package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trackpush/trackpush"
)

func areaValue(a *trackpush.Area) *string {
	if a == nil {
		return nil
	}
	b, _ := json.Marshal(a)
	v := string(b)
	return &v
}

func scanArea(v *string) (*trackpush.Area, error) {
	if v == nil {
		return nil, nil
	}
	var a trackpush.Area
	if err := json.Unmarshal([]byte(*v), &a); err != nil {
		return nil, fmt.Errorf("decode area: %w", err)
	}
	return &a, nil
}

const subColumns = `id, account_id, shipment_id, com, nu, from_text, to_text, from_area, to_area,
	callback_url, salt, phone, map_config_key, level, status, message, auto_check, com_old, com_new,
	created_at, ended_at, version, pushed_version, gave_up_version, attempts, next_attempt_at,
	lease_until, end_version, updateall_version, trail_token`

// scanSub scans subColumns, then the extra destinations.
func scanSub(row pgx.Row, extra ...any) (*trackpush.Subscription, error) {
	var s trackpush.Subscription
	var from, to *string
	var created int64
	var ended, next, lease *int64
	var trail *string
	p := &s.Push
	dst := []any{&s.ID, &s.AccountID, &s.ShipmentID, &s.Com, &s.Nu, &s.FromText, &s.ToText, &from, &to,
		&s.CallbackURL, &s.Salt, &s.Phone, &s.MapConfigKey, &s.Level, &s.Status, &s.Message, &s.AutoCheck, &s.ComOld, &s.ComNew,
		&created, &ended, &p.Version, &p.PushedVersion, &p.GaveUpVersion, &p.Attempts, &next,
		&lease, &p.EndVersion, &p.UpdateAllVersion, &trail}
	if err := row.Scan(append(dst, extra...)...); err != nil {
		return nil, err
	}
	if trail != nil {
		s.TrailToken = *trail
	}
	var err error
	if s.From, err = scanArea(from); err != nil {
		return nil, err
	}
	if s.To, err = scanArea(to); err != nil {
		return nil, err
	}
	s.CreatedAt = fromMS(created)
	s.EndedAt = fromNullMS(ended)
	p.NextAttemptAt = fromNullMS(next)
	p.LeaseUntil = fromNullMS(lease)
	return &s, nil
}

// subSaves collects subscriptions whose push state and lifecycle changed,
// to be written by one statement.
type subSaves struct {
	id                            []int64
	status, message, autoCheck    []string
	comOld, comNew                []string
	ended, stale, next, lease     []*int64
	version, pushed, gaveUp       []int64
	attempts                      []int32
	claim, endVersion, updVersion []int64
	// due: a saved subscription may be claimed at once.
	due bool
}

// add records a subscription's new state: its stale time (nil once
// ended) and claim token (0 when released) are kept apart from it.
func (w *subSaves) add(sub *trackpush.Subscription, staleAt *time.Time, claim int64, now time.Time) {
	p := &sub.Push
	w.id = append(w.id, sub.ID)
	w.status = append(w.status, sub.Status)
	w.message = append(w.message, sub.Message)
	w.autoCheck = append(w.autoCheck, sub.AutoCheck)
	w.comOld = append(w.comOld, sub.ComOld)
	w.comNew = append(w.comNew, sub.ComNew)
	w.ended = append(w.ended, msPtr(sub.EndedAt))
	w.stale = append(w.stale, msPtr(staleAt))
	w.version = append(w.version, p.Version)
	w.pushed = append(w.pushed, p.PushedVersion)
	w.gaveUp = append(w.gaveUp, p.GaveUpVersion)
	w.attempts = append(w.attempts, int32(p.Attempts))
	w.next = append(w.next, msPtr(p.NextAttemptAt))
	w.lease = append(w.lease, msPtr(p.LeaseUntil))
	w.claim = append(w.claim, claim)
	w.endVersion = append(w.endVersion, p.EndVersion)
	w.updVersion = append(w.updVersion, p.UpdateAllVersion)
	w.due = w.due || p.Due(now)
}

// queueSaves adds the update of the collected subscriptions to a batch, and a
// notification when one of them is due.
func (s *Store) queueSaves(b *pgx.Batch, w *subSaves) {
	if len(w.id) == 0 {
		return
	}
	b.Queue(`
		UPDATE subscriptions s SET status = u.status, message = u.message, auto_check = u.auto_check,
			com_old = u.com_old, com_new = u.com_new, ended_at = u.ended_at, stale_at = u.stale_at,
			version = u.version, pushed_version = u.pushed_version, gave_up_version = u.gave_up_version,
			attempts = u.attempts, next_attempt_at = u.next_attempt_at, lease_until = u.lease_until,
			claim = u.claim, end_version = u.end_version, updateall_version = u.updateall_version
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
			$9::bigint[], $10::bigint[], $11::bigint[], $12::int[], $13::bigint[], $14::bigint[], $15::bigint[],
			$16::bigint[], $17::bigint[])
			AS u(id, status, message, auto_check, com_old, com_new, ended_at, stale_at, version, pushed_version,
				gave_up_version, attempts, next_attempt_at, lease_until, claim, end_version, updateall_version)
		WHERE s.id = u.id`,
		w.id, w.status, w.message, w.autoCheck, w.comOld, w.comNew, w.ended, w.stale,
		w.version, w.pushed, w.gaveUp, w.attempts, w.next, w.lease, w.claim, w.endVersion, w.updVersion)
	if w.due {
		s.queueNotify(b, chanPush)
	}
}

// Subscribe stores a subscription after the account and duplicate checks.
// The account's row is locked first: one account's subscribes take turns,
// across nodes, so the duplicate rules and the quota see every earlier one.
func (s *Store) Subscribe(ctx context.Context, sub *trackpush.Subscription, now time.Time) error {
	return s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		// One round trip: the server runs the statements in order, and the
		// second reads with a snapshot taken after the first got the lock.
		var a *trackpush.Account
		var prior []trackpush.PriorSubscription
		b := &pgx.Batch{}
		b.Queue(`SELECT `+accountColumns+` FROM accounts WHERE id = $1 FOR UPDATE`, sub.AccountID).Query(func(rows pgx.Rows) error {
			var err error
			a, err = pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (*trackpush.Account, error) { return scanAccount(r) })
			if errors.Is(err, pgx.ErrNoRows) {
				return trackpush.Errorf(trackpush.CodeUnauthorized, "no account %d", sub.AccountID)
			}
			return err
		})
		b.Queue(`SELECT status, created_at, ended_at FROM subscriptions
			WHERE account_id = $1 AND com = $2 AND nu = $3 AND (status = 'polling' OR created_at >= $4 OR ended_at >= $5)`,
			sub.AccountID, sub.Com, sub.Nu, ms(trackpush.MonthStart(now)), ms(now.Add(-trackpush.ResubscribeAfter))).Query(func(rows pgx.Rows) error {
			var err error
			prior, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trackpush.PriorSubscription, error) {
				var p trackpush.PriorSubscription
				var created int64
				var ended *int64
				err := r.Scan(&p.Status, &created, &ended)
				p.CreatedAt, p.EndedAt = fromMS(created), fromNullMS(ended)
				return p, err
			})
			return err
		})
		if err := send(ctx, tx, b); err != nil {
			if trackpush.ErrorCode(err) == trackpush.CodeUnauthorized {
				return err
			}
			return fmt.Errorf("postgres: subscribe: %w", err)
		}
		if err := trackpush.CheckAccount(a, now, true); err != nil {
			return err
		}
		if err := trackpush.CheckDuplicate(prior, now); err != nil {
			return err
		}
		return s.insertSub(ctx, tx, sub, now, true)
	})
}

// insertSub creates the shipment if needed (locking it) and stores a new
// live subscription of it, due at once when the shipment has events;
// quota says whether it uses a unit of the account's quota.
func (s *Store) insertSub(ctx context.Context, tx pgx.Tx, sub *trackpush.Subscription, now time.Time, quota bool) error {
	var shipID, changed int64
	var events int
	var finished bool
	var nextPoll *int64
	err := tx.QueryRow(ctx, `
		INSERT INTO shipments (com, nu, from_area, to_area, created_at, changed_at, next_poll_at)
		VALUES ($1, $2, $3, $4, $5, $5, CASE WHEN $6::boolean THEN $5::bigint END)
		ON CONFLICT (com, nu) DO UPDATE SET
			from_area = COALESCE(shipments.from_area, excluded.from_area),
			to_area = COALESCE(shipments.to_area, excluded.to_area),
			next_poll_at = CASE WHEN $6::boolean AND shipments.next_poll_at IS NULL AND NOT shipments.finished
				THEN excluded.created_at ELSE shipments.next_poll_at END
		RETURNING id, event_count, changed_at, finished, next_poll_at`,
		sub.Com, sub.Nu, areaValue(sub.From), areaValue(sub.To), ms(now), sub.Polled).Scan(&shipID, &events, &changed, &finished, &nextPoll)
	if err != nil {
		return fmt.Errorf("postgres: subscribe: shipment: %w", err)
	}
	sub.ShipmentID = shipID
	staleAt := trackpush.Begin(sub, fromMS(ms(now)), events, fromMS(changed), finished)
	p := &sub.Push
	b := &pgx.Batch{}
	b.Queue(`
		INSERT INTO subscriptions (account_id, shipment_id, com, nu, from_text, to_text, from_area, to_area,
			callback_url, callback_host, salt, phone, map_config_key, level, status, auto_check, com_old, com_new, created_at,
			ended_at, stale_at, version, next_attempt_at, end_version, trail_token)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, NULLIF($25, ''))
		RETURNING id`,
		sub.AccountID, shipID, sub.Com, sub.Nu, sub.FromText, sub.ToText, areaValue(sub.From), areaValue(sub.To),
		sub.CallbackURL, trackpush.CallbackHost(sub.CallbackURL), sub.Salt, sub.Phone, sub.MapConfigKey, int32(sub.Level),
		sub.Status, sub.AutoCheck, sub.ComOld, sub.ComNew, ms(now), msPtr(sub.EndedAt), msPtr(staleAt), p.Version,
		msPtr(p.NextAttemptAt), p.EndVersion, sub.TrailToken).QueryRow(func(r pgx.Row) error { return r.Scan(&sub.ID) })
	if quota {
		b.Queue(`UPDATE accounts SET used = used + 1 WHERE id = $1`, sub.AccountID)
	}
	if p.Due(now) {
		s.queueNotify(b, chanPush)
	}
	if sub.Polled && nextPoll != nil && *nextPoll <= ms(now) {
		s.queueNotify(b, chanPoll)
	}
	if err := send(ctx, tx, b); err != nil {
		return fmt.Errorf("postgres: subscribe: %w", err)
	}
	return nil
}

// Subscription returns one subscription.
func (s *Store) Subscription(ctx context.Context, id int64) (*trackpush.Subscription, error) {
	var sub *trackpush.Subscription
	err := s.read(ctx, func(ctx context.Context) error {
		var err error
		sub, err = scanSub(s.pool.QueryRow(ctx, `SELECT `+subColumns+` FROM subscriptions WHERE id = $1`, id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trackpush.Errorf(trackpush.CodeNotFound, "no subscription %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: subscription %d: %w", id, err)
	}
	return sub, nil
}

// SubscriptionByToken returns the subscription of a trail token.
func (s *Store) SubscriptionByToken(ctx context.Context, token string) (*trackpush.Subscription, error) {
	var sub *trackpush.Subscription
	err := s.read(ctx, func(ctx context.Context) error {
		var err error
		sub, err = scanSub(s.pool.QueryRow(ctx, `SELECT `+subColumns+` FROM subscriptions WHERE trail_token = $1`, token))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) || token == "" {
		return nil, trackpush.Errorf(trackpush.CodeNotFound, "no such trail")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: subscription by token: %w", err)
	}
	return sub, nil
}

// SearchSubscriptions returns the subscriptions a query selects, newest
// first.
func (s *Store) SearchSubscriptions(ctx context.Context, q trackpush.SubscriptionQuery) ([]*trackpush.Subscription, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if q.Nu != "" {
		add("nu = $%d", q.Nu)
	}
	if q.Com != "" {
		add("com = $%d", q.Com)
	}
	if q.AccountID != 0 {
		add("account_id = $%d", q.AccountID)
	}
	if q.Status != "" {
		add("status = $%d", q.Status)
	}
	if q.Before != 0 {
		add("id < $%d", q.Before)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var out []*trackpush.Subscription
	err := s.read(ctx, func(ctx context.Context) error {
		rows, _ := s.pool.Query(ctx, `SELECT `+subColumns+` FROM subscriptions`+where+` ORDER BY id DESC LIMIT `+strconv.Itoa(q.PageSize()), args...)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*trackpush.Subscription, error) { return scanSub(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: search subscriptions: %w", err)
	}
	return out, nil
}

// lockSub locks a subscription's row and reads it with its stale time and
// claim token.
func lockSub(ctx context.Context, tx pgx.Tx, id int64) (*trackpush.Subscription, *time.Time, int64, error) {
	var stale *int64
	var claim int64
	sub, err := scanSub(tx.QueryRow(ctx, `SELECT `+subColumns+`, stale_at, claim FROM subscriptions WHERE id = $1 FOR UPDATE`, id), &stale, &claim)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, 0, trackpush.Errorf(trackpush.CodeNotFound, "no subscription %d", id)
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("postgres: subscription %d: %w", id, err)
	}
	return sub, fromNullMS(stale), claim, nil
}

// lockShipmentAndSub locks a subscription's shipment, then the
// subscription (the store's lock order), in one round trip, and reads the
// subscription with its stale time and claim token.
func lockShipmentAndSub(ctx context.Context, tx pgx.Tx, id int64) (int64, *trackpush.Subscription, *time.Time, int64, error) {
	var shipID, claim int64
	var stale *int64
	var sub *trackpush.Subscription
	b := &pgx.Batch{}
	b.Queue(`SELECT id FROM shipments WHERE id = (SELECT shipment_id FROM subscriptions WHERE id = $1) FOR UPDATE`, id)
	b.Queue(`SELECT `+subColumns+`, stale_at, claim FROM subscriptions WHERE id = $1 FOR UPDATE`, id).QueryRow(func(r pgx.Row) error {
		var err error
		sub, err = scanSub(r, &stale, &claim)
		return err
	})
	err := send(ctx, tx, b)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, nil, 0, trackpush.Errorf(trackpush.CodeNotFound, "no subscription %d", id)
	}
	if err != nil {
		return 0, nil, nil, 0, fmt.Errorf("postgres: subscription %d: %w", id, err)
	}
	shipID = sub.ShipmentID
	return shipID, sub, fromNullMS(stale), claim, nil
}

// UpdateAll asks for a full re-push.
func (s *Store) UpdateAll(ctx context.Context, id int64, now time.Time) error {
	return s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		sub, staleAt, claim, err := lockSub(ctx, tx, id)
		if err != nil {
			return err
		}
		sub.Push.Changed(now)
		sub.Push.UpdateAllVersion = sub.Push.Version
		var w subSaves
		w.add(sub, staleAt, claim, now)
		b := &pgx.Batch{}
		s.queueSaves(b, &w)
		if err := send(ctx, tx, b); err != nil {
			return fmt.Errorf("postgres: updateall: %w", err)
		}
		return nil
	})
}

// EndSubscription ends a live subscription.
func (s *Store) EndSubscription(ctx context.Context, end trackpush.End, now time.Time) (bool, error) {
	ended := false
	err := s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		ended = false
		shipID, sub, staleAt, claim, err := lockShipmentAndSub(ctx, tx, end.SubID)
		if err != nil {
			return err
		}
		if !sub.Live() || (end.IfStale && (staleAt == nil || staleAt.After(now))) {
			return nil
		}
		trackpush.EndNow(sub, end, now)
		var w subSaves
		w.add(sub, nil, claim, now)
		b := &pgx.Batch{}
		s.queueSaves(b, &w)
		queueStopPollingIfIdle(b, shipID)
		if err := send(ctx, tx, b); err != nil {
			return fmt.Errorf("postgres: end subscription: %w", err)
		}
		ended = true
		return nil
	})
	return ended, err
}

// queueStopPollingIfIdle stops polling a shipment nobody follows any more
// (the caller holds the shipment's lock, so no subscribe is under way).
func queueStopPollingIfIdle(b *pgx.Batch, shipID int64) {
	b.Queue(`UPDATE shipments SET next_poll_at = NULL, poll_lease_until = NULL
		WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE shipment_id = $1 AND status = 'polling')`, shipID)
}

// Redirect ends a subscription and follows its number with another
// carrier.
func (s *Store) Redirect(ctx context.Context, id int64, com string, polled bool, now time.Time) (*trackpush.Subscription, error) {
	var next *trackpush.Subscription
	err := s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		next = nil
		// The columns that never change, to know what to lock.
		var accountID, shipID int64
		var nu string
		err := tx.QueryRow(ctx, `SELECT account_id, shipment_id, nu FROM subscriptions WHERE id = $1`, id).Scan(&accountID, &shipID, &nu)
		if errors.Is(err, pgx.ErrNoRows) {
			return trackpush.Errorf(trackpush.CodeNotFound, "no subscription %d", id)
		}
		if err != nil {
			return fmt.Errorf("postgres: redirect: %w", err)
		}
		// The lock order: the account (its subscribes wait), then both
		// shipments by id — the new one created first if needed (a row
		// this transaction inserted is its own until it commits) — then
		// the subscription.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, accountID); err != nil {
			return fmt.Errorf("postgres: redirect: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO shipments (com, nu, created_at, changed_at) VALUES ($1, $2, $3, $3) ON CONFLICT (com, nu) DO NOTHING`,
			com, nu, ms(now)); err != nil {
			return fmt.Errorf("postgres: redirect: shipment: %w", err)
		}
		var events, count int
		var locked int64
		rows, _ := tx.Query(ctx, `SELECT id, event_count FROM shipments WHERE id = $1 OR (com = $2 AND nu = $3) ORDER BY id FOR UPDATE`, shipID, com, nu)
		_, err = pgx.ForEachRow(rows, []any{&locked, &count}, func() error {
			if locked == shipID {
				events = count
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("postgres: redirect: %w", err)
		}
		old, staleAt, claim, err := lockSub(ctx, tx, id)
		if err != nil {
			return err
		}
		if !old.Live() || events > 0 || staleAt == nil || staleAt.After(now) {
			return errRollback // ended, or a record arrived: nothing to correct
		}
		trackpush.EndNow(old, trackpush.End{Status: trackpush.StatusAbort, Message: trackpush.MessageNoRecord,
			AutoCheck: "0", ComOld: old.Com, ComNew: com}, now)
		var w subSaves
		w.add(old, nil, claim, now)
		b := &pgx.Batch{}
		s.queueSaves(b, &w)
		queueStopPollingIfIdle(b, shipID)
		// The account may follow that number with that carrier already.
		var have []int64
		b.Queue(`SELECT id FROM subscriptions WHERE account_id = $1 AND com = $2 AND nu = $3 AND status = 'polling'`,
			accountID, com, nu).Query(func(rows pgx.Rows) error {
			var err error
			have, err = pgx.CollectRows(rows, pgx.RowTo[int64])
			return err
		})
		if err := send(ctx, tx, b); err != nil {
			return fmt.Errorf("postgres: redirect: %w", err)
		}
		if len(have) > 0 {
			// Only read, not locked: a second subscription lock, taken
			// out of id order, could deadlock with CompletePushes. The
			// shipment's lock, held, keeps it live meanwhile.
			next, err = scanSub(tx.QueryRow(ctx, `SELECT `+subColumns+` FROM subscriptions WHERE id = $1`, have[0]))
			if err != nil {
				return fmt.Errorf("postgres: redirect: %w", err)
			}
			return nil
		}
		// The successor takes the trail link over.
		if _, err := tx.Exec(ctx, `UPDATE subscriptions SET trail_token = NULL WHERE id = $1`, old.ID); err != nil {
			return fmt.Errorf("postgres: redirect: %w", err)
		}
		n := *old
		n.ID, n.Com, n.AutoCheck, n.ComOld, n.ComNew, n.Message, n.Polled = 0, com, "1", old.Com, com, "", polled
		old.TrailToken = ""
		if err := s.insertSub(ctx, tx, &n, now, false); err != nil {
			return err
		}
		next = &n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}
