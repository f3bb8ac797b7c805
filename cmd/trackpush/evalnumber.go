package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/trackpush/trackpush/carrier"
)

func init() {
	evalCommands["autonumber"] = command{name: "autonumber", summary: "carrier detection from the number, leave-one-source-out", run: runEvalAutonumber}
}

// runEvalAutonumber measures carrier detection on labelled numbers: each
// source's numbers are ranked by a detector that learned every other
// source's and whose documented formats exclude those written from it.
func runEvalAutonumber(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval autonumber", stderr)
	file := fs.String("jsonl", "", `labelled numbers, one {"com","nu","source"} per line ("-": standard input)`)
	misses := fs.Bool("misses", false, "list the numbers whose carrier is not ranked first on standard error")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *file == "" || fs.NArg() > 0 {
		return usageError{fmt.Errorf("eval autonumber: --jsonl FILE is required")}
	}
	in := stdin
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	var nums []carrier.Labelled
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var n carrier.Labelled
		if err := json.Unmarshal(sc.Bytes(), &n); err != nil || n.Com == "" || n.Nu == "" {
			return fmt.Errorf("%s:%d: want a JSON object with com and nu", *file, line)
		}
		if n.Source == "" {
			n.Source = fmt.Sprintf("line %d", line) // its own source: left out alone
		}
		nums = append(nums, n)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	fmt.Fprintf(stderr, "eval autonumber: %d numbers, leaving one source out at a time …\n", len(nums))
	ev := carrier.EvaluateBySource(nums)
	if *misses {
		for _, m := range ev.Misses {
			var top []string
			for _, c := range m.Ranking[:min(3, len(m.Ranking))] {
				top = append(top, fmt.Sprintf("%s %.2f", c.Code, c.Score))
			}
			fmt.Fprintf(stderr, "miss: %s %s (rank %d; %s) from %s\n", m.Com, m.Nu, m.Rank, strings.Join(top, ", "), carrier.SourceKey(m.Source))
		}
	}
	type rate struct {
		N    int     `json:"n"`
		Top1 float64 `json:"top1"`
		Top3 float64 `json:"top3"`
	}
	of := func(s carrier.Score) rate {
		if s.N == 0 {
			return rate{}
		}
		return rate{s.N, round3(float64(s.Top1) / float64(s.N)), round3(float64(s.Top3) / float64(s.N))}
	}
	per := map[string]rate{}
	coms := make([]string, 0, len(ev.PerCarrier))
	for com, s := range ev.PerCarrier {
		per[com] = of(*s)
		coms = append(coms, com)
	}
	sort.Slice(coms, func(i, j int) bool {
		return per[coms[i]].N > per[coms[j]].N || per[coms[i]].N == per[coms[j]].N && coms[i] < coms[j]
	})
	for _, com := range coms {
		r := per[com]
		fmt.Fprintf(stderr, "  %-16s n=%-3d top-1 %5.1f%%  top-3 %5.1f%%\n", com, r.N, 100*r.Top1, 100*r.Top3)
	}
	all, learnable := of(ev.All), of(ev.Learnable)
	fmt.Fprintf(stderr, "all: n=%d top-1 %.1f%% top-3 %.1f%%\n", all.N, 100*all.Top1, 100*all.Top3)
	fmt.Fprintf(stderr, "carriers with numbers in another source: n=%d top-1 %.1f%% top-3 %.1f%%\n", learnable.N, 100*learnable.Top1, 100*learnable.Top3)
	fmt.Fprintf(stderr, "weighted by carrier popularity: top-1 %.1f%% top-3 %.1f%%\n", 100*ev.Weighted.Top1, 100*ev.Weighted.Top3)
	out := struct {
		Method         string          `json:"method"`
		N              int             `json:"n"`
		Top1           float64         `json:"top1"`
		Top3           float64         `json:"top3"`
		WeightedTop1   float64         `json:"weighted_top1"`
		WeightedTop3   float64         `json:"weighted_top3"`
		Learnable      rate            `json:"learnable"`
		PerCarrier     map[string]rate `json:"per_carrier"`
		SourcesLeftOut int             `json:"sources"`
	}{"leave-one-source-out", all.N, all.Top1, all.Top3, round3(ev.Weighted.Top1), round3(ev.Weighted.Top3), learnable, per, ev.Sources}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }
