package trackpush

import (
	"net/url"
	"testing"
	"time"
)

func TestTrailTokens(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := NewTrailToken()
		if len(tok) != 32 || !ValidTrailToken(tok) || seen[tok] {
			t.Fatalf("token %q (valid %v, seen %v)", tok, ValidTrailToken(tok), seen[tok])
		}
		seen[tok] = true
	}
	for _, bad := range []string{"", "abc", "0123456789abcdef0123456789ABCDEF", "0123456789abcdef0123456789abcdef0", "../../../etc/passwd0123456789abcd"} {
		if ValidTrailToken(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, c := range []struct{ base, tok, want string }{
		{"https://t.example.com", "ab", "https://t.example.com/trail/ab"},
		{"https://t.example.com/tp/", "ab", "https://t.example.com/tp/trail/ab"},
		{"", "ab", ""},
		{"https://t.example.com", "", ""},
	} {
		if got := TrailURL(c.base, c.tok); got != c.want {
			t.Errorf("TrailURL(%q, %q) = %q, want %q", c.base, c.tok, got, c.want)
		}
	}
}

func TestTrailExpiry(t *testing.T) {
	sub := time.Date(2025, 6, 1, 10, 0, 0, 0, CST)
	last := sub.Add(30 * time.Hour)
	cases := []struct {
		name   string
		status string
		h      *Shipment
		want   time.Time
		wantOK bool
	}{
		{"no event yet", StatusPolling, &Shipment{ChangedAt: sub.Add(-time.Hour)}, sub.Add(TrailTTL), true},
		{"in transit", StatusPolling, &Shipment{EventCount: 3, ChangedAt: last}, last.Add(TrailTTL), true},
		{"events before subscribing", StatusPolling, &Shipment{EventCount: 3, ChangedAt: sub.Add(-48 * time.Hour)}, sub.Add(TrailTTL), true},
		{"signed", StatusShutdown, &Shipment{EventCount: 5, ChangedAt: last, Summary: Summary{Signed: true, Finished: true}}, last.Add(TrailSignedTTL), true},
		{"given up", StatusAbort, &Shipment{EventCount: 1, ChangedAt: last}, time.Time{}, false},
	}
	for _, c := range cases {
		got, ok := TrailExpiry(&Subscription{Status: c.status, CreatedAt: sub}, c.h, TrailTTL, TrailSignedTTL)
		if ok != c.wantOK || !got.Equal(c.want) {
			t.Errorf("%s: %s %v, want %s %v", c.name, got, ok, c.want, c.wantOK)
		}
	}
}

func TestParseQuery(t *testing.T) {
	q, err := ParseQuery(url.Values{"nu": {" YT1 "}, "com": {"YuanTong"}, "account": {"7"}, "status": {"abort"}, "before": {"90"}, "limit": {"1000"}})
	if err != nil || q.Nu != "YT1" || q.Com != "yuantong" || q.AccountID != 7 || q.Status != StatusAbort || q.Before != 90 || q.PageSize() != MaxPageSize {
		t.Fatalf("%+v %v", q, err)
	}
	if q, _ := ParseQuery(url.Values{}); q.PageSize() != DefaultPageSize {
		t.Fatalf("default page %d", q.PageSize())
	}
	for _, bad := range []url.Values{{"account": {"x"}}, {"before": {"-1"}}, {"status": {"done"}}, {"limit": {"1e3"}}} {
		if _, err := ParseQuery(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestParseAccountUpdate(t *testing.T) {
	fields := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	u, err := ParseAccountUpdate(fields(map[string]string{"quota": "12", "expires": "2026-01-02T03:04", "disabled": "true"}))
	if err != nil || *u.Quota != 12 || !u.ExpiresAt.Equal(time.Date(2026, 1, 2, 3, 4, 0, 0, CST)) || !*u.Disabled || u.Name != nil || u.ClearExpiry {
		t.Fatalf("%+v %v", u, err)
	}
	if u, err := ParseAccountUpdate(fields(map[string]string{"expires": ""})); err != nil || !u.ClearExpiry {
		t.Fatalf("clear expiry: %+v %v", u, err)
	}
	for _, bad := range []map[string]string{{"quota": "-1"}, {"quota": "many"}, {"name": " "}, {"expires": "tomorrow"}, {"disabled": "maybe"}} {
		if _, err := ParseAccountUpdate(fields(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	a := &Account{Name: "a", Quota: 1, Disabled: true}
	exp := time.Date(2026, 1, 1, 0, 0, 0, 0, CST)
	q, name, off := 5, "b", false
	AccountUpdate{Quota: &q, Name: &name, ExpiresAt: &exp, Disabled: &off}.Apply(a)
	if a.Quota != 5 || a.Name != "b" || !a.ExpiresAt.Equal(exp) || a.Disabled {
		t.Fatalf("%+v", a)
	}
	AccountUpdate{ClearExpiry: true}.Apply(a)
	if a.ExpiresAt != nil || a.Quota != 5 {
		t.Fatalf("%+v", a)
	}
}
