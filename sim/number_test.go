package sim

import (
	"regexp"
	"testing"

	"github.com/trackpush/trackpush/carrier"
)

// publicPatterns are the rows of shared/data/carriers/number_patterns.csv
// for the simulated carriers (carrier code → its patterns): every number
// must match one of its carrier's.
var publicPatterns = map[string][]string{
	"yuantong":       {`^YT\d{13}$`, `^[A-Za-z0-9]{2}[0-9]{10,13}$`},
	"shunfeng":       {`(?i)^SF[a-z0-9]\d{12}$`},
	"jd":             {`(?i)^JD[a-z0-9]{2}\d{11}$`, `^JD[XK][0-9]{12}$|^JDV[A-Z][0-9]{11}$`},
	"zhongtong":      {`^7[3-68]\d{12}$`},
	"shentong":       {`^(77|43)\d{12,15}$`},
	"yunda":          {`^[34]\d{14}$|^5\d{12}$`, `^[0-9]{15}$|^[0-9]{13}$`},
	"ems":            {`(?i)^[981]\d{12}$|^P[a-z]\d{11}$`, `^[A-Z]{2}[0-9]{9}[A-Z]{2}$|^(10|11|12)[0-9]{11}$`},
	"youzhengguonei": {`^[0-9]{13}$|^[99]{2}[0-9]{11}$|^[96]{2}[0-9]{11}$|^[98]{2}[0-9]{11}$`},
	"huitongkuaidi":  {`^((5)[0-9]{13,14})$|^7[0-9]{13}$`},
	"tiantian":       {`(66|77|88|(5(5|6|8)))\d{10}|(99(5|8))\d{9}|TT(66|88|99|(5(6|7)))\d{11}`},
}

// TestNumbers checks the tracking numbers: each carrier's format, the
// public patterns, unique within a world, and ranked for the true carrier
// by the project's carrier detector.
func TestNumbers(t *testing.T) {
	t.Parallel()
	compiled := map[string][]*regexp.Regexp{}
	for com, ps := range publicPatterns {
		for _, p := range ps {
			compiled[com] = append(compiled[com], regexp.MustCompile(p))
		}
	}
	w := NewWorld(Config{Seed: 17, Rates: DefaultRates()})
	det := carrier.NewDetector()
	seen := map[string]int{}
	first, top3, total := 0, 0, 0
	byCom := map[string][2]int{}
	for i := range 20000 {
		p := w.Parcel(i)
		if j, dup := seen[p.Nu]; dup {
			t.Fatalf("parcels %d and %d share number %s", j, i, p.Nu)
		}
		seen[p.Nu] = i
		ok := false
		for _, re := range compiled[p.Com] {
			ok = ok || re.MatchString(p.Nu)
		}
		if !ok {
			t.Errorf("%s number %s matches none of its public patterns", p.Com, p.Nu)
		}
		if p.Nu[0] == 'E' && !carrier.ValidS10(p.Nu) {
			t.Errorf("EMS number %s has a bad S10 check digit", p.Nu)
		}
		if p.Truth.HandOverNu != "" {
			if j, dup := seen[p.Truth.HandOverNu]; dup {
				t.Fatalf("hand-over number %s of parcel %d repeats parcel %d's", p.Truth.HandOverNu, i, j)
			}
			seen[p.Truth.HandOverNu] = i
		}
		if i >= 5000 {
			continue
		}
		rank := det.Rank(p.Nu)
		total++
		c := byCom[p.Com]
		c[1]++
		for k, cand := range rank {
			if cand.Code != p.Com {
				continue
			}
			if k == 0 {
				first++
				c[0]++
			}
			if k < 3 {
				top3++
			}
		}
		byCom[p.Com] = c
	}
	t.Logf("detector: true carrier first for %d/%d (%.1f%%), in the top 3 for %d (%.1f%%); first by carrier: %v",
		first, total, 100*float64(first)/float64(total), top3, 100*float64(top3)/float64(total), byCom)
	if float64(first) < 0.9*float64(total) || float64(top3) < 0.99*float64(total) {
		t.Errorf("detector ranks the true carrier first for %d and in the top 3 for %d of %d", first, top3, total)
	}
}

func TestScramble(t *testing.T) {
	t.Parallel()
	// one-to-one on a small domain
	for _, k := range []int{3, 4} {
		seen := map[uint64]bool{}
		for x := range pow10[k] {
			y := scramble(x, 12345, k)
			if y >= pow10[k] || seen[y] {
				t.Fatalf("k=%d: scramble(%d) = %d repeats or overflows", k, x, y)
			}
			seen[y] = true
		}
	}
	if !carrier.ValidS10("EA" + "12345678" + string(rune('0'+s10Check("12345678"))) + "CN") {
		t.Error("s10Check disagrees with carrier.ValidS10")
	}
}
