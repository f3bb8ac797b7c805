package carrier

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// checkRanking checks the invariants of a ranking.
func checkRanking(t testing.TB, number string, cands []Candidate) {
	t.Helper()
	if len(cands) > MaxCandidates {
		t.Errorf("Rank(%q): %d candidates", number, len(cands))
	}
	x, _ := NormalizeNumber(number)
	total := 0.0
	seen := map[string]bool{}
	for i, c := range cands {
		co, ok := Lookup(c.Code)
		if !ok || co.Code != c.Code || co.Name != c.Name {
			t.Errorf("Rank(%q): bad candidate %+v", number, c)
		}
		if seen[c.Code] {
			t.Errorf("Rank(%q): %s twice", number, c.Code)
		}
		seen[c.Code] = true
		if math.IsNaN(c.Score) || math.IsInf(c.Score, 0) || c.Score <= 0 || c.Score > 1 {
			t.Errorf("Rank(%q): %s score %v", number, c.Code, c.Score)
		}
		if i > 0 && c.Score > cands[i-1].Score {
			t.Errorf("Rank(%q): not sorted at %d", number, i)
		}
		if c.LengthPre != len(x) {
			t.Errorf("Rank(%q): lengthPre %d, want %d", number, c.LengthPre, len(x))
		}
		total += c.Score
	}
	if total > 1+1e-9 {
		t.Errorf("Rank(%q): scores sum to %v", number, total)
	}
}

func TestRank(t *testing.T) {
	t.Parallel()
	d := NewDetector()
	for _, n := range []string{"773054585813745", "YT6247854916511", "121231231231", "EA123456785CN", "JD0076810060555", "8478081206"} {
		checkRanking(t, n, d.Rank(n))
	}
	// Normalisation: case and surrounding spaces do not matter.
	if a, b := d.Rank(" yt6247854916511 "), d.Rank("YT6247854916511"); !slices.Equal(a, b) || len(a) == 0 {
		t.Errorf("Rank is not normalised: %v vs %v", a, b)
	}
	for _, garbage := range []string{"", "12345", "7730545858137451234567890123456789", "7730 5458 5813", "YT62478549165;1", "------"} {
		if c := d.Rank(garbage); c != nil {
			t.Errorf("Rank(%q) = %v, want nil", garbage, c)
		}
		if _, ok := d.Best(garbage); ok {
			t.Errorf("Best(%q) found a carrier", garbage)
		}
	}
	// A number no pattern explains has no candidates.
	if c := d.Rank("ZZ-1234-5678"); c != nil {
		t.Errorf("Rank(ZZ-1234-5678) = %v", c)
	}
	// The original's samples: a 15-digit shentong number answers lengthPre 15.
	if c, ok := d.Best("773027491214552"); !ok || c.Code != "shentong" || c.LengthPre != 15 {
		t.Errorf("Best(773027491214552) = %+v, %v", c, ok)
	}
}

func TestCheckDigit(t *testing.T) {
	t.Parallel()
	d := NewDetector()
	if c, ok := d.Best("EA123456785CN"); !ok || c.Code != "ems" || c.Score < 0.99 {
		t.Errorf("valid S10: %+v, %v", c, ok)
	}
	// With a wrong check digit the number is not an S10 identifier, and
	// no other pattern claims the shape.
	if c := d.Rank("EA123456784CN"); rankOf(c, "ems") != 0 {
		t.Errorf("invalid S10 ranks ems: %v", c)
	}
}

