package carrierfake

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// JT fakes J&T China's open platform (carriers.md §7): the trace query of
// up to 30 waybills, and the trace push.
type JT struct {
	*server
	APIAccount string
	PrivateKey string
	// UUID, when set, is the UAT sandbox's uuid every request must carry.
	UUID string
	Push pushClient
}

// NewJT starts a fake of J&T's platform for one API account.
func NewJT(apiAccount, privateKey string, o Options) *JT {
	f := &JT{APIAccount: apiAccount, PrivateKey: privateKey}
	f.server = newServer(o, f.handle, "/webopenplatformapi/api/logistics/trace")
	return f
}

// URL returns the fake's trace endpoint.
func (f *JT) URL() string { return f.Base() + "/webopenplatformapi/api/logistics/trace" }

// jtAnswer is J&T's answer shape. J&T publishes no code for a refused
// request; everything but code "1" is a failure, and the fake answers
// "0" with the reason.
type jtAnswer struct {
	Code string `json:"code"`
	Msg  string `json:"msg"`
	Data any    `json:"data"`
}

func (f *JT) fail(w http.ResponseWriter, call Call, msg string) {
	call.Answer = "0"
	f.record(call)
	writeJSON(w, http.StatusOK, jtAnswer{Code: "0", Msg: msg})
}

func (f *JT) handle(w http.ResponseWriter, r *http.Request) {
	if f.UUID != "" && r.URL.Query().Get("uuid") != f.UUID {
		f.fail(w, Call{}, "uuid 错误")
		return
	}
	if err := r.ParseForm(); err != nil {
		f.fail(w, Call{}, "参数错误")
		return
	}
	biz := r.PostForm.Get("bizContent")
	if r.Header.Get("apiAccount") != f.APIAccount {
		f.fail(w, Call{}, "apiAccount 不存在")
		return
	}
	if _, err := strconv.ParseInt(r.Header.Get("timestamp"), 10, 64); err != nil {
		f.fail(w, Call{}, "timestamp 错误")
		return
	}
	if biz == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get("digest")), []byte(md5Base64(biz+f.PrivateKey))) != 1 {
		f.fail(w, Call{}, "签名验证失败")
		return
	}
	var q struct {
		BillCodes string `json:"billCodes"`
	}
	if json.Unmarshal([]byte(biz), &q) != nil || strings.TrimSpace(q.BillCodes) == "" {
		f.fail(w, Call{}, "billCodes 不能为空")
		return
	}
	numbers := strings.Split(q.BillCodes, ",")
	call := Call{Numbers: numbers}
	if len(numbers) > 30 {
		f.fail(w, call, "单次查询运单号不能超过30个")
		return
	}
	type waybill struct {
		BillCode string      `json:"billCode"`
		Details  []jtDetails `json:"details"`
	}
	var data []waybill
	for _, nu := range numbers {
		wb := waybill{BillCode: nu, Details: []jtDetails{}}
		if p, ok := f.parcel(nu); ok {
			for _, s := range p.Scans {
				wb.Details = append(wb.Details, jtDetailOf(s))
				call.Scans++
			}
		}
		data = append(data, wb)
	}
	call.Answer = "1"
	f.record(call)
	writeJSON(w, http.StatusOK, jtAnswer{Code: "1", Msg: "success", Data: data})
}

// jtDetails is one scan in J&T's shape.
type jtDetails struct {
	ScanTime        string `json:"scanTime"`
	Desc            string `json:"desc"`
	ScanType        string `json:"scanType"`
	ScanNetworkName string `json:"scanNetworkName"`
	ScanNetworkCity string `json:"scanNetworkCity"`
}

func jtDetailOf(s Scan) jtDetails {
	return jtDetails{ScanTime: s.stamp(), Desc: s.Desc, ScanType: s.Code, ScanNetworkName: s.Site, ScanNetworkCity: s.City}
}

// PushTrace pushes scans of a waybill as J&T does: a form with bizContent
// = {"billCode","txlogisticId","details"}, and the headers apiAccount,
// digest = Base64(MD5(bizContent + privateKey)) and timestamp. Only an
// answer with code "1" is a success.
func (f *JT) PushTrace(ctx context.Context, target, nu string, scans ...Scan) (PushResult, error) {
	details := make([]jtDetails, len(scans))
	for i, s := range scans {
		details[i] = jtDetailOf(s)
	}
	biz := string(jsonText(map[string]any{"billCode": nu, "txlogisticId": "TX" + nu, "details": details}))
	h := http.Header{"Apiaccount": {f.APIAccount}, "Digest": {md5Base64(biz + f.PrivateKey)},
		"Timestamp": {strconv.FormatInt(time.Now().UnixMilli(), 10)}}
	return f.Push.send(ctx, target, "application/x-www-form-urlencoded;charset=UTF-8", h, []byte(url.Values{"bizContent": {biz}}.Encode()), func(status int, b []byte) bool {
		var a struct {
			Code json.RawMessage `json:"code"`
		}
		return json.Unmarshal(b, &a) == nil && (string(a.Code) == `"1"` || string(a.Code) == "1")
	})
}
