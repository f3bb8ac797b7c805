package trackpush

import (
	"encoding/json"
	"time"
)

// Forecast is what the route model predicts for a shipment, re-made at
// each of its events (resultv2 7): when the parcel will reach the receiver
// and the way it will take. The wire's arrivalTime, totalTime, remainTime
// and predictedRoute are read from it; the trail page and the query API
// also show its range and basis.
type Forecast struct {
	// MadeAt is the carrier time of the event the forecast was made at.
	MadeAt time.Time `json:"madeAt"`
	// Pickup is when the parcel was handed to the carrier: totalTime
	// counts from it.
	Pickup time.Time `json:"pickup"`
	// Arrival is the predicted time of the target event: the first
	// delivery-stage event that makes the parcel available to the receiver
	// (派件 5, 投柜或驿站 501, or signed 3xx, whichever comes first).
	Arrival time.Time `json:"arrival"`
	// Early and Late bound the arrival: the 10th and 90th percentiles.
	Early time.Time `json:"early"`
	Late  time.Time `json:"late"`
	// Basis says what the prediction rests on: BasisLane (the lane's
	// history), BasisPrior (the cold-start prior) or BasisBlend (both,
	// weighed by the lane's evidence); BasisArrived once the target event
	// has happened.
	Basis string `json:"basis"`
	// Route is the route from the origin to the destination outlet:
	// passed stops, the current stop, then predicted stops; times are
	// monotone.
	Route []Stop `json:"route"`
}

// Forecast bases.
const (
	BasisLane    = "lane"
	BasisPrior   = "prior"
	BasisBlend   = "blend"
	BasisArrived = "arrived"
)

// Stop is a node of a route: a transfer centre or an outlet.
type Stop struct {
	Name     string    `json:"name"`     // as the carrier names it: 西安转运中心, 浙江省金华市义乌市童店
	Type     string    `json:"type"`     // StopHub or StopOutlet
	State    string    `json:"state"`    // StopPassed, StopCurrent or StopPredicted
	AreaCode string    `json:"areaCode"` // "CN" + 12-digit division code of the stop's region
	Province string    `json:"province"` // short name, as the wire sends it: 湖北
	City     string    `json:"city"`     // 宜昌市
	District string    `json:"district"` // 点军区 ("" when only the city is known)
	Lng      float64   `json:"lng"`
	Lat      float64   `json:"lat"`
	Arrive   time.Time `json:"arrive"`
	Leave    time.Time `json:"leave"`
}

// Stop types and states, as the wire spells them (predictedRoute[].type,
// .state).
const (
	StopHub    = "转运中心"
	StopOutlet = "网点"

	StopPassed    = "已经过节点"
	StopCurrent   = "当前停留节点"
	StopPredicted = "预估途径节点"
)

// Loop says why a trajectory is a loop: the place the parcel came back
// to after it had left it, and when.
type Loop struct {
	Place    string    // the place as named by the event that returned to it, or its region's name
	AreaCode string    // "CN" + 12-digit division code of its city
	AreaName string    // the wire's area name of the returning event
	LeftAt   time.Time // carrier time of the first event elsewhere after the first stay
	BackAt   time.Time // carrier time of the event back at the place
}

// storedForecast is how the stores keep a forecast: short keys, times as
// Unix seconds, types and states as letters — a shipment's row is
// rewritten with it at every event.
type storedForecast struct {
	MadeAt  int64        `json:"m"`
	Pickup  int64        `json:"p"`
	Arrival int64        `json:"a"`
	Early   int64        `json:"e"`
	Late    int64        `json:"l"`
	Basis   string       `json:"b"`
	Route   []storedStop `json:"r"`
}

type storedStop struct {
	Name     string  `json:"n"`
	Type     string  `json:"t"`
	State    string  `json:"s"`
	AreaCode string  `json:"c,omitempty"`
	Province string  `json:"p,omitempty"`
	City     string  `json:"y,omitempty"`
	District string  `json:"d,omitempty"`
	Lng      float64 `json:"x,omitempty"`
	Lat      float64 `json:"z,omitempty"`
	Arrive   int64   `json:"a,omitempty"`
	Leave    int64   `json:"v,omitempty"`
}

var (
	stopCodes  = map[string]string{StopHub: "h", StopOutlet: "o", StopPassed: "p", StopCurrent: "c", StopPredicted: "f"}
	stopValues = map[string]string{"h": StopHub, "o": StopOutlet, "p": StopPassed, "c": StopCurrent, "f": StopPredicted}
)

func unixOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func timeOf(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).In(CST)
}

func code(m map[string]string, v string) string {
	if c, ok := m[v]; ok {
		return c
	}
	return v
}

// EncodeForecast returns the stored form of a forecast (times to the
// second).
func EncodeForecast(f *Forecast) ([]byte, error) {
	s := storedForecast{MadeAt: unixOf(f.MadeAt), Pickup: unixOf(f.Pickup), Arrival: unixOf(f.Arrival),
		Early: unixOf(f.Early), Late: unixOf(f.Late), Basis: f.Basis, Route: make([]storedStop, len(f.Route))}
	for i, st := range f.Route {
		s.Route[i] = storedStop{Name: st.Name, Type: code(stopCodes, st.Type), State: code(stopCodes, st.State), AreaCode: st.AreaCode,
			Province: st.Province, City: st.City, District: st.District, Lng: st.Lng, Lat: st.Lat,
			Arrive: unixOf(st.Arrive), Leave: unixOf(st.Leave)}
	}
	return json.Marshal(s)
}

// DecodeForecast reads a forecast EncodeForecast wrote.
func DecodeForecast(b []byte) (*Forecast, error) {
	var s storedForecast
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	f := &Forecast{MadeAt: timeOf(s.MadeAt), Pickup: timeOf(s.Pickup), Arrival: timeOf(s.Arrival),
		Early: timeOf(s.Early), Late: timeOf(s.Late), Basis: s.Basis, Route: make([]Stop, len(s.Route))}
	for i, st := range s.Route {
		f.Route[i] = Stop{Name: st.Name, Type: code(stopValues, st.Type), State: code(stopValues, st.State), AreaCode: st.AreaCode,
			Province: st.Province, City: st.City, District: st.District, Lng: st.Lng, Lat: st.Lat,
			Arrive: timeOf(st.Arrive), Leave: timeOf(st.Leave)}
	}
	return f, nil
}