func TestLearning(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		return b.String()
	}
	// a2u has no public pattern and no usage count: a made-up numbering
	// scheme "QX" + 12 digits is all it can be known by.
	d := NewDetector()
	number := "QX" + digits(12)
	if rankOf(d.Rank(number), "a2u") != 0 {
		t.Fatal("a2u ranked before any observation")
	}
	if !d.Fits("yuantong", number) {
		t.Error("before learning, yuantong (whose loose pattern matches) should fit")
	}
	for range 20 {
		d.Observe("a2u", "qx"+digits(12))
	}
	c, ok := d.Best(number)
	if !ok || c.Code != "a2u" || c.Score < 0.8 {
		t.Errorf("after 20 observations: %v", d.Rank(number))
	}
	if d.Fits("yuantong", number) || !d.Fits("a2u", number) || !d.Fits("A2U", number) {
		t.Error("after learning, only a2u should fit")
	}
	// Other shapes are not affected.
	if rankOf(d.Rank("773054585813745"), "a2u") != 0 {
		t.Error("a2u ranked for a shentong number")
	}

	// Learned evidence comes to dominate even a popular carrier's specific
	// pattern, gradually.
	d = NewDetector()
	prefix := "773054"
	number = prefix + digits(9)
	var first int
	for n := 1; n <= 50; n++ {
		d.Observe("a2u", prefix+digits(9))
		if first == 0 && rankOf(d.Rank(number), "a2u") == 1 {
			first = n
		}
	}
	if first < 2 || first > 20 {
		t.Errorf("a2u first after %d observations, want a handful", first)
	}
	if c, _ := d.Best(number); c.Code != "a2u" || c.Score < 0.9 {
		t.Errorf("after 50 observations: %v", d.Rank(number))
	}

	// Ignored observations.
	d = NewDetector()
	d.Observe("nosuch", "773054585813745")
	d.Observe("a2u", "7730")
	if b, _ := d.Snapshot(); string(b) != `{"version":1,"contexts":[]}` {
		t.Errorf("ignored observations were recorded: %s", b)
	}
}

// TestLearnedPrefix: a few confirmed shipments teach the detector which
// of two documented carriers uses a prefix, without changing the ranking
// of numbers of other shapes.
func TestLearnedPrefix(t *testing.T) {
	t.Parallel()
	d := NewDetector()
	other := d.Rank("YT6247854916511")
	for i := range 3 {
		d.Observe("ems", fmt.Sprintf("95%011d", 72253781500+i*7919))
	}
	for i := range 3 {
		d.Observe("yunda", fmt.Sprintf("31%011d", 1959187888+i*7919))
	}
	if c, _ := d.Best("9512345678901"); c.Code != "ems" {
		t.Errorf("after three EMS numbers starting 95: %v", d.Rank("9512345678901"))
	}
	if c, _ := d.Best("3112345678901"); c.Code != "yunda" {
		t.Errorf("after three Yunda numbers starting 31: %v", d.Rank("3112345678901"))
	}
	if got := d.Rank("YT6247854916511"); rankOf(got, "ems") != 0 || rankOf(got, "yunda") != 0 || got[0].Code != other[0].Code {
		t.Errorf("13-digit observations changed a YT number's ranking: %v, before %v", got, other)
	}
}

// TestUnrelatedLearning: observing one carrier's numbers never promotes it
// for numbers its formats cannot produce (a YT… number once ranked jd
// second after JD numbers were seen), nor reorders their candidates.
func TestUnrelatedLearning(t *testing.T) {
	t.Parallel()
	d := NewDetector()
	numbers := []string{"YT6247854916511", "773054585813745", "SF1234567890123", "75312345678901", "3101959187888"}
	codes := func(cs []Candidate) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Code)
		}
		return out
	}
	before := map[string][]string{}
	for _, n := range numbers {
		before[n] = codes(d.Rank(n))
	}
	for i := range 200 {
		d.Observe("jd", fmt.Sprintf("JDX%012d", 76810060555+i*7919))
		d.Observe("jd", fmt.Sprintf("JD%013d", 76810060555+i*7919))
	}
	for _, n := range numbers {
		if got := codes(d.Rank(n)); !slices.Equal(got, before[n]) {
			t.Errorf("Rank(%s) changed after 400 JD numbers: %v, before %v", n, got, before[n])
		}
	}
}

