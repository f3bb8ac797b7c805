package direct

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// YTOHosts are the hosts of YTO's open platform (carriers.md §5.1). The
// production host's path and port are not confirmed; the UAT host is.
var YTOHosts = map[string]string{
	Production: "https://openapi.yto.net.cn",
	Sandbox:    "https://openuat.yto56test.com:6443",
}

// YTO's track query interface: the console issues method, version and
// credentials per interface.
const (
	ytoMethod  = "track_query_adapter"
	ytoVersion = "v1"
)

// YTO is YTO's open platform as an upstream: track_query_adapter, one
// waybill per request, a JSON body {timestamp, param, sign, format} with
// sign = Base64(MD5(param + method + v + secret)) (carriers.md §5.1; the
// rule reproduces three published digests). The URL carries the partner
// and customer codes: {host}/open/track_query_adapter/v1/{partner}/{customer}.
type YTO struct {
	Host     string // scheme, host and port
	Partner  string // the partner code of the URL path
	Customer string // the customer code of the URL path
	Secret   string
	Client   *http.Client
	Now      func() time.Time
}

// Name returns "yto".
func (y *YTO) Name() string { return "yto" }

// URL returns the track query endpoint.
func (y *YTO) URL() string {
	return strings.TrimSuffix(y.Host, "/") + "/open/" + ytoMethod + "/" + ytoVersion + "/" +
		url.PathEscape(y.Partner) + "/" + url.PathEscape(y.Customer)
}

// ytoRequest is the body of a request; param is a JSON string.
type ytoRequest struct {
	Timestamp int64  `json:"timestamp"`
	Param     string `json:"param"`
	Sign      string `json:"sign"`
	Format    string `json:"format"`
}

// Track queries one waybill.
func (y *YTO) Track(ctx context.Context, q source.Query) ([]trackpush.RawEvent, error) {
	now := time.Now
	if y.Now != nil {
		now = y.Now
	}
	param := marshal(map[string]string{"Number": q.Nu})
	body := marshal(ytoRequest{Timestamp: now().UnixMilli(), Param: param, Sign: YTODigest(param, ytoMethod, ytoVersion, y.Secret), Format: "JSON"})
	ans, err := postJSON(ctx, y.Client, "yto", y.URL(), nil, body)
	if err != nil {
		return nil, err
	}
	return parseYTOAnswer(ans)
}

// ytoScan is one element of a query answer.
type ytoScan struct {
	WaybillNo   string `json:"waybill_No"`
	UploadTime  string `json:"upload_Time"`
	InfoContent string `json:"infoContent"`
	ProcessInfo string `json:"processInfo"`
	City        string `json:"city"`
}

// parseYTOAnswer reads YTO's two answer shapes: a bare array of scans
// (found), or an object {map, code, success, message} (nothing found, or
// an error); and the XML error body.
func parseYTOAnswer(body []byte) ([]trackpush.RawEvent, error) {
	b := bytes.TrimSpace(body)
	switch {
	case len(b) > 0 && b[0] == '[':
		var scans []ytoScan
		if err := json.Unmarshal(b, &scans); err != nil {
			return nil, fmt.Errorf("yto: answer: %v", err)
		}
		if len(scans) == 0 {
			return nil, source.ErrNoRecord
		}
		out := make([]trackpush.RawEvent, len(scans))
		for i, s := range scans {
			out[i] = rawEvent("yto", ytoInfoContents, s.UploadTime, s.City, s.ProcessInfo, s.InfoContent)
		}
		return out, nil
	case len(b) > 0 && b[0] == '<':
		return nil, xmlRefusal("yto", b)
	}
	var a struct {
		Code    flexString `json:"code"`
		Success flexBool   `json:"success"`
		Message string     `json:"message"`
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("yto: answer is not JSON: %.120q", body)
	}
	if a.Code == "1001" { // 查询结果为空
		return nil, source.ErrNoRecord
	}
	return nil, fmt.Errorf("yto: answered %s %s", a.Code, a.Message)
}

