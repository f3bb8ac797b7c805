package carrier

import (
	"slices"
	"strings"
)

// Labelled is a tracking number whose carrier is known, with the source it
// was found in (the lines of shared/data/carriers/real_numbers_dev.jsonl).
type Labelled struct {
	Com    string `json:"com"`
	Nu     string `json:"nu"`
	Source string `json:"source"`
}

// SourceKey returns the part of a source description that names the
// source itself — "github file id 22974042362 (Android …)" →
// "github file id 22974042362" — by which numbers are grouped and
// documented formats are attributed.
func SourceKey(source string) string {
	if i := strings.Index(source, " ("); i >= 0 {
		source = source[:i]
	}
	return strings.TrimSpace(source)
}

// Score counts the numbers ranked right: first, or among the first three.
type Score struct {
	N    int `json:"n"`
	Top1 int `json:"top1"`
	Top3 int `json:"top3"`
}

func (s *Score) add(rank int) {
	s.N++
	if rank == 1 {
		s.Top1++
	}
	if rank >= 1 && rank <= 3 {
		s.Top3++
	}
}

// Evaluation is the outcome of EvaluateBySource.
type Evaluation struct {
	All Score
	// Learnable counts the numbers whose carrier has numbers in another
	// source too: those a server that has seen that carrier's numbers
	// could learn. A carrier known by one source alone can only be found
	// through its documented formats.
	Learnable Score
	// Weighted weighs each carrier's numbers by its popularity prior, so
	// that the figure estimates the share of real traffic detected right
	// rather than the share of the sample (which over-represents small
	// carriers: their example numbers come from code lists). Top1 and
	// Top3 are then fractions of 1 and N is 1.
	Weighted   struct{ Top1, Top3 float64 }
	PerCarrier map[string]*Score
	// Sources counts the sources left out in turn.
	Sources int
	// Misses lists the numbers whose carrier was not ranked first, with
	// its rank (0: absent) and the ranking.
	Misses []Miss
}

// Miss is a number whose carrier was not ranked first.
type Miss struct {
	Labelled
	Rank    int
	Ranking []Candidate
}

// EvaluateBySource measures detection by leaving one source out at a time:
// each number is ranked by a detector that has observed the numbers of
// every other source (as a server learns from confirmed shipments) and
// whose model leaves out the documented formats written from the number's
// own source, so that no number is judged by a rule written from it.
// Numbers whose carrier is not in the table count as misses.
func EvaluateBySource(nums []Labelled) Evaluation {
	groups := map[string][]int{}
	var keys []string
	for i, n := range nums {
		k := SourceKey(n.Source)
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	documented := map[string]bool{}
	for _, r := range documentedFormats {
		for _, s := range strings.Split(r.source, "|") {
			documented[s] = true
		}
	}
	for _, s := range patternSources {
		documented[SourceKey(s)] = true
	}
	ev := Evaluation{PerCarrier: map[string]*Score{}, Sources: len(keys)}
	sourcesOf := map[string]map[string]bool{}
	for _, n := range nums {
		if sourcesOf[n.Com] == nil {
			sourcesOf[n.Com] = map[string]bool{}
		}
		sourcesOf[n.Com][SourceKey(n.Source)] = true
	}
	var wsum, w1, w3 float64
	full := theModel()
	for _, k := range keys {
		m := full
		if documented[k] {
			var err error
			if m, err = newModel(func(s string) bool { return SourceKey(s) == k }); err != nil {
				panic("carrier: " + err.Error())
			}
		}
		d := &Detector{m: m}
		held := groups[k]
		for j, o := range nums {
			if !slices.Contains(held, j) {
				d.Observe(o.Com, o.Nu)
			}
		}
		for _, i := range held {
			n := nums[i]
			ranking := d.Rank(n.Nu)
			rank := 0
			for r, c := range ranking {
				if c.Code == n.Com {
					rank = r + 1
					break
				}
			}
			ev.All.add(rank)
			if len(sourcesOf[n.Com]) > 1 {
				ev.Learnable.add(rank)
			}
			if ev.PerCarrier[n.Com] == nil {
				ev.PerCarrier[n.Com] = &Score{}
			}
			ev.PerCarrier[n.Com].add(rank)
			if rank != 1 {
				ev.Misses = append(ev.Misses, Miss{Labelled: n, Rank: rank, Ranking: ranking})
			}
		}
	}
	// Weighted: each carrier's hit rate by its prior, normalised over the
	// carriers present.
	for com, s := range ev.PerCarrier {
		i, ok := index(com)
		if !ok {
			continue
		}
		w := full.prior[i]
		wsum += w
		w1 += w * float64(s.Top1) / float64(s.N)
		w3 += w * float64(s.Top3) / float64(s.N)
	}
	if wsum > 0 {
		ev.Weighted.Top1, ev.Weighted.Top3 = w1/wsum, w3/wsum
	}
	return ev
}