func TestSnapshotRestore(t *testing.T) {
	t.Parallel()
	nums := realNumbers(t)
	d := NewDetector()
	for _, n := range nums {
		d.Observe(n.com, n.nu)
	}
	d.Observe("shentong", "773054585813745")
	snap, err := d.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := NewDetector()
	if err := r.Restore(snap); err != nil {
		t.Fatal(err)
	}
	again, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snap, again) {
		t.Errorf("round trip changed the snapshot:\n%s\n%s", snap, again)
	}
	for _, n := range append(nums, labelled{"", "773054000000000"}, labelled{"", "QX123456789012"}) {
		if a, b := d.Rank(n.nu), r.Rank(n.nu); !slices.Equal(a, b) {
			t.Errorf("Rank(%s) differs after restore: %v vs %v", n.nu, a, b)
		}
	}
	if !bytes.Contains(snap, []byte(`{"length":15,"prefix":"773054","counts":{"shentong":5}}`)) {
		t.Errorf("snapshot lacks the expected context: %s", snap)
	}

	// Unknown codes are dropped, the rest kept.
	if err := r.Restore([]byte(`{"version":1,"contexts":[{"length":12,"prefix":"","counts":{"gone":3,"shunfeng":2}}]}`)); err != nil {
		t.Fatal(err)
	}
	if b, _ := r.Snapshot(); string(b) != `{"version":1,"contexts":[{"length":12,"prefix":"","counts":{"shunfeng":2}}]}` {
		t.Errorf("restore kept %s", b)
	}

	bad := []string{
		``,
		`[]`,
		`{"version":2,"contexts":[]}`,
		`{"version":1,"contexts":[{"length":5,"prefix":"","counts":{"ems":1}}]}`,
		`{"version":1,"contexts":[{"length":33,"prefix":"","counts":{"ems":1}}]}`,
		`{"version":1,"contexts":[{"length":12,"prefix":"1234567","counts":{"ems":1}}]}`,
		`{"version":1,"contexts":[{"length":12,"prefix":"ab","counts":{"ems":1}}]}`,
		`{"version":1,"contexts":[{"length":12,"prefix":"","counts":{"ems":0}}]}`,
		`{"version":1,"contexts":[{"length":12,"prefix":"","counts":{"ems":-1}}]}`,
		`{"version":1,"contexts":[{"length":12,"prefix":"","counts":{"ems":1099511627776,"yunda":1099511627776}}]}`,
		`{"version":1,"contexts":[{"length":12,"prefix":"1","counts":{"ems":1}},{"length":12,"prefix":"1","counts":{"ems":1}}]}`,
	}
	before, _ := r.Snapshot()
	for _, b := range bad {
		if err := r.Restore([]byte(b)); err == nil {
			t.Errorf("Restore(%s) succeeded", b)
		}
	}
	if after, _ := r.Snapshot(); !bytes.Equal(before, after) {
		t.Error("a failed Restore changed the detector")
	}
}

func TestFits(t *testing.T) {
	t.Parallel()
	d := NewDetector()
	tests := []struct {
		code, number string
		want         bool
	}{
		{"shentong", "773054585813745", true},
		{"yunda", "773054585813745", true}, // Yunda documents bare 15 digits too: the auto-check asks shentong's upstream
		{"ems", "773054585813745", false},  // ems's patterns miss
		{"a2u", "773054585813745", false},  // no patterns, shentong's specific one claims it
		{"SHENTONG", "773054585813745", true},
		{"yuantong", "YT6247854916511", true},
		{"zhongtong", "YT6247854916511", false},
		{"jd", "JD0076810060555", true},
		{"yuantong", "JD0076810060555", false},
		{"shunfeng", "SF1234567890123", true},
		{"yuantong", "SF1234567890123", false},
		{"jtexpress", "JT1234567890123", true},
		{"huitongkuaidi", "JT1234567890123", false}, // J&T took Best's network over; only one of Best's many formats is JT
		{"shunfeng", "765698489802", true},          // only bare-length patterns claim it
		{"a2u", "765698489802", true},
		{"yunda", "4302557768029", true}, // shentong's "4" + 12 digits is not enough
		{"huitongkuaidi", "73503399402556", true},
		{"zhongtong", "73503399402556", true},
		{"yunda", "ZZ-1234-5678", true}, // no pattern matches: the given code stands
		{"a2u", "ZZ-1234-5678", true},
		{"ems", "EA123456785CN", true},
		{"yunda", "EA123456785CN", false}, // a valid S10 identifier is EMS's
		{"yunda", "EA123456784CN", false}, // not EMS's; Yunda's are digits, Best documents "13 characters"
		{"nosuch", "773054585813745", false},
		{"shentong", "7730", false},
		{"shentong", "", false},
	}
	for _, tt := range tests {
		if got := d.Fits(tt.code, tt.number); got != tt.want {
			t.Errorf("Fits(%q, %q) = %v, want %v (ranking %v)", tt.code, tt.number, got, tt.want, d.Rank(tt.number))
		}
	}

	// Learned evidence against the given code: numbers "ZZ-" + 9 are
	// known to be a2u's.
	for i := range 10 {
		d.Observe("a2u", fmt.Sprintf("ZZ-%04d-%04d", i*37, i*91))
	}
	if d.Fits("yunda", "ZZ-1234-5678") || !d.Fits("a2u", "ZZ-1234-5678") {
		t.Error("learned evidence does not decide Fits")
	}
}

