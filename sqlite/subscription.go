package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
)

func areaValue(a *trackpush.Area) any {
	if a == nil {
		return nil
	}
	b, _ := json.Marshal(a)
	return string(b)
}

func scanArea(v sql.NullString) (*trackpush.Area, error) {
	if !v.Valid {
		return nil, nil
	}
	var a trackpush.Area
	if err := json.Unmarshal([]byte(v.String), &a); err != nil {
		return nil, fmt.Errorf("decode area: %w", err)
	}
	return &a, nil
}

const subColumns = `id, account_id, shipment_id, com, nu, from_text, to_text, from_area, to_area,
	callback_url, salt, phone, map_config_key, level, status, message, auto_check, com_old, com_new,
	created_at, ended_at, version, pushed_version, gave_up_version, attempts, next_attempt_at,
	lease_until, end_version, updateall_version, trail_token`

func scanSub(sc interface{ Scan(...any) error }) (*trackpush.Subscription, error) {
	var s trackpush.Subscription
	var from, to, salt, trail sql.NullString
	var created int64
	var ended, next, lease sql.NullInt64
	p := &s.Push
	err := sc.Scan(&s.ID, &s.AccountID, &s.ShipmentID, &s.Com, &s.Nu, &s.FromText, &s.ToText, &from, &to,
		&s.CallbackURL, &salt, &s.Phone, &s.MapConfigKey, &s.Level, &s.Status, &s.Message, &s.AutoCheck, &s.ComOld, &s.ComNew,
		&created, &ended, &p.Version, &p.PushedVersion, &p.GaveUpVersion, &p.Attempts, &next,
		&lease, &p.EndVersion, &p.UpdateAllVersion, &trail)
	if err != nil {
		return nil, err
	}
	s.TrailToken = trail.String
	if s.From, err = scanArea(from); err != nil {
		return nil, err
	}
	if s.To, err = scanArea(to); err != nil {
		return nil, err
	}
	if salt.Valid {
		s.Salt = &salt.String
	}
	s.CreatedAt = fromMS(created)
	s.EndedAt = fromNullMS(ended)
	p.NextAttemptAt = fromNullMS(next)
	p.LeaseUntil = fromNullMS(lease)
	return &s, nil
}

// savePush writes a subscription's push state and lifecycle fields.
func (s *Store) savePush(ctx context.Context, tx *sql.Tx, sub *trackpush.Subscription, staleAt *time.Time, claim int64) error {
	p := &sub.Push
	_, err := s.exec(ctx, tx, `
		UPDATE subscriptions SET status = ?, message = ?, auto_check = ?, com_old = ?, com_new = ?, ended_at = ?,
			stale_at = ?, version = ?, pushed_version = ?, gave_up_version = ?, attempts = ?,
			next_attempt_at = ?, lease_until = ?, claim = ?, end_version = ?, updateall_version = ?
		WHERE id = ?`,
		sub.Status, sub.Message, sub.AutoCheck, sub.ComOld, sub.ComNew, msPtr(sub.EndedAt),
		msPtr(staleAt), p.Version, p.PushedVersion, p.GaveUpVersion, p.Attempts,
		msPtr(p.NextAttemptAt), msPtr(p.LeaseUntil), claim, p.EndVersion, p.UpdateAllVersion, sub.ID)
	if err != nil {
		return fmt.Errorf("sqlite: save subscription %d: %w", sub.ID, err)
	}
	return nil
}

