package source

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
)

// Kuaidi100 is an upstream that speaks the original service's real-time
// query API: a form POST of customer, param and sign = upper-case hex
// MD5(param + key + customer) to query.do. Another trackpush server speaks
// it too (POST /poll/query.do).
type Kuaidi100 struct {
	URL      string // the query endpoint, e.g. https://poll.kuaidi100.com/poll/query.do
	Customer string
	Key      string
	Client   *http.Client // default: a client with a 20 s timeout
}

// Name returns "kuaidi100".
func (k *Kuaidi100) Name() string { return "kuaidi100" }

// querySign is the real-time query API's signature.
func querySign(param, key, customer string) string {
	sum := md5.Sum([]byte(param + key + customer))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// Track queries the upstream.
func (k *Kuaidi100) Track(ctx context.Context, q Query) ([]trackpush.RawEvent, error) {
	p, _ := json.Marshal(map[string]string{
		"com": q.Com, "num": q.Nu, "phone": q.Phone, "from": "", "to": "", "resultv2": "0", "show": "0", "order": "desc",
	})
	param := string(p)
	form := url.Values{"customer": {k.Customer}, "param": {param}, "sign": {querySign(param, k.Key, k.Customer)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, k.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("kuaidi100: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := k.Client
	if c == nil {
		c = &http.Client{Timeout: 20 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("kuaidi100: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("kuaidi100: read answer: %w", err)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return nil, ErrRateLimited
	}
	if resp.StatusCode >= 500 {
		return nil, fmt.Errorf("kuaidi100: HTTP %d", resp.StatusCode)
	}
	return parseQueryAnswer(body)
}

// queryAnswer is both shapes of a query.do answer: the result (status
// "200") and the failure {result: false, returnCode, message}.
type queryAnswer struct {
	Result     *bool  `json:"result"`
	ReturnCode string `json:"returnCode"`
	Message    string `json:"message"`
	Status     string `json:"status"`
	Data       []struct {
		Time    string `json:"time"`
		FTime   string `json:"ftime"`
		Context string `json:"context"`
	} `json:"data"`
}

func parseQueryAnswer(body []byte) ([]trackpush.RawEvent, error) {
	var a queryAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("kuaidi100: answer is not JSON: %.80q", body)
	}
	if a.Status == "200" {
		out := make([]trackpush.RawEvent, 0, len(a.Data))
		for _, d := range a.Data {
			t := d.Time
			if t == "" {
				t = d.FTime
			}
			out = append(out, trackpush.RawEvent{Time: t, Context: d.Context})
		}
		if len(out) == 0 {
			return nil, ErrNoRecord
		}
		return out, nil
	}
	code := a.ReturnCode
	if code == "" {
		code = a.Status // the legacy web shape: {"status":"201","message":…}
	}
	switch code {
	case trackpush.QueryNoResult, "201":
		return nil, ErrNoRecord
	case trackpush.QueryTooFrequent:
		return nil, ErrRateLimited
	case trackpush.QueryBadRequest, trackpush.QueryBadSign, trackpush.CodeUnauthorized, trackpush.CodeExpired, "408":
		return nil, fmt.Errorf("%w: %s %s", ErrRejected, code, a.Message)
	}
	return nil, fmt.Errorf("kuaidi100: answered %s %s", code, a.Message)
}
