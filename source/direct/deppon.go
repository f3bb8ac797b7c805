package direct

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// DepponHosts are Deppon's trace query endpoints (carriers.md §11).
var DepponHosts = map[string]string{
	Production: "https://dpapi.deppon.com/dop-interface-sync/standard-query/newTraceQuery.action",
	Sandbox:    "http://dpsanbox.deppon.com/sandbox-web/standard-order/newTraceQuery.action",
}

// Deppon is Deppon's open platform (DOP) as an upstream: newTraceQuery, one
// waybill per request, a form of companyCode, params, timestamp and digest
// = Base64(hex MD5(params + appkey + timestamp)) — base64 of the hex text
// (carriers.md §11; three independent sources agree).
type Deppon struct {
	URL         string
	CompanyCode string
	AppKey      string
	Client      *http.Client
	Now         func() time.Time
}

// Name returns "deppon".
func (d *Deppon) Name() string { return "deppon" }

// Track queries one waybill.
func (d *Deppon) Track(ctx context.Context, q source.Query) ([]trackpush.RawEvent, error) {
	params := marshal(map[string]string{"mailNo": q.Nu})
	ts := nowMS(d.Now)
	form := url.Values{"companyCode": {d.CompanyCode}, "params": {params}, "timestamp": {ts}, "digest": {DepponDigest(params, d.AppKey, ts)}}
	body, err := postForm(ctx, d.Client, "deppon", d.URL, nil, form)
	if err != nil {
		return nil, err
	}
	return parseDepponAnswer(body)
}

// depponTrace is one scan of a query answer or a push.
type depponTrace struct {
	Time        string `json:"time"`
	City        string `json:"city"`
	Site        string `json:"site"`
	Description string `json:"description"`
	Status      string `json:"status"`
}

func (t depponTrace) event() trackpush.RawEvent {
	return rawEvent("deppon", depponStatuses, t.Time, t.City, t.Description, t.Status)
}

// parseDepponAnswer reads {result:"true", reason, resultCode:"1000",
// responseParam:{tracking_number, trace_list}}.
func parseDepponAnswer(body []byte) ([]trackpush.RawEvent, error) {
	var a struct {
		Result        flexBool   `json:"result"`
		Reason        string     `json:"reason"`
		ResultCode    flexString `json:"resultCode"`
		ResponseParam *struct {
			TraceList []depponTrace `json:"trace_list"`
		} `json:"responseParam"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("deppon: answer is not JSON: %.120q", body)
	}
	if !a.Result || a.ResultCode != "1000" {
		// Deppon publishes no table of its failure codes.
		return nil, fmt.Errorf("deppon: answered %s %s", a.ResultCode, a.Reason)
	}
	if a.ResponseParam == nil || len(a.ResponseParam.TraceList) == 0 {
		return nil, source.ErrNoRecord
	}
	out := make([]trackpush.RawEvent, len(a.ResponseParam.TraceList))
	for i, t := range a.ResponseParam.TraceList {
		out[i] = t.event()
	}
	return out, nil
}

// DepponPush is Deppon's trace push (carriers.md §11): a form with params =
// {"track_list":[{"tracking_number","trace_list":[…]}]}, answered
// {"success":true,"error_code":"1000","error_msg":"成功","result":true}.
//
// Provisional: the acknowledgement rests on one public handler, and
// whether the push carries a digest is not known — so none is checked and
// the endpoint's secret token authenticates the push.
type DepponPush struct{}

// Carrier returns "deppon".
func (DepponPush) Carrier() string { return "deppon" }

// Read reads a push.
func (DepponPush) Read(r *http.Request, body []byte) (*Push, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badPush("not a form: %v", err)
	}
	params := form.Get("params")
	if params == "" {
		return nil, badPush("no params")
	}
	var msg struct {
		TrackList []struct {
			TrackingNumber string        `json:"tracking_number"`
			TraceList      []depponTrace `json:"trace_list"`
		} `json:"track_list"`
	}
	if err := json.Unmarshal([]byte(params), &msg); err != nil {
		return nil, badPush("params: %v", err)
	}
	p := &Push{}
	for i, tr := range msg.TrackList {
		if tr.TrackingNumber == "" {
			return nil, badPush("track_list[%d]: no tracking_number", i)
		}
		for _, t := range tr.TraceList {
			p.Scans = append(p.Scans, Pushed{Nu: tr.TrackingNumber, Key: tupleKey(tr.TrackingNumber, t.Time, t.Status), Event: t.event()})
		}
	}
	return p, nil
}

// depponAck is Deppon's answer shape.
type depponAck struct {
	Success   bool   `json:"success"`
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	Result    bool   `json:"result"`
}

// Ack answers success.
func (DepponPush) Ack(w http.ResponseWriter, p *Push) {
	writeJSON(w, http.StatusOK, depponAck{true, "1000", "成功", true})
}

// Fail answers failure with the reason.
func (DepponPush) Fail(w http.ResponseWriter, p *Push, status int, err error) {
	writeJSON(w, status, depponAck{false, fmt.Sprint(status), err.Error(), false})
}
