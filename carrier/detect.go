package carrier

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// MaxCandidates is the most candidates Rank returns.
const MaxCandidates = 10

// Candidate is a carrier that may have issued a tracking number.
type Candidate struct {
	// Code and Name identify the carrier (Name is the display name).
	Code, Name string
	// LengthPre is sent as the autonumber answer's lengthPre: the length of
	// the normalised number. The original service keys its detection
	// statistics by the number's first characters (noPre) and its length
	// (lengthPre), and its answers carry the number's length there (15 for
	// the 15-digit numbers in its documented samples).
	LengthPre int
	// Score is the estimated probability that the carrier issued the
	// number, in (0, 1]. Scores of one Rank sum to at most 1.
	Score float64
}

// Model parameters. They are round values chosen for what they mean, not
// fitted to the development data.
const (
	// learnDepth is the longest number prefix the detector learns, the
	// six characters of the original service's noPre.
	learnDepth = 6
	// maxContexts bounds the learned statistics (about 100 bytes each).
	// When full, Observe only updates contexts that exist.
	maxContexts = 1 << 18
	// maxCount bounds a restored count, far above any real one.
	maxCount = 1 << 40
	// usagePseudo is the usage count given to every carrier, so that
	// carriers outside the 2019 top list (smallest count there: 9,066)
	// keep a small prior.
	usagePseudo = 1000
	// patternCoverage is the share of a carrier's numbers its documented
	// formats are assumed to describe; the rest look like the background.
	patternCoverage = 0.95
	// claimWeight is the prior weight Fits gives to the code it checks: the
	// code a client sends is usually right.
	claimWeight = 0.5
	// fitRatio is how much more probable another carrier must be before
	// Fits says the given code does not fit.
	fitRatio = 4
	// minEvidence is the likelihood ratio a carrier's formats or observed
	// numbers must give a number, against a generic number, for the
	// carrier to be a candidate: weaker evidence ("11 to 14 digits or
	// letters") does not single a carrier out.
	minEvidence = 2
	// learnWeight is how many observations of a carrier its documented
	// formats count for, at each step of its number shapes (the length,
	// then each of the first characters): a carrier's own numbers outweigh
	// its documentation after a handful.
	learnWeight = 4
)

// usageStandIn lends a carrier that began after the 2019 usage counts the
// count of the one it replaced.
var usageStandIn = map[string]string{
	// J&T Express entered China in 2020 and took over Best Express
	// (huitongkuaidi) in 2021; both codes' public patterns claim "JT"
	// numbers.
	"jtexpress": "huitongkuaidi",
}

// The background model: what a tracking number looks like when nothing is
// known about its carrier. Lengths are uniform over the allowed range;
// characters are digits, rarely letters, very rarely dashes.
var (
	lnBgLen    = -math.Log(MaxNumberLen - MinNumberLen + 1)
	lnBgDigit  = math.Log(0.95 / 10)
	lnBgLetter = math.Log(0.045 / 26)
	lnBgDash   = math.Log(0.005)
)

// lnBgChars is the log background probability of a run of characters.
func lnBgChars(x string) float64 {
	l := 0.0
	for i := 0; i < len(x); i++ {
		switch c := x[i]; {
		case '0' <= c && c <= '9':
			l += lnBgDigit
		case c == '-':
			l += lnBgDash
		default:
			l += lnBgLetter
		}
	}
	return l
}

// model is the part of detection that follows from the compiled-in data:
// each carrier's documented formats and its popularity.
type model struct {
	alts      []alt
	byCarrier [][]int   // alternatives of each company
	prior     []float64 // popularity prior per company, summing to 1
	patterned []bool    // the company has documented formats
	// restMass is Σ prior·dflt over all companies: every carrier's share
	// of a number none of its formats describes.
	restMass float64

	// shares caches prefix shares of alternatives (see base).
	shares sync.Map // shareKey → float64
	nshare atomic.Int64
}

type shareKey struct {
	alt    int
	n      int
	prefix string
}

// maxShares bounds the prefix-share cache.
const maxShares = 1 << 16

// dflt is a carrier's likelihood ratio for a number none of its formats
// describes: the background itself for a carrier with no documented
// format, the uncovered share for one with formats.
func (m *model) dflt(i int) float64 {
	if m.patterned[i] {
		return 1 - patternCoverage
	}
	return 1
}

