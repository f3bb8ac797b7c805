package region

import (
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Mode says what kind of text is resolved.
type Mode int

const (
	// ModeAddress reads a postal address or a subscription's from/to:
	// every place name counts, and an ambiguous name still gives an answer
	// (with low confidence).
	ModeAddress Mode = iota
	// ModeEvent reads a carrier scan: only the place where the scan
	// happened counts (not the next stop, not a courier's name), and an
	// ambiguous answer is dropped, because a wrong place is worse than none.
	ModeEvent
)

// maxRunes bounds the work on one text; real addresses and scans are far
// shorter.
const maxRunes = 512

// minEventConfidence is the confidence below which an event place is
// dropped.
const minEventConfidence = 0.5

type engine struct {
	t *table
	d *dict
}

var getEngine = sync.OnceValue(func() *engine {
	t := getTable()
	return &engine{t: t, d: buildDict(t)}
})

// Warm builds the tables now instead of on first use (≈ 100 ms).
func Warm() { getEngine() }

// ResolveAddress resolves a free-form address or a "province city
// district" text to the finest division it names. priors (the shipment's
// from/to, say) decide between places of the same name. It returns nil when
// the text names no place.
func ResolveAddress(text string, priors ...*Place) *Place {
	return getEngine().resolve(text, ModeAddress, priors)
}

// ResolveEvent resolves the place where a carrier scan happened. priors
// are the shipment's from/to places, if known. It returns nil when the text
// names no place, or none with enough confidence.
func ResolveEvent(text string, priors ...*Place) *Place {
	return getEngine().resolve(text, ModeEvent, priors)
}

// Resolve resolves text in the given mode.
func Resolve(text string, mode Mode, priors ...*Place) *Place {
	return getEngine().resolve(text, mode, priors)
}

// match is one dictionary key found in the text at runes [start, end).
type match struct {
	start, end int32
	ents       []entry
	// lo, hi are the levels allowed by a unit suffix right after a short
	// name (0: no suffix): 朝阳区 does not name 朝阳市, 吉林省 not 吉林市, but
	// 新津县 still names 新津区, a unit of the same level renamed.
	lo, hi int8
}

// cand is a node of the chain search: one division a match may name.
type cand struct {
	m      int32 // index into matches
	div    int32
	weight float32
	needs  bool // valid only under a parent in the chain
	score  float32
	prev   int32 // previous cand in the best chain, -1 none
	links  int8
}

// state is the reusable scratch space of one resolution.
type state struct {
	runes   []rune
	matches []match
	cands   []cand
	context []int32
}

var statePool = sync.Pool{New: func() any { return new(state) }}

func (e *engine) resolve(text string, mode Mode, priors []*Place) *Place {
	if text == "" {
		return nil
	}
	s := statePool.Get().(*state)
	defer statePool.Put(s)
	s.runes = s.runes[:0]
	for _, r := range text {
		if len(s.runes) == maxRunes {
			break
		}
		s.runes = append(s.runes, normalizeRune(r))
	}
	anchor := int32(-1)
	var anchorStart, anchorEnd int32
	if mode == ModeEvent {
		anchor, anchorStart, anchorEnd = e.findAnchor(s.runes)
		maskEvent(s.runes, anchorEnd)
	}
	e.findMatches(s)
	best, conf, alt := e.chain(s, mode, anchor, priors)
	var p *Place
	var start, end int32
	if best >= 0 && anchor >= 0 && e.t.isAncestor(s.cands[best].div, anchor) {
		best = -1 // only the anchor's province was named again
	}
	switch {
	case best >= 0:
		c := s.cands[best]
		div := c.div
		if alt >= 0 {
			div = alt
		}
		p = e.t.place(div)
		end = s.matches[c.m].end
		start = s.matches[c.m].start
		for k := best; k >= 0; k = s.cands[k].prev {
			start = s.matches[s.cands[k].m].start
		}
		if anchor >= 0 {
			start = anchorStart
		}
	case anchor >= 0:
		p = e.t.place(anchor)
		start, end, conf = anchorStart, anchorEnd, 0.95
	default:
		return nil
	}
	if mode == ModeEvent && conf < minEventConfidence {
		return nil
	}
	p.Confidence = math.Round(float64(conf)*100) / 100
	p.SpanStart, p.SpanEnd = int(start), int(end)
	p.Span = spanText(text, int(start), int(end))
	return p
}

// spanText returns runes [start, end) of text (offsets in runes of the
// normalised, possibly truncated text; they align with text's runes).
func spanText(text string, start, end int) string {
	var b strings.Builder
	i := 0
	for _, r := range text {
		if i >= end {
			break
		}
		if i >= start {
			b.WriteRune(r)
		}
		i++
	}
	return b.String()
}

// normalizeRune folds full-width ASCII to half-width and drops invalid
// encodings to a space.
func normalizeRune(r rune) rune {
	switch {
	case r == utf8.RuneError:
		return ' '
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}

// findMatches records every dictionary key in s.runes, dropping those that
// are evidently not place names here (a road named after a city, 东营 in
// 山东营业部).
func (e *engine) findMatches(s *state) {
	s.matches = s.matches[:0]
	rs := s.runes
	for i := range rs {
		n := e.d.child(0, rs[i])
		for j := i + 1; n != 0; j++ {
			nd := &e.d.nodes[n]
			if nd.entryEnd > nd.entryStart && !e.notAPlace(rs, i, j) {
				m := match{
					start: int32(i), end: int32(j),
					ents: e.d.entries[nd.entryStart:nd.entryEnd],
				}
				if j < len(rs) && !e.keyStartsAt(rs, j) {
					m.lo, m.hi = suffixLevels(rs[j])
				}
				s.matches = append(s.matches, m)
			}
			if j == len(rs) {
				break
			}
			n = e.d.child(n, rs[j])
		}
	}
}

// roadSuffixes follow a place name used as a street name: 中山路, 北京东路.
var roadSuffixes = []string{"路", "街", "大道", "大街", "巷", "弄", "胡同", "东路", "西路", "南路", "北路", "中路", "东街", "西街", "南街", "北街", "大厦", "广场", "花园", "小区", "公园"}

// overlapWords are words that begin with the last character of a name and
// so steal it: 山东营业部 (东营), 武汉中心 (汉中).
var overlapWords = []string{"营业", "中心", "中转部", "中转场", "中转站", "中转中心", "中转仓", "中通"}

func (e *engine) notAPlace(rs []rune, start, end int) bool {
	// A name that begins right after is no suffix: 唐山路南 is 唐山 + 路南区.
	if hasPrefixAt(rs, end, roadSuffixes) && !e.keyStartsAt(rs, end) {
		// 北京路 is a road, but 北京市 or 北京路政 are not cut here; a full
		// name with its unit suffix (深圳市, 南山区) is never a road.
		switch rs[end-1] {
		case '市', '区', '县', '省', '镇', '乡', '旗', '州':
			return false
		}
		return true
	}
	if end-start >= 2 {
		for _, w := range overlapWords {
			wr := []rune(w)
			if rs[end-1] == wr[0] && hasPrefixAt(rs, end, []string{string(wr[1:])}) {
				return true
			}
		}
	}
	return false
}

// keyStartsAt reports whether a place name of levels 1–3 begins at rune i
// (镇海 in 宁波镇海, 路南 in 唐山路南, 旗下营 is a town and so does not).
func (e *engine) keyStartsAt(rs []rune, i int) bool {
	n := int32(0)
	for j := i; j < len(rs); j++ {
		if n = e.d.child(n, rs[j]); n == 0 {
			return false
		}
		nd := &e.d.nodes[n]
		for _, en := range e.d.entries[nd.entryStart:nd.entryEnd] {
			if e.t.divs[en.div].level <= 3 && en.kind != kindGeneric {
				return true
			}
		}
	}
	return false
}

func hasPrefixAt(rs []rune, at int, words []string) bool { return WordAt(rs, at, words) > 0 }

// WordAt returns the length in runes of the first of words that rs holds
// at rune at, or 0 when none does. The scan readers (here and in package
// route) match their lexicons with it.
func WordAt(rs []rune, at int, words []string) int {
	for _, w := range words {
		k := at
		ok := true
		for _, r := range w {
			if k >= len(rs) || rs[k] != r {
				ok = false
				break
			}
			k++
		}
		if ok && k > at {
			return k - at
		}
	}
	return 0
}

// Weights of one name by kind and level (index = level).
var (
	fullWeight  = [5]float32{0, 6.6, 6.3, 5, 4}
	shortWeight = [5]float32{0, 5.6, 5.3, 4, 2}
)

const (
	linkBonus     = 2
	adjacentBonus = 0.5
	priorCity     = 1.5
	priorProvince = 0.75
)

func (e *engine) weight(m *match, en entry) float32 {
	lvl := e.t.divs[en.div].level
	var w float32
	switch en.kind {
	case kindFull, kindAlias:
		w = fullWeight[lvl]
	case kindShort:
		w = shortWeight[lvl]
	default:
		w = 2
	}
	if n := m.end - m.start; n > 2 {
		w += 0.25 * float32(min(n-2, 6))
	}
	return w
}

// chain finds the best chain of names, each inside the one before (广东 →
// 深圳 → 南山区), and returns its last candidate and a confidence. With an
// anchor (the scan city an aggregator put in front of the text), only places
// inside the anchor count.
func (e *engine) chain(s *state, mode Mode, anchor int32, priors []*Place) (int32, float32, int32) {
	t := e.t
	// Places of levels 1–3 named anywhere: towns count only under one of
	// them, which keeps the many towns of a common name out.
	s.context = s.context[:0]
	if anchor >= 0 {
		s.context = append(s.context, anchor)
	}
	for mi := range s.matches {
		m := &s.matches[mi]
		for _, en := range m.ents {
			if l := t.divs[en.div].level; l <= 3 && !en.weak && (m.lo == 0 || en.kind == kindFull || (l >= m.lo && l <= m.hi)) {
				s.context = append(s.context, en.div)
			}
		}
	}
	s.cands = s.cands[:0]
	for mi := range s.matches {
		m := &s.matches[mi]
		if e.covered(s, mi) {
			continue
		}
		for _, en := range m.ents {
			d := &t.divs[en.div]
			if anchor >= 0 && en.div != anchor && !t.isAncestor(anchor, en.div) && !t.isAncestor(en.div, anchor) {
				continue
			}
			if m.lo != 0 && en.kind != kindFull && (d.level < m.lo || d.level > m.hi) {
				continue
			}
			if e.shadowed(m, en) {
				continue
			}
			if d.level == 4 && !e.underAny(en.div, s.context) {
				continue
			}
			w := e.weight(m, en)
			onRoute := false
			for _, p := range priors {
				if en.weak && strongerSibling(e.t, m, en) {
					break // 西安 on the way to 牡丹江市西安区 is still 西安市
				}
				if p == nil {
					continue
				}
				if c := t.cityOf(p.idx); c >= 0 && (c == en.div || t.isAncestor(c, en.div)) {
					w += priorCity
					onRoute = true
				} else if pr := t.ancestorAt(p.idx, 1); pr == en.div || t.isAncestor(pr, en.div) {
					w += priorProvince
				}
			}
			s.cands = append(s.cands, cand{
				m: int32(mi), div: en.div, weight: w,
				// A weak name inside a prior's city is taken: the route
				// vouches for it.
				needs: (en.weak && !onRoute) || en.kind == kindGeneric || d.level == 4,
				prev:  -1,
			})
			if len(s.cands) >= 512 {
				break
			}
		}
	}
	// Chain search in order of position: a candidate extends the best chain
	// ending before it at one of its ancestors.
	best := int32(-1)
	for ci := range s.cands {
		c := &s.cands[ci]
		m := &s.matches[c.m]
		c.score = -1
		bestPrev, bestScore := int32(-1), float32(0)
		var bestLinks int8
		for pi := 0; pi < ci; pi++ {
			p := &s.cands[pi]
			if p.score < 0 || s.matches[p.m].end > m.start || !t.isAncestor(p.div, c.div) {
				continue
			}
			sc := p.score + linkBonus
			if s.matches[p.m].end == m.start {
				sc += adjacentBonus
			}
			if sc > bestScore {
				bestPrev, bestScore, bestLinks = int32(pi), sc, p.links+1
			}
		}
		if bestPrev < 0 && c.needs && anchor < 0 {
			continue
		}
		if t.divs[c.div].level == 4 && e.ambiguousTown(s, ci, bestPrev, anchor) {
			continue
		}
		c.prev, c.score, c.links = bestPrev, bestScore+c.weight, bestLinks
		if best < 0 || c.score > s.cands[best].score ||
			(c.score == s.cands[best].score && c.div < s.cands[best].div && s.cands[best].m == c.m) {
			best = int32(ci)
		}
	}
	if best < 0 {
		return -1, 0, -1
	}
	conf, alt := e.confidence(s, best, anchor)
	return best, conf, alt
}

// covered reports whether match mi lies strictly inside a longer match
// that names a county or above: the longer reading wins (龙江 in 黑龙江,
// 鞍山 in 马鞍山, 云县 in 祥云县, 连云 in 连云港).
func (e *engine) covered(s *state, mi int) bool {
	m := &s.matches[mi]
	for oi := range s.matches {
		o := &s.matches[oi]
		if oi == mi || o.start > m.start || o.end < m.end || o.end-o.start == m.end-m.start {
			continue
		}
		for _, en := range o.ents {
			if !en.weak && en.kind != kindGeneric && e.t.divs[en.div].level <= 3 {
				return true
			}
		}
	}
	return false
}

// strongerSibling reports whether the match also names a province or
// prefecture by a name that is not weak: a route prior must not turn the
// name to a weak county of the same name.
func strongerSibling(t *table, m *match, en entry) bool {
	for _, o := range m.ents {
		if o.div != en.div && !o.weak && t.divs[o.div].level <= 2 {
			return true
		}
	}
	return false
}

// shadowed reports whether another division the same name may mean is an
// ancestor of en's: a name shared by a unit and one inside it names the
// larger (长沙 is 长沙市, not 长沙县; 吉林 is the province).
func (e *engine) shadowed(m *match, en entry) bool {
	if len(m.ents) == 1 {
		return false
	}
	for _, o := range m.ents {
		if o.div != en.div && e.t.isAncestor(o.div, en.div) &&
			(m.lo == 0 || o.kind == kindFull || (e.t.divs[o.div].level >= m.lo && e.t.divs[o.div].level <= m.hi)) {
			return true
		}
	}
	return false
}

// underAny reports whether division i lies under one of the given ones.
func (e *engine) underAny(i int32, ctx []int32) bool {
	for p := e.t.divs[i].parent; p >= 0; p = e.t.divs[p].parent {
		for _, c := range ctx {
			if c == p {
				return true
			}
		}
	}
	return false
}

// ambiguousTown reports whether the town of candidate ci shares its name
// with another town under the same parent, which leaves it undecided.
func (e *engine) ambiguousTown(s *state, ci int, prev int32, anchor int32) bool {
	parent := anchor
	if prev >= 0 {
		parent = s.cands[prev].div
	}
	if parent < 0 {
		return true
	}
	c := &s.cands[ci]
	for _, en := range s.matches[c.m].ents {
		if en.div != c.div && e.t.divs[en.div].level == 4 && e.t.isAncestor(parent, en.div) {
			return true
		}
	}
	return false
}

// confidence rates the chosen chain: how much evidence it has, and how far
// it is ahead of the best chain that names a different place. When that
// rival is as good but lies in the same city (伊宁市 and 伊宁县), the city
// is certain: it returns the city as alt (else -1).
func (e *engine) confidence(s *state, best int32, anchor int32) (float32, int32) {
	t := e.t
	c := &s.cands[best]
	lvl := t.divs[c.div].level
	var conf float32
	switch {
	case c.links >= 1 || anchor >= 0:
		conf = 0.95
	case lvl <= 2:
		conf = 0.9
	case lvl == 3 && c.weight >= fullWeight[3]:
		conf = 0.85
	case lvl == 3:
		conf = 0.75
	default:
		conf = 0.6
	}
	rival, rivalDiv := float32(-1), int32(-1)
	for i := range s.cands {
		o := &s.cands[i]
		if o.score < 0 || o.div == c.div || t.isAncestor(o.div, c.div) || t.isAncestor(c.div, o.div) {
			continue
		}
		if s.insideChain(best, o.m) {
			continue // 云县 inside 祥云县, 鞍山 inside 马鞍山: not a reading of its own
		}
		if o.score > rival {
			rival, rivalDiv = o.score, o.div
		}
	}
	alt := int32(-1)
	if rival >= 0 {
		switch margin := c.score - rival; {
		case margin < 0.5:
			if city := t.cityOf(c.div); city >= 0 && city == t.cityOf(rivalDiv) && city != c.div {
				return 0.7, city
			}
			conf = min(conf, 0.35)
		case margin < 1.5:
			conf *= 0.75
		}
	}
	return conf, alt
}

// insideChain reports whether match m lies strictly inside a match of the
// chain ending at candidate best.
func (s *state) insideChain(best int32, m int32) bool {
	mm := &s.matches[m]
	for k := best; k >= 0; k = s.cands[k].prev {
		cm := &s.matches[s.cands[k].m]
		if cm != mm && cm.start <= mm.start && mm.end <= cm.end {
			return true
		}
	}
	return false
}

// isSpace reports separators between names.
func isSpace(r rune) bool { return unicode.IsSpace(r) }

// suffixLevels maps a unit suffix to the levels it may end a name of.
func suffixLevels(r rune) (lo, hi int8) {
	switch r {
	case '省':
		return 1, 1
	case '州', '盟':
		return 2, 2
	case '市':
		return 2, 3
	case '区', '县', '旗':
		return 3, 3
	case '镇', '乡':
		return 4, 4
	}
	return 0, 0
}
