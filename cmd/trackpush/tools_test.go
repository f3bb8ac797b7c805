package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush/callback"
)

func TestListenerFailFirstAndSign(t *testing.T) {
	var out bytes.Buffer
	salt := "s"
	l := &Listener{Salt: &salt, FailFirst: 2, Out: &out}
	srv := httptest.NewServer(l)
	defer srv.Close()
	param := `{"status":"polling","lastResult":{"state":"0","ischeck":"0","com":"ems","nu":"1136281381675","data":[{"time":"2025-01-01 10:00:00","context":"已揽收","ftime":"2025-01-01 10:00:00"}]}}`
	send := func(p, sign string) int {
		resp, err := http.PostForm(srv.URL, url.Values{"param": {p}, "sign": {sign}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	codes := []int{send(param, callback.Sign(param, salt)), send(param, callback.Sign(param, salt)), send(param, callback.Sign(param, salt))}
	if codes[0] == 200 || codes[1] == 200 || codes[2] != 200 {
		t.Fatalf("fail-first 2: %v", codes)
	}
	if send(param, callback.Sign(param, "other")) != 403 {
		t.Fatal("a bad sign must be refused")
	}
	if send(param, "") != 403 {
		t.Fatal("a missing sign must be refused")
	}
	if send(`{"status":`, callback.Sign(`{"status":`, salt)) != 400 {
		t.Fatal("an unparsable param must be refused")
	}
	if resp, err := http.Get(srv.URL); err != nil || resp.StatusCode != 405 {
		t.Fatalf("GET: %v %v", resp, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 7 || !strings.Contains(lines[0], "fail 1/2") || !strings.Contains(lines[2], "ack") || !strings.Contains(lines[2], "ems 1136281381675 state=0") || !strings.Contains(lines[2], "已揽收") {
		t.Fatalf("output:\n%s", out.String())
	}
	for i, want := range []string{"REJECTED bad sign ems 1136281381675 state=0", "REJECTED missing sign ems 1136281381675", "REJECTED unparsable param", "REJECTED GET instead of POST"} {
		if !strings.Contains(lines[3+i], want) {
			t.Errorf("line %d: %q, want %q", 4+i, lines[3+i], want)
		}
	}
	if _, err := time.Parse(time.RFC3339, strings.Fields(lines[0])[0]); err != nil {
		t.Errorf("the stamp is not RFC 3339: %v", err)
	}
}

func TestAccountCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	out, err := runCLI(t, "", "account", "create", "--db", db, "--name", "shop", "--quota", "50", "--expires", "2030-01-01T00:00:00+08:00")
	if err != nil {
		t.Fatal(err)
	}
	var a map[string]any
	if json.Unmarshal([]byte(out), &a) != nil || len(a["appcode"].(string)) != 32 || len(a["key"].(string)) != 32 || a["quota"] != 50.0 || a["expires"] == nil {
		t.Fatalf("create: %s", out)
	}
	out, err = runCLI(t, "", "account", "list", "--db", db)
	if err != nil || strings.Contains(out, a["key"].(string)) || !strings.Contains(out, `"name":"shop"`) {
		t.Fatalf("list must not show credentials: %s %v", out, err)
	}
	if out, err = runCLI(t, "", "account", "disable", "--db", db, "--id", "1"); err != nil || !strings.Contains(out, `"disabled":true`) {
		t.Fatalf("disable: %s %v", out, err)
	}
	if _, err := runCLI(t, "", "account", "disable", "--db", db, "--id", "9"); err == nil {
		t.Fatal("disabling an unknown account must fail")
	}
	for _, args := range [][]string{{"account"}, {"account", "create", "--db", db, "--name", "x"}, {"account", "nope", "--db", db}} {
		if _, err := runCLI(t, "", args...); err == nil {
			t.Errorf("%v must fail", args)
		}
	}
}
