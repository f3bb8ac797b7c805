package route

import (
	"math"
	"sort"
	"time"
)

// Durations are counted in fixed logarithmic bins: bin b holds durations
// in [binLow(b), binLow(b+1)), each about 4% wider than the one before,
// from minutes up to months — fine enough for an hour-level estimate,
// bounded whatever the number of observations.
const (
	binBase   = 10.0 // minutes: the scale where bins stop being linear
	binGrowth = 1.04
	maxBin    = 254
)

var logGrowth = math.Log(binGrowth)

// BinOf returns the bin of a duration (negative durations fall in bin 0).
func BinOf(d time.Duration) int {
	m := d.Minutes()
	if m <= 0 {
		return 0
	}
	b := int(math.Log1p(m/binBase) / logGrowth)
	return min(b, maxBin)
}

// binLows are the bins' lower bounds in minutes (and the upper bound of
// the last).
var binLows = func() (lows [maxBin + 2]float64) {
	for b := range lows {
		lows[b] = binBase * math.Expm1(float64(b)*logGrowth)
	}
	return lows
}()

// binLow returns the lower bound of bin b in minutes.
func binLow(b int) float64 { return binLows[b] }

// cell is one non-empty bin of a histogram.
type cell struct {
	bin uint8
	n   int32
}

// hist is a histogram of durations per bucket (an hour-of-day slot, a
// stage): a sparse list of bins for each. The zero value is empty.
type hist struct {
	buckets [][]cell
	counts  []int32
}

// add adds n (possibly negative) observations to a bin of a bucket.
// Counts never go below zero.
func (h *hist) add(bucket, bin int, n int32) {
	if bucket < 0 || bin < 0 || bin > maxBin {
		return
	}
	for len(h.buckets) <= bucket {
		h.buckets = append(h.buckets, nil)
		h.counts = append(h.counts, 0)
	}
	cs := h.buckets[bucket]
	i := sort.Search(len(cs), func(i int) bool { return int(cs[i].bin) >= bin })
	if i < len(cs) && int(cs[i].bin) == bin {
		old := cs[i].n
		cs[i].n = max(0, old+n)
		h.counts[bucket] += cs[i].n - old
		if cs[i].n == 0 {
			h.buckets[bucket] = append(cs[:i], cs[i+1:]...)
		}
		return
	}
	if n <= 0 {
		return
	}
	cs = append(cs, cell{})
	copy(cs[i+1:], cs[i:])
	cs[i] = cell{bin: uint8(bin), n: n}
	h.buckets[bucket] = cs
	h.counts[bucket] += n
}

// set sets a bin's count (a total read from the store).
func (h *hist) set(bucket, bin int, n int64) {
	cur := int64(0)
	if bucket < len(h.buckets) {
		for _, c := range h.buckets[bucket] {
			if int(c.bin) == bin {
				cur = int64(c.n)
			}
		}
	}
	h.add(bucket, bin, int32(n-cur))
}

// count returns the observations of a bucket.
func (h *hist) count(bucket int) int {
	if h == nil || bucket < 0 || bucket >= len(h.counts) {
		return 0
	}
	return int(h.counts[bucket])
}

// total returns the observations of every bucket.
func (h *hist) total() int {
	if h == nil {
		return 0
	}
	n := 0
	for _, c := range h.counts {
		n += int(c)
	}
	return n
}

// sample draws a duration (minutes) of a bucket at the quantile u ∈ [0, 1),
// among the observations longer than above (minutes) when there are any:
// the time left given that this much has passed. It reports false when
// the bucket is empty.
func (h *hist) sample(bucket int, u, above float64) (float64, bool) {
	if h == nil || bucket < 0 || bucket >= len(h.buckets) || h.counts[bucket] == 0 {
		return 0, false
	}
	cs := h.buckets[bucket]
	// Observations above: whole bins above, and the part of the bin that
	// holds above.
	start, skip := 0, 0.0
	total := float64(h.counts[bucket])
	if above > 0 {
		for start < len(cs) && binLow(int(cs[start].bin)+1) <= above {
			total -= float64(cs[start].n)
			start++
		}
		if start == len(cs) {
			// Longer than every observation: a little beyond the longest.
			return above * 1.05, true
		}
		lo, hi := binLow(int(cs[start].bin)), binLow(int(cs[start].bin)+1)
		if above > lo {
			skip = float64(cs[start].n) * (above - lo) / (hi - lo)
		}
	}
	total -= skip
	target := u*total + skip
	acc := 0.0
	for _, c := range cs[start:] {
		n := float64(c.n)
		if acc+n > target {
			lo, hi := binLow(int(c.bin)), binLow(int(c.bin)+1)
			v := lo + (hi-lo)*(target-acc)/n
			return max(v, above), true
		}
		acc += n
	}
	last := cs[len(cs)-1]
	return max(binLow(int(last.bin)+1), above), true
}
