package eval

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/trackpush/trackpush/internal/replay"
)

var update = flag.Bool("update", false, "rewrite testdata/real_trajectories_events.jsonl")

const (
	devEvents  = "../../testdata/real_events_dev.jsonl"
	trajEvents = "../../testdata/real_trajectories_events.jsonl"
)

// TestTrajectoryEvents keeps testdata/real_trajectories_events.jsonl: the
// real trajectories (internal/replay) as event lines for `eval eta
// --jsonl`, without those already in the development events (the same
// shipment twice would be its own history in the leave-one-out).
func TestTrajectoryEvents(t *testing.T) {
	dev, err := os.ReadFile(devEvents)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := replay.Trajectories()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	kept := 0
	for _, tr := range ts {
		// The development file has it when it has its first and last
		// scan times (texts differ in how phone numbers are masked).
		last := tr.Events[len(tr.Events)-1].Time
		if strings.Contains(string(dev), `"time": "`+tr.Events[0].Time+`"`) && strings.Contains(string(dev), `"time": "`+last+`"`) {
			continue
		}
		kept++
		for _, e := range tr.Events {
			line, _ := json.Marshal(map[string]string{"com": tr.Com, "nu": tr.Nu, "time": e.Time, "context": e.Context, "source": "internal/replay " + tr.ID})
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	if *update {
		if err := os.WriteFile(trajEvents, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(trajEvents)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Fatalf("%s is stale: go test ./internal/eval -run TestTrajectoryEvents -update", trajEvents)
	}
	if kept < 3 {
		t.Fatalf("only %d trajectories kept", kept)
	}
}
