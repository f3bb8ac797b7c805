package trackpush

import (
	"context"
	"time"
)

// The lifecycle's timers (docs/protocol.md §1, §2.4).
const (
	// NoRecordAfter: a subscription whose shipment has no event this long
	// after subscribing ends with abort, 3天查询无记录.
	NoRecordAfter = 3 * 24 * time.Hour
	// NoChangeAfter: a subscription whose shipment has nothing new this
	// long ends with abort, 60天无变化.
	NoChangeAfter = 60 * 24 * time.Hour
	// ResubscribeAfter: after a subscription ends, the same account may
	// subscribe the same shipment again this long after the end.
	ResubscribeAfter = 30 * time.Minute
	// MonthlySubscribeLimit: an account may subscribe the same shipment at
	// most this many times in a calendar month (China Standard Time).
	MonthlySubscribeLimit = 4
)

// Store is the persistence of the service. Two adapters implement it
// (sqlite, postgres) and pass the same conformance suite (storetest).
// Methods that change state run in one transaction each: a method that
// fails changes nothing.
type Store interface {
	RouteStore

	// CreateAccount stores a new account. AppCode and Key must be set; only
	// their hashes are kept. It sets ID and CreatedAt.
	CreateAccount(ctx context.Context, a *Account) error
	// Accounts lists every account (without credentials).
	Accounts(ctx context.Context) ([]*Account, error)
	// FindAccount returns the account an AppCode or a key names; when
	// both are given they must name the same account. It fails with
	// CodeUnauthorized when they name none (see Authenticate for the
	// account's own checks). The account carries its SealedKey.
	FindAccount(ctx context.Context, appCode, key string) (*Account, error)
	// SetAccountDisabled disables or enables an account (CodeNotFound if
	// there is none).
	SetAccountDisabled(ctx context.Context, id int64, disabled bool) error
	// UpdateAccount changes an account's settings and returns it
	// (CodeNotFound if there is none).
	UpdateAccount(ctx context.Context, id int64, u AccountUpdate) (*Account, error)
	// RotateKey replaces an account's key (its hash, prefix and sealed
	// form, from a.Key, a.KeyPrefix and a.SealedKey): the old key stops
	// working at once. CodeNotFound if there is no such account.
	RotateKey(ctx context.Context, id int64, key, keyPrefix string, sealed []byte) error

	// CreateTemplate stores a new map template (CodeDuplicate if its key
	// is taken); it sets CreatedAt and UpdatedAt.
	CreateTemplate(ctx context.Context, t *MapTemplate, now time.Time) error
	// UpdateTemplate replaces a template (CodeNotFound if none); it sets
	// UpdatedAt.
	UpdateTemplate(ctx context.Context, t *MapTemplate, now time.Time) error
	// Template returns a template by key (CodeNotFound if none).
	Template(ctx context.Context, key string) (*MapTemplate, error)
	// Templates lists every template by key.
	Templates(ctx context.Context) ([]*MapTemplate, error)
	// DeleteTemplate deletes a template (CodeNotFound if none);
	// subscriptions that name it get the default template.
	DeleteTemplate(ctx context.Context, key string) error

	// Subscribe stores a subscription of s.AccountID to s.Com+s.Nu, in one
	// transaction with the account's checks (CodeUnauthorized,
	// CodeExpired), the duplicate rules (CodeDuplicate: a live subscription
	// of the same account and shipment, one that ended less than
	// ResubscribeAfter ago, or MonthlySubscribeLimit already this calendar
	// month) and the quota unit it uses. It creates the shipment if needed
	// (taking the route ends from s), and makes the subscription due at once
	// when the shipment already has events. It sets s.ID, s.ShipmentID,
	// s.CreatedAt, s.Status and s.Push.
	Subscribe(ctx context.Context, s *Subscription, now time.Time) error
	// Redirect follows a live subscription's number with another carrier
	// (the auto-check of docs/protocol.md §2.4), provided it is still live and
	// still without a record at now (else it returns nil, nil): in one
	// transaction it ends the
	// subscription with abort (message MessageNoRecord, autoCheck "0",
	// comOld, comNew) and creates its successor for com+nu with the same
	// account, callback and options, autoCheck "1", comOld and comNew,
	// using no quota and passing the duplicate rules; polled says whether
	// the new shipment is followed by polling. The successor takes the
	// trail token over: the link a shop forwarded keeps working and shows
	// the corrected carrier's parcel. It returns the successor.
	Redirect(ctx context.Context, id int64, com string, polled bool, now time.Time) (*Subscription, error)
	// Subscription returns one subscription (CodeNotFound if none).
	Subscription(ctx context.Context, id int64) (*Subscription, error)
	// SubscriptionByToken returns the subscription of a trail token
	// (CodeNotFound if none).
	SubscriptionByToken(ctx context.Context, token string) (*Subscription, error)
	// SearchSubscriptions returns the subscriptions q selects, newest
	// first.
	SearchSubscriptions(ctx context.Context, q SubscriptionQuery) ([]*Subscription, error)
	// UpdateAll asks for a full re-push of a subscription's state with
	// status updateall.
	UpdateAll(ctx context.Context, id int64, now time.Time) error

	// Shipment returns a shipment and its events in arrival order, or
	// nil when it is unknown.
	Shipment(ctx context.Context, com, nu string) (*Shipment, []Event, error)
	// AppendEvents stores a shipment's new events (already enriched; their
	// Seq is assigned here), skipping those whose time and context it
	// already has, creates the shipment if needed, updates its summary with
	// summarize (given all events in arrival order), and records a new
	// version on every live subscription of it; when the summary says
	// finished, those subscriptions end with shutdown. It returns how many
	// events were new and how many were duplicates.
	AppendEvents(ctx context.Context, com, nu string, events []Event, now time.Time, summarize func([]Event) Summary) (accepted, duplicates int, err error)

	// ClaimPushes claims up to limit subscriptions due at now for lease,
	// oldest due first, with what a push needs, skipping those whose
	// callback host (CallbackHost) or account busy names (at their
	// concurrency caps: claiming them would only defer them again).
	ClaimPushes(ctx context.Context, now time.Time, lease time.Duration, limit int, busy Busy) ([]*PushJob, error)
	// CompletePushes records the outcomes of claimed pushes (each attempt
	// in the delivery log) and moves each subscription's push state on. It
	// sets Delivery.GaveUp on the outcomes whose failure gave their version
	// up.
	CompletePushes(ctx context.Context, outcomes []PushOutcome, now time.Time) error
	// NextPushAt returns when the earliest unclaimed push falls due, or
	// false when none is pending.
	NextPushAt(ctx context.Context) (time.Time, bool, error)
	// Deliveries returns a subscription's delivery log, newest first.
	Deliveries(ctx context.Context, subID int64, limit int) ([]Delivery, error)

	// StaleSubscriptions returns up to limit live subscriptions whose
	// shipment has had no event NoRecordAfter after subscribing, or nothing
	// new for NoChangeAfter, as of now.
	StaleSubscriptions(ctx context.Context, now time.Time, limit int) ([]Stale, error)
	// SettleLockers settles up to limit shipments left at a locker or
	// station: those whose state is 501 (投柜或驿站), not finished, with no
	// event added since before (service clock), become signed there (304,
	// ischeck, finished; polling stops) and their live subscriptions end
	// with shutdown, in one transaction. It returns how many it settled.
	SettleLockers(ctx context.Context, before, now time.Time, limit int) (int, error)
	// EndSubscription ends a live subscription with abort or shutdown, the
	// message and auto-check fields given, and records the version that
	// pushes the end. It reports whether it ended it: one that is no
	// longer live — or, with end.IfStale, no longer stale at now (an event
	// arrived since it was found stale) — is left alone.
	EndSubscription(ctx context.Context, end End, now time.Time) (bool, error)

	// ClaimPolls claims up to limit shipments due to be polled at now for
	// lease (only carriers in coms, or all when coms is nil).
	ClaimPolls(ctx context.Context, coms []string, now time.Time, lease time.Duration, limit int) ([]PollJob, error)
	// CompletePoll records a poll: when the shipment is due again (zero:
	// never, it needs no more polling) and its count of consecutive failed
	// polls.
	CompletePoll(ctx context.Context, done PollDone) error

	// Stats counts subscriptions by status and the pushes due at now.
	Stats(ctx context.Context, now time.Time) (Stats, error)

	// LoadBlob and SaveBlob keep small named state of the service (the
	// carrier detector's learned statistics). LoadBlob returns nil when the
	// name is unknown.
	LoadBlob(ctx context.Context, name string) ([]byte, error)
	SaveBlob(ctx context.Context, name string, data []byte) error

	// SeenPushKeys returns those of keys that RecordPushKeys recorded for
	// carrier (and has not forgotten yet): the idempotency keys of carrier
	// pushes already ingested.
	SeenPushKeys(ctx context.Context, carrier string, keys []string) (map[string]bool, error)
	// RecordPushKeys records keys of carrier's pushes as ingested at now
	// (a key recorded before keeps its first time), and forgets the
	// carrier's keys recorded before now−PushKeyRetention.
	RecordPushKeys(ctx context.Context, carrier string, keys []string, now time.Time) error

	// Close releases the store.
	Close() error
}

