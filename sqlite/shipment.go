package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trackpush/trackpush"
)

const shipColumns = `id, com, nu, from_area, to_area, state, signed, finished, last_event_at, event_count, created_at, changed_at, forecast`

func scanShipment(sc interface{ Scan(...any) error }) (*trackpush.Shipment, error) {
	var h trackpush.Shipment
	var from, to, fc sql.NullString
	var last sql.NullInt64
	var created, changed int64
	err := sc.Scan(&h.ID, &h.Com, &h.Nu, &from, &to, &h.Summary.State, &h.Summary.Signed, &h.Summary.Finished,
		&last, &h.EventCount, &created, &changed, &fc)
	if err != nil {
		return nil, err
	}
	if fc.Valid {
		if h.Forecast, err = trackpush.DecodeForecast([]byte(fc.String)); err != nil {
			return nil, fmt.Errorf("forecast of shipment %d: %w", h.ID, err)
		}
	}
	if h.From, err = scanArea(from); err != nil {
		return nil, err
	}
	if h.To, err = scanArea(to); err != nil {
		return nil, err
	}
	if last.Valid {
		h.Summary.LastEventAt = time.Unix(last.Int64, 0).In(trackpush.CST)
	}
	h.CreatedAt, h.ChangedAt = fromMS(created), fromMS(changed)
	return &h, nil
}

