package carrier

import (
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

// patternRow is one row of number_patterns.csv as generated into
// companies_gen.go.
type patternRow struct {
	code   string
	expr   string
	source int
}

// alphabet holds every character a normalised number may contain.
const alphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// alt is one alternative of a public pattern: the rows join several
// number formats with '|', and each format is weighed on its own, since
// "^(77)[0-9]{13}$" says much more than "^[0-9]{15}$" beside it.
type alt struct {
	carrier int            // index into companies
	expr    string         // the alternative, anchored
	source  string         // where its row comes from (several joined by "|")
	weight  float64        // its share of the carrier's format model: each row an equal part, split among its alternatives
	re      *regexp.Regexp // whole-number match
	nfa     *nfa           // for counting the strings with a given prefix
	// lnMass[n] is the natural log of the background probability mass of
	// the strings of length n that the alternative accepts (-Inf for none):
	// within what a format allows, characters are taken to be as common as
	// they are in numbers at large, so that "10 alphanumeric characters"
	// means mostly digits, as it does in practice.
	lnMass [MaxNumberLen + 1]float64
	lnLens float64 // log of the number of accepted lengths within the limits
	lens   uint64  // bit n: accepts some string of length n
	first  uint64  // bit i: accepts a string starting with alphabet[i]
	s10    bool    // accepts only UPU S10-shaped strings
}

// compileAlts splits each format row into its top-level alternatives and
// measures each, leaving out the rows whose source exclude names. All
// expressions are read as whole-number matches: the TypeScript source
// anchors them, and the Java source (a Hive UDF) matches with
// Pattern.matches, which needs the whole input to match.
//
// Each alternative gets a weight in its carrier's format model: the
// carrier's rows share it equally (each source has an equal say), and a
// row's alternatives share the row's part equally.
func compileAlts(rows []formatRow, exclude func(source string) bool) ([]alt, error) {
	var alts []alt
	rowsOf := map[int]float64{}
	type rowAlts struct {
		carrier int
		alts    []int
	}
	var byRow []rowAlts
	for _, row := range rows {
		if exclude != nil && slices.ContainsFunc(strings.Split(row.source, "|"), exclude) {
			continue
		}
		ci, ok := search(row.code)
		if !ok {
			return nil, fmt.Errorf("pattern for unknown code %q", row.code)
		}
		re, err := syntax.Parse(row.expr, syntax.Perl)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", row.code, err)
		}
		ra := rowAlts{carrier: ci}
		for _, sub := range splitAlternatives(re) {
			anchored := &syntax.Regexp{Op: syntax.OpConcat, Flags: syntax.Perl, Sub: []*syntax.Regexp{
				{Op: syntax.OpBeginText}, sub, {Op: syntax.OpEndText},
			}}
			a, err := newAlt(ci, anchored)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", row.code, err)
			}
			a.source = row.source
			if a.lens != 0 {
				ra.alts = append(ra.alts, len(alts))
				alts = append(alts, a)
			}
		}
		if len(ra.alts) > 0 {
			byRow = append(byRow, ra)
			rowsOf[ci]++
		}
	}
	for _, ra := range byRow {
		for _, i := range ra.alts {
			alts[i].weight = 1 / rowsOf[ra.carrier] / float64(len(ra.alts))
		}
	}
	return alts, nil
}

// splitAlternatives returns the top-level alternatives of re, looking
// through capture groups and the anchors at either end.
func splitAlternatives(re *syntax.Regexp) []*syntax.Regexp {
	switch re.Op {
	case syntax.OpCapture:
		return splitAlternatives(re.Sub[0])
	case syntax.OpAlternate:
		var out []*syntax.Regexp
		for _, sub := range re.Sub {
			out = append(out, splitAlternatives(sub)...)
		}
		return out
	case syntax.OpConcat:
		sub := re.Sub
		for len(sub) > 0 && isBegin(sub[0].Op) {
			sub = sub[1:]
		}
		for len(sub) > 0 && isEnd(sub[len(sub)-1].Op) {
			sub = sub[:len(sub)-1]
		}
		switch len(sub) {
		case 0:
			return []*syntax.Regexp{{Op: syntax.OpEmptyMatch}}
		case 1:
			return splitAlternatives(sub[0])
		}
		if len(sub) != len(re.Sub) {
			c := *re
			c.Sub = sub
			return []*syntax.Regexp{&c}
		}
	case syntax.OpBeginText, syntax.OpBeginLine, syntax.OpEndText, syntax.OpEndLine:
		return []*syntax.Regexp{{Op: syntax.OpEmptyMatch}}
	}
	return []*syntax.Regexp{re}
}

