package region

import (
	"testing"
	"unicode/utf8"
)

func fuzzSeeds(f *testing.F) {
	for _, s := range benchAddresses {
		f.Add(s)
	}
	for _, c := range eventCases {
		f.Add(c.text)
	}
	f.Add("\xff【\xfe】|北京")
	f.Add("【】[]|||")
	f.Add("")
}

func checkPlace(t *testing.T, in string, p *Place) {
	if p == nil {
		return
	}
	for _, s := range []string{p.AreaCode, p.AreaName, p.Location, p.AreaCenter, p.AreaPinYin, p.Span, p.Province, p.City, p.District, p.Town} {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 in result for %q: %q", in, s)
		}
	}
	if len(p.AreaCode) != 14 || p.Level < 1 || p.Level > 4 || p.Confidence < 0 || p.Confidence > 1 {
		t.Fatalf("bad result for %q: %+v", in, p)
	}
	if p.SpanStart < 0 || p.SpanEnd < p.SpanStart || p.SpanEnd > utf8.RuneCountInString(in) {
		t.Fatalf("bad span for %q: [%d,%d)", in, p.SpanStart, p.SpanEnd)
	}
}

func FuzzResolveAddress(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		checkPlace(t, in, ResolveAddress(in))
	})
}

func FuzzResolveEvent(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		checkPlace(t, in, ResolveEvent(in, ResolveAddress("广东深圳"), nil))
	})
}
