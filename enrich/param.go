package enrich

import (
	"strconv"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/route"
)

// NewestFirst returns the events newest first: by carrier time, then by
// arrival order (a later arrival with the same time counts as newer).
func NewestFirst(events []trackpush.Event) []trackpush.Event {
	out := route.Chronological(events)
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// DataItem returns the wire's data[] item of an event at a level
// (docs/protocol.md §2.1–2.2). time is sent as YYYY-MM-DD HH:MM:SS whatever the
// carrier wrote (2019/07/12 21:09:04, 2019-7-12 9:58:25): every real push
// of the original service has it so, and receivers parse it strictly. The
// carrier's own text is kept in RawTime (the query API shows it).
func DataItem(e *trackpush.Event, level trackpush.Level) trackpush.DataItem {
	d := trackpush.DataItem{
		Time:    trackpush.FormatTime(e.Time),
		Context: e.Context,
		FTime:   trackpush.FormatTime(e.Time),
		RawTime: e.RawTime,
		Level:   level,
	}
	if level < trackpush.LevelRegion {
		return d
	}
	if level >= trackpush.LevelAdvanced {
		d.Status = e.State.Name()
		d.StatusCode = e.State.String()
	} else {
		d.Status = e.State.Basic().Name()
	}
	if a := e.Area; a != nil {
		d.AreaCode, d.AreaName = &a.Code, &a.Name
		d.AreaCenter, d.AreaPinYin = &a.Center, &a.PinYin
		d.Location = a.Location
	}
	return d
}

// Data returns the data[] of a trajectory at a level, newest first.
func Data(events []trackpush.Event, level trackpush.Level) []trackpush.DataItem {
	out := make([]trackpush.DataItem, 0, len(events))
	for _, e := range NewestFirst(events) {
		out = append(out, DataItem(&e, level))
	}
	return out
}

// LastResult returns the lastResult of a shipment at a level, for a
// subscriber whose route runs from from to to (the subscription's ends),
// as of now (remainTime counts from it).
func LastResult(h *trackpush.Shipment, events []trackpush.Event, level trackpush.Level, from, to *trackpush.Area, now time.Time) trackpush.LastResult {
	state := h.Summary.State
	if level < trackpush.LevelAdvanced {
		state = state.Basic()
	}
	lr := trackpush.LastResult{
		Message:   "ok",
		State:     state.String(),
		Status:    "200",
		Condition: Condition,
		IsCheck:   "0",
		Com:       h.Com,
		Nu:        h.Nu,
		Data:      Data(events, level),
	}
	if h.Summary.Signed {
		lr.IsCheck = "1"
	}
	if level >= trackpush.LevelAdvanced {
		loop := route.IsLoop(events)
		lr.IsLoop = &loop
		lr.RouteInfo = route.Info(from, to, events)
	}
	if level >= trackpush.LevelPredict && h.Forecast != nil {
		Predict(&lr, h.Forecast, now)
	}
	return lr
}

// Predict sets the level-7 fields of a lastResult from a forecast, as of
// now: arrivalTime (the predicted arrival, to the hour), totalTime (pickup
// to arrival), remainTime (now to arrival, never negative; JSON null once
// the parcel has arrived, as the original service sends it) and
// predictedRoute.
func Predict(lr *trackpush.LastResult, f *trackpush.Forecast, now time.Time) {
	arrival := trackpush.FormatHour(f.Arrival)
	total := trackpush.FormatDays(f.Arrival.Sub(f.Pickup))
	remain := trackpush.NullString("")
	if f.Basis != trackpush.BasisArrived {
		remain = trackpush.NullString(trackpush.FormatDays(f.Arrival.Sub(now)))
	}
	lr.ArrivalTime, lr.TotalTime, lr.RemainTime = &arrival, &total, &remain
	lr.PredictedRoute = make([]trackpush.RouteNode, 0, len(f.Route))
	for _, s := range f.Route {
		lr.PredictedRoute = append(lr.PredictedRoute, RouteNode(s))
	}
}

// RouteNode returns the wire's predictedRoute item of a stop.
func RouteNode(s trackpush.Stop) trackpush.RouteNode {
	n := trackpush.RouteNode{
		Province: s.Province, City: s.City, District: s.District,
		Name: s.Name, State: s.State, Type: s.Type,
	}
	if !s.Arrive.IsZero() {
		n.ArriveTime = trackpush.FormatTime(s.Arrive)
	}
	if !s.Leave.IsZero() {
		n.LeaveTime = trackpush.FormatTime(s.Leave)
	}
	if s.Lng != 0 || s.Lat != 0 {
		n.Location = strconv.FormatFloat(s.Lng, 'f', 6, 64) + "," + strconv.FormatFloat(s.Lat, 'f', 6, 64)
	}
	return n
}

// Condition is lastResult.condition ("快递单明细状态标记, 暂未实现, 请忽略"):
// the original's documented example sends "00", as do its newest real
// pushes (older ones show F00 and H100).
const Condition = "00"

// billMessages are the top-level message of polling pushes, by billstatus,
// as the original service's real pushes carry them: "寄件" while the parcel
// travels (its push document's example too), "正在派件" out for delivery.
// An abort carries its reason; a shutdown none.
var billMessages = map[string]string{"got": "寄件", "sending": "正在派件"}

// Param returns the push message of a claimed push job, made at now.
func Param(j *trackpush.PushJob, now time.Time) trackpush.PushParam {
	s := j.Sub
	status := trackpush.PushStatus(s)
	msg := ""
	if status == trackpush.PushAbort {
		msg = s.Message
	}
	autoCheck := s.AutoCheck
	if autoCheck == "" {
		autoCheck = "0"
	}
	bill := trackpush.BillStatus(j.Shipment.Summary.State.Basic())
	if status == trackpush.PushPolling || status == trackpush.PushUpdateAll {
		msg = billMessages[bill]
	}
	return trackpush.PushParam{
		Status:     status,
		BillStatus: bill,
		Message:    msg,
		AutoCheck:  autoCheck,
		ComOld:     s.ComOld,
		ComNew:     s.ComNew,
		LastResult: LastResult(j.Shipment, j.Events, s.Level, s.From, s.To, now),
	}
}
