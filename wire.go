package trackpush

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// Answer is the protocol's reply shape, used by the subscribe endpoints and
// expected back from every receiver of a push:
// {"result":true,"returnCode":"200","message":"成功"}.
type Answer struct {
	Result     bool   `json:"result"`
	ReturnCode string `json:"returnCode"`
	Message    string `json:"message"`
}

// Push statuses: the param's status field.
const (
	PushPolling   = "polling"
	PushShutdown  = "shutdown"
	PushAbort     = "abort"
	PushUpdateAll = "updateall"
)

// Abort messages: the param's message field when status is abort.
const (
	MessageNoRecord = "3天查询无记录"
	MessageNoChange = "60天无变化"
)

// PushParam is the JSON carried in the form field "param" of every push
// (docs/protocol.md §2.1). billstatus is deprecated but still sent.
type PushParam struct {
	Status     string     `json:"status"`
	BillStatus string     `json:"billstatus"`
	Message    string     `json:"message"`
	AutoCheck  string     `json:"autoCheck"`
	ComOld     string     `json:"comOld"`
	ComNew     string     `json:"comNew"`
	LastResult LastResult `json:"lastResult"`
}

// LastResult is the whole trajectory of a shipment as the wire sends it.
// Optional parts are pointers or omitempty so that each resultv2 level sends
// exactly its fields: RouteInfo and IsLoop from level 5, the ETA fields and
// PredictedRoute from level 7 (set only once they are computed).
type LastResult struct {
	Message        string      `json:"message"`
	State          string      `json:"state"`
	Status         string      `json:"status"`
	Condition      string      `json:"condition"`
	IsCheck        string      `json:"ischeck"`
	Com            string      `json:"com"`
	Nu             string      `json:"nu"`
	TrailURL       string      `json:"trailUrl,omitempty"`
	ArrivalTime    *string     `json:"arrivalTime,omitempty"`
	TotalTime      *string     `json:"totalTime,omitempty"`
	RemainTime     *NullString `json:"remainTime,omitempty"`
	IsLoop         *bool       `json:"isLoop,omitempty"`
	RouteInfo      *RouteInfo  `json:"routeInfo,omitempty"`
	Data           []DataItem  `json:"data"`
	PredictedRoute []RouteNode `json:"predictedRoute,omitempty"`
}

// RouteInfo names the origin, current and destination regions. A part that
// is unknown is sent as JSON null, as the original service does.
type RouteInfo struct {
	From *RoutePoint `json:"from"`
	Cur  *RoutePoint `json:"cur"`
	To   *RoutePoint `json:"to"`
}

// RoutePoint is one region of RouteInfo: Number is "CN" + the 12-digit
// division code, Name the wire's area name ("河南,洛阳市").
type RoutePoint struct {
	Number string `json:"number"`
	Name   string `json:"name"`
}

// NullString is a wire string sent as JSON null when it is empty: a field
// that level 7 always carries but that may have no value (remainTime once
// the parcel has arrived, as the original service sends it). A nil
// *NullString leaves the field out.
type NullString string

// MarshalJSON writes null for the empty string.
func (s NullString) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(string(s)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// FormatHour formats a time as arrivalTime does: China Standard Time, to
// the hour ("2025-06-19 10").
func FormatHour(t time.Time) string { return t.In(CST).Format("2006-01-02 15") }

// FormatDays formats a duration as totalTime and remainTime do: whole
// days and the whole hours left over ("3天0小时", "2天20小时"); a negative
// duration is "0天0小时".
func FormatDays(d time.Duration) string {
	h := int64(max(d, 0) / time.Hour)
	return strconv.FormatInt(h/24, 10) + "天" + strconv.FormatInt(h%24, 10) + "小时"
}

// RouteNode is one node of the predicted route (resultv2 7).
type RouteNode struct {
	ArriveTime string `json:"arriveTime"`
	LeaveTime  string `json:"leaveTime"`
	Province   string `json:"province"`
	City       string `json:"city"`
	District   string `json:"district"`
	Name       string `json:"name"`
	State      string `json:"state"`
	Type       string `json:"type"`
	Location   string `json:"location"`
}

// DataItem is one event of lastResult.data. Which fields it carries depends
// on Level (docs/protocol.md §2.2): time, context and ftime always; from level 3
// areaCode, areaName and status; from level 5 location, areaCenter,
// areaPinYin and statusCode. Area fields that are unknown are sent as JSON
// null. Level is not on the wire; a decoded item has the zero level.
type DataItem struct {
	Time       string  `json:"time"`
	Context    string  `json:"context"`
	FTime      string  `json:"ftime"`
	AreaCode   *string `json:"areaCode,omitempty"`
	AreaName   *string `json:"areaName,omitempty"`
	Status     string  `json:"status,omitempty"`
	Location   string  `json:"location,omitempty"`
	AreaCenter *string `json:"areaCenter,omitempty"`
	AreaPinYin *string `json:"areaPinYin,omitempty"`
	StatusCode string  `json:"statusCode,omitempty"`
	// RawTime is the time as the carrier wrote it. It is not part of the
	// pushed item; the query API adds it as rawTime where it differs
	// from time (see WithRawTime).
	RawTime string `json:"-"`

	Level Level `json:"-"`
	// showRaw makes MarshalJSON write rawTime after the level's fields.
	showRaw bool
}

// WithRawTime returns the item with rawTime written after its fields when
// the carrier's text differs from time (the query API's extension).
func (d DataItem) WithRawTime() DataItem {
	d.showRaw = d.RawTime != "" && d.RawTime != d.Time
	return d
}

// MarshalJSON writes the fields of the item's level in the original
// service's order.
func (d DataItem) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	w := func(first bool, key string, v any) error {
		if !first {
			b.WriteByte(',')
		}
		b.WriteString(`"` + key + `":`)
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // the encoder's newline
		return nil
	}
	b.WriteByte('{')
	fields := []struct {
		key string
		v   any
		min Level
	}{
		{"time", d.Time, LevelNone},
		{"context", d.Context, LevelNone},
		{"ftime", d.FTime, LevelNone},
		{"areaCode", d.AreaCode, LevelRegion},
		{"areaName", d.AreaName, LevelRegion},
		{"status", d.Status, LevelRegion},
		{"location", d.Location, LevelAdvanced},
		{"areaCenter", d.AreaCenter, LevelAdvanced},
		{"areaPinYin", d.AreaPinYin, LevelAdvanced},
		{"statusCode", d.StatusCode, LevelAdvanced},
	}
	for i, f := range fields {
		if d.Level < f.min {
			break
		}
		if err := w(i == 0, f.key, f.v); err != nil {
			return nil, err
		}
	}
	if d.showRaw {
		if err := w(false, "rawTime", d.RawTime); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
