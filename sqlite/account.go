package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trackpush/trackpush"
)

// CreateAccount stores a new account with hashed credentials.
func (s *Store) CreateAccount(ctx context.Context, a *trackpush.Account) error {
	if a.AppCode == "" || a.Key == "" {
		return errors.New("sqlite: create account: appcode and key required")
	}
	now := time.Now()
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		err := s.queryRow(ctx, tx, `
			INSERT INTO accounts (name, appcode_hash, key_hash, key_prefix, quota, expires_at, disabled, created_at, sealed_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.Name, trackpush.HashSecret(a.AppCode), trackpush.HashSecret(a.Key), a.KeyPrefix,
			a.Quota, msPtr(a.ExpiresAt), a.Disabled, ms(now), a.SealedKey).Scan(&a.ID)
		if err != nil {
			return fmt.Errorf("sqlite: create account: %w", err)
		}
		a.CreatedAt = fromMS(ms(now))
		return nil
	})
}

const accountColumns = `id, name, key_prefix, quota, used, expires_at, disabled, created_at, sealed_key`

func scanAccount(sc interface{ Scan(...any) error }) (*trackpush.Account, error) {
	var a trackpush.Account
	var exp sql.NullInt64
	var created int64
	if err := sc.Scan(&a.ID, &a.Name, &a.KeyPrefix, &a.Quota, &a.Used, &exp, &a.Disabled, &created, &a.SealedKey); err != nil {
		return nil, err
	}
	a.ExpiresAt = fromNullMS(exp)
	a.CreatedAt = fromMS(created)
	return &a, nil
}

// Accounts lists every account.
func (s *Store) Accounts(ctx context.Context) ([]*trackpush.Account, error) {
	rows, err := s.rquery(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: accounts: %w", err)
	}
	defer rows.Close()
	var out []*trackpush.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// FindAccount finds the account of an AppCode or key.
func (s *Store) FindAccount(ctx context.Context, appCode, key string) (*trackpush.Account, error) {
	var byApp, byKey *trackpush.Account
	for _, c := range []struct {
		val, col string
		dst      **trackpush.Account
	}{{appCode, "appcode_hash", &byApp}, {key, "key_hash", &byKey}} {
		if c.val == "" {
			continue
		}
		a, err := scanAccount(s.rqueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE `+c.col+` = ?`, trackpush.HashSecret(c.val)))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, trackpush.Errorf(trackpush.CodeUnauthorized, "unknown credential")
		}
		if err != nil {
			return nil, fmt.Errorf("sqlite: authenticate: %w", err)
		}
		*c.dst = a
	}
	return trackpush.SameAccount(byApp, byKey)
}

// SetAccountDisabled disables or enables an account.
func (s *Store) SetAccountDisabled(ctx context.Context, id int64, disabled bool) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE accounts SET disabled = ? WHERE id = ?`, disabled, id)
		if err != nil {
			return fmt.Errorf("sqlite: disable account: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return trackpush.Errorf(trackpush.CodeNotFound, "no account %d", id)
		}
		return nil
	})
}
