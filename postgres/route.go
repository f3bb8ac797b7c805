package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trackpush/trackpush"
)

// countShards is how many rows a bin of the statistics is spread over.
const countShards = 8

// queuePlaces queues the insertion of new places: a place already there
// keeps its region unless it had none.
func queuePlaces(b *pgx.Batch, places []trackpush.Place, now time.Time) {
	if len(places) == 0 {
		return
	}
	n := len(places)
	coms, keys, names, types, areas := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lngs, lats := make([]float64, n), make([]float64, n)
	for i, p := range places {
		coms[i], keys[i], names[i], types[i], areas[i], lngs[i], lats[i] = p.Com, p.Key, p.Name, p.Type, p.AreaCode, p.Lng, p.Lat
	}
	b.Queue(`INSERT INTO places (com, key, name, type, area_code, lng, lat, updated_at)
		SELECT u.com, u.key, u.name, u.type, u.area_code, u.lng, u.lat, $8::bigint
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[])
			AS u(com, key, name, type, area_code, lng, lat)
		ORDER BY u.com, u.key
		ON CONFLICT (com, key) DO UPDATE SET area_code = excluded.area_code, lng = excluded.lng, lat = excluded.lat, updated_at = excluded.updated_at
		WHERE places.area_code = '' AND excluded.area_code <> ''`,
		coms, keys, names, types, areas, lngs, lats, ms(now))
}

// queueCounts queues increments of the statistics, in the shipment's shard.
// The rows are taken in key order (the digest sorts them), so that two
// transactions adding to the same rows never wait for each other in a
// cycle.
func queueCounts(b *pgx.Batch, counts []trackpush.RouteCount, shipID int64, now time.Time) {
	if len(counts) == 0 {
		return
	}
	n := len(counts)
	kinds, buckets, bins := make([]int32, n), make([]int32, n), make([]int32, n)
	coms, keys := make([]string, n), make([]string, n)
	ns := make([]int64, n)
	for i, c := range counts {
		kinds[i], coms[i], keys[i], buckets[i], bins[i], ns[i] = int32(c.Kind), c.Com, c.Key, int32(c.Bucket), int32(c.Bin), c.N
	}
	b.Queue(`INSERT INTO route_counts (kind, com, key, bucket, bin, shard, n, updated_at)
		SELECT u.kind, u.com, u.key, u.bucket, u.bin, $7::smallint, u.n, $8::bigint
		FROM unnest($1::int[], $2::text[], $3::text[], $4::int[], $5::int[], $6::bigint[])
			WITH ORDINALITY AS u(kind, com, key, bucket, bin, n, i)
		ORDER BY u.i
		ON CONFLICT (kind, com, key, bucket, bin, shard) DO UPDATE SET n = route_counts.n + excluded.n, updated_at = excluded.updated_at`,
		kinds, coms, keys, buckets, bins, ns, int16(shipID%countShards), ms(now))
}

// Places returns the places added or changed at or after since.
func (s *Store) Places(ctx context.Context, since time.Time) ([]trackpush.Place, error) {
	var out []trackpush.Place
	err := s.read(ctx, func(ctx context.Context) error {
		out = nil
		rows, _ := s.pool.Query(ctx, `SELECT com, key, name, type, area_code, lng, lat FROM places WHERE updated_at >= $1 ORDER BY com, key`, sinceMS(since))
		var p trackpush.Place
		_, err := pgx.ForEachRow(rows, []any{&p.Com, &p.Key, &p.Name, &p.Type, &p.AreaCode, &p.Lng, &p.Lat}, func() error {
			out = append(out, p)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: places: %w", err)
	}
	return out, nil
}

// RouteCounts returns the totals (over their shards) of the bins changed at
// or after since.
func (s *Store) RouteCounts(ctx context.Context, since time.Time) ([]trackpush.RouteCount, error) {
	var out []trackpush.RouteCount
	err := s.read(ctx, func(ctx context.Context) error {
		out = nil
		var rows pgx.Rows
		if since.IsZero() {
			rows, _ = s.pool.Query(ctx, `SELECT kind, com, key, bucket, bin, sum(n)::bigint FROM route_counts
				GROUP BY kind, com, key, bucket, bin ORDER BY kind, com, key, bucket, bin`)
		} else {
			rows, _ = s.pool.Query(ctx, `WITH changed AS (
					SELECT DISTINCT kind, com, key, bucket, bin FROM route_counts WHERE updated_at >= $1)
				SELECT c.kind, c.com, c.key, c.bucket, c.bin, sum(c.n)::bigint
				FROM route_counts c JOIN changed USING (kind, com, key, bucket, bin)
				GROUP BY c.kind, c.com, c.key, c.bucket, c.bin ORDER BY 1, 2, 3, 4, 5`, ms(since))
		}
		var c trackpush.RouteCount
		_, err := pgx.ForEachRow(rows, []any{&c.Kind, &c.Com, &c.Key, &c.Bucket, &c.Bin, &c.N}, func() error {
			out = append(out, c)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: route counts: %w", err)
	}
	return out, nil
}

// sinceMS is the lower bound of a since query: every row for the zero time.
func sinceMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}
