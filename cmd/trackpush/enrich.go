package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/enrich"
	"github.com/trackpush/trackpush/internal/jsonobj"
	"github.com/trackpush/trackpush/region"
)

func init() {
	register(command{name: "enrich", summary: "add status and region to raw events, as the wire's data[] items", args: "--jsonl [--resultv2 5] < events.jsonl > enriched.jsonl", run: runEnrich})
}

// enrichedFields are the data[] fields the enrich command adds.
var enrichedFields = []string{"status", "statusCode", "areaCode", "areaName", "areaCenter", "location", "areaPinYin", "ftime"}

func runEnrich(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("enrich", stderr)
	jsonl := fs.Bool("jsonl", false, "read raw events as JSON lines (required)")
	level := fs.String("resultv2", "5", `resultv2 level of the fields added: "" (ftime only), 3, 5 or 7 (1, 4, 8 are aliases)`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: trackpush enrich --jsonl [--resultv2 5] < events.jsonl\n\n"+
			"Each input line is a raw event {com, nu, time, context[, from, to]}; lines of the same com+nu\n"+
			"are one shipment. Each line is written back with the fields of its data[] item added.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if !*jsonl {
		fs.Usage()
		return usageError{fmt.Errorf("--jsonl is required")}
	}
	lvl := trackpush.ParseLevel(*level)

	// Read everything: a shipment is enriched as a whole.
	type line struct {
		raw  string
		obj  *jsonobj.Object
		err  error
		ship string
		idx  int // position within its shipment
	}
	var lines []*line
	type group struct {
		sh   enrich.Shipment
		raws []trackpush.RawEvent
		evs  []trackpush.Event
	}
	groups := map[string]*group{}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for n := 1; sc.Scan(); n++ {
		l := &line{raw: sc.Text()}
		lines = append(lines, l)
		if strings.TrimSpace(l.raw) == "" {
			continue
		}
		o, err := jsonobj.Parse([]byte(l.raw))
		if err != nil {
			l.err = fmt.Errorf("line %d: not a JSON object: %v", n, err)
			continue
		}
		l.obj = o
		com, _ := o.String("com")
		nu, _ := o.String("nu")
		tm, _ := o.String("time")
		text, _ := o.String("context")
		l.ship = com + "\x00" + nu
		g := groups[l.ship]
		if g == nil {
			g = &group{sh: enrich.Shipment{Com: com}}
			groups[l.ship] = g
		}
		if g.sh.From == nil {
			if f, ok := o.String("from"); ok {
				g.sh.From = enrich.AreaOf(region.ResolveAddress(f))
			}
		}
		if g.sh.To == nil {
			if t, ok := o.String("to"); ok {
				g.sh.To = enrich.AreaOf(region.ResolveAddress(t))
			}
		}
		l.idx = len(g.raws)
		g.raws = append(g.raws, trackpush.RawEvent{Time: tm, Context: text})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	for _, g := range groups {
		// Events with a bad time are marked; the others are enriched
		// together, as one trajectory.
		var good []trackpush.RawEvent
		var at []int
		for i, r := range g.raws {
			if _, ok := trackpush.ParseTime(strings.TrimSpace(r.Time)); ok {
				good = append(good, r)
				at = append(at, i)
			}
		}
		g.evs = make([]trackpush.Event, len(g.raws))
		for i := range g.evs {
			g.evs[i].Seq = -1
		}
		evs, err := enrich.Trajectory(g.sh, good)
		if err != nil {
			return err
		}
		for j, e := range evs {
			g.evs[at[j]] = e
		}
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	for _, l := range lines {
		switch {
		case l.obj == nil && l.err == nil:
			w.WriteString("\n")
			continue
		case l.err != nil:
			fmt.Fprintln(stderr, "trackpush:", l.err)
			writeJSONLine(w, map[string]string{"error": l.err.Error()})
			continue
		}
		e := groups[l.ship].evs[l.idx]
		if e.Seq < 0 {
			t, _ := l.obj.String("time")
			l.obj.SetValue("error", fmt.Sprintf("time %q is not a time", t))
		} else {
			item := enrich.DataItem(&e, lvl)
			b, err := item.MarshalJSON()
			if err != nil {
				return err
			}
			var m map[string]json.RawMessage
			json.Unmarshal(b, &m)
			for _, f := range enrichedFields {
				if v, ok := m[f]; ok {
					l.obj.Set(f, v)
				}
			}
		}
		if err := writeJSONLine(w, l.obj); err != nil {
			return err
		}
	}
	return nil
}
