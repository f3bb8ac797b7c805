package trackpush

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Account is a subscriber: an AppCode and a key, either of which
// authorises a request, a quota of subscriptions and an expiry. Only hashes
// of the credentials are stored.
type Account struct {
	ID        int64
	Name      string
	AppCode   string // set only when created; stored hashed
	Key       string // set only when created; stored hashed
	KeyPrefix string // first characters of the key, to tell accounts apart
	// SealedKey is the key encrypted with the server's secret: the
	// real-time query API's signature is MD5(param + key + customer), so
	// the server must be able to recover the key. Nil for accounts that
	// cannot sign queries.
	SealedKey []byte
	Quota     int // subscriptions allowed in total
	Used      int // subscriptions accepted so far
	ExpiresAt *time.Time
	Disabled  bool
	CreatedAt time.Time
}

// Remaining returns the subscriptions left.
func (a *Account) Remaining() int { return max(a.Quota-a.Used, 0) }

// HashSecret returns the stored form of a credential. Credentials are
// random and long, so a plain SHA-256 is enough; it lets a store look an
// account up by its credential.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SameAccount combines the accounts found by AppCode and by key (either
// nil when not given): both given must be the same account.
func SameAccount(byAppCode, byKey *Account) (*Account, error) {
	switch {
	case byAppCode == nil && byKey == nil:
		return nil, Errorf(CodeUnauthorized, "no appcode or key")
	case byAppCode != nil && byKey != nil && byAppCode.ID != byKey.ID:
		return nil, Errorf(CodeUnauthorized, "appcode and key belong to different accounts")
	case byAppCode != nil:
		return byAppCode, nil
	}
	return byKey, nil
}

// CheckAccount applies an account's own rules at now: enabled,
// unexpired, and — when it is to subscribe — with quota left.
func CheckAccount(a *Account, now time.Time, subscribing bool) error {
	switch {
	case a.Disabled:
		return Errorf(CodeUnauthorized, "account disabled")
	case a.ExpiresAt != nil && !now.Before(*a.ExpiresAt):
		return Errorf(CodeExpired, "key expired at %s", FormatTime(*a.ExpiresAt))
	case subscribing && a.Remaining() == 0:
		return Errorf(CodeUnauthorized, "no subscriptions left in the quota")
	}
	return nil
}

// Authenticate finds the account of the credentials and checks it.
func Authenticate(ctx context.Context, s Store, appCode, key string, now time.Time, subscribing bool) (*Account, error) {
	a, err := s.FindAccount(ctx, appCode, key)
	if err != nil {
		return nil, err
	}
	if err := CheckAccount(a, now, subscribing); err != nil {
		return nil, err
	}
	return a, nil
}
