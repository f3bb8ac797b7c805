package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trackpush/trackpush"
)

// CreateAccount stores a new account with hashed credentials.
func (s *Store) CreateAccount(ctx context.Context, a *trackpush.Account) error {
	if a.AppCode == "" || a.Key == "" {
		return errors.New("postgres: create account: appcode and key required")
	}
	now := time.Now()
	var id int64
	err := s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `
			INSERT INTO accounts (name, appcode_hash, key_hash, key_prefix, quota, expires_at, disabled, created_at, sealed_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			a.Name, trackpush.HashSecret(a.AppCode), trackpush.HashSecret(a.Key), a.KeyPrefix,
			a.Quota, msPtr(a.ExpiresAt), a.Disabled, ms(now), a.SealedKey).Scan(&id)
	})
	if err != nil {
		return fmt.Errorf("postgres: create account: %w", err)
	}
	a.ID, a.CreatedAt = id, fromMS(ms(now))
	return nil
}

const accountColumns = `id, name, key_prefix, quota, used, expires_at, disabled, created_at, sealed_key`

func scanAccount(row pgx.Row, extra ...any) (*trackpush.Account, error) {
	var a trackpush.Account
	var exp *int64
	var created int64
	dst := []any{&a.ID, &a.Name, &a.KeyPrefix, &a.Quota, &a.Used, &exp, &a.Disabled, &created, &a.SealedKey}
	if err := row.Scan(append(dst, extra...)...); err != nil {
		return nil, err
	}
	a.ExpiresAt = fromNullMS(exp)
	a.CreatedAt = fromMS(created)
	return &a, nil
}

// Accounts lists every account.
func (s *Store) Accounts(ctx context.Context) ([]*trackpush.Account, error) {
	var out []*trackpush.Account
	err := s.read(ctx, func(ctx context.Context) error {
		rows, _ := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*trackpush.Account, error) { return scanAccount(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: accounts: %w", err)
	}
	return out, nil
}

// FindAccount finds the account of an AppCode or key, in one query.
func (s *Store) FindAccount(ctx context.Context, appCode, key string) (*trackpush.Account, error) {
	hash := func(v string) *string {
		if v == "" {
			return nil // matches nothing
		}
		h := trackpush.HashSecret(v)
		return &h
	}
	var byApp, byKey *trackpush.Account
	err := s.read(ctx, func(ctx context.Context) error {
		byApp, byKey = nil, nil
		rows, _ := s.pool.Query(ctx, `SELECT `+accountColumns+`, appcode_hash = $1 IS TRUE, key_hash = $2 IS TRUE
			FROM accounts WHERE appcode_hash = $1 OR key_hash = $2`, hash(appCode), hash(key))
		defer rows.Close()
		for rows.Next() {
			var app, k bool
			a, err := scanAccount(rows, &app, &k)
			if err != nil {
				return err
			}
			if app {
				byApp = a
			}
			if k {
				byKey = a
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: authenticate: %w", err)
	}
	if (appCode != "" && byApp == nil) || (key != "" && byKey == nil) {
		return nil, trackpush.Errorf(trackpush.CodeUnauthorized, "unknown credential")
	}
	return trackpush.SameAccount(byApp, byKey)
}

// SetAccountDisabled disables or enables an account.
func (s *Store) SetAccountDisabled(ctx context.Context, id int64, disabled bool) error {
	return s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE accounts SET disabled = $1 WHERE id = $2`, disabled, id)
		if err != nil {
			return fmt.Errorf("postgres: disable account: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return trackpush.Errorf(trackpush.CodeNotFound, "no account %d", id)
		}
		return nil
	})
}
