// Command gen writes companies_gen.go, the carrier table compiled into
// package carrier, from the public data in shared/data/carriers:
// companies.csv (codes and names), usage_2019_top.csv (usage counts) and
// number_patterns.csv (tracking-number regular expressions).
//
// It runs from the carrier package directory through go generate:
//
//	go generate ./carrier/
//
// which is
//
//	go run ./internal/gen -data ../../shared/data/carriers -out companies_gen.go
//
// The output is deterministic, so a stale table shows up as a diff.
package main

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	data := flag.String("data", "../../shared/data/carriers", "directory holding companies.csv, usage_2019_top.csv and number_patterns.csv")
	out := flag.String("out", "companies_gen.go", "output file")
	flag.Parse()
	src, err := generate(*data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// rewrites maps the source's regular expressions that RE2 (Go's regexp)
// cannot compile, because they use lookahead, to equivalent RE2 forms. Each
// pair was checked for equal whole-string matches on all 4-digit prefixes
// with random tails of lengths 6–16.
var rewrites = map[string]string{
	// 7(?![0|1|2|3|4|5|7|8|9])\d{9} leaves 76\d{8}; 8(?![2-9])\d{9} leaves 8[01]\d{8}.
	`^(3(([0-6]|[8-9])\d{8})|((2|4|5|6)\d{9})|(7(?![0|1|2|3|4|5|7|8|9])\d{9})|(8(?![2-9])\d{9})|(2|4)\d{11})$`: `^(3(([0-6]|[8-9])\d{8})|((2|4|5|6)\d{9})|(76\d{8})|(8[01]\d{8})|(2|4)\d{11})$`,
	// 9–13 digits that do not start with 440, 510, 520 or 5231.
	`^(?!440)(?!510)(?!520)(?!5231)([0-9]{9,13})$|^(P330[0-9]{8})$|^(D[0-9]{11})$|^(319)[0-9]{11}$|^(56)[0-9]{10}$|^(536)[0-9]{9}$`: `^(?:[0-36-9][0-9]{8,12}|4[0-35-9][0-9]{7,11}|44[1-9][0-9]{6,10}|5[03-9][0-9]{7,11}|51[1-9][0-9]{6,10}|52[124-9][0-9]{6,10}|523[02-9][0-9]{5,9})$|^(P330[0-9]{8})$|^(D[0-9]{11})$|^(319)[0-9]{11}$|^(56)[0-9]{10}$|^(536)[0-9]{9}$`,
}

type company struct {
	code    string
	names   []string
	usage   int
	sources []string
}

type pattern struct {
	code, expr, orig string
	source           int
}

func readCSV(path string, header []string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !slices.Equal(head, header) {
		return nil, fmt.Errorf("%s: header %q, want %q", path, head, header)
	}
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, rec)
	}
}

var codeRE = regexp.MustCompile(`^[a-z0-9_]+$`)

