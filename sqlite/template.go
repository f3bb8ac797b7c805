package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
)

// UpdateAccount changes an account's settings.
func (s *Store) UpdateAccount(ctx context.Context, id int64, u trackpush.AccountUpdate) (*trackpush.Account, error) {
	var a *trackpush.Account
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		a, err = scanAccount(s.queryRow(ctx, tx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return trackpush.Errorf(trackpush.CodeNotFound, "no account %d", id)
		}
		if err != nil {
			return fmt.Errorf("sqlite: update account: %w", err)
		}
		u.Apply(a)
		_, err = s.exec(ctx, tx, `UPDATE accounts SET name = ?, quota = ?, expires_at = ?, disabled = ? WHERE id = ?`,
			a.Name, a.Quota, msPtr(a.ExpiresAt), a.Disabled, id)
		if err != nil {
			return fmt.Errorf("sqlite: update account: %w", err)
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
		return errors.New("sqlite: rotate key: empty key")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE accounts SET key_hash = ?, key_prefix = ?, sealed_key = ? WHERE id = ?`,
			trackpush.HashSecret(key), keyPrefix, sealed, id)
		if err != nil {
			return fmt.Errorf("sqlite: rotate key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return trackpush.Errorf(trackpush.CodeNotFound, "no account %d", id)
		}
		return nil
	})
}

// CreateTemplate stores a new map template.
func (s *Store) CreateTemplate(ctx context.Context, t *trackpush.MapTemplate, now time.Time) error {
	body, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("sqlite: create template: %w", err)
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `INSERT INTO map_templates (key, body, created_at, updated_at) VALUES (?, ?, ?, ?)`,
			t.Key, string(body), ms(now), ms(now))
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return trackpush.Errorf(trackpush.CodeDuplicate, "template %q exists", t.Key)
			}
			return fmt.Errorf("sqlite: create template: %w", err)
		}
		t.CreatedAt, t.UpdatedAt = fromMS(ms(now)), fromMS(ms(now))
		return nil
	})
}

// UpdateTemplate replaces a map template.
func (s *Store) UpdateTemplate(ctx context.Context, t *trackpush.MapTemplate, now time.Time) error {
	body, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("sqlite: update template: %w", err)
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var created int64
		err := s.queryRow(ctx, tx, `UPDATE map_templates SET body = ?, updated_at = ? WHERE key = ? RETURNING created_at`,
			string(body), ms(now), t.Key).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return trackpush.Errorf(trackpush.CodeNotFound, "no template %q", t.Key)
		}
		if err != nil {
			return fmt.Errorf("sqlite: update template: %w", err)
		}
		t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(ms(now))
		return nil
	})
}

func scanTemplate(sc interface{ Scan(...any) error }) (*trackpush.MapTemplate, error) {
	var body string
	var created, updated int64
	if err := sc.Scan(&body, &created, &updated); err != nil {
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
	t, err := scanTemplate(s.rqueryRow(ctx, `SELECT body, created_at, updated_at FROM map_templates WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trackpush.Errorf(trackpush.CodeNotFound, "no template %q", key)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: template: %w", err)
	}
	return t, nil
}

// Templates lists the map templates.
func (s *Store) Templates(ctx context.Context) ([]*trackpush.MapTemplate, error) {
	rows, err := s.rquery(ctx, `SELECT body, created_at, updated_at FROM map_templates ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: templates: %w", err)
	}
	defer rows.Close()
	var out []*trackpush.MapTemplate
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: templates: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteTemplate deletes a map template.
func (s *Store) DeleteTemplate(ctx context.Context, key string) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `DELETE FROM map_templates WHERE key = ?`, key)
		if err != nil {
			return fmt.Errorf("sqlite: delete template: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return trackpush.Errorf(trackpush.CodeNotFound, "no template %q", key)
		}
		return nil
	})
}
