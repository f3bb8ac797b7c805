package carrierfake

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
)

// Deppon fakes Deppon's open platform (DOP, carriers.md §11): the trace
// query newTraceQuery.action, and the trace push.
type Deppon struct {
	*server
	CompanyCode string
	AppKey      string
	Push        pushClient
}

// NewDeppon starts a fake of Deppon's platform for one company.
func NewDeppon(companyCode, appKey string, o Options) *Deppon {
	f := &Deppon{CompanyCode: companyCode, AppKey: appKey}
	f.server = newServer(o, f.handle, "/dop-interface-sync/standard-query/newTraceQuery.action", "/sandbox-web/standard-order/newTraceQuery.action")
	return f
}

// URL returns the fake's trace query endpoint.
func (f *Deppon) URL() string {
	return f.Base() + "/dop-interface-sync/standard-query/newTraceQuery.action"
}

// fail answers a refused request. Deppon publishes no table of failure
// codes; the fake answers result "false" with the reason.
func (f *Deppon) fail(w http.ResponseWriter, call Call, reason string) {
	call.Answer = "false"
	f.record(call)
	writeJSON(w, http.StatusOK, map[string]any{"result": "false", "reason": reason, "resultCode": "0", "uniquerRequestNumber": responseID()})
}

func (f *Deppon) handle(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.fail(w, Call{}, "参数错误")
		return
	}
	params, ts := r.PostForm.Get("params"), r.PostForm.Get("timestamp")
	if r.PostForm.Get("companyCode") != f.CompanyCode {
		f.fail(w, Call{}, "companyCode 不存在")
		return
	}
	// base64 of the hex text of the MD5, not of its bytes.
	want := base64.StdEncoding.EncodeToString([]byte(md5Hex(params + f.AppKey + ts)))
	if params == "" || ts == "" || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("digest")), []byte(want)) != 1 {
		f.fail(w, Call{}, "签名校验失败")
		return
	}
	var q struct {
		MailNo string `json:"mailNo"`
	}
	if json.Unmarshal([]byte(params), &q) != nil || q.MailNo == "" {
		f.fail(w, Call{}, "mailNo 不能为空")
		return
	}
	call := Call{Numbers: []string{q.MailNo}, Answer: "1000"}
	list := []depponTrace{}
	if p, ok := f.parcel(q.MailNo); ok {
		for _, s := range p.Scans {
			list = append(list, depponTraceOf(s))
		}
	}
	call.Scans = len(list)
	f.record(call)
	writeJSON(w, http.StatusOK, map[string]any{"result": "true", "reason": "", "resultCode": "1000", "uniquerRequestNumber": responseID(),
		"responseParam": map[string]any{"tracking_number": q.MailNo, "trace_list": list}})
}

// depponTrace is a scan in Deppon's shape.
type depponTrace struct {
	City        string `json:"city"`
	Description string `json:"description"`
	Site        string `json:"site"`
	Status      string `json:"status"`
	Time        string `json:"time"`
}

func depponTraceOf(s Scan) depponTrace {
	return depponTrace{City: s.City, Description: s.Desc, Site: s.Site, Status: s.Code, Time: s.stamp()}
}

// PushTraces pushes scans of a waybill as Deppon does (provisional: the
// body rests on one public handler, and whether Deppon signs it is not
// known, so the fake does not): a form with params =
// {"track_list":[{"tracking_number","trace_list":[…]}]}. It counts as
// acknowledged when the answer's success is true.
func (f *Deppon) PushTraces(ctx context.Context, target, nu string, scans ...Scan) (PushResult, error) {
	list := make([]depponTrace, len(scans))
	for i, s := range scans {
		list[i] = depponTraceOf(s)
	}
	params := string(jsonText(map[string]any{"track_list": []any{map[string]any{"tracking_number": nu, "trace_list": list}}}))
	return f.Push.send(ctx, target, "application/x-www-form-urlencoded;charset=UTF-8", nil, []byte(url.Values{"params": {params}}.Encode()), func(status int, b []byte) bool {
		var a struct {
			Success bool `json:"success"`
		}
		return json.Unmarshal(b, &a) == nil && a.Success
	})
}
