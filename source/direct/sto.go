package direct

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// STOHosts are STO's LINK gateway (carriers.md §4.1); the test gateway is
// plain HTTP.
var STOHosts = map[string]string{
	Production: "https://cloudinter-linkgateway.sto.cn/gateway/link.do",
	Sandbox:    "http://cloudinter-linkgatewaytest.sto.cn/gateway/link.do",
}

// STO is STO's open platform as an upstream: STO_TRACE_QUERY_COMMON on the
// LINK gateway, a form whose content is signed in data_digest with the
// secret key (carriers.md §4.1–4.2). One waybill per request: the answer is
// keyed by waybill, but STO publishes no limit of waybillNoList.
type STO struct {
	URL       string
	AppKey    string // from_appkey
	Resource  string // from_code, the resource code ("" : the app key)
	SecretKey string
	Client    *http.Client
}

// Name returns "sto".
func (s *STO) Name() string { return "sto" }

// stoQuery is the content of a trace query.
type stoQuery struct {
	Order         string   `json:"order"`
	WaybillNoList []string `json:"waybillNoList"`
}

// Track queries one waybill.
func (s *STO) Track(ctx context.Context, q source.Query) ([]trackpush.RawEvent, error) {
	content := marshal(stoQuery{Order: "desc", WaybillNoList: []string{q.Nu}})
	from := s.Resource
	if from == "" {
		from = s.AppKey
	}
	form := url.Values{
		"content":     {content},
		"data_digest": {STODigest(content, s.SecretKey)},
		"api_name":    {"STO_TRACE_QUERY_COMMON"},
		"from_appkey": {s.AppKey},
		"from_code":   {from},
		"to_appkey":   {"sto_trace_query"},
		"to_code":     {"sto_trace_query"},
	}
	body, err := postForm(ctx, s.Client, "sto", s.URL, nil, form)
	if err != nil {
		return nil, err
	}
	traces, err := parseSTOAnswer(body)
	if err != nil {
		return nil, err
	}
	if len(traces[q.Nu]) == 0 {
		return nil, source.ErrNoRecord
	}
	return traces[q.Nu], nil
}

// stoTrace is one scan of a query answer or a push.
type stoTrace struct {
	WaybillNo     string `json:"waybillNo"`
	OutBizCode    string `json:"outBizCode"`
	OpTime        string `json:"opTime"`
	ScanType      string `json:"scanType"`
	Memo          string `json:"memo"`
	OpOrgName     string `json:"opOrgName"`
	OpOrgCityName string `json:"opOrgCityName"`
}

func (t stoTrace) event() trackpush.RawEvent {
	return rawEvent("sto", stoScanTypes, t.OpTime, t.OpOrgCityName, t.Memo, t.ScanType)
}

// parseSTOAnswer reads {success, errorCode, errorMsg, needRetry, data:{no:[…]}}
// or the gateway's XML error.
func parseSTOAnswer(body []byte) (map[string][]trackpush.RawEvent, error) {
	if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '<' {
		// The gateway refuses before the API runs, in XML even on JSON
		// APIs (carriers.md §1.5): our digest, app key or route is wrong.
		return nil, xmlRefusal("sto", b)
	}
	var a struct {
		Success   flexBool              `json:"success"`
		ErrorCode flexString            `json:"errorCode"`
		ErrorMsg  string                `json:"errorMsg"`
		NeedRetry flexBool              `json:"needRetry"`
		Data      map[string][]stoTrace `json:"data"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("sto: answer is not JSON: %.120q", body)
	}
	if !a.Success {
		if a.NeedRetry {
			return nil, fmt.Errorf("sto: answered %s %s (retry)", a.ErrorCode, a.ErrorMsg)
		}
		return nil, fmt.Errorf("%w: sto %s %s", source.ErrRejected, a.ErrorCode, a.ErrorMsg)
	}
	out := map[string][]trackpush.RawEvent{}
	for nu, ts := range a.Data {
		for _, t := range ts {
			out[nu] = append(out[nu], t.event())
		}
	}
	return out, nil
}

// STOPush is STO's trace push, STO_TRACE_PLATFORM_PUSH (carriers.md §4.3):
// a form whose content is {"waybillNo","linkCode","trace":{…}}, keyed for
// idempotency by trace.outBizCode (STO re-pushes when an answer times out).
//
// Provisional: whether the push carries data_digest is not confirmed.
// When it does, it is checked by the LINK rule, Base64(MD5(content +
// secretKey)), and a mismatch is refused; when it does not, the
// endpoint's secret token must authenticate the push. The answer is the
// LINK envelope one public receiver writes,
// {"success":true,"errorCode":"0","errorMsg":"","data":{"waybillNo":…,"needRetry":false}}.
type STOPush struct {
	SecretKey string
}

// Carrier returns "sto".
func (STOPush) Carrier() string { return "sto" }

// Read reads a push, checking data_digest when it is there.
func (s STOPush) Read(r *http.Request, body []byte) (*Push, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badPush("not a form: %v", err)
	}
	content := form.Get("content")
	if content == "" {
		return nil, badPush("no content")
	}
	p := &Push{}
	if digest := form.Get("data_digest"); digest != "" {
		if subtle.ConstantTimeCompare([]byte(digest), []byte(STODigest(content, s.SecretKey))) != 1 {
			return nil, ErrSignature
		}
		p.Signed = true
	}
	var msg struct {
		WaybillNo string    `json:"waybillNo"`
		LinkCode  string    `json:"linkCode"`
		Trace     *stoTrace `json:"trace"`
	}
	if err := json.Unmarshal([]byte(content), &msg); err != nil {
		return nil, badPush("content: %v", err)
	}
	if msg.WaybillNo == "" || msg.Trace == nil {
		return nil, badPush("content: no waybillNo or trace")
	}
	p.Ref = msg.WaybillNo
	key := msg.WaybillNo + "|" + msg.Trace.OutBizCode
	if msg.Trace.OutBizCode == "" {
		key = tupleKey(msg.WaybillNo, msg.Trace.OpTime, msg.Trace.ScanType)
	}
	p.Scans = []Pushed{{Nu: msg.WaybillNo, Key: key, Event: msg.Trace.event()}}
	return p, nil
}

// stoAck is the LINK envelope of an answer.
type stoAck struct {
	Success   bool   `json:"success"`
	ErrorCode string `json:"errorCode"`
	ErrorMsg  string `json:"errorMsg"`
	Data      struct {
		WaybillNo string `json:"waybillNo"`
		NeedRetry bool   `json:"needRetry"`
	} `json:"data"`
}

// Ack answers success.
func (STOPush) Ack(w http.ResponseWriter, p *Push) {
	a := stoAck{Success: true, ErrorCode: "0"}
	a.Data.WaybillNo = p.Ref
	writeJSON(w, http.StatusOK, a)
}

// Fail answers failure; needRetry says whether STO should push it again
// (yes unless the push was refused as not genuine or unreadable).
func (STOPush) Fail(w http.ResponseWriter, p *Push, status int, err error) {
	a := stoAck{Success: false, ErrorCode: fmt.Sprint(status), ErrorMsg: err.Error()}
	if p != nil {
		a.Data.WaybillNo = p.Ref
	}
	a.Data.NeedRetry = status >= 500
	writeJSON(w, status, a)
}