// allFormats returns the public patterns and the documented formats as
// format rows.
func allFormats() []formatRow {
	rows := make([]formatRow, 0, len(patternRows)+len(documentedFormats))
	for _, r := range patternRows {
		rows = append(rows, formatRow{code: r.code, expr: r.expr, source: patternSources[r.source]})
	}
	return append(rows, documentedFormats[:]...)
}

// newModel builds the model from every format whose source exclude does
// not name (exclude nil: all).
func newModel(exclude func(source string) bool) (*model, error) {
	alts, err := compileAlts(allFormats(), exclude)
	if err != nil {
		return nil, err
	}
	m := &model{
		alts:      alts,
		byCarrier: make([][]int, len(companies)),
		prior:     make([]float64, len(companies)),
		patterned: make([]bool, len(companies)),
	}
	for i, a := range alts {
		m.patterned[a.carrier] = true
		m.byCarrier[a.carrier] = append(m.byCarrier[a.carrier], i)
	}
	total := 0.0
	for i, c := range companies {
		u := c.Usage
		if std, ok := usageStandIn[c.Code]; ok && u == 0 {
			j, _ := search(std)
			u = companies[j].Usage
		}
		m.prior[i] = float64(u + usagePseudo)
		total += m.prior[i]
	}
	for i := range m.prior {
		m.prior[i] /= total
		m.restMass += m.prior[i] * m.dflt(i)
	}
	return m, nil
}

var theModel = sync.OnceValue(func() *model {
	m, err := newModel(nil)
	if err != nil {
		panic("carrier: " + err.Error())
	}
	return m
})

// ratio returns the likelihood ratio of a whole number x (length n) under
// carrier i's documented formats against the background: how much more
// likely i is to issue x than a generic number is to be x.
func (m *model) ratio(i int, x string, lnBg float64) float64 {
	if !m.patterned[i] {
		return 1
	}
	n := len(x)
	first := uint64(1) << alphaIndex(x[0])
	sum := 0.0
	for _, ai := range m.byCarrier[i] {
		a := &m.alts[ai]
		if a.lens&(1<<n) == 0 || a.first&first == 0 || !a.re.MatchString(x) {
			continue
		}
		lp := lnBgChars(x) - a.lnLens - a.lnMass[n]
		if a.s10 {
			if !validS10(x) {
				continue
			}
			lp += math.Ln10 // valid S10 numbers are a tenth of the shape
		}
		sum += a.weight * math.Exp(lp-lnBg)
	}
	return patternCoverage*sum + 1 - patternCoverage
}

// base returns the probability, under carrier i's documented formats,
// that its number has length n and starts with prefix.
func (m *model) base(i, n int, prefix string) float64 {
	bg := math.Exp(lnBgLen + lnBgChars(prefix))
	if !m.patterned[i] {
		return bg
	}
	sum := 0.0
	for _, ai := range m.byCarrier[i] {
		a := &m.alts[ai]
		if a.lens&(1<<n) == 0 {
			continue
		}
		share := 1.0
		if prefix != "" {
			k := shareKey{ai, n, prefix}
			if v, ok := m.shares.Load(k); ok {
				share = v.(float64)
			} else {
				share = a.prefixShare(n, prefix)
				if m.nshare.Load() < maxShares {
					k.prefix = strings.Clone(prefix)
					m.shares.Store(k, share)
					m.nshare.Add(1)
				}
			}
		}
		sum += a.weight * share / math.Exp(a.lnLens)
	}
	return patternCoverage*sum + (1-patternCoverage)*bg
}

// Detector ranks carriers for tracking numbers from their documented
// number formats, their popularity, check digits and what it learns
// through Observe (see the package documentation for the model). It is
// safe for concurrent use. The zero value is ready to use, with nothing
// learned.
type Detector struct {
	m *model // nil: theModel()

	mu       sync.RWMutex
	contexts map[ctxKey]*learned
	// totals counts each carrier's observations; adjust is
	// Σ prior·dflt·(shrink − 1) over the observed carriers (see posterior).
	totals map[int]int
	adjust float64
}

// ctxKey is a learned context: numbers of one length sharing a prefix.
type ctxKey struct {
	length int
	prefix string
}

// learned holds the observations of one context.
type learned struct {
	n      int
	counts []observed // by first observation
}

