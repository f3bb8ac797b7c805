package callback_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/trackpush/trackpush/callback"
)

// A receiver that stores each push and acknowledges it.
func ExampleHandler() {
	salt := "my-salt" // the salt given when subscribing
	h := callback.Handler(&salt, func(r *http.Request, p *callback.Push) error {
		lr := p.Param.LastResult
		fmt.Println(p.Param.Status, lr.Com, lr.Nu, "state", lr.State, "events", len(lr.Data))
		if e := p.Newest(); e != nil {
			fmt.Println("newest:", e.Context)
		}
		return nil // store it first; an error makes the sender retry
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	// What trackpush sends: a form with param and sign.
	param := `{"status":"polling","billstatus":"got","message":"","autoCheck":"0","comOld":"","comNew":"",` +
		`"lastResult":{"message":"ok","state":"0","status":"200","condition":"F00","ischeck":"0","com":"yuantong","nu":"YT0000000001",` +
		`"data":[{"time":"2025-06-16 10:41:33","context":"【西安转运中心】 已收入","ftime":"2025-06-16 10:41:33"}]}}`
	form := url.Values{"param": {param}, "sign": {callback.Sign(param, salt)}}
	resp, err := http.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	fmt.Println("answered", resp.StatusCode)
	// Output:
	// polling yuantong YT0000000001 state 0 events 1
	// newest: 【西安转运中心】 已收入
	// answered 200
}

// Checking a signature by hand.
func ExampleVerify() {
	param := `{"status":"shutdown"}`
	sign := callback.Sign(param, "salt")
	fmt.Println(callback.Verify(param, sign, "salt"), callback.Verify(param, sign, "other"))
	// Output: true false
}
