package carrier

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
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
	// patternCoverage is the share of a carrier's numbers its public
	// patterns are assumed to match; the rest look like the background.
	patternCoverage = 0.95
	// claimWeight is the prior weight Fits gives to the code it checks: the
	// code a client sends is usually right.
	claimWeight = 0.5
	// fitRatio is how much more probable another carrier must be before
	// Fits says the given code does not fit.
	fitRatio = 4
)

// learnConcentration[k] is the weight, in observations, of the estimate
// that the learned statistics for (length, first k characters) refine: the
// pattern model for k = 0, the shorter context otherwise. Broad contexts
// need many observations before they move the estimate, narrow ones few.
var learnConcentration = [learnDepth + 1]float64{32, 16, 8, 8, 8, 8, 8}

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
	lnCoverage = math.Log(patternCoverage)
	lnMiss     = math.Log(1 - patternCoverage)
)

func lnBackground(x string) float64 {
	l := lnBgLen
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

// model is the part of detection that follows from the compiled-in data.
type model struct {
	alts      []alt
	prior     []float64 // popularity prior per company, summing to 1
	lnPrior   []float64
	patterned []bool // the company has public patterns
	// restMass is Σ prior·e^defaultEvidence over all companies.
	restMass float64
}

var theModel = sync.OnceValue(func() *model {
	alts, err := compileAlts(patternRows[:])
	if err != nil {
		panic("carrier: " + err.Error())
	}
	m := &model{
		alts:      alts,
		prior:     make([]float64, len(companies)),
		lnPrior:   make([]float64, len(companies)),
		patterned: make([]bool, len(companies)),
	}
	for _, a := range alts {
		m.patterned[a.carrier] = true
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
		m.lnPrior[i] = math.Log(m.prior[i])
		m.restMass += m.prior[i] * math.Exp(m.defaultEvidence(i))
	}
	return m
})

// defaultEvidence is the evidence for a carrier none of whose patterns
// match: a carrier without patterns looks like the background, one whose
// patterns miss the number is unlikely to have issued it.
func (m *model) defaultEvidence(i int) float64 {
	if m.patterned[i] {
		return lnMiss
	}
	return 0
}

// lnPriorFor is the log prior of carrier i, given the code the client
// claims (-1: none).
func (m *model) lnPriorFor(i, claim int) float64 {
	switch {
	case claim < 0:
		return m.lnPrior[i]
	case i == claim:
		return math.Log(claimWeight + (1-claimWeight)*m.prior[i])
	}
	return math.Log(1-claimWeight) + m.lnPrior[i]
}

// Detector ranks carriers for tracking numbers from the public number
// patterns, the 2019 usage counts, check digits and what it learns through
// Observe (see the package documentation for the model). It is safe for
// concurrent use. The zero value is ready to use, with nothing learned.
type Detector struct {
	mu       sync.RWMutex
	contexts map[ctxKey]*learned
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

// NewDetector returns a Detector with no learned statistics, with the
// compiled-in patterns prepared.
func NewDetector() *Detector {
	theModel()
	return &Detector{}
}

// score is the working state of one carrier during detection.
type score struct {
	idx     int
	e       float64 // pattern evidence
	matched bool    // a pattern matches with positive evidence
	learned bool    // observed in a context of the number
	p       float64
}

// positions locates carriers in a []score: 1 + position, 0 when absent.
type positions [len(companies)]int16

// posterior scores the carriers that the patterns, the claim and the
// learned statistics single out for the normalised number x, appended to
// ss (empty), with at their positions. Every other carrier keeps its prior
// share, scaled alike.
func (d *Detector) posterior(x string, claim int, ss []score, at *positions) []score {
	m := theModel()
	n := len(x)
	lnBg := lnBackground(x)
	first := uint64(1) << alphaIndex(x[0])
	for i := range m.alts {
		a := &m.alts[i]
		if a.lens&(1<<n) == 0 || a.first&first == 0 || !a.re.MatchString(x) {
			continue
		}
		e := lnCoverage - a.lnLens - a.lnCount[n] - lnBg
		if a.s10 {
			if !validS10(x) {
				continue
			}
			e += math.Ln10 // valid S10 numbers are a tenth of the alternative
		}
		if j := at[a.carrier] - 1; j < 0 {
			ss = append(ss, score{idx: a.carrier, e: e})
			at[a.carrier] = int16(len(ss))
		} else {
			ss[j].e = max(ss[j].e, e)
		}
	}
	for j := range ss {
		ss[j].matched = ss[j].e > 0
		ss[j].e = max(ss[j].e, 0)
	}
	if claim >= 0 && at[claim] == 0 {
		ss = append(ss, score{idx: claim, e: m.defaultEvidence(claim)})
		at[claim] = int16(len(ss))
	}

	// Normalise over all carriers: those in s by their evidence, the rest
	// by their default evidence.
	rest := m.restMass
	for _, sc := range ss {
		rest -= m.prior[sc.idx] * math.Exp(m.defaultEvidence(sc.idx))
	}
	lnRest := math.Log(max(rest, 1e-300))
	if claim >= 0 {
		lnRest += math.Log(1 - claimWeight)
	}
	top := lnRest
	for j := range ss {
		ss[j].p = m.lnPriorFor(ss[j].idx, claim) + ss[j].e // log weight for now
		top = max(top, ss[j].p)
	}
	z := math.Exp(lnRest - top)
	for _, sc := range ss {
		z += math.Exp(sc.p - top)
	}
	lnZ := top + math.Log(z)
	for j := range ss {
		ss[j].p = math.Exp(ss[j].p - lnZ)
	}

	d.mu.RLock()
	defer d.mu.RUnlock()
	scale := 1.0 // shrinkage so far of every carrier not in s
	for k := 0; k <= min(learnDepth, n); k++ {
		c := d.contexts[ctxKey{n, x[:k]}]
		if c == nil {
			break
		}
		for _, o := range c.counts {
			if at[o.idx] == 0 {
				e := m.defaultEvidence(o.idx)
				ss = append(ss, score{idx: o.idx, e: e, p: math.Exp(m.lnPriorFor(o.idx, claim)+e-lnZ) * scale})
				at[o.idx] = int16(len(ss))
			}
			ss[at[o.idx]-1].learned = true
		}
		w := learnConcentration[k]
		f := w / (float64(c.n) + w)
		for j := range ss {
			ss[j].p *= f
		}
		for _, o := range c.counts {
			ss[at[o.idx]-1].p += float64(o.n) / (float64(c.n) + w)
		}
		scale *= f
	}
	return ss
}

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
// most MaxCandidates: those a public pattern matches with positive
// evidence and those learned from numbers of the same length and prefix.
// The number is normalised first (see NormalizeNumber); garbage has no
// candidates, and so may a number no pattern and no observation explains.
func (d *Detector) Rank(number string) []Candidate {
	x, ok := NormalizeNumber(number)
	if !ok {
		return nil
	}
	var buf [48]score
	var at positions
	ss := d.posterior(x, -1, buf[:0], &at)
	ss = slices.DeleteFunc(ss, func(s score) bool { return !s.matched && !s.learned })
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
// popularity, and the patterns and learned statistics weigh in as in Rank.
// The code does not fit when some other candidate comes out at least four
// times as probable. So a number that matches no pattern fits whatever
// code it was given unless learned observations point elsewhere, a number
// that only bare-length patterns claim fits too, and a number given with a
// wrong code fits not when another carrier's specific pattern (a prefix,
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
		if sc.idx != ci && (sc.matched || sc.learned) && sc.p >= fitRatio*pc {
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
	}
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
	d.contexts = contexts
	d.mu.Unlock()
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