// loadEvents reads a shipment's events in a write transaction, or from
// the read pool when tx is nil.
func (s *Store) loadEvents(ctx context.Context, tx *sql.Tx, shipID int64) ([]trackpush.Event, error) {
	q := `SELECT seq, time, raw_time, context, state, area FROM events WHERE shipment_id = ? ORDER BY seq`
	var rows *sql.Rows
	var err error
	if tx != nil {
		rows, err = s.query(ctx, tx, q, shipID)
	} else {
		rows, err = s.rquery(ctx, q, shipID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	defer rows.Close()
	var out []trackpush.Event
	for rows.Next() {
		e, _, err := scanEvent(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanEvent(sc interface{ Scan(...any) error }, withShipment bool) (trackpush.Event, int64, error) {
	var e trackpush.Event
	var t int64
	var area sql.NullString
	var ship int64
	dst := []any{&e.Seq, &t, &e.RawTime, &e.Context, &e.State, &area}
	if withShipment {
		dst = append([]any{&ship}, dst...)
	}
	if err := sc.Scan(dst...); err != nil {
		return e, 0, fmt.Errorf("sqlite: event: %w", err)
	}
	e.Time = time.Unix(t, 0).In(trackpush.CST)
	var err error
	e.Area, err = scanArea(area)
	return e, ship, err
}

// Shipment returns a shipment and its events.
func (s *Store) Shipment(ctx context.Context, com, nu string) (*trackpush.Shipment, []trackpush.Event, error) {
	h, err := scanShipment(s.rqueryRow(ctx, `SELECT `+shipColumns+` FROM shipments WHERE com = ? AND nu = ?`, com, nu))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: shipment: %w", err)
	}
	evs, err := s.loadEvents(ctx, nil, h.ID)
	return h, evs, err
}

// AppendEvents stores new events, updates the summary and the live
// subscriptions.
func (s *Store) AppendEvents(ctx context.Context, com, nu string, events []trackpush.Event, now time.Time, summarize func([]trackpush.Event) trackpush.Summary) (accepted, dups int, err error) {
	return s.AppendEventsDigest(ctx, com, nu, events, now, trackpush.SummaryDigest(summarize))
}

// AppendEventsDigest stores new events and what digest makes of them (the
// summary, the forecast, new places, learned counts), and updates the live
// subscriptions.
func (s *Store) AppendEventsDigest(ctx context.Context, com, nu string, events []trackpush.Event, now time.Time, digest trackpush.DigestFunc) (accepted, dups int, err error) {
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		accepted, dups = 0, 0
		h := &trackpush.Shipment{Com: com, Nu: nu}
		var from, to sql.NullString
		err := s.queryRow(ctx, tx, `
			INSERT INTO shipments (com, nu, created_at, changed_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (com, nu) DO UPDATE SET com = excluded.com RETURNING id, from_area, to_area`,
			com, nu, ms(now), ms(now)).Scan(&h.ID, &from, &to)
		if err != nil {
			return fmt.Errorf("sqlite: append events: shipment: %w", err)
		}
		if h.From, err = scanArea(from); err != nil {
			return err
		}
		if h.To, err = scanArea(to); err != nil {
			return err
		}
		before, err := s.loadEvents(ctx, tx, h.ID)
		if err != nil {
			return err
		}
		fresh := trackpush.NewEvents(before, events)
		dups = len(events) - len(fresh)
		if len(fresh) == 0 {
			return nil
		}
		for _, e := range fresh {
			_, err := s.exec(ctx, tx, `INSERT INTO events (shipment_id, seq, time, raw_time, context, state, area) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				h.ID, e.Seq, e.Time.Unix(), e.RawTime, e.Context, e.State, areaValue(e.Area))
			if err != nil {
				return fmt.Errorf("sqlite: append events: %w", err)
			}
		}
		accepted = len(fresh)
		d := digest(h, before, fresh)
		sum := d.Summary
		var fc any
		if d.Forecast != nil {
			b, err := trackpush.EncodeForecast(d.Forecast)
			if err != nil {
				return fmt.Errorf("sqlite: append events: forecast: %w", err)
			}
			fc = string(b)
		}
		_, err = s.exec(ctx, tx, `UPDATE shipments SET state = ?, signed = ?, finished = ?, last_event_at = ?, event_count = ?, changed_at = ?,
				next_poll_at = CASE WHEN ? THEN NULL ELSE next_poll_at END, forecast = ? WHERE id = ?`,
			sum.State, sum.Signed, sum.Finished, sum.LastEventAt.Unix(), len(before)+len(fresh), ms(now), sum.Finished, fc, h.ID)
		if err != nil {
			return fmt.Errorf("sqlite: append events: summary: %w", err)
		}
		if err := s.savePlaces(ctx, tx, d.Places, now); err != nil {
			return err
		}
		if err := s.addCounts(ctx, tx, d.Counts, now); err != nil {
			return err
		}
		return s.touchLive(ctx, tx, h.ID, sum.Finished, now)
	})
	return accepted, dups, err
}

// SettleLockers marks the shipments left at a locker for the wait signed
// there and shuts their live subscriptions down.
func (s *Store) SettleLockers(ctx context.Context, before, now time.Time, limit int) (int, error) {
	var n int
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		n = 0
		rows, err := s.query(ctx, tx, `SELECT id FROM shipments WHERE state = ? AND finished = 0 AND changed_at <= ? ORDER BY changed_at LIMIT ?`,
			trackpush.StateAtLocker, ms(before), limit)
		if err != nil {
			return fmt.Errorf("sqlite: settle lockers: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: settle lockers: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: settle lockers: %w", err)
		}
		for _, id := range ids {
			var sum trackpush.Summary
			trackpush.SettleAtLocker(&sum)
			if _, err := s.exec(ctx, tx, `UPDATE shipments SET state = ?, signed = ?, finished = ?, next_poll_at = NULL WHERE id = ?`,
				sum.State, sum.Signed, sum.Finished, id); err != nil {
				return fmt.Errorf("sqlite: settle lockers: %w", err)
			}
			if err := s.touchLive(ctx, tx, id, true, now); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// touchLive records a new version on every live subscription of a
// shipment, ending them with shutdown when it is finished.
func (s *Store) touchLive(ctx context.Context, tx *sql.Tx, shipID int64, finished bool, now time.Time) error {
	rows, err := s.query(ctx, tx, `SELECT `+subColumns+`, claim FROM subscriptions WHERE shipment_id = ? AND status = 'polling'`, shipID)
	if err != nil {
		return fmt.Errorf("sqlite: live subscriptions: %w", err)
	}
	var subs []*trackpush.Subscription
	var claims []int64
	for rows.Next() {
		var claim int64
		sub, err := scanSub(scanTail{rows, []any{&claim}})
		if err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: live subscriptions: %w", err)
		}
		subs = append(subs, sub)
		claims = append(claims, claim)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: read rows: %w", err)
	}
	for i, sub := range subs {
		var staleAt *time.Time
		if finished {
			trackpush.EndNow(sub, trackpush.End{Status: trackpush.StatusShutdown}, now)
		} else {
			sub.Push.Changed(now)
			t := trackpush.StaleAt(sub.CreatedAt, true, now)
			staleAt = &t
		}
		if err := s.savePush(ctx, tx, sub, staleAt, claims[i]); err != nil {
			return err
		}
	}
	return nil
}