func isBegin(op syntax.Op) bool { return op == syntax.OpBeginText || op == syntax.OpBeginLine }
func isEnd(op syntax.Op) bool   { return op == syntax.OpEndText || op == syntax.OpEndLine }

func newAlt(carrier int, re *syntax.Regexp) (alt, error) {
	a := alt{carrier: carrier, expr: re.String()}
	var err error
	if a.re, err = regexp.Compile(a.expr); err != nil {
		return a, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return a, err
	}
	n := newNFA(prog)
	a.nfa = n
	counts := n.count(MaxNumberLen, anyChar)
	mass := n.countFrom(n.start(), true, MaxNumberLen, bgWeight)
	lens := 0
	for l, c := range counts {
		a.lnMass[l] = math.Log(mass[l]) // -Inf for 0
		if c > 0 && l >= MinNumberLen {
			a.lens |= 1 << l
			lens++
		}
	}
	a.lnLens = math.Log(float64(lens))
	a.first = n.first()
	// An alternative that accepts nothing but S10-shaped strings describes
	// S10 identifiers, whose check digit the detector can verify.
	total := 0.0
	for _, c := range counts {
		total += c
	}
	a.s10 = total > 0 && same(counts[13], total) && same(n.count(13, s10Class)[13], total)
	return a, nil
}

func anyChar(int) func(byte) bool { return func(byte) bool { return true } }

// bgWeight weighs each character by its background probability.
func bgWeight(int) func(byte) float64 {
	return func(c byte) float64 { return math.Exp(lnBgChars(string(c))) }
}

// prefixShare returns the share (by background mass) of the alternative's
// strings of length n that start with prefix (0 when it has none of that
// length).
func (a *alt) prefixShare(n int, prefix string) float64 {
	if a.lens&(1<<n) == 0 {
		return 0
	}
	set := a.nfa.start()
	for i := 0; i < len(prefix) && len(set) > 0; i++ {
		set = a.nfa.step(set, rune(prefix[i]))
	}
	if len(set) == 0 {
		return 0
	}
	c := a.nfa.countFrom(set, len(prefix) == 0, n-len(prefix), bgWeight)
	return c[n-len(prefix)] * math.Exp(lnBgChars(prefix)-a.lnMass[n])
}

func same(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(a, b) }

// s10Class gives the characters allowed at each position of a UPU S10
// identifier.
func s10Class(pos int) func(byte) bool {
	if pos < 2 || pos > 10 {
		return func(c byte) bool { return 'A' <= c && c <= 'Z' }
	}
	return func(c byte) bool { return '0' <= c && c <= '9' }
}

// nfa counts the strings a compiled regular expression accepts, by running
// its program on sets of states over every string at once (a subset
// construction done lazily, level by level). Characters that every
// instruction treats alike are handled as one class.
type nfa struct {
	prog    *syntax.Prog
	classes []string // partition of alphabet
}

func newNFA(prog *syntax.Prog) *nfa {
	n := &nfa{prog: prog}
	groups := map[string]int{}
	for i := 0; i < len(alphabet); i++ {
		var sig strings.Builder
		for pc := range prog.Inst {
			if matchRune(&prog.Inst[pc], rune(alphabet[i])) {
				sig.WriteByte('1')
			} else {
				sig.WriteByte('0')
			}
		}
		g, ok := groups[sig.String()]
		if !ok {
			g = len(n.classes)
			groups[sig.String()] = g
			n.classes = append(n.classes, "")
		}
		n.classes[g] += alphabet[i : i+1]
	}
	return n
}

func matchRune(i *syntax.Inst, r rune) bool {
	switch i.Op {
	case syntax.InstRune1:
		return r == i.Rune[0]
	case syntax.InstRune:
		return i.MatchRune(r)
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	}
	return false
}

