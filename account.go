package trackpush

import (
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
	Quota     int    // subscriptions allowed in total
	Used      int    // subscriptions accepted so far
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

// CheckAccount applies the authorisation rules to the accounts found by
// AppCode and by key (either may be nil when not given): both given must be
// the same account, which must exist, be enabled, unexpired at now, and
// have quota left.
func CheckAccount(byAppCode, byKey *Account, now time.Time) (*Account, error) {
	a := byAppCode
	if a == nil {
		a = byKey
	}
	switch {
	case a == nil:
		return nil, Errorf(CodeUnauthorized, "no appcode or key")
	case byAppCode != nil && byKey != nil && byAppCode.ID != byKey.ID:
		return nil, Errorf(CodeUnauthorized, "appcode and key belong to different accounts")
	case a.Disabled:
		return nil, Errorf(CodeUnauthorized, "account disabled")
	case a.ExpiresAt != nil && !now.Before(*a.ExpiresAt):
		return nil, Errorf(CodeExpired, "key expired at %s", FormatTime(*a.ExpiresAt))
	case a.Remaining() == 0:
		return nil, Errorf(CodeUnauthorized, "no subscriptions left in the quota")
	}
	return a, nil
}
