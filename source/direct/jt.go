package direct

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// JTHosts are J&T China's trace endpoints (carriers.md §7). The UAT one
// takes the sandbox's uuid as a query parameter (JT.UUID).
var JTHosts = map[string]string{
	Production: "https://openapi.jtexpress.com.cn/webopenplatformapi/api/logistics/trace",
	Sandbox:    "https://uat-openapi.jtexpress.com.cn/webopenplatformapi/api/logistics/trace",
}

// JT is J&T China's open platform as an upstream: trace queries of up to
// 30 waybills, a form with bizContent signed in the digest header with the
// private key (carriers.md §7; the rule checked against a published UAT
// digest).
type JT struct {
	URL        string
	APIAccount string
	PrivateKey string
	UUID       string // the UAT sandbox's uuid ("" in production)
	Client     *http.Client
	Now        func() time.Time
}

// Name returns "jt".
func (j *JT) Name() string { return "jt" }

// MaxBatch is J&T's limit of waybills per trace query.
func (j *JT) MaxBatch() int { return 30 }

// BatchKey is "": J&T checks no phone.
func (j *JT) BatchKey(source.Query) string { return "" }

// Track queries one waybill.
func (j *JT) Track(ctx context.Context, q source.Query) ([]trackpush.RawEvent, error) {
	return single(ctx, j, q)
}

// TrackBatch queries up to 30 waybills.
func (j *JT) TrackBatch(ctx context.Context, qs []source.Query) ([]source.Tracked, error) {
	if len(qs) == 0 || len(qs) > j.MaxBatch() {
		return nil, fmt.Errorf("jt: %d waybills in one query (1–30)", len(qs))
	}
	numbers := make([]string, len(qs))
	for i, q := range qs {
		numbers[i] = q.Nu
	}
	biz := marshal(map[string]string{"billCodes": strings.Join(numbers, ",")})
	u := j.URL
	if j.UUID != "" {
		u += "?uuid=" + url.QueryEscape(j.UUID)
	}
	h := http.Header{
		"Apiaccount": {j.APIAccount},
		"Timestamp":  {nowMS(j.Now)},
		"Digest":     {JTDigest(biz, j.PrivateKey)},
	}
	body, err := postForm(ctx, j.Client, "jt", u, h, url.Values{"bizContent": {biz}})
	if err != nil {
		return nil, err
	}
	traces, err := parseJTAnswer(body)
	if err != nil {
		return nil, err
	}
	out := make([]source.Tracked, len(qs))
	for i, q := range qs {
		if evs := traces[q.Nu]; len(evs) > 0 {
			out[i].Events = evs
		} else {
			out[i].Err = source.ErrNoRecord
		}
	}
	return out, nil
}

// jtDetail is one scan of a query answer or a push.
type jtDetail struct {
	ScanTime        string `json:"scanTime"`
	Desc            string `json:"desc"`
	ScanType        string `json:"scanType"`
	ScanNetworkName string `json:"scanNetworkName"`
	ScanNetworkCity string `json:"scanNetworkCity"`
}

func (d jtDetail) event() trackpush.RawEvent {
	return rawEvent("jt", jtScanTypes, d.ScanTime, d.ScanNetworkCity, d.Desc, d.ScanType)
}

// parseJTAnswer reads {code:"1", msg, data:[{billCode, details}]}.
func parseJTAnswer(body []byte) (map[string][]trackpush.RawEvent, error) {
	var a struct {
		Code flexString `json:"code"`
		Msg  string     `json:"msg"`
		Data []struct {
			BillCode string     `json:"billCode"`
			Details  []jtDetail `json:"details"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("jt: answer is not JSON: %.120q", body)
	}
	if a.Code != "1" {
		// J&T publishes no table of its query errors.
		return nil, fmt.Errorf("jt: answered %s %s", a.Code, a.Msg)
	}
	out := map[string][]trackpush.RawEvent{}
	for _, d := range a.Data {
		for _, det := range d.Details {
			out[d.BillCode] = append(out[d.BillCode], det.event())
		}
	}
	return out, nil
}

// JTPush is J&T's trace push (carriers.md §7): a form with bizContent =
// {"billCode","txlogisticId","details":[…]} and the headers apiAccount,
// digest (Base64(MD5(bizContent + privateKey)), as for requests) and
// timestamp; answered {"code":"1","msg":"success","data":"SUCCESS"} — J&T
// retries any other answer.
type JTPush struct {
	APIAccount string
	PrivateKey string
}

// Carrier returns "jt".
func (JTPush) Carrier() string { return "jt" }

// Read verifies the digest header and reads the push.
func (j JTPush) Read(r *http.Request, body []byte) (*Push, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badPush("not a form: %v", err)
	}
	biz, digest := form.Get("bizContent"), r.Header.Get("digest")
	if biz == "" || digest == "" {
		return nil, badPush("bizContent or the digest header missing")
	}
	if subtle.ConstantTimeCompare([]byte(digest), []byte(JTDigest(biz, j.PrivateKey))) != 1 {
		return nil, ErrSignature
	}
	if a := r.Header.Get("apiAccount"); a != "" && a != j.APIAccount {
		return nil, fmt.Errorf("apiAccount %q is not ours: %w", a, ErrSignature)
	}
	var msg struct {
		BillCode     string     `json:"billCode"`
		TxlogisticID string     `json:"txlogisticId"`
		Details      []jtDetail `json:"details"`
	}
	if err := json.Unmarshal([]byte(biz), &msg); err != nil {
		return nil, badPush("bizContent: %v", err)
	}
	if msg.BillCode == "" {
		return nil, badPush("bizContent: no billCode")
	}
	p := &Push{Signed: true, Ref: msg.BillCode}
	for _, d := range msg.Details {
		p.Scans = append(p.Scans, Pushed{Nu: msg.BillCode, Key: tupleKey(msg.BillCode, d.ScanTime, d.ScanType), Event: d.event()})
	}
	return p, nil
}

// jtAck is J&T's answer shape.
type jtAck struct {
	Code      string `json:"code"`
	Msg       string `json:"msg"`
	Data      string `json:"data"`
	RequestID string `json:"requestId"`
}

// Ack answers code "1".
func (JTPush) Ack(w http.ResponseWriter, p *Push) {
	writeJSON(w, http.StatusOK, jtAck{"1", "success", "SUCCESS", requestID()})
}

// Fail answers another code ("0": J&T documents no failure code for
// receivers; anything but "1" is a failure to it).
func (JTPush) Fail(w http.ResponseWriter, p *Push, status int, err error) {
	writeJSON(w, status, jtAck{"0", err.Error(), "FAIL", requestID()})
}
