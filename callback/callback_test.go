package callback

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func post(t *testing.T, h http.Handler, form url.Values) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var a map[string]any
	json.Unmarshal(rec.Body.Bytes(), &a)
	return rec, a
}

func TestHandlerSignRules(t *testing.T) {
	param := `{"status":"polling","lastResult":{"com":"ems","nu":"1136281381675","data":[{"time":"t","context":"c","ftime":"f","areaCode":null,"areaName":"北京,朝阳区","status":"在途"}]}}`
	salt := "s1"
	var got *Push
	h := Handler(&salt, func(_ *http.Request, p *Push) error { got = p; return nil })

	rec, a := post(t, h, url.Values{"param": {param}, "sign": {Sign(param, salt)}})
	if rec.Code != 200 || a["result"] != true || a["returnCode"] != "200" || a["message"] != "成功" {
		t.Fatalf("ack: %d %v", rec.Code, a)
	}
	d := got.Param.LastResult.Data[0]
	if got.Param.Status != "polling" || d.AreaCode != nil || d.AreaName == nil || *d.AreaName != "北京,朝阳区" || d.Status != "在途" {
		t.Fatalf("decoded %+v", got.Param)
	}
	// Lower-case hex is accepted too.
	if rec, _ := post(t, h, url.Values{"param": {param}, "sign": {strings.ToLower(Sign(param, salt))}}); rec.Code != 200 {
		t.Fatal("lower-case sign refused")
	}
	for name, form := range map[string]url.Values{
		"wrong sign":  {"param": {param}, "sign": {Sign(param, "other")}},
		"no sign":     {"param": {param}},
		"no param":    {"sign": {"x"}},
		"bad json":    {"param": {"{"}, "sign": {Sign("{", salt)}},
		"param moved": {"param": {param + " "}, "sign": {Sign(param, salt)}},
	} {
		rec, a := post(t, h, form)
		if rec.Code == 200 || a["result"] != false {
			t.Errorf("%s: answered %d %v", name, rec.Code, a)
		}
	}
	// An empty salt still signs; a nil salt does not check.
	empty := ""
	if rec, _ := post(t, Handler(&empty, func(*http.Request, *Push) error { return nil }), url.Values{"param": {param}, "sign": {Sign(param, "")}}); rec.Code != 200 {
		t.Fatal("empty salt")
	}
	if rec, _ := post(t, Handler(nil, func(*http.Request, *Push) error { return nil }), url.Values{"param": {param}}); rec.Code != 200 {
		t.Fatal("nil salt")
	}
	// A failing store answers an error so that the push is retried.
	fail := Handler(nil, func(*http.Request, *Push) error { return http.ErrAbortHandler })
	if rec, a := post(t, fail, url.Values{"param": {param}}); rec.Code != 500 || a["result"] != false {
		t.Fatalf("failing receiver: %d %v", rec.Code, a)
	}
}

func TestSignVector(t *testing.T) {
	// MD5("abc") = 900150983cd24fb0d6963f7d28e17f72
	if got := Sign("ab", "c"); got != "900150983CD24FB0D6963F7D28E17F72" {
		t.Fatalf("Sign = %s", got)
	}
}
