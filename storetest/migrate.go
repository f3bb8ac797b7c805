package storetest

import (
	"context"
	"testing"

	"github.com/trackpush/trackpush"
)

// UpperNumbers checks the migration that folds tracking numbers stored in
// lower case to the canonical upper case (trackpush.CanonicalNumber): it
// stores numbers in several spellings (the store keeps what it is given),
// then forget makes the store forget that the migration ran and open
// opens the store again, which runs it.
func UpperNumbers(t *testing.T, open func() trackpush.Store, forget func()) {
	ctx := context.Background()
	s := open()
	a := newAccount(t, s, 100)
	for _, nu := range []string{"yt9000000001", "yt9000000002", "YT9000000002", "Yt9000000003", "yT9000000003"} {
		if err := s.Subscribe(ctx, newSub(a, nu), t0); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	forget()
	s = open()
	defer s.Close()
	exists := func(nu string) bool {
		t.Helper()
		h, _, err := s.Shipment(ctx, "yuantong", nu)
		if err != nil {
			t.Fatal(err)
		}
		return h != nil
	}
	// Folded: the lower-case number without an upper-case twin, and the
	// first of two lower-case spellings; the subscription follows.
	if !exists("YT9000000001") || exists("yt9000000001") {
		t.Error("yt9000000001 was not folded")
	}
	if !exists("YT9000000003") || !exists("yT9000000003") || exists("Yt9000000003") {
		t.Error("of two lower-case spellings, the first was not folded alone")
	}
	// Left: a lower-case spelling whose upper-case twin exists.
	if !exists("YT9000000002") || !exists("yt9000000002") {
		t.Error("a shipment with an upper-case twin was changed")
	}
	for id := int64(1); id <= 5; id++ {
		sub, err := s.Subscription(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		h, _, err := s.Shipment(ctx, sub.Com, sub.Nu)
		if err != nil || h == nil || h.ID != sub.ShipmentID {
			t.Errorf("subscription %d's number %s does not name its shipment", id, sub.Nu)
		}
	}
}
