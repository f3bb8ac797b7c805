package sim

import (
	"encoding/json"
	"time"

	"github.com/trackpush/trackpush"
)

// JSON: times are written as the wire writes them ("2025-06-02 14:25:24",
// China Standard Time) and left out when zero; states are numbers.

func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return trackpush.FormatTime(t)
}

// MarshalJSON writes the event as {"time","context","state","city","node"}.
func (e Event) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Time    string `json:"time"`
		Context string `json:"context"`
		State   int    `json:"state"`
		City    string `json:"city"`
		Node    string `json:"node"`
	}{jsonTime(e.Time), e.Context, int(e.State), e.City, e.Node})
}

// MarshalJSON writes the node with its times in the wire's format.
func (n Node) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name   string `json:"name"`
		Type   string `json:"type"`
		City   string `json:"city"`
		Arrive string `json:"arrive,omitempty"`
		Leave  string `json:"leave,omitempty"`
		Via    string `json:"via,omitempty"`
	}{n.Name, n.Type, n.City, jsonTime(n.Arrive), jsonTime(n.Leave), n.Via})
}

// MarshalJSON writes the truth with its times in the wire's format, zero
// times and empty fields left out.
func (t Truth) MarshalJSON() ([]byte, error) {
	route := t.Route
	if route == nil {
		route = []Node{}
	}
	return json.Marshal(struct {
		Outcome         string   `json:"outcome"`
		Trouble         []string `json:"trouble,omitempty"`
		Shipped         string   `json:"shipped,omitempty"`
		PickedUp        string   `json:"pickedUp,omitempty"`
		ArrivedDestCity string   `json:"arrivedDestCity,omitempty"`
		OutForDelivery  string   `json:"outForDelivery,omitempty"`
		Delivered       string   `json:"delivered,omitempty"`
		ReturnSigned    string   `json:"returnSigned,omitempty"`
		Loop            bool     `json:"loop"`
		HandOverTo      string   `json:"handOverTo,omitempty"`
		HandOverNu      string   `json:"handOverNu,omitempty"`
		Route           []Node   `json:"route"`
	}{
		t.Outcome, t.Trouble, jsonTime(t.Shipped), jsonTime(t.PickedUp), jsonTime(t.ArrivedDestCity),
		jsonTime(t.OutForDelivery), jsonTime(t.Delivered), jsonTime(t.ReturnSigned), t.Loop,
		t.HandOverTo, t.HandOverNu, route,
	})
}