// Subscribe stores a subscription after the account and duplicate checks.
func (s *Store) Subscribe(ctx context.Context, sub *trackpush.Subscription, now time.Time) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		a, err := scanAccount(s.queryRow(ctx, tx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, sub.AccountID))
		if errors.Is(err, sql.ErrNoRows) {
			return trackpush.Errorf(trackpush.CodeUnauthorized, "no account %d", sub.AccountID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: subscribe: %w", err)
		}
		if err := trackpush.CheckAccount(a, now, true); err != nil {
			return err
		}
		var prior []trackpush.PriorSubscription
		rows, err := s.query(ctx, tx, `SELECT status, created_at, ended_at FROM subscriptions
			WHERE account_id = ? AND com = ? AND nu = ? AND (status = 'polling' OR created_at >= ? OR ended_at >= ?)`,
			sub.AccountID, sub.Com, sub.Nu, ms(trackpush.MonthStart(now)), ms(now.Add(-trackpush.ResubscribeAfter)))
		if err != nil {
			return fmt.Errorf("sqlite: subscribe: %w", err)
		}
		for rows.Next() {
			var p trackpush.PriorSubscription
			var created int64
			var ended sql.NullInt64
			if err := rows.Scan(&p.Status, &created, &ended); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: subscribe: %w", err)
			}
			p.CreatedAt, p.EndedAt = fromMS(created), fromNullMS(ended)
			prior = append(prior, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: read rows: %w", err)
		}
		if err := trackpush.CheckDuplicate(prior, now); err != nil {
			return err
		}
		if err := s.insertSub(ctx, tx, sub, now); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE accounts SET used = used + 1 WHERE id = ?`, sub.AccountID); err != nil {
			return fmt.Errorf("sqlite: subscribe: quota: %w", err)
		}
		return nil
	})
}

// insertSub creates the shipment if needed and stores a new live
// subscription of it, due at once when the shipment has events.
func (s *Store) insertSub(ctx context.Context, tx *sql.Tx, sub *trackpush.Subscription, now time.Time) error {
	var shipID, changed int64
	var events int
	var finished bool
	err := s.queryRow(ctx, tx, `
		INSERT INTO shipments (com, nu, from_area, to_area, created_at, changed_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (com, nu) DO UPDATE SET
			from_area = COALESCE(shipments.from_area, excluded.from_area),
			to_area = COALESCE(shipments.to_area, excluded.to_area)
		RETURNING id, event_count, changed_at, finished`,
		sub.Com, sub.Nu, areaValue(sub.From), areaValue(sub.To), ms(now), ms(now)).Scan(&shipID, &events, &changed, &finished)
	if err != nil {
		return fmt.Errorf("sqlite: subscribe: shipment: %w", err)
	}
	sub.ShipmentID = shipID
	if sub.Polled {
		if err := s.startPolling(ctx, tx, shipID, now); err != nil {
			return err
		}
	}
	staleAt := trackpush.Begin(sub, fromMS(ms(now)), events, fromMS(changed), finished)
	var salt any
	if sub.Salt != nil {
		salt = *sub.Salt
	}
	p := &sub.Push
	err = s.queryRow(ctx, tx, `
		INSERT INTO subscriptions (account_id, shipment_id, com, nu, from_text, to_text, from_area, to_area,
			callback_url, callback_host, salt, phone, map_config_key, level, status, auto_check, com_old, com_new, created_at,
			ended_at, stale_at, version, next_attempt_at, end_version, trail_token)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		sub.AccountID, shipID, sub.Com, sub.Nu, sub.FromText, sub.ToText, areaValue(sub.From), areaValue(sub.To),
		sub.CallbackURL, trackpush.CallbackHost(sub.CallbackURL), salt, sub.Phone, sub.MapConfigKey, sub.Level, sub.Status, sub.AutoCheck, sub.ComOld, sub.ComNew,
		ms(now), msPtr(sub.EndedAt), msPtr(staleAt), p.Version, msPtr(p.NextAttemptAt), p.EndVersion, nullString(sub.TrailToken)).Scan(&sub.ID)
	if err != nil {
		return fmt.Errorf("sqlite: subscribe: %w", err)
	}
	return nil
}

// Subscription returns one subscription.
func (s *Store) Subscription(ctx context.Context, id int64) (*trackpush.Subscription, error) {
	sub, err := scanSub(s.rqueryRow(ctx, `SELECT `+subColumns+` FROM subscriptions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trackpush.Errorf(trackpush.CodeNotFound, "no subscription %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: subscription %d: %w", id, err)
	}
	return sub, nil
}

// nullString stores "" as NULL.
func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// SubscriptionByToken returns the subscription of a trail token.
func (s *Store) SubscriptionByToken(ctx context.Context, token string) (*trackpush.Subscription, error) {
	sub, err := scanSub(s.rqueryRow(ctx, `SELECT `+subColumns+` FROM subscriptions WHERE trail_token = ?`, token))
	if errors.Is(err, sql.ErrNoRows) || token == "" {
		return nil, trackpush.Errorf(trackpush.CodeNotFound, "no such trail")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: subscription by token: %w", err)
	}
	return sub, nil
}

// SearchSubscriptions returns the subscriptions a query selects, newest
// first.
func (s *Store) SearchSubscriptions(ctx context.Context, q trackpush.SubscriptionQuery) ([]*trackpush.Subscription, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		conds = append(conds, cond)
		args = append(args, v)
	}
	if q.Nu != "" {
		add("nu = ?", q.Nu)
	}
	if q.Com != "" {
		add("com = ?", q.Com)
	}
	if q.AccountID != 0 {
		add("account_id = ?", q.AccountID)
	}
	if q.Status != "" {
		add("status = ?", q.Status)
	}
	if q.Before != 0 {
		add("id < ?", q.Before)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := s.rquery(ctx, `SELECT `+subColumns+` FROM subscriptions`+where+` ORDER BY id DESC LIMIT `+strconv.Itoa(q.PageSize()), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search subscriptions: %w", err)
	}
	defer rows.Close()
	var out []*trackpush.Subscription
	for rows.Next() {
		sub, err := scanSub(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: search subscriptions: %w", err)
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// UpdateAll asks for a full re-push.
func (s *Store) UpdateAll(ctx context.Context, id int64, now time.Time) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		sub, staleAt, claim, err := s.loadSubForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		sub.Push.Changed(now)
		sub.Push.UpdateAllVersion = sub.Push.Version
		return s.savePush(ctx, tx, sub, staleAt, claim)
	})
}

func (s *Store) loadSubForUpdate(ctx context.Context, tx *sql.Tx, id int64) (*trackpush.Subscription, *time.Time, int64, error) {
	var stale sql.NullInt64
	var claim int64
	row := s.queryRow(ctx, tx, `SELECT `+subColumns+`, stale_at, claim FROM subscriptions WHERE id = ?`, id)
	sub, err := scanSub(scanTail{row, []any{&stale, &claim}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, 0, trackpush.Errorf(trackpush.CodeNotFound, "no subscription %d", id)
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("sqlite: subscription %d: %w", id, err)
	}
	return sub, fromNullMS(stale), claim, nil
}

// scanTail scans extra columns after a subscription's.
type scanTail struct {
	sc    interface{ Scan(...any) error }
	extra []any
}

func (t scanTail) Scan(dst ...any) error { return t.sc.Scan(append(dst, t.extra...)...) }
