package trackpush

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// NewAccount validates account settings and returns an account with fresh
// credentials (32 hex digits each), not yet stored.
func NewAccount(name string, quota int, expires string) (*Account, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, errors.New("name: missing")
	}
	if quota <= 0 {
		return nil, errors.New("quota: must be a positive number of subscriptions")
	}
	a := &Account{Name: name, Quota: quota, AppCode: NewToken(16), Key: NewToken(16)}
	a.KeyPrefix = a.Key[:6]
	if expires != "" {
		t, err := time.Parse(time.RFC3339, expires)
		if err != nil {
			return nil, fmt.Errorf("expires: %q is not an RFC 3339 time", expires)
		}
		a.ExpiresAt = &t
	}
	return a, nil
}

// RotateKey gives an account a new key (sealed with seal, when given, for
// the real-time query API) and returns the account with it: the key is
// shown this once. The old key stops working at once; the AppCode stays.
func RotateKey(ctx context.Context, s Store, seal func(string) []byte, id int64) (*Account, error) {
	key := NewToken(16)
	var sealed []byte
	if seal != nil {
		sealed = seal(key)
	}
	if err := s.RotateKey(ctx, id, key, key[:6], sealed); err != nil {
		return nil, err
	}
	accts, err := s.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range accts {
		if a.ID == id {
			a.Key = key
			return a, nil
		}
	}
	return nil, Errorf(CodeNotFound, "no account %d", id)
}

// ParseQuery reads a subscription search from query parameters: nu, com,
// account (an id), status, before (an id: the next page), limit. The JSON
// admin API and the console take the same.
func ParseQuery(q url.Values) (SubscriptionQuery, error) {
	sq := SubscriptionQuery{Nu: strings.TrimSpace(q.Get("nu")), Com: strings.ToLower(strings.TrimSpace(q.Get("com"))), Status: q.Get("status")}
	num := func(name string) (int64, error) {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%s: %q is not a number", name, v)
		}
		return n, nil
	}
	var err error
	if sq.AccountID, err = num("account"); err != nil {
		return sq, err
	}
	if sq.Before, err = num("before"); err != nil {
		return sq, err
	}
	limit, err := num("limit")
	if err != nil {
		return sq, err
	}
	sq.Limit = int(limit)
	switch sq.Status {
	case "", StatusPolling, StatusShutdown, StatusAbort:
	default:
		return sq, fmt.Errorf("status: %q is not polling, shutdown or abort", sq.Status)
	}
	return sq, nil
}

// ParseAccountUpdate reads an account update from named fields (get says
// whether a field was given): name, quota, expires (RFC 3339; empty
// removes the expiry), disabled ("true"/"false"). The JSON admin API and
// the console take the same.
func ParseAccountUpdate(get func(string) (string, bool)) (AccountUpdate, error) {
	var u AccountUpdate
	if v, ok := get("name"); ok {
		v = strings.TrimSpace(v)
		if v == "" {
			return u, errors.New("name: empty")
		}
		u.Name = &v
	}
	if v, ok := get("quota"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return u, fmt.Errorf("quota: %q is not a number of subscriptions", v)
		}
		u.Quota = &n
	}
	if v, ok := get("expires"); ok {
		v = ExpiryField(v)
		if v == "" {
			u.ClearExpiry = true
		} else {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return u, fmt.Errorf("expires: %q is not an RFC 3339 time", v)
			}
			u.ExpiresAt = &t
		}
	}
	if v, ok := get("disabled"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return u, fmt.Errorf("disabled: %q is not true or false", v)
		}
		u.Disabled = &b
	}
	return u, nil
}

// ExpiryField reads an expiry as a form may send it: RFC 3339, or a date
// and time as a datetime-local input sends it (China Standard Time),
// returned as RFC 3339 ("" stays "").
func ExpiryField(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", v, CST); err == nil {
		return t.Format(time.RFC3339)
	}
	return v
}
