package carrierfake

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
)

// YTO fakes YTO's open platform (carriers.md §5): track_query_adapter on
// the new platform, and the legacy XML push (the new platform's push wire
// is not published).
type YTO struct {
	*server
	Partner  string // the partner code of the URL path
	Customer string // the customer code of the URL path
	Secret   string
	// PartnerID signs the legacy push (data_digest).
	PartnerID string
	Push      pushClient
}

// NewYTO starts a fake of YTO's platform for one partner and customer.
func NewYTO(partner, customer, secret string, o Options) *YTO {
	f := &YTO{Partner: partner, Customer: customer, Secret: secret}
	f.server = newServer(o, f.handle, "/open/{method}/{v}/{partner}/{customer}")
	return f
}

// Host returns the fake's scheme, host and port (the URL path carries the
// method and the account).
func (f *YTO) Host() string { return f.Base() }

// xmlError is YTO's XML error body.
func (f *YTO) xmlError(w http.ResponseWriter, call Call, code, reason string) {
	call.Answer = "xml-error"
	f.record(call)
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	b, _ := xml.Marshal(struct {
		XMLName xml.Name `xml:"response"`
		Success bool     `xml:"success"`
		Code    string   `xml:"code"`
		Reason  string   `xml:"reason"`
	}{Code: code, Reason: reason})
	w.Write(b)
}

func (f *YTO) handle(w http.ResponseWriter, r *http.Request) {
	method, v := r.PathValue("method"), r.PathValue("v")
	if method != "track_query_adapter" || v != "v1" {
		f.xmlError(w, Call{}, "404", "接口不存在")
		return
	}
	if r.PathValue("partner") != f.Partner || r.PathValue("customer") != f.Customer {
		f.xmlError(w, Call{}, "401", "客户编码不存在")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var req struct {
		Timestamp json.Number `json:"timestamp"`
		Param     string      `json:"param"`
		Sign      string      `json:"sign"`
		Format    string      `json:"format"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Param == "" {
		f.xmlError(w, Call{}, "400", "请求参数错误")
		return
	}
	if subtle.ConstantTimeCompare([]byte(req.Sign), []byte(md5Base64(req.Param+method+v+f.Secret))) != 1 {
		f.xmlError(w, Call{}, "401", "签名验证失败")
		return
	}
	var q map[string]string
	json.Unmarshal([]byte(req.Param), &q)
	nu := q["Number"]
	if nu == "" {
		nu = q["NUMBER"] // seen too
	}
	call := Call{Numbers: []string{nu}}
	p, ok := f.parcel(nu)
	if !ok {
		// Nothing found: an object, not an array, and success a string.
		call.Answer = "1001"
		f.record(call)
		writeJSON(w, http.StatusOK, map[string]any{"map": map[string]any{nu: []any{}}, "code": "1001", "success": "true", "message": "查询结果为空。"})
		return
	}
	type scan struct {
		WaybillNo   string  `json:"waybill_No"`
		UploadTime  string  `json:"upload_Time"`
		InfoContent string  `json:"infoContent"`
		ProcessInfo string  `json:"processInfo"`
		City        string  `json:"city"`
		District    string  `json:"district"`
		Weight      float64 `json:"weight"`
	}
	out := []scan{}
	for _, s := range p.Scans {
		out = append(out, scan{WaybillNo: nu, UploadTime: s.stamp(), InfoContent: s.Code, ProcessInfo: s.Desc, City: s.City})
	}
	call.Answer, call.Scans = "ok", len(out)
	f.record(call)
	writeJSON(w, http.StatusOK, out)
}

// ytoUpdateInfo is the legacy push's XML document.
type ytoUpdateInfo struct {
	XMLName            xml.Name `xml:"UpdateInfo"`
	LogisticProviderID string   `xml:"logisticProviderID"`
	ClientID           string   `xml:"clientID"`
	TxLogisticID       string   `xml:"txLogisticID"`
	MailNo             string   `xml:"mailNo"`
	InfoType           string   `xml:"infoType"`
	InfoContent        string   `xml:"infoContent"`
	AcceptTime         string   `xml:"acceptTime"`
	City               string   `xml:"city"`
	Remark             string   `xml:"remark"`
	OrgName            string   `xml:"orgName"`
}

// PushUpdate pushes one scan as YTO's legacy interface does: a form with
// logistics_interface (an <UpdateInfo> document), data_digest =
// Base64(MD5(xml + partnerId)), clientId and type. It counts as
// acknowledged when the XML answer's success is true.
func (f *YTO) PushUpdate(ctx context.Context, target, nu string, s Scan) (PushResult, error) {
	b, _ := xml.Marshal(ytoUpdateInfo{LogisticProviderID: "YTO", ClientID: f.Customer, TxLogisticID: "TX" + nu, MailNo: nu,
		InfoType: "STATUS", InfoContent: s.Code, AcceptTime: s.stamp(), City: s.City, Remark: s.Desc, OrgName: s.Site})
	doc := string(b)
	form := url.Values{"logistics_interface": {doc}, "data_digest": {md5Base64(doc + f.PartnerID)}, "clientId": {f.Customer}, "type": {"online"}}
	return f.Push.send(ctx, target, "application/x-www-form-urlencoded;charset=UTF-8", nil, []byte(form.Encode()), func(status int, body []byte) bool {
		var a struct {
			Success string `xml:"success"`
		}
		return xml.Unmarshal(bytes.TrimSpace(body), &a) == nil && a.Success == "true"
	})
}
