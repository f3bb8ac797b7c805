// Command trackpush is the one binary of the service: the server, its
// tools and its engines, as subcommands.
//
//	trackpush region [--mode address|event] [--jsonl] [TEXT]
//
// Run "trackpush help" for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "trackpush:", err)
		}
		os.Exit(exitCode(err))
	}
}

// command is one subcommand. Files of this package register theirs in
// init, with one line; its flag set (newFlagSet) gives it -h and --help.
type command struct {
	name    string
	summary string
	// args, when set, is the synopsis after the name ("[flags] [TEXT]");
	// default "[flags]".
	args string
	run  func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// helps are the help texts of subcommands that are not top-level commands
// ("account create"), by name.
var helps = map[string]command{}

func registerHelp(c command) { helps[c.name] = c }

// usageError marks an error in the command line (exit status 2).
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

// exitCode is 0 for a help that was asked for, 2 for a command line in
// error, 1 for any other failure.
func exitCode(err error) int {
	var u usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return usageError{errors.New("no command given")}
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stderr)
		return nil
	case "help":
		if len(args) == 1 {
			usage(stderr)
			return nil
		}
		args = append(args[1:2], "-h") // help CMD is CMD -h
	case "-version", "--version":
		args = []string{"version"}
	}
	c, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return usageError{fmt.Errorf("unknown command %q", args[0])}
	}
	return c.run(ctx, args[1:], stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: trackpush <command> [flags]\n\ncommands:")
	listCommands(w, commands)
	fmt.Fprintln(w, "\nRun \"trackpush <command> -h\" for a command's flags.")
}

// listCommands prints commands with their summaries, by name.
func listCommands(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	width := 0
	for n := range cmds {
		names = append(names, n)
		width = max(width, len(n))
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, cmds[n].summary)
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting;
// -h and --help print the command's synopsis, summary and flags (its own
// only) and make Parse return flag.ErrHelp (exit status 0).
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("trackpush "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		c, ok := commands[name]
		if !ok {
			c = helps[name]
		}
		synopsis := c.args
		if synopsis == "" {
			synopsis = "[flags]"
		}
		w := fs.Output()
		fmt.Fprintf(w, "usage: trackpush %s %s\n", name, synopsis)
		if c.summary != "" {
			fmt.Fprintf(w, "\n%s\n", c.summary)
		}
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// dbFlagHelp is the help of every --db flag.
const dbFlagHelp = "the database: a SQLite file, or a PostgreSQL DSN (postgres://USER:PASSWORD@HOST:5432/DBNAME?sslmode=disable; search_path=SCHEMA to use a schema) (TRACKPUSH_DB)"
