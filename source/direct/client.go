package direct

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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

// call is one HTTP exchange with a carrier.
type call struct {
	method, url string
	header      http.Header
	body        []byte
}

// do sends a request and returns the status and body of the answer;
// network failures and 5xx answers are errors (transient), 429 is
// source.ErrRateLimited.
func do(ctx context.Context, client *http.Client, name string, c call) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, bytes.NewReader(c.body))
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", name, err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s: read answer: %w", name, err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return resp.StatusCode, body, fmt.Errorf("%s: HTTP 429: %w", name, source.ErrRateLimited)
	case resp.StatusCode >= 500:
		return resp.StatusCode, body, fmt.Errorf("%s: HTTP %d: %.200s", name, resp.StatusCode, body)
	}
	return resp.StatusCode, body, nil
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
