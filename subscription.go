package trackpush

import (
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Subscription statuses: a subscription is polling until it ends with
// shutdown (signed) or abort (no record, no change, wrong carrier).
const (
	StatusPolling  = "polling"
	StatusShutdown = "shutdown"
	StatusAbort    = "abort"
)

// Subscription is one account's request to follow a shipment and push it
// to a callback. Its push state is a small state machine (see PushState):
// Version counts changes worth pushing, PushedVersion the last one
// delivered, Attempts the failed attempts at the pending one.
type Subscription struct {
	ID         int64
	AccountID  int64
	ShipmentID int64
	Com        string
	Nu         string
	FromText   string // as subscribed
	ToText     string
	From, To   *Area // resolved; nil when not given (classic /poll)
	// CallbackURL is where pushes go; Salt, when set (even empty), signs
	// them.
	CallbackURL  string
	Salt         *string
	Phone        string
	MapConfigKey string
	// TrailToken names the subscription's map page (/trail/<token>); ""
	// for subscriptions of the classic /poll, which have none.
	TrailToken string
	Level      Level
	Status     string // StatusPolling, StatusShutdown or StatusAbort
	Message    string // abort message (3天查询无记录, 60天无变化)
	AutoCheck  string // "0" or "1", docs/protocol.md §2.4
	ComOld     string
	ComNew     string
	CreatedAt  time.Time
	EndedAt    *time.Time
	Push       PushState
	// Polled, when subscribing, asks for the shipment to be followed by
	// polling its carrier's upstream (carriers with no push source).
	Polled bool
}

// Live reports whether the subscription is still tracking.
func (s *Subscription) Live() bool { return s.Status == StatusPolling }

// PriorSubscription is what the duplicate rules need to know about an
// account's earlier subscriptions of the same shipment.
type PriorSubscription struct {
	Status    string
	CreatedAt time.Time
	EndedAt   *time.Time
}

// CheckDuplicate applies the duplicate rules of docs/protocol.md §1 to an
// account's earlier subscriptions of the same shipment (at least those live,
// created this month, or ended within ResubscribeAfter): a live one, one
// ended less than ResubscribeAfter ago, or MonthlySubscribeLimit created in
// the calendar month of now (China Standard Time) make a new one a
// duplicate (CodeDuplicate).
func CheckDuplicate(prior []PriorSubscription, now time.Time) error {
	month := MonthStart(now)
	n := 0
	for _, p := range prior {
		switch {
		case p.Status == StatusPolling:
			return Errorf(CodeDuplicate, "already tracking this number")
		case p.EndedAt != nil && now.Sub(*p.EndedAt) < ResubscribeAfter:
			return Errorf(CodeDuplicate, "tracking ended at %s; subscribe again after %s", FormatTime(*p.EndedAt), FormatTime(p.EndedAt.Add(ResubscribeAfter)))
		}
		if !p.CreatedAt.Before(month) {
			n++
		}
	}
	if n >= MonthlySubscribeLimit {
		return Errorf(CodeDuplicate, "subscribed %d times this month", n)
	}
	return nil
}

// MonthStart returns the start of t's calendar month in China Standard Time.
func MonthStart(t time.Time) time.Time {
	c := t.In(CST)
	return time.Date(c.Year(), c.Month(), 1, 0, 0, 0, 0, CST)
}

// StaleAt returns when a live subscription is due for the abort check: 3
// days after subscribing while its shipment has no event, else 60 days
// after the shipment last changed (or the subscription began, if later).
func StaleAt(subscribed time.Time, hasEvents bool, changed time.Time) time.Time {
	if !hasEvents {
		return subscribed.Add(NoRecordAfter)
	}
	if changed.Before(subscribed) {
		changed = subscribed
	}
	return changed.Add(NoChangeAfter)
}

// Begin starts a new (or renewed) subscription at created on a shipment
// that has events events, last changed at changed, and is finished or
// not. It resets the push state; a shipment with events is due one push
// at once, and an already finished (signed) one ends the subscription
// with a single shutdown push carrying the whole trajectory. Begin
// returns when the live subscription is due for the abort check, or nil
// when it ended at once.
func Begin(s *Subscription, created time.Time, events int, changed time.Time, finished bool) *time.Time {
	s.Status = StatusPolling
	if s.AutoCheck == "" {
		s.AutoCheck = "0"
	}
	s.CreatedAt = created
	s.EndedAt = nil
	s.Push = PushState{}
	if finished {
		EndNow(s, End{Status: StatusShutdown, AutoCheck: s.AutoCheck, ComOld: s.ComOld, ComNew: s.ComNew}, created)
		return nil
	}
	if events > 0 {
		s.Push.Changed(created)
	}
	t := StaleAt(created, events > 0, changed)
	return &t
}

// EndNow ends a live subscription: its status, message, the end time, and
// a new version that pushes the end. The auto-check fields change only
// when the end sets them: a corrected subscription's successor keeps its
// autoCheck "1", comOld and comNew to the end.
func EndNow(s *Subscription, e End, now time.Time) {
	s.Status = e.Status
	s.Message = e.Message
	if e.AutoCheck != "" {
		s.AutoCheck = e.AutoCheck
	}
	if e.ComOld != "" || e.ComNew != "" {
		s.ComOld, s.ComNew = e.ComOld, e.ComNew
	}
	s.EndedAt = &now
	s.Push.Changed(now)
	s.Push.EndVersion = s.Push.Version
}

// CallbackHost returns the canonical host and port of a callback URL, the
// unit of the push engine's per-host concurrency cap: the name in lower
// case without a trailing dot, an address in its shortest form (an
// IPv4-mapped IPv6 address as IPv4), the port explicit ("LOCALHOST.",
// "localhost:80" and "localhost" are one host). Names that resolve to one
// address are told apart here and brought together by the engine, which
// also keys the cap on the resolved address.
func CallbackHost(callbackURL string) string {
	u, err := url.Parse(callbackURL)
	if err != nil {
		return callbackURL
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.Unmap().WithZone("").String()
	}
	return net.JoinHostPort(host, port)
}
