package direct

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// Environments of a carrier platform, the value of each carrier's --…-env
// flag: the published production or sandbox endpoint, or a URL (a fake, a
// proxy, another region such as SF's Hong Kong gateway).
const (
	Production = "production"
	Sandbox    = "sandbox"
)

// Endpoint resolves an environment to a carrier's endpoint: "" and
// "production" the production one, "sandbox" the sandbox one, an http(s)
// URL itself.
func Endpoint(env string, hosts map[string]string) (string, error) {
	switch {
	case env == "":
		env = Production
	case strings.HasPrefix(env, "http://") || strings.HasPrefix(env, "https://"):
		return env, nil
	}
	if u, ok := hosts[env]; ok {
		return u, nil
	}
	return "", fmt.Errorf("environment %q: want production, sandbox or an http(s) URL", env)
}

// maxAnswer bounds a carrier's answer (a trace of a few hundred scans is
// well under it).
const maxAnswer = 4 << 20

// post sends a request and returns the answer's body; network failures
// and 5xx answers are errors (transient), 429 is source.ErrRateLimited.
func post(ctx context.Context, client *http.Client, name, url string, header http.Header, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer resp.Body.Close()
	ans, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("%s: read answer: %w", name, err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, fmt.Errorf("%s: HTTP 429: %w", name, source.ErrRateLimited)
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("%s: HTTP %d: %.200s", name, resp.StatusCode, ans)
	}
	return ans, nil
}

// postForm posts a form (UTF-8), with the extra header given.
func postForm(ctx context.Context, client *http.Client, name, url string, header http.Header, form neturl.Values) ([]byte, error) {
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	return post(ctx, client, name, url, h, []byte(form.Encode()))
}

// postJSON posts a JSON body (UTF-8), with the extra header given.
func postJSON(ctx context.Context, client *http.Client, name, url string, header http.Header, body string) ([]byte, error) {
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json;charset=UTF-8")
	return post(ctx, client, name, url, h, []byte(body))
}

// defaultClient bounds a carrier's answer in time: the poller's lease
// outlasts it.
var defaultClient = &http.Client{Timeout: 20 * time.Second}

// marshal encodes v as compact JSON without Go's HTML escaping: the
// string signed is the string sent, and carriers' own encoders leave <, >
// and & alone (carriers.md §1.2).
func marshal(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// phoneTail returns the last four digits of a phone number, the part
// carriers check for waybills not under the merchant's account ("" when
// the number has fewer).
func phoneTail(phone string) string {
	var digits []rune
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			digits = append(digits, r)
		}
	}
	if len(digits) < 4 {
		return ""
	}
	return string(digits[len(digits)-4:])
}

// msTime formats epoch milliseconds as China Standard Time.
func msTime(ms int64) string { return trackpush.FormatTime(time.UnixMilli(ms)) }

// placed prefixes a scan text with the city it happened in, as Kuaidi100
// shows carriers' scans ("【苏州市】 快件已经到达 …"), unless the text already
// names it: the region engine reads bracketed places first.
func placed(city, text string) string {
	city = strings.TrimSpace(city)
	text = strings.TrimSpace(text)
	if city == "" || strings.Contains(text, trimAdmin(city)) {
		return text
	}
	if text == "" {
		return "【" + city + "】"
	}
	return "【" + city + "】 " + text
}

// trimAdmin drops the administrative suffix of a place name (深圳市 →
// 深圳), so that a text naming the place without it counts as naming it.
func trimAdmin(name string) string {
	for _, s := range []string{"市", "地区", "盟", "州", "县", "区"} {
		if n := strings.TrimSuffix(name, s); n != name && len([]rune(n)) >= 2 {
			return n
		}
	}
	return name
}

// flexString decodes a JSON string or number as its text: carriers send
// ids and times either way ("scanDate": 1718500000000 or "1718500000000").
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number, got %.40s", b)
	}
	*f = flexString(n.String())
	return nil
}

// flexBool decodes true, false, "true" and "false" (STO's and YTO's
// success comes either way).
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.Trim(string(b), `"`) {
	case "true":
		*f = true
	case "false", "null", "":
		*f = false
	default:
		return fmt.Errorf("want a boolean, got %.40s", b)
	}
	return nil
}

// epochMS reads epoch milliseconds written as a number or a numeric
// string; a "yyyy-MM-dd HH:mm:ss" text passes through.
func epochMS(v flexString) (string, error) {
	s := strings.TrimSpace(string(v))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return msTime(n), nil
	}
	if _, ok := trackpush.ParseTime(s); ok {
		return s, nil
	}
	return "", fmt.Errorf("time %q is neither epoch milliseconds nor yyyy-MM-dd HH:mm:ss", s)
}

// requestID returns a random UUID (version 4), for carriers that want a
// request id.
func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// nowMS returns now in epoch milliseconds as text.
func nowMS(now func() time.Time) string {
	if now == nil {
		now = time.Now
	}
	return strconv.FormatInt(now().UnixMilli(), 10)
}

// rawEvent makes a scan's raw event: its time, its text placed in its
// city, and the carrier's operation code with what it means.
func rawEvent(carrier string, codes map[string]trackpush.State, time, city, text, op string) trackpush.RawEvent {
	return trackpush.RawEvent{Time: strings.TrimSpace(time), Context: placed(city, text), Code: code(carrier, codes, op)}
}

// code returns the CarrierCode of a carrier's operation code, or nil when
// the code is not one whose meaning is known.
func code(carrier string, table map[string]trackpush.State, c string) *trackpush.CarrierCode {
	c = strings.TrimSpace(c)
	st, ok := table[c]
	if !ok {
		return nil
	}
	return &trackpush.CarrierCode{Carrier: carrier, Code: c, State: st}
}

// single asks a batching carrier for one number.
func single(ctx context.Context, b source.Batcher, q source.Query) ([]trackpush.RawEvent, error) {
	ts, err := b.TrackBatch(ctx, []source.Query{q})
	if err != nil {
		return nil, err
	}
	return ts[0].Events, ts[0].Err
}

// writeJSON writes a carrier's JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	io.WriteString(w, marshal(v))
}

// xmlRefusal reads a gateway's XML error body — STO's LINK gateway writes
// <errorCode> and <errorMsg>, YTO <code> and <reason> — as a refusal:
// these come before the API runs, for our signature or account.
func xmlRefusal(name string, b []byte) error {
	var x struct {
		ErrorCode string `xml:"errorCode"`
		ErrorMsg  string `xml:"errorMsg"`
		Code      string `xml:"code"`
		Reason    string `xml:"reason"`
	}
	if err := xml.Unmarshal(b, &x); err != nil {
		return fmt.Errorf("%s: answer is neither JSON nor XML: %.120q", name, b)
	}
	return fmt.Errorf("%w: %s %s %s", source.ErrRejected, name, x.ErrorCode+x.Code, x.ErrorMsg+x.Reason)
}
