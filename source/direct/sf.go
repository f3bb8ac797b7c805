package direct

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// SFHosts are SF's /std/service endpoints (carriers.md §2.1). Hong Kong
// (https://sfapi-hk.sf-express.com/std/service) and the alternative
// production host sfapi.sf-express.com are given as URLs.
var SFHosts = map[string]string{
	Production: "https://bspgw.sf-express.com/std/service",
	Sandbox:    "https://sfapi-sbox.sf-express.com/std/service",
}

// SFSandboxRate is the request rate trackpush keeps to in SF's sandbox:
// under its published 30 calls/s per customer code and interface (a token
// bucket of 4 allows 4 + rate calls in any second).
const SFSandboxRate = 25

// SF is SF Express's open platform (丰桥) as an upstream: route queries
// (EXP_RECE_SEARCH_ROUTES) of up to 10 waybills, signed with the
// customer's checkword (carriers.md §2.2–2.3, verified against SF's
// published vector).
type SF struct {
	URL       string // the /std/service endpoint
	PartnerID string // the customer code (partnerID)
	CheckWord string
	Client    *http.Client
	Now       func() time.Time // timestamps (default time.Now: SF checks them in real time)
}

// Name returns "sf".
func (s *SF) Name() string { return "sf" }

// MaxBatch is SF's limit of waybills per route query.
func (s *SF) MaxBatch() int { return 10 }

// BatchKey is the phone tail: SF checks one checkPhoneNo per request.
func (s *SF) BatchKey(q source.Query) string { return phoneTail(q.Phone) }

// Track queries one waybill.
func (s *SF) Track(ctx context.Context, q source.Query) ([]trackpush.RawEvent, error) {
	return single(ctx, s, q)
}

// sfRouteQuery is the msgData of EXP_RECE_SEARCH_ROUTES, fields in the
// order SF's documents and clients write them.
type sfRouteQuery struct {
	Language       string   `json:"language"`
	TrackingType   int      `json:"trackingType"`
	TrackingNumber []string `json:"trackingNumber"`
	MethodType     int      `json:"methodType"`
	CheckPhoneNo   string   `json:"checkPhoneNo,omitempty"`
}

// sfMsgData returns the msgData of a route query of numbers by SF waybill
// number (trackingType 1), standard routes (methodType 1).
func sfMsgData(numbers []string, tail string) string {
	return marshal(sfRouteQuery{Language: "zh-CN", TrackingType: 1, TrackingNumber: numbers, MethodType: 1, CheckPhoneNo: tail})
}

// sfForm returns the form of a request to /std/service.
func sfForm(partnerID, checkWord, service, msgData, timestamp string) url.Values {
	return url.Values{
		"partnerID":   {partnerID},
		"requestID":   {requestID()},
		"serviceCode": {service},
		"timestamp":   {timestamp},
		"msgDigest":   {SFDigest(msgData, timestamp, checkWord)},
		"msgData":     {msgData},
	}
}

// TrackBatch queries up to 10 waybills sharing a phone tail.
func (s *SF) TrackBatch(ctx context.Context, qs []source.Query) ([]source.Tracked, error) {
	if len(qs) == 0 || len(qs) > s.MaxBatch() {
		return nil, fmt.Errorf("sf: %d waybills in one query (1–10)", len(qs))
	}
	numbers := make([]string, len(qs))
	for i, q := range qs {
		numbers[i] = q.Nu
	}
	form := sfForm(s.PartnerID, s.CheckWord, "EXP_RECE_SEARCH_ROUTES", sfMsgData(numbers, phoneTail(qs[0].Phone)), nowMS(s.Now))
	body, err := postForm(ctx, s.Client, "sf", s.URL, nil, form)
	if err != nil {
		return nil, err
	}
	routes, err := parseSFAnswer(body)
	if err != nil {
		return nil, err
	}
	out := make([]source.Tracked, len(qs))
	for i, q := range qs {
		evs := routes[q.Nu]
		if len(evs) == 0 {
			out[i].Err = source.ErrNoRecord
			continue
		}
		out[i].Events = evs
	}
	return out, nil
}

// sfEnvelope is the platform's answer; apiResultData is a JSON string.
type sfEnvelope struct {
	APIResultCode string  `json:"apiResultCode"`
	APIErrorMsg   string  `json:"apiErrorMsg"`
	APIResultData *string `json:"apiResultData"`
}

// sfResult is the business answer inside apiResultData.
type sfResult struct {
	Success   bool   `json:"success"`
	ErrorCode string `json:"errorCode"`
	ErrorMsg  string `json:"errorMsg"`
	MsgData   struct {
		RouteResps []struct {
			MailNo string    `json:"mailNo"`
			Routes []sfRoute `json:"routes"`
		} `json:"routeResps"`
	} `json:"msgData"`
}

// sfRoute is a route of a query answer or a push (the push spells mailno
// in lower case and adds id, orderid and the reason).
type sfRoute struct {
	ID              flexString `json:"id"`
	MailNo          string     `json:"mailno"`
	AcceptTime      string     `json:"acceptTime"`
	AcceptAddress   string     `json:"acceptAddress"`
	Remark          string     `json:"remark"`
	OpCode          flexString `json:"opCode"`
	ReasonName      string     `json:"reasonName"`
	FirstStatusName string     `json:"firstStatusName"`
}