func TestConcurrent(t *testing.T) {
	t.Parallel()
	nums := realNumbers(t)
	d := NewDetector()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				n := nums[(g*31+i)%len(nums)]
				switch i % 5 {
				case 0:
					d.Observe(n.com, n.nu)
				case 1:
					d.Fits(n.com, n.nu)
				case 2:
					if i%25 == 2 {
						snap, err := d.Snapshot()
						if err != nil {
							t.Error(err)
							return
						}
						if g == 0 {
							if err := d.Restore(snap); err != nil {
								t.Error(err)
								return
							}
						}
					}
				default:
					checkRanking(t, n.nu, d.Rank(n.nu))
				}
			}
		})
	}
	wg.Wait()
}

func TestZeroDetector(t *testing.T) {
	t.Parallel()
	var d Detector
	if c, ok := d.Best("YT6247854916511"); !ok || c.Code != "yuantong" {
		t.Errorf("zero Detector: %+v, %v", c, ok)
	}
	d.Observe("yuantong", "YT6247854916511")
	if snap, err := d.Snapshot(); err != nil || !bytes.Contains(snap, []byte("yuantong")) {
		t.Errorf("zero Detector snapshot: %s, %v", snap, err)
	}
}

func FuzzRank(f *testing.F) {
	for _, s := range []string{
		"773054585813745", "YT6247854916511", "JD0076810060555", "EA123456785CN", "ea123456784cn",
		"121231231231", "8478081206", "DPK12345678901-1", "LBX123456789012345-2-1", " 7730 ", "",
		"------", "S123456789P12", "12345678901234567890123456789012", "JT1234567890123", "\u3000QX12345678",
	} {
		f.Add(s)
	}
	d := NewDetector()
	for _, n := range []struct{ code, nu string }{{"shentong", "773054585813745"}, {"a2u", "QX1234567890"}, {"yunda", "3101959187888"}} {
		d.Observe(n.code, n.nu)
	}
	f.Fuzz(func(t *testing.T, number string) {
		cands := d.Rank(number)
		checkRanking(t, number, cands)
		if _, ok := NormalizeNumber(number); !ok && cands != nil {
			t.Errorf("Rank(%q) has candidates for garbage", number)
		}
		if len(cands) > 0 && !d.Fits(cands[0].Code, number) {
			t.Errorf("the best candidate %s does not fit %q", cands[0].Code, number)
		}
	})
}

func BenchmarkRank(b *testing.B) {
	nums := realNumbers(b)
	d := NewDetector()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Rank(nums[i%len(nums)].nu)
		i++
	}
}

func BenchmarkRankLearned(b *testing.B) {
	nums := realNumbers(b)
	d := NewDetector()
	rng := rand.New(rand.NewPCG(3, 4))
	codes := All()
	// A busy detector: 20,000 shipments of 200 carriers.
	for range 20000 {
		c := codes[rng.IntN(200)].Code
		d.Observe(c, fmt.Sprintf("%d%013d", 1+rng.IntN(9), rng.Int64N(1e13)))
	}
	for _, n := range nums {
		d.Observe(n.com, n.nu)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Rank(nums[i%len(nums)].nu)
		i++
	}
}

func BenchmarkObserve(b *testing.B) {
	nums := realNumbers(b)
	d := NewDetector()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		n := nums[i%len(nums)]
		d.Observe(n.com, n.nu)
		i++
	}
}