// add adds pc and every instruction reachable from it without consuming a
// character to set. Empty-width instructions stay in the set too: "$" can
// only be passed once the end of the string is known.
func (n *nfa) add(set []uint32, seen []bool, pc uint32, begin, end bool) []uint32 {
	if seen[pc] {
		return set
	}
	seen[pc] = true
	i := &n.prog.Inst[pc]
	switch i.Op {
	case syntax.InstAlt, syntax.InstAltMatch:
		set = n.add(set, seen, i.Out, begin, end)
		set = n.add(set, seen, i.Arg, begin, end)
	case syntax.InstCapture, syntax.InstNop:
		set = n.add(set, seen, i.Out, begin, end)
	case syntax.InstEmptyWidth:
		set = append(set, pc)
		var have syntax.EmptyOp
		if begin {
			have |= syntax.EmptyBeginText | syntax.EmptyBeginLine
		}
		if end {
			have |= syntax.EmptyEndText | syntax.EmptyEndLine
		}
		if syntax.EmptyOp(i.Arg)&^have == 0 {
			set = n.add(set, seen, i.Out, begin, end)
		}
	case syntax.InstMatch, syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		set = append(set, pc)
	}
	return set
}

func (n *nfa) start() []uint32 {
	return n.add(nil, make([]bool, len(n.prog.Inst)), uint32(n.prog.Start), true, false)
}

func (n *nfa) step(set []uint32, r rune) []uint32 {
	seen := make([]bool, len(n.prog.Inst))
	var next []uint32
	for _, pc := range set {
		if i := &n.prog.Inst[pc]; matchRune(i, r) {
			next = n.add(next, seen, i.Out, false, false)
		}
	}
	slices.Sort(next)
	return next
}

func (n *nfa) accepts(set []uint32, begin bool) bool {
	seen := make([]bool, len(n.prog.Inst))
	var all []uint32
	for _, pc := range set {
		all = n.add(all, seen, pc, begin, true)
	}
	return slices.ContainsFunc(all, func(pc uint32) bool { return n.prog.Inst[pc].Op == syntax.InstMatch })
}

// count returns, for each length up to maxLen, how many strings the
// program accepts whose character at position i satisfies allowed(i).
func (n *nfa) count(maxLen int, allowed func(pos int) func(byte) bool) []float64 {
	return n.countFrom(n.start(), true, maxLen, func(pos int) func(byte) float64 {
		ok := allowed(pos)
		return func(c byte) float64 {
			if ok(c) {
				return 1
			}
			return 0
		}
	})
}

// countFrom is count from the state set start, at the beginning of the
// text or not, with each character weighed by weight(pos): for each length
// up to maxLen, the total weight of the continuations that lead to a match
// (the weight of a string is the product of its characters').
func (n *nfa) countFrom(start []uint32, begin bool, maxLen int, weight func(pos int) func(byte) float64) []float64 {
	type state struct {
		set []uint32
		w   float64
	}
	key := func(set []uint32) string { return fmt.Sprint(set) }
	states := map[string]*state{key(start): {start, 1}}
	out := make([]float64, maxLen+1)
	for pos := 0; ; pos++ {
		for _, s := range states {
			if n.accepts(s.set, begin && pos == 0) {
				out[pos] += s.w
			}
		}
		if pos == maxLen {
			return out
		}
		wt := weight(pos)
		next := map[string]*state{}
		for _, s := range states {
			for _, class := range n.classes {
				var k float64
				var rep byte
				for j := 0; j < len(class); j++ {
					if w := wt(class[j]); w > 0 {
						if k == 0 {
							rep = class[j]
						}
						k += w
					}
				}
				if k == 0 {
					continue
				}
				set := n.step(s.set, rune(rep))
				if len(set) == 0 {
					continue
				}
				ks := key(set)
				if t := next[ks]; t != nil {
					t.w += s.w * k
				} else {
					next[ks] = &state{set, s.w * k}
				}
			}
		}
		if len(next) == 0 {
			return out
		}
		states = next
	}
}

// first returns the set of characters that can start an accepted string,
// as bits over alphabet. It may include characters that lead nowhere.
func (n *nfa) first() uint64 {
	var bits uint64
	start := n.start()
	for i := 0; i < len(alphabet); i++ {
		if len(n.step(start, rune(alphabet[i]))) > 0 {
			bits |= 1 << i
		}
	}
	return bits
}

// alphaIndex returns the position of c in alphabet.
func alphaIndex(c byte) int {
	switch {
	case c == '-':
		return 0
	case '0' <= c && c <= '9':
		return 1 + int(c-'0')
	default:
		return 11 + int(c-'A')
	}
}
