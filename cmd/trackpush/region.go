package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/trackpush/trackpush/internal/jsonobj"
	"github.com/trackpush/trackpush/region"
)

func init() {
	register(command{
		name:    "region",
		summary: "resolve an address or a scan text to an administrative division",
		args:    "[--mode address|event] [--from ADDR] [--to ADDR] TEXT | --jsonl < in.jsonl",
		run:     runRegion,
	})
}

func runRegion(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("region", stderr)
	mode := fs.String("mode", "address", "what the text is: address (a postal address, from/to) or event (a carrier scan)")
	jsonl := fs.Bool("jsonl", false, `read JSON objects, one per line, each with a "text" field; write each back with a "region" field`)
	from := fs.String("from", "", "origin address, a prior for ambiguous names")
	to := fs.String("to", "", "destination address, a prior for ambiguous names")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: trackpush region [--mode address|event] [--from ADDR] [--to ADDR] TEXT\n       trackpush region --jsonl [--mode address|event] < in.jsonl")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	var m region.Mode
	switch *mode {
	case "address":
		m = region.ModeAddress
	case "event":
		m = region.ModeEvent
	default:
		return usageError{fmt.Errorf("--mode: %q is neither address nor event", *mode)}
	}
	priors := []*region.Place{region.ResolveAddress(*from), region.ResolveAddress(*to)}
	if !*jsonl {
		if fs.NArg() == 0 {
			fs.Usage()
			return usageError{fmt.Errorf("no text given")}
		}
		return writeJSONLine(stdout, region.Resolve(strings.Join(fs.Args(), " "), m, priors...))
	}
	return eachJSONLine(stdin, stdout, stderr, func(o *jsonobj.Object) error {
		text, _ := o.String("text")
		ps := priors
		f, okf := o.String("from")
		t, okt := o.String("to")
		if okf || okt {
			ps = []*region.Place{region.ResolveAddress(f), region.ResolveAddress(t)}
		}
		return o.SetValue("region", region.Resolve(text, m, ps...))
	})
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := jsonobj.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// eachJSONLine runs fn on every JSON object of the input, one per line, and
// writes each back, one line per input line. A line that is not a JSON
// object is answered with {"error": "..."} so that lines stay aligned;
// blank lines are passed through.
func eachJSONLine(stdin io.Reader, stdout, stderr io.Writer, fn func(*jsonobj.Object) error) error {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			w.WriteByte('\n')
			continue
		}
		o, err := jsonobj.Parse(line)
		if err != nil {
			fmt.Fprintf(stderr, "trackpush: line %d: %v\n", n, err)
			if err := writeJSONLine(w, map[string]string{"error": fmt.Sprintf("line %d: not a JSON object: %v", n, err)}); err != nil {
				return err
			}
			continue
		}
		if err := fn(o); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if err := writeJSONLine(w, o); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	return nil
}
