package carrierfake

import (
	"embed"
	"encoding/json"
	"fmt"
)

//go:embed fixtures/*.json
var fixtureFiles embed.FS

// Fixture is one carrier's fixture file: parcels in the carrier's own
// terms, with where their shape comes from.
type Fixture struct {
	Carrier string `json:"carrier"`
	// Shape names the sources the answer's shape rests on.
	Shape string `json:"shape"`
	// Provisional is true when that shape rests on a single unofficial
	// source.
	Provisional bool     `json:"provisional"`
	Texts       string   `json:"texts"`
	Parcels     []Parcel `json:"parcels"`
}

// LoadFixture returns a carrier's fixture ("sf", "zto", "jt", "sto",
// "yto", "deppon").
func LoadFixture(carrier string) (*Fixture, error) {
	b, err := fixtureFiles.ReadFile("fixtures/" + carrier + ".json")
	if err != nil {
		return nil, fmt.Errorf("carrierfake: no fixture for %q", carrier)
	}
	var f Fixture
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("carrierfake: fixture %s: %w", carrier, err)
	}
	return &f, nil
}

// Fixtures returns a carrier's fixture parcels as a Book; it panics on a
// carrier without one (a programming error).
func Fixtures(carrier string) *Book {
	f, err := LoadFixture(carrier)
	if err != nil {
		panic(err)
	}
	return NewBook(f.Parcels...)
}
