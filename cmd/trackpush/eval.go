package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
)

func init() {
	register(command{name: "eval", summary: "measure an engine's accuracy on held-out data (eval autonumber, …)", run: runEval})
}

// evalCommands are the subcommands of eval, registered in init by the
// files that define them.
var evalCommands = map[string]command{}

func registerEval(c command) { evalCommands[c.name] = c }

func runEval(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	names := make([]string, 0, len(evalCommands))
	for n := range evalCommands {
		names = append(names, n)
	}
	sort.Strings(names)
	list := func() {
		fmt.Fprintln(stderr, "usage: trackpush eval <what> [flags]\n\nwhat:")
		for _, n := range names {
			fmt.Fprintf(stderr, "  %-10s %s\n", n, evalCommands[n].summary)
		}
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		list()
		if len(args) == 0 {
			return usageError{errors.New("eval: say what to evaluate")}
		}
		return nil
	}
	c, ok := evalCommands[args[0]]
	if !ok {
		list()
		return usageError{fmt.Errorf("eval: unknown %q", args[0])}
	}
	return c.run(ctx, args[1:], stdin, stdout, stderr)
}
