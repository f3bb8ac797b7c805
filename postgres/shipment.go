package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trackpush/trackpush"
)

const shipColumns = `id, com, nu, from_area, to_area, state, signed, finished, last_event_at, event_count, created_at, changed_at, forecast`

func scanShipment(row pgx.Row, extra ...any) (*trackpush.Shipment, error) {
	var h trackpush.Shipment
	var from, to, fc *string
	var last *int64
	var created, changed int64
	dst := []any{&h.ID, &h.Com, &h.Nu, &from, &to, &h.Summary.State, &h.Summary.Signed, &h.Summary.Finished,
		&last, &h.EventCount, &created, &changed, &fc}
	if err := row.Scan(append(dst, extra...)...); err != nil {
		return nil, err
	}
	if fc != nil {
		var err error
		if h.Forecast, err = trackpush.DecodeForecast([]byte(*fc)); err != nil {
			return nil, fmt.Errorf("forecast of shipment %d: %w", h.ID, err)
		}
	}
	var err error
	if h.From, err = scanArea(from); err != nil {
		return nil, err
	}
	if h.To, err = scanArea(to); err != nil {
		return nil, err
	}
	if last != nil {
		h.Summary.LastEventAt = time.Unix(*last, 0).In(trackpush.CST)
	}
	h.CreatedAt, h.ChangedAt = fromMS(created), fromMS(changed)
	return &h, nil
}

const eventColumns = `seq, time, raw_time, context, state, area`

// eventDest holds the scan destinations of eventColumns.
type eventDest struct {
	e    trackpush.Event
	t    int64
	area *string
}

func (d *eventDest) dst() []any {
	return []any{&d.e.Seq, &d.t, &d.e.RawTime, &d.e.Context, &d.e.State, &d.area}
}

func (d *eventDest) event() (trackpush.Event, error) {
	e := d.e
	e.Time = time.Unix(d.t, 0).In(trackpush.CST)
	var err error
	if e.Area, err = scanArea(d.area); err != nil {
		return e, fmt.Errorf("event %d: %w", e.Seq, err)
	}
	return e, nil
}

