package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/internal/eval"
)

func init() {
	register(command{name: "eval", summary: "measure a model on held-out data: eval eta, eval autonumber", run: runEval})
}

// evalCommands are the subcommands of eval.
var evalCommands = map[string]command{
	"eta": {name: "eta", summary: "accuracy of the arrival estimate on simulated or real trajectories", run: runEvalETA},
}

func runEval(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, "usage: trackpush eval <what> [flags]\n\nwhat:")
		listCommands(stderr, evalCommands)
		if len(args) > 0 {
			return nil // help asked for: exit 0
		}
		return usageError{errors.New("eval: what to evaluate?")}
	}
	c, ok := evalCommands[args[0]]
	if !ok {
		return usageError{fmt.Errorf("eval: unknown %q", args[0])}
	}
	return c.run(ctx, args[1:], stdin, stdout, stderr)
}

// files is a repeatable flag.
type files []string

func (f *files) String() string { return strings.Join(*f, ",") }
func (f *files) Set(v string) error {
	*f = append(*f, v)
	return nil
}

// etaOutput is the final line of eval eta: what was evaluated, and the
// report.
type etaOutput struct {
	Data    string   `json:"data"`            // "sim" or "jsonl"
	Seed    *int64   `json:"seed,omitempty"`  // sim
	History any      `json:"history"`         // shipments learned from, or "leave-one-out"
	Files   []string `json:"files,omitempty"` // jsonl
	Seconds float64  `json:"seconds"`
	eval.Report
}

func runEvalETA(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval eta", stderr)
	n := fs.Int("sim", 0, "evaluate on N simulated shipments (after the history ones)")
	seed := fs.Int64("seed", 2025, "world seed of --sim")
	history := fs.Int("history", 2000, "simulated shipments to learn from first (0: the cold start)")
	var jsonl files
	fs.Var(&jsonl, "jsonl", `real trajectories: lines {"com","nu","time","context"} (repeatable; "-" is stdin)`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: trackpush eval eta --sim N [--seed 2025] [--history 2000]
       trackpush eval eta --jsonl FILE [--jsonl FILE …]

Replays each evaluated shipment's events in order, predicts the arrival after
each one (the first event that makes the parcel available to the receiver:
派件 5, 投柜或驿站 501 or signed 3xx), and scores the predictions made after the
first hub scan; progress goes to stderr, one JSON line to stdout. With --sim
the model learns from --history simulated shipments first; with --jsonl each
shipment is evaluated with all the others as history (leave-one-out), its ends
read from its own events. Both report the cold model (no history) and two
baselines (the lane's median, a distance fit) beside it.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if (*n > 0) == (len(jsonl) > 0) {
		fs.Usage()
		return usageError{errors.New("give either --sim N or --jsonl FILE")}
	}
	if *n < 0 || *history < 0 {
		return usageError{errors.New("--sim and --history must not be negative")}
	}
	start := time.Now()
	var out etaOutput
	if *n > 0 {
		rep, err := eval.Sim(eval.SimConfig{Seed: *seed, History: *history, N: *n}, stderr)
		if err != nil {
			return err
		}
		out = etaOutput{Data: "sim", Seed: seed, History: *history, Report: rep}
	} else {
		ships := map[string]*[]trackpush.RawEvent{}
		var order []string
		for _, f := range jsonl {
			if err := readEvalFile(f, stdin, ships, &order); err != nil {
				return err
			}
		}
		ss, err := eval.RealShipments(ships, order)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "read %d shipments from %s\n", len(ss), strings.Join(jsonl, ", "))
		out = etaOutput{Data: "jsonl", History: "leave-one-out", Files: jsonl, Report: eval.LeaveOneOut(ss, stderr)}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	out.Seconds = time.Since(start).Round(10 * time.Millisecond).Seconds()
	return writeJSONLine(stdout, out)
}

func readEvalFile(name string, stdin io.Reader, ships map[string]*[]trackpush.RawEvent, order *[]string) error {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	if err := eval.ReadJSONL(r, ships, order); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
