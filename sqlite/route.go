package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
)

// savePlaces adds new places to the gazetteer; a place already there keeps
// its region unless it had none.
func (s *Store) savePlaces(ctx context.Context, tx *sql.Tx, places []trackpush.Place, now time.Time) error {
	for _, p := range places {
		_, err := s.exec(ctx, tx, `INSERT INTO places (com, key, name, type, area_code, lng, lat, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (com, key) DO UPDATE SET area_code = excluded.area_code, lng = excluded.lng, lat = excluded.lat, updated_at = excluded.updated_at
			WHERE places.area_code = '' AND excluded.area_code <> ''`,
			p.Com, p.Key, p.Name, p.Type, p.AreaCode, p.Lng, p.Lat, ms(now))
		if err != nil {
			return fmt.Errorf("sqlite: save place: %w", err)
		}
	}
	return nil
}

// countChunk is how many bins one statement adds to: one statement for a
// digest's few dozen counts costs far less than one each.
const countChunk = 32

// addCounts adds increments to the learned statistics.
func (s *Store) addCounts(ctx context.Context, tx *sql.Tx, counts []trackpush.RouteCount, now time.Time) error {
	for len(counts) > 0 {
		n := min(len(counts), countChunk)
		var q strings.Builder
		q.WriteString(`INSERT INTO route_counts (kind, com, key, bucket, bin, n, updated_at) VALUES `)
		args := make([]any, 1, 6*n+1)
		args[0] = ms(now) // ?1
		for i, c := range counts[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			k := 2 + 6*i
			fmt.Fprintf(&q, "(?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?1)", k, k+1, k+2, k+3, k+4, k+5)
			args = append(args, c.Kind, c.Com, c.Key, c.Bucket, c.Bin, c.N)
		}
		q.WriteString(` ON CONFLICT (kind, com, key, bucket, bin) DO UPDATE SET n = route_counts.n + excluded.n, updated_at = excluded.updated_at`)
		if _, err := s.exec(ctx, tx, q.String(), args...); err != nil {
			return fmt.Errorf("sqlite: add counts: %w", err)
		}
		counts = counts[n:]
	}
	return nil
}

// Places returns the places added or changed at or after since.
func (s *Store) Places(ctx context.Context, since time.Time) ([]trackpush.Place, error) {
	rows, err := s.rquery(ctx, `SELECT com, key, name, type, area_code, lng, lat FROM places WHERE updated_at >= ? ORDER BY com, key`, sinceMS(since))
	if err != nil {
		return nil, fmt.Errorf("sqlite: places: %w", err)
	}
	defer rows.Close()
	var out []trackpush.Place
	for rows.Next() {
		var p trackpush.Place
		if err := rows.Scan(&p.Com, &p.Key, &p.Name, &p.Type, &p.AreaCode, &p.Lng, &p.Lat); err != nil {
			return nil, fmt.Errorf("sqlite: places: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RouteCounts returns the totals of the bins changed at or after since.
func (s *Store) RouteCounts(ctx context.Context, since time.Time) ([]trackpush.RouteCount, error) {
	rows, err := s.rquery(ctx, `SELECT kind, com, key, bucket, bin, n FROM route_counts WHERE updated_at >= ? ORDER BY kind, com, key, bucket, bin`, sinceMS(since))
	if err != nil {
		return nil, fmt.Errorf("sqlite: route counts: %w", err)
	}
	defer rows.Close()
	var out []trackpush.RouteCount
	for rows.Next() {
		var c trackpush.RouteCount
		if err := rows.Scan(&c.Kind, &c.Com, &c.Key, &c.Bucket, &c.Bin, &c.N); err != nil {
			return nil, fmt.Errorf("sqlite: route counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// sinceMS is the lower bound of a since query: every row for the zero time.
func sinceMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}