type observed struct {
	idx int // into companies
	n   int
}

func (c *learned) count(idx int) int {
	if c == nil {
		return 0
	}
	for _, o := range c.counts {
		if o.idx == idx {
			return o.n
		}
	}
	return 0
}

// NewDetector returns a Detector with no learned statistics, with the
// compiled-in formats prepared.
func NewDetector() *Detector {
	theModel()
	return &Detector{}
}

func (d *Detector) model() *model {
	if d.m != nil {
		return d.m
	}
	return theModel()
}

// score is the working state of one carrier during detection.
type score struct {
	idx int
	r   float64 // likelihood ratio of the number against the background
	p   float64
}

// shrink is the factor by which observations of a carrier, none of them of
// the length in question, scale its documented probability of that
// length.
func shrink(total int) float64 { return learnWeight / (float64(total) + learnWeight) }

// learnedRatio returns carrier i's likelihood ratio for x once its
// observations refine its documented formats. The number's shape is
// read as a chain — its length, then each of its first learnDepth
// characters — and each step's probability is the carrier's observed
// frequency smoothed towards its documented one:
//
//	P(step | before) = (count(step) + w·P_doc(step | before)) / (count(before) + w)
//
// The chain stops at the first step never observed (every later step is
// then the documented one), and the rest of the number is as documented.
// With no observation at all this is the documented ratio itself.
func (d *Detector) learnedRatio(m *model, i int, x string, docRatio float64) float64 {
	total := d.totals[i]
	if total == 0 {
		return docRatio
	}
	n := len(x)
	prev := float64(total)
	prevBase := 1.0
	lnP := 0.0 // log P(shape so far | i), learned
	k := 0
	for ; k <= min(learnDepth, n); k++ {
		b := m.base(i, n, x[:k])
		cnt := float64(d.contexts[ctxKey{n, x[:k]}].count(i))
		lnP += math.Log((cnt + learnWeight*b/prevBase) / (prev + learnWeight))
		prevBase = b
		if cnt == 0 {
			break
		}
		prev = cnt
	}
	if prevBase <= 0 {
		return 0
	}
	// The rest of the number, as documented: P_doc(x) / P_doc(shape so
	// far), that is docRatio·bg(x) / prevBase.
	return math.Exp(lnP) * docRatio / prevBase
}

// posterior scores the carriers that the formats, the claim and the
// learned statistics single out for the normalised number x, appended to
// ss (empty), with at their positions. Every other carrier keeps its
// default share.
func (d *Detector) posterior(x string, claim int, ss []score, at *positions) []score {
	m := d.model()
	n := len(x)
	lnBg := lnBgLen + lnBgChars(x)
	first := uint64(1) << alphaIndex(x[0])
	add := func(i int) {
		if at[i] == 0 {
			ss = append(ss, score{idx: i})
			at[i] = int16(len(ss))
		}
	}
	for i := range m.alts {
		a := &m.alts[i]
		if a.lens&(1<<n) != 0 && a.first&first != 0 && a.re.MatchString(x) {
			add(a.carrier)
		}
	}
	if claim >= 0 {
		add(claim)
	}
	d.mu.RLock()
	if c := d.contexts[ctxKey{n, ""}]; c != nil {
		for _, o := range c.counts {
			add(o.idx)
		}
	}
	// Normalise over all carriers: those in ss by their ratio, the rest by
	// their default, shrunk where they were observed (never at this
	// length: those are in ss).
	z := m.restMass + d.adjust
	for j := range ss {
		i := ss[j].idx
		doc := m.ratio(i, x, lnBg)
		ss[j].r = d.learnedRatio(m, i, x, doc)
		dflt := m.dflt(i)
		if t := d.totals[i]; t > 0 {
			dflt *= shrink(t)
		}
		z -= m.prior[i] * dflt
	}
	d.mu.RUnlock()
	lnW := func(i int) float64 { return math.Log(m.prior[i]) }
	if claim >= 0 {
		z *= 1 - claimWeight
		lnW = func(i int) float64 {
			if i == claim {
				return math.Log(claimWeight + (1-claimWeight)*m.prior[i])
			}
			return math.Log(1-claimWeight) + math.Log(m.prior[i])
		}
	}
	for j := range ss {
		ss[j].p = math.Exp(lnW(ss[j].idx)) * ss[j].r
		z += ss[j].p
	}
	for j := range ss {
		ss[j].p /= z
	}
	return ss
}

