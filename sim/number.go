package sim

import (
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// numFormat is a tracking-number format: a prefix and a count of digits,
// drawn with a weight among a carrier's formats. digits == s10 is a UPU
// S10 identifier (prefix letter, a second letter, 8 digits, a check digit,
// "CN").
type numFormat struct {
	prefix string
	digits int
	weight int
}

const s10 = -1

var pow10 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// mix is splitmix64 over a and b: a well-spread 64-bit hash.
func mix(a, b uint64) uint64 {
	z := a ^ (b+0x9e3779b97f4a7c15)*0xbf58476d1ce4e5b9
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// scramble maps x in [0, 10^k) to [0, 10^k) one-to-one, keyed: numbers of
// consecutive parcels look unrelated, and distinct parcels never share a
// number.
func scramble(x, key uint64, k int) uint64 {
	m := pow10[k]
	x %= m
	for round := range uint64(3) {
		rk := mix(key, round)
		a := rk % m
		if a%2 == 0 {
			a++
		}
		if a%5 == 0 {
			a += 2 // odd and not a multiple of 5: invertible modulo 10^k
		}
		a %= m
		b := (rk >> 20) % m
		hi, lo := bits.Mul64(x, a)
		_, x = bits.Div64(hi, lo, m)
		x = (x + b) % m
		x = reverseDigits(x, k)
	}
	return x
}

func reverseDigits(x uint64, k int) uint64 {
	var y uint64
	for range k {
		y = y*10 + x%10
		x /= 10
	}
	return y
}

func pad(x uint64, k int) string {
	s := strconv.FormatUint(x, 10)
	if len(s) < k {
		s = strings.Repeat("0", k-len(s)) + s
	}
	return s
}

// number returns the tracking number of parcel i in format f. The digits
// after the prefix are a keyed one-to-one function of i, so numbers of one
// format never repeat; formats of a world differ in prefix or length.
func number(f numFormat, i int, key uint64, r *rand.Rand) string {
	if f.digits == s10 {
		serial := pad(scramble(uint64(i), key, 8), 8)
		return f.prefix + string(rune('A'+r.IntN(26))) + serial + strconv.Itoa(s10Check(serial)) + "CN"
	}
	return f.prefix + pad(scramble(uint64(i), key, f.digits), f.digits)
}

// s10Check is the UPU S10 check digit of an 8-digit serial.
func s10Check(serial string) int {
	w := [8]int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i := range 8 {
		sum += int(serial[i]-'0') * w[i]
	}
	c := 11 - sum%11
	switch c {
	case 10:
		return 0
	case 11:
		return 5
	}
	return c
}

func drawFormat(fs []numFormat, r *rand.Rand) numFormat {
	total := 0
	for _, f := range fs {
		total += f.weight
	}
	n := r.IntN(total)
	for _, f := range fs {
		if n < f.weight {
			return f
		}
		n -= f.weight
	}
	return fs[len(fs)-1]
}

// handOverFormat is the format of the numbers a carrier gives parcels
// handed over to it: a prefix its own parcels do not use.
var handOverFormat = map[string]numFormat{
	"ems":            {"12", 11, 1},
	"youzhengguonei": {"97", 11, 1},
}
