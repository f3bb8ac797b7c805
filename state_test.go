package trackpush

import (
	"encoding/csv"
	"os"
	"testing"
)

func TestStateBasic(t *testing.T) {
	cases := map[State]State{
		0: 0, 1: 1, 101: 1, 102: 1, 103: 1, 1001: 0, 1002: 0, 1003: 0,
		5: 5, 501: 5, 3: 3, 301: 3, 302: 3, 303: 3, 304: 3, 4: 4, 401: 4, 14: 14,
		2: 2, 201: 2, 210: 2, 6: 6, 7: 7, 8: 8, 10: 8, 11: 8, 12: 8, 13: 8,
	}
	for in, want := range cases {
		if got := in.Basic(); got != want {
			t.Errorf("State(%d).Basic() = %d, want %d", in, got, want)
		}
	}
	if len(States()) != 36 {
		t.Fatalf("States() has %d codes, want 36", len(States()))
	}
	for _, s := range States() {
		if !s.Valid() || s.Name() == "" || !s.Basic().Valid() {
			t.Errorf("State %d: valid=%v name=%q basic=%d", s, s.Valid(), s.Name(), s.Basic())
		}
	}
	if State(9).Valid() || State(9).Name() != "" {
		t.Error("State 9 must be invalid")
	}
	if s, ok := ParseState("1002"); !ok || s != StateTrunk {
		t.Errorf(`ParseState("1002") = %d, %v`, s, ok)
	}
	if _, ok := ParseState("x"); ok {
		t.Error(`ParseState("x") must fail`)
	}
}

// TestStateNamesMatchTable checks the names against the project's copy of
// shared/data/states.csv.
func TestStateNamesMatchTable(t *testing.T) {
	f, err := os.Open("testdata/states.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range rows[1:] {
		s, ok := ParseState(r[0])
		if !ok {
			t.Errorf("code %s of states.csv is not valid here", r[0])
			continue
		}
		seen++
		if s.Name() != r[1] {
			t.Errorf("State %d name %q, table says %q", s, s.Name(), r[1])
		}
	}
	if seen != len(States()) {
		t.Errorf("states.csv has %d codes, States() %d", seen, len(States()))
	}
}