// Shipment returns a shipment and its events, read by one statement (one
// snapshot: the count and the events agree).
func (s *Store) Shipment(ctx context.Context, com, nu string) (*trackpush.Shipment, []trackpush.Event, error) {
	var h *trackpush.Shipment
	var evs []trackpush.Event
	err := s.read(ctx, func(ctx context.Context) error {
		h, evs = nil, nil
		rows, _ := s.pool.Query(ctx, `SELECT `+prefixed("h.", shipColumns)+`, e.seq, e.time, e.raw_time, e.context, e.state, e.area
			FROM shipments h LEFT JOIN events e ON e.shipment_id = h.id
			WHERE h.com = $1 AND h.nu = $2 ORDER BY e.seq`, com, nu)
		defer rows.Close()
		for rows.Next() {
			var seq, t *int64
			var raw, text *string
			var state *int32
			var area *string
			ship, err := scanShipment(rows, &seq, &t, &raw, &text, &state, &area)
			if err != nil {
				return err
			}
			h = ship
			if seq == nil {
				continue // no events
			}
			d := eventDest{e: trackpush.Event{Seq: *seq, RawTime: *raw, Context: *text, State: trackpush.State(*state)}, t: *t, area: area}
			e, err := d.event()
			if err != nil {
				return err
			}
			evs = append(evs, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: shipment: %w", err)
	}
	return h, evs, nil
}

// collectEvents reads rows of eventColumns.
func collectEvents(rows pgx.Rows) ([]trackpush.Event, error) {
	var d eventDest
	var out []trackpush.Event
	_, err := pgx.ForEachRow(rows, d.dst(), func() error {
		e, err := d.event()
		out = append(out, e)
		return err
	})
	return out, err
}

// AppendEvents stores new events, updates the summary and the live
// subscriptions. The shipment's row is locked first (created if need be):
// appends to one shipment take turns, so each sees every event before it —
// sequence numbers stay unique and the summary covers all events.
func (s *Store) AppendEvents(ctx context.Context, com, nu string, events []trackpush.Event, now time.Time, summarize func([]trackpush.Event) trackpush.Summary) (accepted, dups int, err error) {
	return s.AppendEventsDigest(ctx, com, nu, events, now, trackpush.SummaryDigest(summarize))
}

// AppendEventsDigest stores new events and what digest makes of them (the
// summary, the forecast, new places, learned counts) under the shipment's
// row lock, and updates the live subscriptions.
func (s *Store) AppendEventsDigest(ctx context.Context, com, nu string, events []trackpush.Event, now time.Time, digest trackpush.DigestFunc) (accepted, dups int, err error) {
	err = s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		accepted, dups = 0, 0
		h := &trackpush.Shipment{Com: com, Nu: nu}
		var from, to *string
		// One round trip. The server runs the statements in order: the
		// read of the events takes its snapshot once the shipment's lock is
		// held, so it sees the events of appends that held it before.
		// (A lock, unlike a no-op update, leaves no dead row version.)
		var all []trackpush.Event
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO shipments (com, nu, created_at, changed_at) VALUES ($1, $2, $3, $3) ON CONFLICT (com, nu) DO NOTHING`,
			com, nu, ms(now))
		b.Queue(`SELECT id, from_area, to_area FROM shipments WHERE com = $1 AND nu = $2 FOR UPDATE`, com, nu).QueryRow(func(r pgx.Row) error {
			return r.Scan(&h.ID, &from, &to)
		})
		b.Queue(`SELECT `+prefixed("e.", eventColumns)+` FROM events e JOIN shipments h ON h.id = e.shipment_id
			WHERE h.com = $1 AND h.nu = $2 ORDER BY e.seq`, com, nu).Query(func(rows pgx.Rows) error {
			var err error
			all, err = collectEvents(rows)
			return err
		})
		if err := send(ctx, tx, b); err != nil {
			return fmt.Errorf("postgres: append events: %w", err)
		}
		shipID := h.ID
		var err error
		if h.From, err = scanArea(from); err != nil {
			return err
		}
		if h.To, err = scanArea(to); err != nil {
			return err
		}
		fresh := trackpush.NewEvents(all, events)
		dups = len(events) - len(fresh)
		if len(fresh) == 0 {
			return nil
		}
		d := digest(h, all, fresh)
		all = append(all, fresh...)
		sum := d.Summary
		var fc *string
		if d.Forecast != nil {
			js, err := trackpush.EncodeForecast(d.Forecast)
			if err != nil {
				return fmt.Errorf("postgres: append events: forecast: %w", err)
			}
			fc = new(string)
			*fc = string(js)
		}

		seqs := make([]int64, len(fresh))
		times := make([]int64, len(fresh))
		raws := make([]string, len(fresh))
		texts := make([]string, len(fresh))
		states := make([]int32, len(fresh))
		areas := make([]*string, len(fresh))
		for i, e := range fresh {
			seqs[i], times[i], raws[i], texts[i], states[i], areas[i] = e.Seq, e.Time.Unix(), e.RawTime, e.Context, int32(e.State), areaValue(e.Area)
		}
		b = &pgx.Batch{}
		b.Queue(`INSERT INTO events (shipment_id, seq, time, raw_time, context, state, area)
			SELECT $1, u.seq, u.time, u.raw_time, u.context, u.state, u.area
			FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::int[], $7::text[]) AS u(seq, time, raw_time, context, state, area)`,
			shipID, seqs, times, raws, texts, states, areas)
		b.Queue(`UPDATE shipments SET state = $1, signed = $2, finished = $3, last_event_at = $4, event_count = $5, changed_at = $6,
				next_poll_at = CASE WHEN $3 THEN NULL ELSE next_poll_at END, forecast = $8
			WHERE id = $7`,
			int32(sum.State), sum.Signed, sum.Finished, sum.LastEventAt.Unix(), len(all), ms(now), shipID, fc)
		queuePlaces(b, d.Places, now)
		queueCounts(b, d.Counts, shipID, now)
		var subs []*trackpush.Subscription
		var claims []int64
		b.Queue(`SELECT `+subColumns+`, claim FROM subscriptions WHERE shipment_id = $1 AND status = 'polling' ORDER BY id FOR UPDATE`,
			shipID).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var claim int64
				sub, err := scanSub(rows, &claim)
				if err != nil {
					return err
				}
				subs, claims = append(subs, sub), append(claims, claim)
			}
			return rows.Err()
		})
		if err := send(ctx, tx, b); err != nil {
			return fmt.Errorf("postgres: append events: %w", err)
		}
		accepted = len(fresh)

		// Every live subscription gets a new version; a finished shipment
		// ends them with shutdown.
		var w subSaves
		for i, sub := range subs {
			var staleAt *time.Time
			if sum.Finished {
				trackpush.EndNow(sub, trackpush.End{Status: trackpush.StatusShutdown}, now)
			} else {
				sub.Push.Changed(now)
				t := trackpush.StaleAt(sub.CreatedAt, true, now)
				staleAt = &t
			}
			w.add(sub, staleAt, claims[i], now)
		}
		b = &pgx.Batch{}
		s.queueSaves(b, &w)
		if err := send(ctx, tx, b); err != nil {
			return fmt.Errorf("postgres: append events: subscriptions: %w", err)
		}
		return nil
	})
	if err != nil {
		accepted, dups = 0, 0
	}
	return accepted, dups, err
}

// SettleLockers marks the shipments left at a locker for the wait signed
// there and shuts their live subscriptions down. Shipments are locked in
// id order, then their subscriptions, as everywhere else.
func (s *Store) SettleLockers(ctx context.Context, before, now time.Time, limit int) (int, error) {
	var n int
	err := s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		n = 0
		var sum trackpush.Summary
		trackpush.SettleAtLocker(&sum)
		rows, _ := tx.Query(ctx, `
			WITH due AS (
				SELECT id FROM shipments WHERE state = $1 AND NOT finished AND changed_at <= $2
				ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
			UPDATE shipments s SET state = $4, signed = $5, finished = $6, next_poll_at = NULL
			FROM due WHERE s.id = due.id RETURNING s.id`,
			int32(trackpush.StateAtLocker), ms(before), limit, int32(sum.State), sum.Signed, sum.Finished)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("postgres: settle lockers: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		rows, _ = tx.Query(ctx, `SELECT `+subColumns+`, claim FROM subscriptions
			WHERE shipment_id = ANY($1) AND status = 'polling' ORDER BY id FOR UPDATE`, ids)
		var w subSaves
		for rows.Next() {
			var claim int64
			sub, err := scanSub(rows, &claim)
			if err != nil {
				rows.Close()
				return fmt.Errorf("postgres: settle lockers: %w", err)
			}
			trackpush.EndNow(sub, trackpush.End{Status: trackpush.StatusShutdown}, now)
			w.add(sub, nil, claim, now)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: settle lockers: %w", err)
		}
		b := &pgx.Batch{}
		s.queueSaves(b, &w)
		if err := send(ctx, tx, b); err != nil {
			return fmt.Errorf("postgres: settle lockers: subscriptions: %w", err)
		}
		n = len(ids)
		return nil
	})
	return n, err
}