// positions locates carriers in a []score: 1 + position, 0 when absent.
type positions [len(companies)]int16

func byScore(a, b score) int {
	if a.p != b.p {
		if a.p > b.p {
			return -1
		}
		return 1
	}
	return a.idx - b.idx // companies are sorted by code
}

// Rank returns the carriers that may have issued number, best first, at
// most MaxCandidates: those whose documented formats or observed numbers
// make it at least minEvidence times likelier under them than a generic
// number is. The number is normalised first (see NormalizeNumber); garbage
// has no candidates, and so may a number no format and no observation
// explains.
func (d *Detector) Rank(number string) []Candidate {
	x, ok := NormalizeNumber(number)
	if !ok {
		return nil
	}
	var buf [48]score
	var at positions
	ss := d.posterior(x, -1, buf[:0], &at)
	ss = slices.DeleteFunc(ss, func(s score) bool { return s.r < minEvidence })
	if len(ss) == 0 {
		return nil
	}
	slices.SortFunc(ss, byScore)
	ss = ss[:min(len(ss), MaxCandidates)]
	out := make([]Candidate, len(ss))
	for i, s := range ss {
		out[i] = Candidate{Code: companies[s.idx].Code, Name: companies[s.idx].Name, LengthPre: len(x), Score: s.p}
	}
	return out
}

// Best returns the best candidate for number, and false when there is
// none (the autoCom answer 702).
func (d *Detector) Best(number string) (Candidate, bool) {
	c := d.Rank(number)
	if len(c) == 0 {
		return Candidate{}, false
	}
	return c[0], true
}

// Fits reports whether code plausibly fits number, for the carrier
// auto-check (docs/protocol.md §2.4). The client's choice is taken as evidence:
// code gets half the prior, the other carriers share the other half by
// popularity, and the formats and learned statistics weigh in as in Rank.
// The code does not fit when some other candidate comes out at least four
// times as probable. So a number that matches no format fits whatever
// code it was given unless learned observations point elsewhere, a number
// that only bare-length formats claim fits too, and a number given with a
// wrong code fits not when another carrier's specific format (a prefix,
// letters, a check digit) or enough observations claim it. Unknown codes
// and garbage numbers do not fit.
func (d *Detector) Fits(code, number string) bool {
	ci, ok := index(code)
	if !ok {
		return false
	}
	x, ok := NormalizeNumber(number)
	if !ok {
		return false
	}
	var buf [48]score
	var at positions
	ss := d.posterior(x, ci, buf[:0], &at)
	pc := ss[at[ci]-1].p
	for _, sc := range ss {
		if sc.idx != ci && sc.r >= minEvidence && sc.p >= fitRatio*pc {
			return false
		}
	}
	return true
}