// event turns a route into a raw event: the scan's place before its text,
// as Kuaidi100 shows SF's scans, and the reason of a failed delivery when
// the text lacks it.
func (r sfRoute) event() trackpush.RawEvent {
	text := r.Remark
	if reason := strings.TrimSpace(r.ReasonName); reason != "" && !strings.Contains(text, reason) {
		text += "（" + reason + "）"
	}
	e := trackpush.RawEvent{Time: strings.TrimSpace(r.AcceptTime), Context: placed(r.AcceptAddress, text)}
	e.Code = code("sf", sfCodes, string(r.OpCode))
	if e.Code == nil {
		e.Code = code("sf", sfStatusNames, r.FirstStatusName)
	}
	return e
}

// parseSFAnswer reads a route query's answer: routes by waybill.
func parseSFAnswer(body []byte) (map[string][]trackpush.RawEvent, error) {
	var env sfEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("sf: answer is not JSON: %.120q", body)
	}
	if env.APIResultCode != "A1000" {
		return nil, sfPlatformError(env.APIResultCode, env.APIErrorMsg)
	}
	if env.APIResultData == nil {
		return nil, fmt.Errorf("sf: A1000 without apiResultData")
	}
	var res sfResult
	if err := json.Unmarshal([]byte(*env.APIResultData), &res); err != nil {
		return nil, fmt.Errorf("sf: apiResultData is not the route answer: %.120q", *env.APIResultData)
	}
	if !res.Success || res.ErrorCode != "S0000" {
		// 8003 (too many numbers), 8013 (no number) and the phone checks
		// of the 8000 family are our request's fault: retrying soon will
		// not help.
		if strings.HasPrefix(res.ErrorCode, "8") {
			return nil, fmt.Errorf("%w: sf %s %s", source.ErrRejected, res.ErrorCode, res.ErrorMsg)
		}
		return nil, fmt.Errorf("sf: business error %s %s", res.ErrorCode, res.ErrorMsg)
	}
	out := map[string][]trackpush.RawEvent{}
	for _, rr := range res.MsgData.RouteResps {
		for _, r := range rr.Routes {
			out[rr.MailNo] = append(out[rr.MailNo], r.event())
		}
	}
	return out, nil
}

// sfPlatformError maps a platform code (carriers.md §2.2).
func sfPlatformError(code, msg string) error {
	switch code {
	case "A1005":
		return fmt.Errorf("sf %s %s: %w", code, msg, source.ErrRateLimited)
	case "A1001", "A1002", "A1003", "A1004", "A1006":
		// Missing parameters, expired token, IP not allowed, API not
		// enabled (or the wrong environment), bad digest: configuration.
		return fmt.Errorf("%w: sf %s %s", source.ErrRejected, code, msg)
	}
	return fmt.Errorf("sf: platform error %s %s", code, msg)
}

// SFPush is SF's route push (carriers.md §2.4): JSON
// {"Body":{"WaybillRoute":[…]}} (or a single route object), unsigned — the
// endpoint's secret token authenticates it — answered
// {"return_code":"0000","return_msg":"成功"}. Its idempotency key is the
// route id.
type SFPush struct{}

// Carrier returns "sf".
func (SFPush) Carrier() string { return "sf" }

// Read reads a route push.
func (SFPush) Read(r *http.Request, body []byte) (*Push, error) {
	var msg struct {
		Body *struct {
			WaybillRoute json.RawMessage `json:"WaybillRoute"`
		} `json:"Body"`
	}
	if err := json.Unmarshal(body, &msg); err != nil || msg.Body == nil {
		return nil, badPush("not SF's {\"Body\":{\"WaybillRoute\":…}}")
	}
	var routes []sfRoute
	raw := []byte(strings.TrimSpace(string(msg.Body.WaybillRoute)))
	if len(raw) > 0 && raw[0] == '{' {
		var one sfRoute
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, badPush("WaybillRoute: %v", err)
		}
		routes = []sfRoute{one}
	} else if err := json.Unmarshal(raw, &routes); err != nil {
		return nil, badPush("WaybillRoute: %v", err)
	}
	p := &Push{}
	for i, rt := range routes {
		if rt.MailNo == "" {
			return nil, badPush("WaybillRoute[%d]: no mailno", i)
		}
		// Keys are scoped by waybill: an id is only trusted to be unique
		// among a waybill's routes.
		key := rt.MailNo + "|" + string(rt.ID)
		if rt.ID == "" {
			key = tupleKey(rt.MailNo, rt.AcceptTime, string(rt.OpCode))
		}
		p.Scans = append(p.Scans, Pushed{Nu: rt.MailNo, Key: key, Event: rt.event()})
	}
	return p, nil
}

// sfAck is SF's push answer.
type sfAck struct {
	ReturnCode string `json:"return_code"`
	ReturnMsg  string `json:"return_msg"`
}

// Ack answers 0000 成功.
func (SFPush) Ack(w http.ResponseWriter, p *Push) {
	writeJSON(w, http.StatusOK, sfAck{"0000", "成功"})
}

// Fail answers 1000 with the reason.
func (SFPush) Fail(w http.ResponseWriter, p *Push, status int, err error) {
	writeJSON(w, status, sfAck{"1000", err.Error()})
}
