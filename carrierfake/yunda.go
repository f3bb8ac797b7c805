package carrierfake

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
)

// Yunda fakes Yunda's trace query (carriers.md §6) — PROVISIONAL: the
// answer's shape is inferred from two SDKs that agree (no recorded answer
// exists), and Yunda's error codes are not published.
type Yunda struct {
	*server
	AppKey    string
	AppSecret string
}

// NewYunda starts a fake of Yunda's platform for one app.
func NewYunda(appKey, appSecret string, o Options) *Yunda {
	f := &Yunda{AppKey: appKey, AppSecret: appSecret}
	f.server = newServer(o, f.handle, "/openapi/outer/logictis/query")
	return f
}

// URL returns the fake's query endpoint.
func (f *Yunda) URL() string { return f.Base() + "/openapi/outer/logictis/query" }

// fail answers a refused request: result false (Yunda publishes no table
// of its codes; the fake's "-1" is not one of them).
func (f *Yunda) fail(w http.ResponseWriter, call Call, msg string) {
	call.Answer = "false"
	f.record(call)
	writeJSON(w, http.StatusOK, map[string]any{"result": false, "code": "-1", "message": msg, "data": nil})
}

func (f *Yunda) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if r.Header.Get("app-key") != f.AppKey || r.Header.Get("req-time") == "" {
		f.fail(w, Call{}, "app-key 错误")
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("sign")), []byte(md5Hex(string(body)+"_"+f.AppSecret))) != 1 {
		f.fail(w, Call{}, "签名错误")
		return
	}
	var q struct {
		MailNo string `json:"mailno"`
	}
	if json.Unmarshal(body, &q) != nil || q.MailNo == "" {
		f.fail(w, Call{}, "mailno 不能为空")
		return
	}
	type step struct {
		Time        string `json:"time"`
		Status      string `json:"status"`
		Action      string `json:"action"`
		City        string `json:"city"`
		StationName string `json:"station_name"`
		Description string `json:"description"`
	}
	steps := []step{}
	p, _ := f.parcel(q.MailNo)
	for _, s := range p.Scans {
		steps = append(steps, step{Time: s.stamp(), Action: s.Code, City: s.City, StationName: s.Site, Description: s.Desc})
	}
	f.record(Call{Numbers: []string{q.MailNo}, Answer: "true", Scans: len(steps)})
	writeJSON(w, http.StatusOK, map[string]any{"result": true, "code": "0000", "message": "成功",
		"data": map[string]any{"mailno": q.MailNo, "steps": steps}})
}
