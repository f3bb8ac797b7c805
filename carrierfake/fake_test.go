package carrierfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/clock"
)

// The fakes verify signatures with their own code. These tests send each
// fake a request built by hand from a test vector of carriers.md §12 —
// the signed input and the published digest, not a digest computed here —
// and check that it is accepted, and that the same request with the
// digest changed is refused in the carrier's error shape.

// headers makes a header from name, value pairs.
func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func post(t *testing.T, u, contentType string, header http.Header, body string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

const form = "application/x-www-form-urlencoded"

func TestSFVectors(t *testing.T) {
	// The published vector is of another service (an order query): SF's
	// platform checks the digest before the service, so a digest that
	// matches gets past A1006 to the service's own answer (A1004 here:
	// the fake serves routes only).
	for _, c := range []struct {
		name, checkWord, msgData, ts, digest, want string
	}{
		{"published", "fjcg5PGKaNpPSHFAZ4QsCOkV71R3zVci", `{"language":"zh-CN","orderId":"QIAO-20200618-004"}`, "12312334453453", "IIKJtuLVzoFTu4kHI8M8vA==", `"apiResultCode":"A1004"`},
		{"published without URL-encoding", "fjcg5PGKaNpPSHFAZ4QsCOkV71R3zVci", `{"language":"zh-CN","orderId":"QIAO-20200618-004"}`, "12312334453453", "OwYXm3XG9fjHK7A+/t7Ckw==", `"apiResultCode":"A1006"`},
		{"synthetic", "TestCheckWord0123456789abcdefAB", `{"language":"zh-CN","trackingType":1,"trackingNumber":["SF1234567890123"],"methodType":1}`, "1700000000000", "q18r0qv1ukcfyE5l/mc/8g==", `"apiResultCode":"A1000"`},
		{"synthetic without URL-encoding", "TestCheckWord0123456789abcdefAB", `{"language":"zh-CN","trackingType":1,"trackingNumber":["SF1234567890123"],"methodType":1}`, "1700000000000", "Smk3zdRlQQfSeWoXmWZM3Q==", `"apiResultCode":"A1006"`},
	} {
		f := NewSF("P1", c.checkWord, Options{})
		service := "EXP_RECE_SEARCH_ROUTES"
		if strings.Contains(c.msgData, "orderId") {
			service = "EXP_RECE_SEARCH_ORDER_RESP"
		}
		body := url.Values{"partnerID": {"P1"}, "requestID": {"r1"}, "serviceCode": {service}, "timestamp": {c.ts},
			"msgDigest": {c.digest}, "msgData": {c.msgData}}.Encode()
		if got := post(t, f.URL(), form, nil, body); !strings.Contains(got, c.want) {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
		f.Close()
	}
}

func TestSFEncoding(t *testing.T) {
	// Java's URLEncoder keeps '*' and encodes '~'; PHP's urlencode encodes
	// '*' too.
	if got := javaURLEncode("a b*c~-_.", false); got != "a+b*c%7E-_." {
		t.Errorf("java: %s", got)
	}
	if got := javaURLEncode("a b*c~", true); got != "a+b%2Ac%7E" {
		t.Errorf("php: %s", got)
	}
	f := NewSF("P1", "cw", Options{})
	defer f.Close()
	msg := `{"trackingNumber":["SF1"],"note":"a*b"}`
	php := md5Base64(javaURLEncode(msg+"1"+"cw", true))
	body := url.Values{"partnerID": {"P1"}, "requestID": {"r"}, "serviceCode": {"EXP_RECE_SEARCH_ROUTES"}, "timestamp": {"1"}, "msgDigest": {php}, "msgData": {msg}}.Encode()
	if got := post(t, f.URL(), form, nil, body); !strings.Contains(got, "A1006") {
		t.Errorf("a PHP digest, strict: %s", got)
	}
	f.AcceptPHP = true
	if got := post(t, f.URL(), form, nil, body); !strings.Contains(got, "A1000") {
		t.Errorf("a PHP digest, tolerant: %s", got)
	}
}

func TestZTOVector(t *testing.T) {
	f := NewZTO("key", "test-app-secret", Options{})
	defer f.Close()
	body := `{"billCode":"73100000000001","mobilePhone":"1234"}`
	for _, h := range []string{"x-appKey", "x-companyid"} {
		got := post(t, f.URL(), "application/json", headers(h, "key", "x-datadigest", "d5camZnHFpByZkqr/XDIVw=="), body)
		if !strings.Contains(got, `"status":true`) {
			t.Errorf("%s: %s", h, got)
		}
	}
	got := post(t, f.URL(), "application/json", headers("x-appKey", "key", "x-datadigest", "d5camZnHFpByZkqr/XDIVw=x"), body)
	if !strings.Contains(got, `"statusCode":"S211"`) || !strings.Contains(got, `"status":false`) {
		t.Errorf("bad digest: %s", got)
	}
}

func TestSTOVector(t *testing.T) {
	f := NewSTO("app", "test-secret-key", Options{})
	defer f.Close()
	v := url.Values{"content": {`{"order":"desc","waybillNoList":["773000000000001"]}`}, "data_digest": {"y4/DwGpcMjo/ftlaLHtaPQ=="},
		"api_name": {"STO_TRACE_QUERY_COMMON"}, "from_appkey": {"app"}, "from_code": {"app"}, "to_appkey": {"sto_trace_query"}, "to_code": {"sto_trace_query"}}
	if got := post(t, f.URL(), form, nil, v.Encode()); !strings.Contains(got, `"success":"true"`) {
		t.Errorf("vector: %s", got)
	}
	v.Set("data_digest", "y4/DwGpcMjo/ftlaLHtaPQ=")
	if got := post(t, f.URL(), form, nil, v.Encode()); !strings.HasPrefix(got, "<?xml") || !strings.Contains(got, "<errorMsg>") {
		t.Errorf("bad digest: %s", got)
	}
}

func TestYTOVectors(t *testing.T) {
	for _, c := range []struct{ secret, param, sign string }{
		{"123456", `{"NUMBER":"YT2600227881409"}`, "uhSL6hg8txxadZi26YPYPg=="}, // published
		{"test-secret", `{"Number":"YT0000000000001"}`, "JjE3yDfY8A+T7/IFrmkGjA=="},
	} {
		f := NewYTO("JRe9WQ", "TEST", c.secret, Options{})
		u := f.Host() + "/open/track_query_adapter/v1/JRe9WQ/TEST"
		body, _ := json.Marshal(map[string]any{"timestamp": 1700000000000, "param": c.param, "sign": c.sign, "format": "JSON"})
		if got := post(t, u, "application/json", nil, string(body)); !strings.Contains(got, `"code":"1001"`) {
			t.Errorf("%s: %s", c.param, got)
		}
		body, _ = json.Marshal(map[string]any{"timestamp": 1700000000000, "param": c.param, "sign": "x" + c.sign, "format": "JSON"})
		if got := post(t, u, "application/json", nil, string(body)); !strings.HasPrefix(got, "<response>") || !strings.Contains(got, "<reason>") {
			t.Errorf("bad sign: %s", got)
		}
		f.Close()
	}
}

func TestJTVector(t *testing.T) {
	f := NewJT("acct", "test-private-key", Options{})
	defer f.Close()
	body := url.Values{"bizContent": {`{"billCodes":"JT0000000000001"}`}}.Encode()
	h := headers("apiAccount", "acct", "timestamp", "1700000000000", "digest", "Ygso/QvYFljH+C634nJqXA==")
	if got := post(t, f.URL(), form, h, body); !strings.Contains(got, `"code":"1"`) {
		t.Errorf("vector: %s", got)
	}
	h.Set("digest", "Ygso/QvYFljH+C634nJqXA=")
	if got := post(t, f.URL(), form, h, body); strings.Contains(got, `"code":"1"`) {
		t.Errorf("bad digest: %s", got)
	}
}

func TestDepponVector(t *testing.T) {
	f := NewDeppon("C1", "test-appkey", Options{})
	defer f.Close()
	v := url.Values{"companyCode": {"C1"}, "params": {`{"mailNo":"DPK000000000001"}`}, "timestamp": {"1700000000000"},
		"digest": {"MmNjNDJkNzlkMjIyZDA4NzgxYzhkMjdjN2MwNzM3ZDY="}}
	if got := post(t, f.URL(), form, nil, v.Encode()); !strings.Contains(got, `"resultCode":"1000"`) {
		t.Errorf("vector: %s", got)
	}
	// Base64 of the raw digest instead of the hex text: refused.
	v.Set("digest", md5Base64(`{"mailNo":"DPK000000000001"}`+"test-appkey"+"1700000000000"))
	if got := post(t, f.URL(), form, nil, v.Encode()); !strings.Contains(got, `"result":"false"`) {
		t.Errorf("raw-digest base64: %s", got)
	}
}

// TestFixtures: every fixture loads, names its sources, and has parcels
// whose scans are in time order with codes and texts.
func TestFixtures(t *testing.T) {
	for _, c := range []string{"sf", "zto", "jt", "sto", "yto", "deppon", "yunda", "ems"} {
		fx, err := LoadFixture(c)
		if err != nil {
			t.Fatal(err)
		}
		if fx.Carrier != c || fx.Shape == "" || len(fx.Parcels) < 2 {
			t.Errorf("%s: %+v", c, fx)
		}
		// The answers of Yunda and EMS rest on inferred shapes.
		if provisional := c == "yunda" || c == "ems"; fx.Provisional != provisional {
			t.Errorf("%s: provisional %v", c, fx.Provisional)
		}
		b := Fixtures(c)
		for _, nu := range b.Numbers() {
			p, _ := b.Parcel(nu, time.Now())
			for i, s := range p.Scans {
				if s.Code == "" || s.Desc == "" || (i > 0 && s.Time.Before(p.Scans[i-1].Time)) {
					t.Errorf("%s %s scan %d: %+v", c, nu, i, s)
				}
			}
		}
	}
}

// TestBookClock: a parcel's scans appear as the carrier's clock passes
// them.
func TestBookClock(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, trackpush.CST)
	b := NewBook(Parcel{Nu: "X1", Scans: []Scan{{Time: t0.Add(time.Hour), Code: "b", Desc: "b"}, {Time: t0, Code: "a", Desc: "a"}}})
	fc := clock.NewFake(t0.Add(-time.Minute))
	f := NewZTO("k", "s", Options{Traces: b, Clock: fc})
	defer f.Close()
	if _, ok := f.parcel("X1"); ok {
		t.Fatal("a parcel without a scan yet is known")
	}
	fc.Set(t0.Add(30 * time.Minute))
	if p, ok := f.parcel("X1"); !ok || len(p.Scans) != 1 || p.Scans[0].Code != "a" {
		t.Fatalf("%+v", p)
	}
}

func TestYundaVector(t *testing.T) {
	f := NewYunda("999999", "test-app-secret", Options{})
	defer f.Close()
	h := headers("app-key", "999999", "req-time", "1700000000000", "sign", "48419bedf4f15823a810b675d66fd29a")
	if got := post(t, f.URL(), "application/json", h, `{"mailno":"4300000000001"}`); !strings.Contains(got, `"result":true`) {
		t.Errorf("vector: %s", got)
	}
	h.Set("sign", "48419bedf4f15823a810b675d66fd29b")
	if got := post(t, f.URL(), "application/json", h, `{"mailno":"4300000000001"}`); !strings.Contains(got, `"result":false`) {
		t.Errorf("bad sign: %s", got)
	}
}

func TestEMSVector(t *testing.T) {
	f := NewEMS("S1", "MDEyMzQ1Njc4OWFiY2RlZg==", Options{})
	defer f.Close()
	v := url.Values{"apiCode": {"040001"}, "senderNo": {"S1"}, "authorization": {"a"}, "timeStamp": {"2025-06-16 10:00:00"}, "msgType": {"0"}, "version": {"V1.0.0"},
		"logitcsInterface": {"|$4|ImkUJUd6SVUDz3sP0NMBljx+6qIPo7fM6/2QexmF7/bBEAzgMwF29by1oQ0/LbI3/vkPai/Ngto8XCYTZqKy1DJdUB/WoUhfa6ykyLZ7yWA="}}
	if got := post(t, f.URL(), form, nil, v.Encode()); !strings.Contains(got, `"retCode":"00000"`) {
		t.Errorf("vector: %s", got)
	}
	other := NewEMS("S1", "ZmVkY2JhOTg3NjU0MzIxMA==", Options{})
	defer other.Close()
	if got := post(t, other.URL(), form, nil, v.Encode()); strings.Contains(got, `"retCode":"00000"`) {
		t.Errorf("another key: %s", got)
	}
}