// PushKeyRetention is how long the idempotency key of a carrier push is
// remembered. Carriers re-push when an answer times out or fails (STO,
// J&T), within hours; a week bounds the table and outlasts any re-push
// schedule seen. A re-push after that is still deduplicated on time and
// text by AppendEvents.
const PushKeyRetention = 7 * 24 * time.Hour

// Busy names what the push engine takes no more pushes for at the moment:
// callback hosts (as CallbackHost writes them) and accounts at their
// concurrency caps.
type Busy struct {
	Hosts    []string
	Accounts []int64
}

// Stale is a live subscription due to be given up.
type Stale struct {
	Sub *Subscription
	// NoRecord is true when the shipment has no event at all (3天查询无记录),
	// false when it has had nothing new (60天无变化).
	NoRecord bool
}

// PushJob is a claimed push: the subscription (with its push state as
// claimed), the version to deliver, and the shipment with its events.
type PushJob struct {
	Sub      *Subscription
	Version  int64
	Claim    int64 // the claim's token: a completion must present it
	Attempt  int   // 1 for the first attempt at this version, 2–4 for retries
	Shipment *Shipment
	Events   []Event // arrival order
}

// PushOutcome is the result of a claimed push.
type PushOutcome struct {
	SubID   int64
	Version int64
	Claim   int64
	// Deferred releases the claim without an attempt, due again at
	// DeferUntil (the receiver's host was at its concurrency cap).
	Deferred   bool
	DeferUntil time.Time
	// Delivery is the attempt; Delivery.OK says whether it was acknowledged.
	Delivery Delivery
}

