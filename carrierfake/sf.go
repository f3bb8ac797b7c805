package carrierfake

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"
)

// SF fakes SF Express's /std/service (carriers.md §2): the route query
// EXP_RECE_SEARCH_ROUTES and the route push.
type SF struct {
	*server
	PartnerID string
	CheckWord string
	// AcceptPHP also accepts digests made with PHP's urlencode (which
	// encodes '*'), as SF's error table suggests the platform tolerates.
	AcceptPHP bool
	// Push is how SF pushes: its answer timeout and re-pushes (SF's
	// retry policy is not published).
	Push pushClient

	perSecond, perDay *window
}

// SFSandboxPerSecond and SFSandboxPerDay are the sandbox's published
// limits per customer code and interface; beyond them SF answers A1005.
const (
	SFSandboxPerSecond = 30
	SFSandboxPerDay    = 3000
)

// NewSF starts a fake of SF's sandbox for one customer (partnerID and
// checkword), with the sandbox's rate limits.
func NewSF(partnerID, checkWord string, o Options) *SF {
	f := &SF{PartnerID: partnerID, CheckWord: checkWord,
		perSecond: &window{size: time.Second, limit: SFSandboxPerSecond},
		perDay:    &window{size: 24 * time.Hour, limit: SFSandboxPerDay}}
	f.server = newServer(o, f.handle, "/std/service")
	return f
}

// URL returns the fake's /std/service endpoint.
func (f *SF) URL() string { return f.Base() + "/std/service" }

// SetLimits changes the rate limits (0: none).
func (f *SF) SetLimits(perSecond, perDay int) {
	f.perSecond = &window{size: time.Second, limit: perSecond}
	f.perDay = &window{size: 24 * time.Hour, limit: perDay}
}

// sfAnswer is the platform envelope.
type sfAnswer struct {
	APIErrorMsg   string  `json:"apiErrorMsg"`
	APIResponseID string  `json:"apiResponseID"`
	APIResultCode string  `json:"apiResultCode"`
	APIResultData *string `json:"apiResultData"`
}

func responseID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (f *SF) platform(w http.ResponseWriter, call Call, code, msg string) {
	call.Answer = code
	f.record(call)
	writeJSON(w, http.StatusOK, sfAnswer{APIErrorMsg: msg, APIResponseID: responseID(), APIResultCode: code})
}

func (f *SF) business(w http.ResponseWriter, call Call, result any, code string) {
	call.Answer = code
	f.record(call)
	data := string(jsonText(result))
	writeJSON(w, http.StatusOK, sfAnswer{APIResponseID: responseID(), APIResultCode: "A1000", APIResultData: &data})
}

func (f *SF) handle(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.platform(w, Call{}, "A1001", "参数不完整")
		return
	}
	partner, service, ts, msgData := r.PostForm.Get("partnerID"), r.PostForm.Get("serviceCode"), r.PostForm.Get("timestamp"), r.PostForm.Get("msgData")
	digest := r.PostForm.Get("msgDigest")
	if partner == "" || r.PostForm.Get("requestID") == "" || service == "" || ts == "" || msgData == "" || digest == "" {
		f.platform(w, Call{}, "A1001", "必传参数不可为空")
		return
	}
	if len(r.PostForm.Get("requestID")) > 40 {
		f.platform(w, Call{}, "A1001", "requestID 超长")
		return
	}
	if partner != f.PartnerID {
		f.platform(w, Call{}, "A1004", "无对应服务权限")
		return
	}
	want := md5Base64(javaURLEncode(msgData+ts+f.CheckWord, false))
	ok := subtle.ConstantTimeCompare([]byte(digest), []byte(want)) == 1
	if !ok && f.AcceptPHP {
		ok = digest == md5Base64(javaURLEncode(msgData+ts+f.CheckWord, true))
	}
	if !ok {
		f.platform(w, Call{}, "A1006", "数字签名无效")
		return
	}
	now := f.clock.Now()
	if !f.perSecond.allow(partner+"/"+service, now) || !f.perDay.allow(partner+"/"+service, now) {
		f.platform(w, Call{}, "A1005", "流量受控")
		return
	}
	if service != "EXP_RECE_SEARCH_ROUTES" {
		f.platform(w, Call{}, "A1004", "无对应服务权限")
		return
	}
	var q struct {
		TrackingType   json.Number `json:"trackingType"`
		TrackingNumber []string    `json:"trackingNumber"`
		CheckPhoneNo   string      `json:"checkPhoneNo"`
	}
	if err := json.Unmarshal([]byte(msgData), &q); err != nil {
		f.business(w, Call{}, sfBusinessError("8000", "msgData 格式错误"), "8000")
		return
	}
	call := Call{Numbers: q.TrackingNumber, Phone: q.CheckPhoneNo}
	switch {
	case len(q.TrackingNumber) == 0:
		f.business(w, call, sfBusinessError("8013", "未传入查询单号"), "8013")
		return
	case len(q.TrackingNumber) > 10:
		f.business(w, call, sfBusinessError("8003", "查询单号超过最大数量限制"), "8003")
		return
	}
	type route struct {
		AcceptAddress string `json:"acceptAddress"`
		AcceptTime    string `json:"acceptTime"`
		Remark        string `json:"remark"`
		OpCode        string `json:"opCode"`
	}
	type resp struct {
		MailNo string  `json:"mailNo"`
		Routes []route `json:"routes"`
	}
	var resps []resp
	for _, nu := range q.TrackingNumber {
		rs := resp{MailNo: nu, Routes: []route{}}
		if p, ok := f.parcel(nu); ok && q.TrackingType.String() != "2" {
			for _, s := range p.Scans {
				rs.Routes = append(rs.Routes, route{AcceptAddress: s.City, AcceptTime: s.stamp(), Remark: s.Desc, OpCode: s.Code})
				call.Scans++
			}
		}
		resps = append(resps, rs)
	}
	result := map[string]any{"success": true, "errorCode": "S0000", "errorMsg": nil,
		"msgData": map[string]any{"routeResps": resps}}
	f.business(w, call, result, "A1000")
}

func sfBusinessError(code, msg string) map[string]any {
	return map[string]any{"success": false, "errorCode": code, "errorMsg": msg, "msgData": nil}
}

// sfPushRoute is a route as SF pushes it (mailno in lower case).
type sfPushRoute struct {
	ID            string `json:"id"`
	MailNo        string `json:"mailno"`
	OrderID       string `json:"orderid"`
	AcceptTime    string `json:"acceptTime"`
	AcceptAddress string `json:"acceptAddress"`
	Remark        string `json:"remark"`
	OpCode        string `json:"opCode"`
}

// PushRoutes pushes scans of a waybill to target as SF does: JSON
// {"Body":{"WaybillRoute":[…]}}, unsigned. It counts as acknowledged when
// the answer's return_code is "0000".
func (f *SF) PushRoutes(ctx context.Context, target, nu string, scans ...Scan) (PushResult, error) {
	routes := make([]sfPushRoute, len(scans))
	for i, s := range scans {
		routes[i] = sfPushRoute{ID: s.id(nu), MailNo: nu, AcceptTime: s.stamp(), AcceptAddress: s.City, Remark: s.Desc, OpCode: s.Code}
	}
	body := jsonText(map[string]any{"Body": map[string]any{"WaybillRoute": routes}})
	return f.Push.send(ctx, target, "application/json;charset=UTF-8", nil, body, func(status int, b []byte) bool {
		var a struct {
			ReturnCode string `json:"return_code"`
		}
		return json.Unmarshal(b, &a) == nil && a.ReturnCode == "0000"
	})
}
