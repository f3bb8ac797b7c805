package carrierfake

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
)

// STO fakes STO's LINK gateway (carriers.md §4): STO_TRACE_QUERY_COMMON,
// and the trace push STO_TRACE_PLATFORM_PUSH.
type STO struct {
	*server
	AppKey    string
	SecretKey string
	// SignPushes adds data_digest to pushes, as the LINK convention would
	// (provisional: not confirmed for STO's push).
	SignPushes bool
	// Push: STO re-pushes when the answer times out.
	Push pushClient
}

// NewSTO starts a fake of STO's gateway for one app.
func NewSTO(appKey, secretKey string, o Options) *STO {
	f := &STO{AppKey: appKey, SecretKey: secretKey, SignPushes: true}
	f.server = newServer(o, f.handle, "/gateway/link.do")
	return f
}

// URL returns the fake's gateway.
func (f *STO) URL() string { return f.Base() + "/gateway/link.do" }

// xmlError is the gateway's error body: XML, even on JSON APIs.
func (f *STO) xmlError(w http.ResponseWriter, call Call, msg string) {
	call.Answer = "xml-error"
	f.record(call)
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	b, _ := xml.Marshal(struct {
		XMLName  xml.Name `xml:"response"`
		Success  bool     `xml:"success"`
		ErrorMsg string   `xml:"errorMsg"`
	}{ErrorMsg: msg})
	w.Write(append([]byte(xml.Header), b...))
}

func (f *STO) handle(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.xmlError(w, Call{}, "请求参数解析失败")
		return
	}
	// Some clients put the fields in the query string: r.Form has both.
	get := r.Form.Get
	content := get("content")
	switch {
	case get("from_appkey") != f.AppKey:
		f.xmlError(w, Call{}, "from_appkey 不存在")
		return
	case content == "" || subtle.ConstantTimeCompare([]byte(get("data_digest")), []byte(md5Base64(content+f.SecretKey))) != 1:
		f.xmlError(w, Call{}, "签名校验失败")
		return
	case get("api_name") != "STO_TRACE_QUERY_COMMON" || get("to_appkey") != "sto_trace_query" || get("to_code") != "sto_trace_query":
		f.xmlError(w, Call{}, "api_name 或 to_appkey 错误")
		return
	}
	var q struct {
		Order         string   `json:"order"`
		WaybillNoList []string `json:"waybillNoList"`
	}
	call := Call{}
	if json.Unmarshal([]byte(content), &q) != nil || len(q.WaybillNoList) == 0 {
		call.Answer = "error"
		f.record(call)
		writeJSON(w, http.StatusOK, map[string]any{"success": "false", "errorCode": "S01", "errorMsg": "waybillNoList 不能为空", "needRetry": false})
		return
	}
	call.Numbers = q.WaybillNoList
	data := map[string][]stoTrace{}
	for _, nu := range q.WaybillNoList {
		p, ok := f.parcel(nu)
		if !ok {
			continue
		}
		ts := []stoTrace{}
		for _, s := range p.Scans {
			ts = append(ts, stoTraceOf(nu, s))
		}
		if q.Order == "desc" {
			for i, j := 0, len(ts)-1; i < j; i, j = i+1, j-1 {
				ts[i], ts[j] = ts[j], ts[i]
			}
		}
		data[nu] = ts
		call.Scans += len(ts)
	}
	call.Answer = "ok"
	f.record(call)
	// STO's success is at times the string "true".
	writeJSON(w, http.StatusOK, map[string]any{"success": "true", "errorCode": "", "errorMsg": "", "needRetry": false,
		"requestId": responseID(), "expInfo": nil, "data": data})
}

// stoTrace is a scan in STO's shape.
type stoTrace struct {
	WaybillNo     string `json:"waybillNo"`
	OutBizCode    string `json:"outBizCode,omitempty"`
	OpTime        string `json:"opTime"`
	ScanType      string `json:"scanType"`
	Memo          string `json:"memo"`
	OpOrgName     string `json:"opOrgName"`
	OpOrgCityName string `json:"opOrgCityName"`
}

func stoTraceOf(nu string, s Scan) stoTrace {
	return stoTrace{WaybillNo: nu, OpTime: s.stamp(), ScanType: s.Code, Memo: s.Desc, OpOrgName: s.Site, OpOrgCityName: s.City}
}

// PushTrace pushes one scan as STO does: a form with content =
// {"waybillNo","linkCode","trace":{…outBizCode…}} (and data_digest when
// SignPushes), re-pushed when the answer times out. It counts as
// acknowledged when the answer's success is true.
func (f *STO) PushTrace(ctx context.Context, target, nu string, s Scan) (PushResult, error) {
	t := stoTraceOf(nu, s)
	t.OutBizCode = s.id(nu)
	content := string(jsonText(map[string]any{"waybillNo": nu, "linkCode": "STO", "trace": t}))
	form := url.Values{"content": {content}, "api_name": {"STO_TRACE_PLATFORM_PUSH"}, "from_appkey": {"sto_trace_platform"}}
	if f.SignPushes {
		form.Set("data_digest", md5Base64(content+f.SecretKey))
	}
	return f.Push.send(ctx, target, "application/x-www-form-urlencoded;charset=UTF-8", nil, []byte(form.Encode()), func(status int, b []byte) bool {
		var a struct {
			Success json.RawMessage `json:"success"`
		}
		if json.Unmarshal(b, &a) != nil {
			return false
		}
		ok, err := strconv.ParseBool(string(a.Success))
		if err != nil {
			ok = string(a.Success) == `"true"`
		}
		return ok
	})
}