func generate(dir string) ([]byte, error) {
	rows, err := readCSV(filepath.Join(dir, "companies.csv"), []string{"code", "name", "source"})
	if err != nil {
		return nil, err
	}
	var companies []*company
	byCode := map[string]*company{}
	for _, rec := range rows {
		code := rec[0]
		if !codeRE.MatchString(code) {
			return nil, fmt.Errorf("companies.csv: bad code %q", code)
		}
		if byCode[code] != nil {
			return nil, fmt.Errorf("companies.csv: duplicate code %q", code)
		}
		c := &company{code: code}
		for n := range strings.SplitSeq(rec[1], "|") {
			if n = strings.TrimSpace(n); n != "" && !slices.Contains(c.names, n) {
				c.names = append(c.names, n)
			}
		}
		if len(c.names) == 0 {
			return nil, fmt.Errorf("companies.csv: %s has no name", code)
		}
		for s := range strings.SplitSeq(rec[2], ";") {
			if s = strings.TrimSpace(s); s != "" {
				c.sources = append(c.sources, s)
			}
		}
		companies = append(companies, c)
		byCode[code] = c
	}
	slices.SortFunc(companies, func(a, b *company) int { return strings.Compare(a.code, b.code) })

	rows, err = readCSV(filepath.Join(dir, "usage_2019_top.csv"), []string{"rank", "code", "name", "cnt", "source"})
	if err != nil {
		return nil, err
	}
	usageSource := ""
	for _, rec := range rows {
		c := byCode[rec[1]]
		if c == nil {
			return nil, fmt.Errorf("usage_2019_top.csv: unknown code %q", rec[1])
		}
		n, err := strconv.Atoi(rec[3])
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("usage_2019_top.csv: %s: bad count %q", rec[1], rec[3])
		}
		c.usage = n
		if rec[4] != "same" {
			usageSource = rec[4]
		}
	}

	rows, err = readCSV(filepath.Join(dir, "number_patterns.csv"), []string{"code", "regex", "flags", "name_in_source", "source"})
	if err != nil {
		return nil, err
	}
	var (
		patterns      []pattern
		sources       []string
		skipped       []string
		rewrittenRows int
	)
	for _, rec := range rows {
		code, expr, flags, src := rec[0], rec[1], rec[2], rec[4]
		if byCode[code] == nil {
			skipped = append(skipped, fmt.Sprintf("%s %s (code not in companies.csv)", code, expr))
			continue
		}
		p := pattern{code: code, expr: expr}
		if re2, ok := rewrites[expr]; ok {
			p.orig, p.expr = expr, re2
			rewrittenRows++
		}
		switch flags {
		case "":
		case "(?i)":
			p.expr = flags + p.expr
		default:
			return nil, fmt.Errorf("number_patterns.csv: %s: unknown flags %q", code, flags)
		}
		if _, err := regexp.Compile(p.expr); err != nil {
			return nil, fmt.Errorf("number_patterns.csv: %s: %w (add an RE2 rewrite)", code, err)
		}
		if strings.Contains(src, "BF-zh/Courier-Validation") {
			src = "github:BF-zh/Courier-Validation/src/pattern/*.ts (TypeScript, anchored)"
		}
		p.source = slices.Index(sources, src)
		if p.source < 0 {
			p.source = len(sources)
			sources = append(sources, src)
		}
		patterns = append(patterns, p)
	}
	if rewrittenRows != len(rewrites) {
		return nil, fmt.Errorf("number_patterns.csv: %d of %d RE2 rewrites used; update rewrites", rewrittenRows, len(rewrites))
	}

	srcCount := map[string]int{}
	var srcOrder []string
	for _, c := range companies {
		for _, s := range c.sources {
			if srcCount[s] == 0 {
				srcOrder = append(srcOrder, s)
			}
			srcCount[s]++
		}
	}
	slices.SortStableFunc(srcOrder, func(a, b string) int { return cmp.Compare(srcCount[b], srcCount[a]) })
	withAliases, withUsage := 0, 0
	for _, c := range companies {
		if len(c.names) > 1 {
			withAliases++
		}
		if c.usage > 0 {
			withUsage++
		}
	}

	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("// Code generated by carrier/internal/gen from shared/data/carriers; DO NOT EDIT.\n")
	p("//\n// Provenance (see shared/data/README.md):\n//\n")
	p("// companies.csv: %d Kuaidi100 carrier codes with Chinese names, the union of\n", len(companies))
	p("// two public code lists used with the original service (%d names that the lists\n", withAliases)
	p("// disagree on keep both: the first is Name, the others Aliases). Codes per source:\n")
	for _, s := range srcOrder {
		p("//   - %s: %d\n", s, srcCount[s])
	}
	p("//\n// usage_2019_top.csv: usage counts of the %d most used codes, as published\n", withUsage)
	p("// around 2019: %s.\n", usageSource)
	p("//\n// number_patterns.csv: %d public tracking-number regular expressions, from:\n", len(patterns))
	for i, s := range sources {
		p("//   %d. %s\n", i, s)
	}
	for _, s := range skipped {
		p("// Skipped: %s.\n", s)
	}
	p("// %d expressions use lookahead, which RE2 lacks; they are replaced by\n", rewrittenRows)
	p("// equivalent RE2 forms (original in a comment beside each).\n\n")
	p("package carrier\n\n")
	p("// companies is the carrier table, sorted by code.\n")
	p("var companies = [...]Company{\n")
	for _, c := range companies {
		aliases := "nil"
		if len(c.names) > 1 {
			q := make([]string, len(c.names)-1)
			for i, n := range c.names[1:] {
				q[i] = strconv.Quote(n)
			}
			aliases = "[]string{" + strings.Join(q, ", ") + "}"
		}
		p("\t{%q, %q, %s, %d},\n", c.code, c.names[0], aliases, c.usage)
	}
	p("}\n\n")
	p("// patternSources are the sources of patternRows, by index.\n")
	p("var patternSources = [...]string{\n")
	for _, s := range sources {
		p("\t%q,\n", s)
	}
	p("}\n\n")
	p("// patternRows are the public number patterns in file order.\n")
	p("var patternRows = [...]patternRow{\n")
	for _, pt := range patterns {
		if pt.orig != "" {
			p("\t// RE2 form of %s\n", goString(pt.orig))
		}
		p("\t{%q, %s, %d},\n", pt.code, goString(pt.expr), pt.source)
	}
	p("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format output: %w", err)
	}
	return src, nil
}

// goString quotes s as a raw string literal where possible, which keeps
// regular expressions readable.
func goString(s string) string {
	if strings.ContainsAny(s, "`\r") {
		return strconv.Quote(s)
	}
	return "`" + s + "`"
}
