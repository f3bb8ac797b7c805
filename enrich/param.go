package enrich

import (
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
// (docs/protocol.md §2.1–2.2).
func DataItem(e *trackpush.Event, level trackpush.Level) trackpush.DataItem {
	d := trackpush.DataItem{
		Time:    e.RawTime,
		Context: e.Context,
		FTime:   trackpush.FormatTime(e.Time),
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
// subscriber whose route runs from from to to (the subscription's ends).
func LastResult(h *trackpush.Shipment, events []trackpush.Event, level trackpush.Level, from, to *trackpush.Area) trackpush.LastResult {
	state := h.Summary.State
	if level < trackpush.LevelAdvanced {
		state = state.Basic()
	}
	lr := trackpush.LastResult{
		Message:   "ok",
		State:     state.String(),
		Status:    "200",
		Condition: "F00",
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
	return lr
}

// Param returns the push message of a claimed push job.
func Param(j *trackpush.PushJob) trackpush.PushParam {
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
	return trackpush.PushParam{
		Status:     status,
		BillStatus: trackpush.BillStatus(j.Shipment.Summary.State.Basic()),
		Message:    msg,
		AutoCheck:  autoCheck,
		ComOld:     s.ComOld,
		ComNew:     s.ComNew,
		LastResult: LastResult(j.Shipment, j.Events, s.Level, s.From, s.To),
	}
}