// Observe records that carrier code issued number, for example when the
// first event of a shipment arrives. Call it once per shipment, not per
// event: every call counts. Unknown codes (folded as in Lookup) and garbage
// numbers are ignored. The detector keeps, for the number's length and
// each of its prefixes of up to six characters, how many numbers each
// carrier had there.
func (d *Detector) Observe(code, number string) {
	ci, ok := index(code)
	if !ok {
		return
	}
	x, ok := NormalizeNumber(number)
	if !ok {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.contexts == nil {
		d.contexts = make(map[ctxKey]*learned)
	}
	for k := 0; k <= min(learnDepth, len(x)); k++ {
		key := ctxKey{len(x), x[:k]}
		c := d.contexts[key]
		if c == nil {
			if len(d.contexts) >= maxContexts {
				return // deeper contexts do not exist either
			}
			key.prefix = strings.Clone(key.prefix) // do not pin the caller's string
			c = &learned{}
			d.contexts[key] = c
		}
		c.add(ci, 1)
		if k == 0 {
			d.count(ci, 1)
		}
	}
}

// count adds n observations to carrier i's total, keeping adjust.
func (d *Detector) count(i, n int) {
	m := d.model()
	if d.totals == nil {
		d.totals = map[int]int{}
	}
	t := d.totals[i]
	if t > 0 {
		d.adjust -= m.prior[i] * m.dflt(i) * (shrink(t) - 1)
	}
	d.totals[i] = t + n
	d.adjust += m.prior[i] * m.dflt(i) * (shrink(t+n) - 1)
}

func (c *learned) add(idx, n int) {
	c.n += n
	for i := range c.counts {
		if c.counts[i].idx == idx {
			c.counts[i].n += n
			return
		}
	}
	c.counts = append(c.counts, observed{idx, n})
}

// snapshotVersion is the format version of Snapshot.
const snapshotVersion = 1

type snapshotJSON struct {
	Version  int               `json:"version"`
	Contexts []snapshotContext `json:"contexts"`
}

type snapshotContext struct {
	Length int            `json:"length"`
	Prefix string         `json:"prefix"`
	Counts map[string]int `json:"counts"`
}

// Snapshot returns the learned statistics as JSON, for a store to persist:
//
//	{"version":1,"contexts":[{"length":15,"prefix":"7730","counts":{"shentong":4}},…]}
//
// Contexts are ordered by length, then prefix, so equal statistics give
// equal bytes.
func (d *Detector) Snapshot() ([]byte, error) {
	d.mu.RLock()
	s := snapshotJSON{Version: snapshotVersion, Contexts: make([]snapshotContext, 0, len(d.contexts))}
	for k, c := range d.contexts {
		sc := snapshotContext{Length: k.length, Prefix: k.prefix, Counts: make(map[string]int, len(c.counts))}
		for _, o := range c.counts {
			sc.Counts[companies[o.idx].Code] = o.n
		}
		s.Contexts = append(s.Contexts, sc)
	}
	d.mu.RUnlock()
	slices.SortFunc(s.Contexts, func(a, b snapshotContext) int {
		if a.Length != b.Length {
			return a.Length - b.Length
		}
		return strings.Compare(a.Prefix, b.Prefix)
	})
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("carrier: snapshot: %w", err)
	}
	return b, nil
}

// Restore replaces the learned statistics with a Snapshot. Counts for
// codes the table no longer has are dropped. On error the detector is
// unchanged.
func (d *Detector) Restore(data []byte) error {
	var s snapshotJSON
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("carrier: restore: %w", err)
	}
	if s.Version != snapshotVersion {
		return fmt.Errorf("carrier: restore: version %d, want %d", s.Version, snapshotVersion)
	}
	if len(s.Contexts) > maxContexts {
		return fmt.Errorf("carrier: restore: %d contexts, at most %d", len(s.Contexts), maxContexts)
	}
	contexts := make(map[ctxKey]*learned, len(s.Contexts))
	for _, sc := range s.Contexts {
		key := ctxKey{sc.Length, sc.Prefix}
		if err := checkContext(sc); err != nil {
			return fmt.Errorf("carrier: restore: context %d %q: %w", sc.Length, sc.Prefix, err)
		}
		if contexts[key] != nil {
			return fmt.Errorf("carrier: restore: context %d %q twice", sc.Length, sc.Prefix)
		}
		c := &learned{}
		codes := make([]string, 0, len(sc.Counts))
		for code := range sc.Counts {
			codes = append(codes, code)
		}
		slices.Sort(codes)
		for _, code := range codes {
			if i, ok := search(code); ok {
				c.add(i, sc.Counts[code])
			}
		}
		if c.n > 0 {
			contexts[key] = c
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.contexts = contexts
	d.totals, d.adjust = nil, 0
	for k, c := range contexts {
		if k.prefix == "" {
			for _, o := range c.counts {
				d.count(o.idx, o.n)
			}
		}
	}
	return nil
}

func checkContext(sc snapshotContext) error {
	if sc.Length < MinNumberLen || sc.Length > MaxNumberLen {
		return errors.New("bad length")
	}
	if len(sc.Prefix) > min(learnDepth, sc.Length) {
		return errors.New("prefix too long")
	}
	for i := 0; i < len(sc.Prefix); i++ {
		if strings.IndexByte(alphabet, sc.Prefix[i]) < 0 {
			return errors.New("bad prefix")
		}
	}
	total := 0
	for code, n := range sc.Counts {
		if n <= 0 || n > maxCount {
			return fmt.Errorf("count %d for %s", n, code)
		}
		total += n
	}
	if total > maxCount {
		return fmt.Errorf("total count %d", total)
	}
	return nil
}