// YTOPush is YTO's legacy e-commerce push (carriers.md §5.2), the only
// YTO push whose wire is known (the new platform's is not found): a form
// with logistics_interface (an XML <UpdateInfo>), data_digest =
// Base64(MD5(xml + partnerId)), clientId and type; answered with an XML
// <Response> … <success>true</success>.
type YTOPush struct {
	PartnerID string // the legacy interface's partner key that signs the push
}

// Carrier returns "yto".
func (YTOPush) Carrier() string { return "yto" }

// ytoUpdateInfo is the pushed XML.
type ytoUpdateInfo struct {
	XMLName     xml.Name `xml:"UpdateInfo"`
	TxLogistic  string   `xml:"txLogisticID"`
	MailNo      string   `xml:"mailNo"`
	InfoType    string   `xml:"infoType"`
	InfoContent string   `xml:"infoContent"`
	AcceptTime  string   `xml:"acceptTime"`
	City        string   `xml:"city"`
	Remark      string   `xml:"remark"`
	OrgName     string   `xml:"orgName"`
	Name        string   `xml:"name"`
}

// ytoInfoNames are the texts of a push without a remark.
var ytoInfoNames = map[string]string{
	"GOT": "已揽收", "NOT_SEND": "揽收失败", "ARRIVAL": "已收入", "DEPARTURE": "已发出", "PACKAGE": "已打包",
	"SENT_SCAN": "派件中", "INBOUND": "已放入代收点", "SIGNED": "已签收", "FAILED": "签收失败",
}

// Read verifies data_digest and reads the push.
func (y YTOPush) Read(r *http.Request, body []byte) (*Push, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badPush("not a form: %v", err)
	}
	doc, digest := form.Get("logistics_interface"), form.Get("data_digest")
	if doc == "" || digest == "" {
		return nil, badPush("logistics_interface or data_digest missing")
	}
	if subtle.ConstantTimeCompare([]byte(digest), []byte(YTOLegacyPushDigest(doc, y.PartnerID))) != 1 {
		return nil, ErrSignature
	}
	var u ytoUpdateInfo
	if err := xml.Unmarshal([]byte(doc), &u); err != nil {
		return nil, badPush("logistics_interface: %v", err)
	}
	if u.MailNo == "" {
		return nil, badPush("UpdateInfo: no mailNo")
	}
	text := u.Remark
	if strings.TrimSpace(text) == "" {
		text = strings.TrimSpace(u.OrgName + " " + ytoInfoNames[u.InfoContent])
		if u.Name != "" && u.InfoContent == "SIGNED" {
			text += " 签收人: " + u.Name
		}
	}
	e := rawEvent("yto", ytoInfoContents, u.AcceptTime, u.City, text, u.InfoContent)
	return &Push{Signed: true, Ref: u.TxLogistic,
		Scans: []Pushed{{Nu: u.MailNo, Key: tupleKey(u.MailNo, u.AcceptTime, u.InfoContent), Event: e}}}, nil
}

// ytoAck is the legacy push's XML answer.
type ytoAck struct {
	XMLName            xml.Name `xml:"Response"`
	LogisticProviderID string   `xml:"logisticProviderID"`
	TxLogisticID       string   `xml:"txLogisticID"`
	Success            bool     `xml:"success"`
	Reason             string   `xml:"reason,omitempty"`
}

func writeYTOAck(w http.ResponseWriter, status int, a ytoAck) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	b, _ := xml.Marshal(a)
	w.Write(b)
}

// Ack answers success true.
func (YTOPush) Ack(w http.ResponseWriter, p *Push) {
	writeYTOAck(w, http.StatusOK, ytoAck{LogisticProviderID: "YTO", TxLogisticID: p.Ref, Success: true})
}

// Fail answers success false with the reason.
func (YTOPush) Fail(w http.ResponseWriter, p *Push, status int, err error) {
	a := ytoAck{LogisticProviderID: "YTO", Success: false, Reason: err.Error()}
	if p != nil {
		a.TxLogisticID = p.Ref
	}
	writeYTOAck(w, status, a)
}
