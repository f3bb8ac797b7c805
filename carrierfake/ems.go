package carrierfake

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/trackpush/trackpush/internal/sm4"
)

// EMS fakes EMS's open platform (carriers.md §9): apiCode 040001 with its
// SM4 envelope — PROVISIONAL in its answer, whose fields rest on one
// public source (no recorded answer exists); the envelope is verified.
type EMS struct {
	*server
	SenderNo string
	SignKey  string
}

// NewEMS starts a fake of EMS's platform for one agreement customer.
func NewEMS(senderNo, signKey string, o Options) *EMS {
	f := &EMS{SenderNo: senderNo, SignKey: signKey}
	f.server = newServer(o, f.handle, "/amp-prod-api/f/amp/api/open", "/amp-prod-api/f/amp/api/test")
	return f
}

// URL returns the fake's production-shaped endpoint.
func (f *EMS) URL() string { return f.Base() + "/amp-prod-api/f/amp/api/open" }

// emsFailure is the fake's code of a refused request: EMS publishes its
// success code (00000) but no table of failure codes.
const emsFailure = "-1"

func (f *EMS) answer(w http.ResponseWriter, call Call, code, msg string, body any) {
	call.Answer = code
	f.record(call)
	a := map[string]any{"retCode": code, "retMsg": msg, "retBody": nil}
	if body != nil {
		a["retBody"] = string(jsonText(body))
	}
	writeJSON(w, http.StatusOK, a)
}

func (f *EMS) handle(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("senderNo") != f.SenderNo {
		f.answer(w, Call{}, emsFailure, "协议客户号错误", nil)
		return
	}
	if r.PostForm.Get("apiCode") != "040001" {
		f.answer(w, Call{}, emsFailure, "接口编码错误", nil)
		return
	}
	// "|$4|" + Base64(SM4-ECB(key = Base64Decode(signKey), json + signKey)).
	env, ok := strings.CutPrefix(r.PostForm.Get("logitcsInterface"), "|$4|")
	key, _ := base64.StdEncoding.DecodeString(f.SignKey)
	ct, err := base64.StdEncoding.DecodeString(env)
	var plain []byte
	if ok && err == nil {
		plain, err = sm4.DecryptECB(key, ct)
	}
	if !ok || err != nil || !strings.HasSuffix(string(plain), f.SignKey) {
		f.answer(w, Call{}, emsFailure, "报文解密失败", nil)
		return
	}
	var q struct {
		WaybillNo string `json:"waybillNo"`
	}
	if json.Unmarshal([]byte(strings.TrimSuffix(string(plain), f.SignKey)), &q) != nil || q.WaybillNo == "" {
		f.answer(w, Call{}, emsFailure, "waybillNo 不能为空", nil)
		return
	}
	type item struct {
		WaybillNo string `json:"waybillNo"`
		OpTime    string `json:"opTime"`
		OpCode    string `json:"opCode"`
		OpName    string `json:"opName"`
		OpDesc    string `json:"opDesc"`
		OpOrgCity string `json:"opOrgCity"`
		OpOrgName string `json:"opOrgName"`
	}
	items := []item{}
	p, _ := f.parcel(q.WaybillNo)
	for _, s := range p.Scans {
		items = append(items, item{WaybillNo: q.WaybillNo, OpTime: s.stamp(), OpCode: s.Code, OpName: s.Code, OpDesc: s.Desc, OpOrgCity: s.City, OpOrgName: s.Site})
	}
	f.answer(w, Call{Numbers: []string{q.WaybillNo}, Scans: len(items)}, "00000", "成功", map[string]any{"responseItems": items})
}
