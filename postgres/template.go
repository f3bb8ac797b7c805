package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/trackpush/trackpush"
)

// UpdateAccount changes an account's settings.
func (s *Store) UpdateAccount(ctx context.Context, id int64, u trackpush.AccountUpdate) (*trackpush.Account, error) {
	var a *trackpush.Account
	err := s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		a, err = scanAccount(tx.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return trackpush.Errorf(trackpush.CodeNotFound, "no account %d", id)
		}
		if err != nil {
			return fmt.Errorf("postgres: update account: %w", err)
		}
		u.Apply(a)
		_, err = tx.Exec(ctx, `UPDATE accounts SET name = $1, quota = $2, expires_at = $3, disabled = $4 WHERE id = $5`,
			a.Name, a.Quota, msPtr(a.ExpiresAt), a.Disabled, id)
		if err != nil {
			return fmt.Errorf("postgres: update account: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// RotateKey replaces an account's key.
func (s *Store) RotateKey(ctx context.Context, id int64, key, keyPrefix string, sealed []byte) error {
	if key == "" {
		return errors.New("postgres: rotate key: empty key")
	}
	return s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE accounts SET key_hash = $1, key_prefix = $2, sealed_key = $3 WHERE id = $4`,
			trackpush.HashSecret(key), keyPrefix, sealed, id)
		if err != nil {
			return fmt.Errorf("postgres: rotate key: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return trackpush.Errorf(trackpush.CodeNotFound, "no account %d", id)
		}
		return nil
	})
}

// CreateTemplate stores a new map template.
func (s *Store) CreateTemplate(ctx context.Context, t *trackpush.MapTemplate, now time.Time) error {
	body, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("postgres: create template: %w", err)
	}
	err = s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO map_templates (key, body, created_at, updated_at) VALUES ($1, $2, $3, $3)`,
			t.Key, string(body), ms(now))
		return err
	})
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "23505" {
		return trackpush.Errorf(trackpush.CodeDuplicate, "template %q exists", t.Key)
	}
	if err != nil {
		return fmt.Errorf("postgres: create template: %w", err)
	}
	t.CreatedAt, t.UpdatedAt = fromMS(ms(now)), fromMS(ms(now))
	return nil
}

// UpdateTemplate replaces a map template.
func (s *Store) UpdateTemplate(ctx context.Context, t *trackpush.MapTemplate, now time.Time) error {
	body, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("postgres: update template: %w", err)
	}
	var created int64
	err = s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `UPDATE map_templates SET body = $1, updated_at = $2 WHERE key = $3 RETURNING created_at`,
			string(body), ms(now), t.Key).Scan(&created)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return trackpush.Errorf(trackpush.CodeNotFound, "no template %q", t.Key)
	}
	if err != nil {
		return fmt.Errorf("postgres: update template: %w", err)
	}
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(ms(now))
	return nil
}

func scanTemplate(row pgx.Row) (*trackpush.MapTemplate, error) {
	var body string
	var created, updated int64
	if err := row.Scan(&body, &created, &updated); err != nil {
		return nil, err
	}
	t, err := trackpush.DecodeTemplate([]byte(body))
	if err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	return t, nil
}

// Template returns a map template.
func (s *Store) Template(ctx context.Context, key string) (*trackpush.MapTemplate, error) {
	var t *trackpush.MapTemplate
	err := s.read(ctx, func(ctx context.Context) error {
		var err error
		t, err = scanTemplate(s.pool.QueryRow(ctx, `SELECT body, created_at, updated_at FROM map_templates WHERE key = $1`, key))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trackpush.Errorf(trackpush.CodeNotFound, "no template %q", key)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: template: %w", err)
	}
	return t, nil
}

// Templates lists the map templates.
func (s *Store) Templates(ctx context.Context) ([]*trackpush.MapTemplate, error) {
	var out []*trackpush.MapTemplate
	err := s.read(ctx, func(ctx context.Context) error {
		rows, _ := s.pool.Query(ctx, `SELECT body, created_at, updated_at FROM map_templates ORDER BY key`)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*trackpush.MapTemplate, error) { return scanTemplate(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: templates: %w", err)
	}
	return out, nil
}

// DeleteTemplate deletes a map template.
func (s *Store) DeleteTemplate(ctx context.Context, key string) error {
	var n int64
	err := s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM map_templates WHERE key = $1`, key)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete template: %w", err)
	}
	if n == 0 {
		return trackpush.Errorf(trackpush.CodeNotFound, "no template %q", key)
	}
	return nil
}
