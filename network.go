package trackpush

import (
	"context"
	"time"
)

// Place is a site of a carrier's network as the gazetteer knows it: a
// transfer centre or an outlet, learned from the scans that name it and
// shared by every node of a database.
type Place struct {
	Com  string // the carrier whose site it is
	Key  string // the name as the route model matches it (no brackets, spaces or trailing 公司)
	Name string // as the carrier writes it: 西安转运中心, 浙江省金华市义乌市童店
	Type string // StopHub or StopOutlet
	// AreaCode is "CN" + the 12-digit code of the finest region known to
	// hold it ("" when none is known yet).
	AreaCode string
	// Lng and Lat are its coordinates (GCJ-02): the centre of its region
	// until better ones are known.
	Lng, Lat float64
}

// RouteCount is an increment of one bin of the route model's learned
// statistics (or, read from the store, its total): n observations of a
// duration (or of a next stop) added to — or, when a late event changed
// what a trajectory says, taken from — an aggregate. The route package
// defines the kinds, keys, buckets and bins.
type RouteCount struct {
	Kind   int
	Com    string
	Key    string
	Bucket int
	Bin    int
	N      int64
}

// Digest is what the service makes of a shipment's events in the
// transaction that stores them: its summary, the forecast made at its
// newest event, the places of the network its scans named for the first
// time, and the increments of the learned statistics.
type Digest struct {
	Summary  Summary
	Forecast *Forecast
	Places   []Place
	Counts   []RouteCount
}

// DigestFunc derives a shipment's digest from the shipment (its ends as
// stored; ID 0 and no ends for a new one), the events it had and the new
// ones (arrival order, numbered). It runs inside the store's transaction,
// possibly more than once when the transaction is retried, so it must not
// have side effects.
type DigestFunc func(h *Shipment, before, fresh []Event) Digest

// RouteStore keeps the route model's state: the gazetteer and the learned
// statistics. Every store implements it (Store embeds it).
type RouteStore interface {
	// AppendEventsDigest is AppendEvents with a digest: in the same
	// transaction it stores the forecast with the shipment, adds the new
	// places to the gazetteer (a place already there keeps its region,
	// unless it had none) and adds the counts to the statistics (n = n +
	// delta, so that nodes learning at once lose nothing). digest is not
	// called when no event is new.
	AppendEventsDigest(ctx context.Context, com, nu string, events []Event, now time.Time, digest DigestFunc) (accepted, duplicates int, err error)
	// Places returns the gazetteer's places added or changed at or after
	// since (every place for the zero time).
	Places(ctx context.Context, since time.Time) ([]Place, error)
	// RouteCounts returns the totals of the statistics' bins changed at or
	// after since (every bin for the zero time).
	RouteCounts(ctx context.Context, since time.Time) ([]RouteCount, error)
}

// SummaryDigest turns a summary function into a digest function with no
// forecast and nothing learned (AppendEvents).
func SummaryDigest(summarize func([]Event) Summary) DigestFunc {
	return func(_ *Shipment, before, fresh []Event) Digest {
		all := make([]Event, 0, len(before)+len(fresh))
		all = append(append(all, before...), fresh...)
		return Digest{Summary: summarize(all)}
	}
}
