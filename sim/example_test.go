package sim_test

import (
	"fmt"
	"time"

	"github.com/trackpush/trackpush/sim"
)

// A world is a function of its seed: parcel i is always the same parcel.
// An upstream answers with the scans visible at its clock's time.
func Example() {
	w := sim.NewWorld(sim.Config{Seed: 1, Rates: sim.DefaultRates()})
	p := w.Parcel(0)
	fmt.Println(p.Com, p.Nu, p.From, "→", p.To)
	noon := p.Truth.PickedUp.Add(24 * time.Hour)
	for _, e := range p.Visible(noon) {
		fmt.Println(e.Time, e.Context)
	}
	fmt.Println(p.Truth.Outcome, p.Truth.Delivered)
	if q, ok := w.Lookup(p.Com, p.Nu); ok && q == p {
		fmt.Println("found")
	}
}
