package direct

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// EMSHosts are the endpoints of EMS's open platform for agreement
// customers (carriers.md §9).
var EMSHosts = map[string]string{
	Production: "https://api.ems.com.cn/amp-prod-api/f/amp/api/open",
	Sandbox:    "https://api.ems.com.cn/amp-prod-api/f/amp/api/test",
}

// EMS is EMS's open platform as an upstream — PROVISIONAL. The request and
// its SM4 envelope are verified (a published envelope reproduces byte for
// byte); the answer's fields come from one public source and no recorded
// answer exists, nor is the meaning of the request's "direction" known
// ("0" is what every client sends). EMS's push (apiCode 040002) is not
// known: its waybills are polled.
type EMS struct {
	URL           string
	SenderNo      string // the agreement customer number
	Authorization string // the authorisation code
	SignKey       string // base64 of a 16-byte key
	Client        *http.Client
	Now           func() time.Time
}

// Name returns "ems".
func (e *EMS) Name() string { return "ems" }

// Track queries one waybill (apiCode 040001).
func (e *EMS) Track(ctx context.Context, q source.Query) ([]trackpush.RawEvent, error) {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	envelope, err := EMSEnvelope(marshal(struct {
		WaybillNo string `json:"waybillNo"`
		Direction string `json:"direction"`
	}{q.Nu, "0"}), e.SignKey)
	if err != nil {
		return nil, fmt.Errorf("%w: ems: sign key: %v", source.ErrRejected, err)
	}
	form := url.Values{"apiCode": {"040001"}, "senderNo": {e.SenderNo}, "authorization": {e.Authorization},
		"timeStamp": {trackpush.FormatTime(now())}, "msgType": {"0"}, "version": {"V1.0.0"}, "logitcsInterface": {envelope}}
	body, err := postForm(ctx, e.Client, "ems", e.URL, nil, form)
	if err != nil {
		return nil, err
	}
	return parseEMSAnswer(body)
}

// emsOpCodes: the three EMS op codes carriers.md names (OLTS ems.csv has
// about 195; the rest are left to the text).
var emsOpCodes = map[string]trackpush.State{
	"203": trackpush.StatePickup,    // 收寄计费信息
	"305": trackpush.StateInTransit, // 揽投发运/封车
	"389": trackpush.StateInTransit, // 处理中心封车
}

// emsItem is one trace item.
type emsItem struct {
	OpTime    string `json:"opTime"`
	OpCode    string `json:"opCode"`
	OpName    string `json:"opName"`
	OpDesc    string `json:"opDesc"`
	OpOrgCity string `json:"opOrgCity"`
}

// parseEMSAnswer reads {retCode, retMsg, retBody}; retBody is a JSON
// string holding the items, as an array or under responseItems.
func parseEMSAnswer(body []byte) ([]trackpush.RawEvent, error) {
	var a struct {
		RetCode flexString `json:"retCode"`
		RetMsg  string     `json:"retMsg"`
		RetBody *string    `json:"retBody"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("ems: answer is not JSON: %.120q", body)
	}
	if a.RetCode != "00000" {
		return nil, fmt.Errorf("ems: answered %s %s", a.RetCode, a.RetMsg)
	}
	if a.RetBody == nil || strings.TrimSpace(*a.RetBody) == "" {
		return nil, source.ErrNoRecord
	}
	var items []emsItem
	rb := strings.TrimSpace(*a.RetBody)
	if strings.HasPrefix(rb, "[") {
		if err := json.Unmarshal([]byte(rb), &items); err != nil {
			return nil, fmt.Errorf("ems: retBody: %v", err)
		}
	} else {
		var w struct {
			ResponseItems []emsItem `json:"responseItems"`
		}
		if err := json.Unmarshal([]byte(rb), &w); err != nil {
			return nil, fmt.Errorf("ems: retBody: %v", err)
		}
		items = w.ResponseItems
	}
	if len(items) == 0 {
		return nil, source.ErrNoRecord
	}
	out := make([]trackpush.RawEvent, len(items))
	for i, it := range items {
		text := it.OpDesc
		if strings.TrimSpace(text) == "" {
			text = it.OpName
		}
		out[i] = rawEvent("ems", emsOpCodes, it.OpTime, it.OpOrgCity, text, it.OpCode)
	}
	return out, nil
}
