package status

import (
	"testing"

	"github.com/trackpush/trackpush"
)

// FuzzClassify checks that Classify never panics and always returns a valid
// advanced code with its own basic code, whatever the text and context.
func FuzzClassify(f *testing.F) {
	for _, r := range readDev(f) {
		f.Add(r.Context, r.Com, r.city(), "", uint16(0))
	}
	for _, c := range append(append([]tc{}, codeCases...), trapCases...) {
		f.Add(c.text, c.ctx.Com, c.ctx.City, c.ctx.DestCity, uint16(len(c.ctx.Prev)))
	}
	f.Add("【杭州】\xe3\x80", "", "", "", uint16(7))
	f.Add("转ems", "ems", "a", "a", uint16(3))
	states := trackpush.States()
	f.Fuzz(func(t *testing.T, text, com, city, dest string, prevSeed uint16) {
		var prev []trackpush.State
		for i := uint16(0); i < prevSeed%8; i++ {
			prev = append(prev, states[(int(prevSeed)+int(i)*7)%len(states)])
		}
		got := Classify(text, Context{Com: com, Prev: prev, City: city, DestCity: dest})
		if !got.Advanced.Valid() {
			t.Fatalf("Classify(%q) advanced %d is not a valid code", text, got.Advanced)
		}
		if got.Basic != got.Advanced.Basic() {
			t.Fatalf("Classify(%q) = %d/%d: basic is not Advanced.Basic()", text, got.Basic, got.Advanced)
		}
		if got.Rule == "" {
			t.Fatalf("Classify(%q): no rule name", text)
		}
	})
}