// Delivery is one attempt to push, as the delivery log records it.
type Delivery struct {
	SubscriptionID int64
	Version        int64
	Attempt        int
	Status         string // the push's status field (polling, shutdown, …)
	At             time.Time
	Latency        time.Duration
	HTTPStatus     int // 0 when no response came
	OK             bool
	GaveUp         bool   // this failure gave the version up
	Error          string // why it failed
	Response       string // the first bytes of the answer
}

// PollJob is a claimed poll of a shipment from its upstream.
type PollJob struct {
	ShipmentID int64
	Com, Nu    string
	Phone      string // from a live subscription, for carriers that need it
	Summary    Summary
	EventCount int
	Errors     int   // consecutive failed polls so far
	Claim      int64 // the claim's token: the completion must present it
}

// PollDone is the outcome of a claimed poll.
type PollDone struct {
	ShipmentID int64
	Claim      int64
	Next       time.Time // when to poll again; zero: stop polling
	Errors     int
	At         time.Time // when the poll was made
}

// End ends a subscription (docs/protocol.md §2.4).
type End struct {
	SubID     int64
	Status    string // StatusAbort or StatusShutdown
	Message   string // MessageNoRecord, MessageNoChange, …
	AutoCheck string
	ComOld    string
	ComNew    string
	// IfStale ends the subscription only if it is still stale at the time
	// given (the lifecycle's aborts).
	IfStale bool
}
