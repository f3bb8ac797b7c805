package direct

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// YundaHosts are Yunda's trace query endpoints (carriers.md §6).
var YundaHosts = map[string]string{
	Production: "https://openapi.yundaex.com/openapi/outer/logictis/query",
	Sandbox:    "https://u-openapi.yundasys.com/openapi/outer/logictis/query",
}

// Yunda is Yunda's open platform as an upstream — PROVISIONAL. The
// signing (headers app-key, req-time, sign = hex MD5(body + "_" +
// appSecret)) rests on two public implementations and matches the
// synthetic vector; the answer's fields come from two SDKs that agree,
// but no recorded answer exists, and Yunda may require a subscription
// before a waybill can be queried. Yunda's push format is not known: its
// waybills are polled.
type Yunda struct {
	URL       string
	AppKey    string
	AppSecret string
	Client    *http.Client
	Now       func() time.Time
}

// Name returns "yunda".
func (y *Yunda) Name() string { return "yunda" }

// Track queries one waybill.
func (y *Yunda) Track(ctx context.Context, q source.Query) ([]trackpush.RawEvent, error) {
	body := marshal(map[string]string{"mailno": q.Nu})
	h := http.Header{
		"App-Key":  {y.AppKey},
		"Req-Time": {nowMS(y.Now)},
		"Sign":     {YundaSign(body, y.AppSecret)},
	}
	ans, err := postJSON(ctx, y.Client, "yunda", y.URL, h, body)
	if err != nil {
		return nil, err
	}
	return parseYundaAnswer(ans)
}

// yundaActions: Yunda step actions (OLTS yunda.csv, fuzui YundaScanType).
var yundaActions = map[string]trackpush.State{
	"GOT": trackpush.StatePickup, "ACCEPT": trackpush.StatePickup, "ARRIVAL": trackpush.StateInTransit,
	"DEPARTURE": trackpush.StateInTransit, "SENT": trackpush.StateDelivery, "INBOUND": trackpush.StateAtLocker,
	"OUTBOUND": trackpush.StateSignedAtLocker, "SIGNED": trackpush.StateSigned, "SIGNFAIL": trackpush.StateDeliveryFailed,
	"RETURN": trackpush.StateReturning, "ISSUE": trackpush.StateTrouble, "REJECTION": trackpush.StateRejected,
	"TRANSFER": trackpush.StateTransfer,
}

// parseYundaAnswer reads {result, code, message, data:{steps:[…]}}.
func parseYundaAnswer(body []byte) ([]trackpush.RawEvent, error) {
	var a struct {
		Result  flexBool   `json:"result"`
		Code    flexString `json:"code"`
		Message string     `json:"message"`
		Data    *struct {
			Steps []struct {
				Time        string `json:"time"`
				Action      string `json:"action"`
				City        string `json:"city"`
				Description string `json:"description"`
			} `json:"steps"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("yunda: answer is not JSON: %.120q", body)
	}
	if !a.Result {
		return nil, fmt.Errorf("yunda: answered %s %s", a.Code, a.Message)
	}
	if a.Data == nil || len(a.Data.Steps) == 0 {
		return nil, source.ErrNoRecord
	}
	out := make([]trackpush.RawEvent, len(a.Data.Steps))
	for i, s := range a.Data.Steps {
		out[i] = rawEvent("yunda", yundaActions, s.Time, s.City, s.Description, s.Action)
	}
	return out, nil
}
