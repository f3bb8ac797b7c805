package direct

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// ZTOHosts are the trace query endpoints of ZTO's open platform (ZOP,
// carriers.md §3.1).
var ZTOHosts = map[string]string{
	Production: "https://japi.zto.com/zto.merchant.waybill.track.query",
	Sandbox:    "https://japi-test.zto.com/zto.merchant.waybill.track.query",
}

// ZTO is ZTO's open platform as an upstream: zto.merchant.waybill.track.query,
// one waybill per request, a JSON body signed in x-datadigest with the
// appSecret (carriers.md §3.2–3.3; the rule from the official SDK). The
// phone's last four digits go in mobilePhone: ZTO requires them for
// waybills not bound to the merchant's e-waybill account.
type ZTO struct {
	URL       string
	AppKey    string
	AppSecret string
	Client    *http.Client
}

// Name returns "zto".
func (z *ZTO) Name() string { return "zto" }

// ztoQuery is the body of a trace query (and of a subscription).
type ztoQuery struct {
	BillCode    string `json:"billCode"`
	MobilePhone string `json:"mobilePhone,omitempty"`
}

// Track queries one waybill.
func (z *ZTO) Track(ctx context.Context, q source.Query) ([]trackpush.RawEvent, error) {
	body := marshal(ztoQuery{BillCode: q.Nu, MobilePhone: phoneTail(q.Phone)})
	// The doc's curl names the key x-appKey, the official SDK x-companyid:
	// both are sent.
	h := http.Header{
		"X-Appkey":     {z.AppKey},
		"X-Companyid":  {z.AppKey},
		"X-Datadigest": {ZTODigest(body, z.AppSecret)},
	}
	ans, err := postJSON(ctx, z.Client, "zto", z.URL, h, body)
	if err != nil {
		return nil, err
	}
	return parseZTOAnswer(ans)
}

// ztoScan is one element of a query answer's result (ScanTraceDTO).
type ztoScan struct {
	BillCode string     `json:"billCode"`
	ScanType flexString `json:"scanType"`
	ScanDate flexString `json:"scanDate"`
	Desc     string     `json:"desc"`
	ScanSite *struct {
		Name string `json:"name"`
		City string `json:"city"`
		Prov string `json:"prov"`
	} `json:"scanSite"`
}

// parseZTOAnswer reads {status, message, statusCode, result}.
func parseZTOAnswer(body []byte) ([]trackpush.RawEvent, error) {
	var a struct {
		Status     flexBool   `json:"status"`
		Message    string     `json:"message"`
		StatusCode flexString `json:"statusCode"`
		Result     []ztoScan  `json:"result"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("zto: answer is not JSON: %.120q", body)
	}
	if !a.Status {
		return nil, ztoError(string(a.StatusCode), a.Message)
	}
	if len(a.Result) == 0 {
		return nil, source.ErrNoRecord
	}
	out := make([]trackpush.RawEvent, 0, len(a.Result))
	for i, s := range a.Result {
		t, err := epochMS(s.ScanDate)
		if err != nil {
			return nil, fmt.Errorf("zto: result[%d]: %w", i, err)
		}
		city := ""
		if s.ScanSite != nil {
			city = s.ScanSite.City
		}
		out = append(out, rawEvent("zto", ztoScanTypes, t, city, s.Desc, string(s.ScanType)))
	}
	return out, nil
}

// ztoError maps a statusCode (carriers.md §3.2).
func ztoError(code, msg string) error {
	switch code {
	case "S206", "S221":
		return fmt.Errorf("zto %s %s: %w", code, msg, source.ErrRateLimited)
	case "S211", "S212", "S210", "S214", "E409", "E413", "E416":
		// Bad signature, IP list, no permission, bad timestamp, the phone
		// check, an invalid number: retrying soon will not help.
		return fmt.Errorf("%w: zto %s %s", source.ErrRejected, code, msg)
	}
	return fmt.Errorf("zto: answered %s %s", code, msg)
}

// ZTOPush is ZTO's trace push (carriers.md §3.4): a form with data (JSON),
// data_digest = Base64(MD5(data + appSecret)) — verified against ZTO's
// logged test pushes — company_id (the appKey) and msg_type Traces. The
// acknowledgement is provisional: no official source gives it; trackpush
// answers what one integrator does,
// {"message":"调用成功","status":true,"result":"成功","statusCode":"200"}.
type ZTOPush struct {
	AppKey    string
	AppSecret string
}

// Carrier returns "zto".
func (ZTOPush) Carrier() string { return "zto" }

// ztoPushed is the data of a push.
type ztoPushed struct {
	BillCode     string `json:"billCode"`
	Action       string `json:"action"`
	ActionTime   string `json:"actionTime"`
	Desc         string `json:"desc"`
	City         string `json:"city"`
	FacilityName string `json:"facilityName"`
}

// Read verifies data_digest and reads the push.
func (z ZTOPush) Read(r *http.Request, body []byte) (*Push, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badPush("not a form: %v", err)
	}
	data, digest := form.Get("data"), form.Get("data_digest")
	if data == "" || digest == "" {
		return nil, badPush("data or data_digest missing")
	}
	if subtle.ConstantTimeCompare([]byte(digest), []byte(ZTODigest(data, z.AppSecret))) != 1 {
		return nil, ErrSignature
	}
	if c := form.Get("company_id"); c != "" && c != z.AppKey {
		return nil, fmt.Errorf("company_id %q is not our appKey: %w", c, ErrSignature)
	}
	if mt := form.Get("msg_type"); mt != "" && !strings.EqualFold(mt, "Traces") {
		return nil, badPush("msg_type %q, want Traces", mt)
	}
	var items []ztoPushed
	d := []byte(strings.TrimSpace(data))
	if len(d) > 0 && d[0] == '{' {
		var one ztoPushed
		if err := json.Unmarshal(d, &one); err != nil {
			return nil, badPush("data: %v", err)
		}
		items = []ztoPushed{one}
	} else if err := json.Unmarshal(d, &items); err != nil {
		return nil, badPush("data: %v", err)
	}
	p := &Push{Signed: true}
	for i, it := range items {
		if it.BillCode == "" {
			return nil, badPush("data[%d]: no billCode", i)
		}
		e := rawEvent("zto", ztoActions, it.ActionTime, it.City, it.Desc, it.Action)
		p.Scans = append(p.Scans, Pushed{Nu: it.BillCode, Key: tupleKey(it.BillCode, it.ActionTime, it.Action), Event: e})
	}
	return p, nil
}

// ztoAck is the answer to a push.
type ztoAck struct {
	Message    string `json:"message"`
	Status     bool   `json:"status"`
	Result     any    `json:"result"`
	StatusCode string `json:"statusCode"`
}

// Ack answers status true.
func (ZTOPush) Ack(w http.ResponseWriter, p *Push) {
	writeJSON(w, http.StatusOK, ztoAck{"调用成功", true, "成功", "200"})
}

// Fail answers status false with the reason.
func (ZTOPush) Fail(w http.ResponseWriter, p *Push, status int, err error) {
	writeJSON(w, status, ztoAck{err.Error(), false, nil, fmt.Sprint(status)})
}
