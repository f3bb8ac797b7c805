package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/trackpush/trackpush/sim"
)

func init() {
	register(command{name: "sim", summary: "generate simulated parcels with their trajectories and ground truth (JSONL)", run: runSim})
}

func runSim(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("sim", stderr)
	n := fs.Int("n", 10, "number of parcels to write")
	first := fs.Int("first", 0, "index of the first parcel (parcels first … first+n-1)")
	seed := fs.Int64("seed", 1, "world seed: the same seed gives the same parcels")
	start := fs.String("start", sim.DefaultStart.Format(time.RFC3339), "when the first parcel ships, RFC 3339")
	window := fs.Duration("window", sim.DefaultWindow, "parcels ship at random times in [start, start+window)")
	carriers := fs.String("carriers", strings.Join(sim.DefaultCarriers(), ","), "comma-separated carrier codes, drawn by 2019 usage; supported: "+strings.Join(sim.Supported(), ","))
	rates := fs.String("rates", "", "trouble rates over the defaults, k=v,… with k in "+strings.Join(simRateKeys, ", ")+
		`; "none" turns every kind off first (e.g. none,loop=0.5)`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: trackpush sim [--n 10] [--seed 1] [--first 0] [--start RFC3339] [--window 168h]
                     [--carriers a,b] [--rates k=v,…]

Writes one JSON object per parcel of a deterministic simulated carrier world:
{"index","com","givenCom","nu","from","to","fromCode","toCode",
 "events":[{"time","context","state","city","node"}],
 "truth":{"outcome","trouble","shipped","pickedUp","arrivedDestCity","outForDelivery",
          "delivered","returnSigned","loop","handOverTo","handOverNu",
          "route":[{"name","type","city","arrive","leave","via"}]}}
Times are China Standard Time ("2006-01-02 15:04:05"); state is the advanced state the
simulator means; city is the 12-digit code of the city the scan names ("" when none).
Default rates: `+formatSimRates(sim.DefaultRates()))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *n < 0 || *first < 0 {
		return usageError{fmt.Errorf("--n and --first must not be negative")}
	}
	cfg := sim.Config{Seed: *seed, Window: *window, Rates: sim.DefaultRates()}
	t, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		return usageError{fmt.Errorf("--start: %v", err)}
	}
	cfg.Start = t
	for _, c := range strings.Split(*carriers, ",") {
		if c = strings.TrimSpace(c); c != "" {
			cfg.Carriers = append(cfg.Carriers, c)
		}
	}
	if cfg.Rates, err = parseSimRates(*rates, cfg.Rates); err != nil {
		return usageError{fmt.Errorf("--rates: %v", err)}
	}
	if *window <= 0 {
		return usageError{fmt.Errorf("--window must be positive")}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	w := sim.NewWorld(cfg)
	out := bufio.NewWriter(stdout)
	for i := *first; i < *first+*n; i++ {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := writeJSONLine(out, w.Parcel(i)); err != nil {
			return err
		}
	}
	return out.Flush()
}

// simRateKeys are the names --rates accepts, in sim.Rates order.
var simRateKeys = []string{"failed", "refusal", "handover", "locker", "loop", "stall", "norecord", "wrongcarrier"}

func simRatePtr(r *sim.Rates, key string) *float64 {
	switch strings.ToLower(key) {
	case "failed", "faileddelivery":
		return &r.FailedDelivery
	case "refusal", "refused":
		return &r.Refusal
	case "handover":
		return &r.HandOver
	case "locker":
		return &r.Locker
	case "loop":
		return &r.Loop
	case "stall":
		return &r.Stall
	case "norecord":
		return &r.NoRecord
	case "wrongcarrier", "wrong":
		return &r.WrongCarrier
	}
	return nil
}

// parseSimRates applies "k=v,…" (and "none") to base.
func parseSimRates(s string, base sim.Rates) (sim.Rates, error) {
	r := base
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		if kv == "none" {
			r = sim.Rates{}
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return r, fmt.Errorf("%q is not k=v", kv)
		}
		p := simRatePtr(&r, strings.TrimSpace(k))
		if p == nil {
			return r, fmt.Errorf("unknown rate %q (known: %s)", k, strings.Join(simRateKeys, ", "))
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return r, fmt.Errorf("%s: %v", k, err)
		}
		*p = f
	}
	return r, r.Validate()
}

func formatSimRates(r sim.Rates) string {
	var parts []string
	for _, k := range simRateKeys {
		parts = append(parts, k+"="+strconv.FormatFloat(*simRatePtr(&r, k), 'g', -1, 64))
	}
	return strings.Join(parts, ",")
}
