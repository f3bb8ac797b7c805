package region

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// TestDevAccuracy measures event-place resolution on the real dev events
// (testdata/real_events_dev.jsonl, a copy of shared/data/events): the share
// of labelled places resolved to the right province and city, and the share
// of texts with no place left empty. The targets are 95% each; a place
// labelled only to province level must come back without a city.
func TestDevAccuracy(t *testing.T) {
	f, err := os.Open("../testdata/real_events_dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var placed, placedOK, empty, emptyOK int
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Context string
			Label   struct{ Province, City, District string }
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		p := ResolveEvent(r.Context)
		if r.Label.Province == "" {
			empty++
			if p == nil {
				emptyOK++
			} else {
				t.Logf("placed a text with no place: %s ← %s", p.AreaName, r.Context)
			}
			continue
		}
		placed++
		if p != nil && p.Province == r.Label.Province && p.City == r.Label.City {
			placedOK++
		} else {
			got := "none"
			if p != nil {
				got = p.Province + " " + p.City
			}
			t.Logf("miss: got %s, label %s %s ← %s", got, r.Label.Province, r.Label.City, r.Context)
		}
	}
	cityAcc := float64(placedOK) / float64(placed)
	emptyAcc := float64(emptyOK) / float64(empty)
	t.Logf("city-level accuracy %d/%d = %.3f; no-place texts left empty %d/%d = %.3f", placedOK, placed, cityAcc, emptyOK, empty, emptyAcc)
	if cityAcc < 0.95 || emptyAcc < 0.95 {
		t.Errorf("below target 0.95: city %.3f, empty %.3f", cityAcc, emptyAcc)
	}
}
