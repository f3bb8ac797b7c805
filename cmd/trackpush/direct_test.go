package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrierfake"
	"github.com/trackpush/trackpush/source/direct"
)

// fakeCarriers are the six carriers' fakes, serving their fixtures.
type fakeCarriers struct {
	sf     *carrierfake.SF
	zto    *carrierfake.ZTO
	jt     *carrierfake.JT
	sto    *carrierfake.STO
	yto    *carrierfake.YTO
	deppon *carrierfake.Deppon
	yunda  *carrierfake.Yunda
	ems    *carrierfake.EMS
}

func newFakeCarriers(t *testing.T) *fakeCarriers {
	f := &fakeCarriers{
		sf:     carrierfake.NewSF("CUST01", "sf-checkword", carrierfake.Options{Traces: carrierfake.Fixtures("sf")}),
		zto:    carrierfake.NewZTO("zto-app", "zto-secret", carrierfake.Options{Traces: carrierfake.Fixtures("zto")}),
		jt:     carrierfake.NewJT("J0000000001", "jt-key", carrierfake.Options{Traces: carrierfake.Fixtures("jt")}),
		sto:    carrierfake.NewSTO("sto-app", "sto-secret", carrierfake.Options{Traces: carrierfake.Fixtures("sto")}),
		yto:    carrierfake.NewYTO("JRe9WQ", "TEST", "yto-secret", carrierfake.Options{Traces: carrierfake.Fixtures("yto")}),
		deppon: carrierfake.NewDeppon("219401", "dp-key", carrierfake.Options{Traces: carrierfake.Fixtures("deppon")}),
		yunda:  carrierfake.NewYunda("999999", "yd-secret", carrierfake.Options{Traces: carrierfake.Fixtures("yunda")}),
		ems:    carrierfake.NewEMS("S1", "MDEyMzQ1Njc4OWFiY2RlZg==", carrierfake.Options{Traces: carrierfake.Fixtures("ems")}),
	}
	f.yto.PartnerID = "yto-push-key"
	t.Cleanup(func() {
		f.sf.Close()
		f.zto.Close()
		f.jt.Close()
		f.sto.Close()
		f.yto.Close()
		f.deppon.Close()
		f.yunda.Close()
		f.ems.Close()
	})
	return f
}

// configure points the server at the fakes, routes the six carriers to
// their adapters and enables their push endpoints.
func (f *fakeCarriers) configure(m *Main) {
	m.Config.Poll = "shunfeng=sf,zhongtong=zto,jtexpress=jt,shentong=sto,yuantong=yto,debangwuliu=deppon,yunda=yunda,ems=ems"
	c := &m.Config.Carriers
	c.SFEnv, c.SFPartnerID, c.SFCheckWord, c.SFPushToken = f.sf.URL(), "CUST01", "sf-checkword", "sf-token"
	c.ZTOEnv, c.ZTOAppKey, c.ZTOAppSecret = f.zto.URL(), "zto-app", "zto-secret"
	c.JTEnv, c.JTAPIAccount, c.JTPrivateKey = f.jt.URL(), "J0000000001", "jt-key"
	c.STOEnv, c.STOAppKey, c.STOSecretKey = f.sto.URL(), "sto-app", "sto-secret"
	c.YTOEnv, c.YTOPartner, c.YTOCustomer, c.YTOSecret, c.YTOPushKey = f.yto.Host(), "JRe9WQ", "TEST", "yto-secret", "yto-push-key"
	c.DepponEnv, c.DepponCompanyCode, c.DepponAppKey, c.DepponPushToken = f.deppon.URL(), "219401", "dp-key", "dp-token"
	c.YundaEnv, c.YundaAppKey, c.YundaAppSecret = f.yunda.URL(), "999999", "yd-secret"
	c.EMSEnv, c.EMSSenderNo, c.EMSAuthorization, c.EMSSignKey = f.ems.URL(), "S1", "auth", "MDEyMzQ1Njc4OWFiY2RlZg=="
}

// lastPush waits for a push of nu that satisfies ok and returns it.
func (h *harness) lastPush(nu string, ok func(trackpush.PushParam) bool) trackpush.PushParam {
	h.t.Helper()
	var got trackpush.PushParam
	waitFor(h.t, "a push of "+nu, func() bool {
		h.recv.mu.Lock()
		defer h.recv.mu.Unlock()
		for i := len(h.recv.all) - 1; i >= 0; i-- {
			if p := h.recv.all[i].p; p.LastResult.Nu == nu && ok(p) {
				got = p
				return true
			}
		}
		return false
	})
	return got
}

func withPhone(phone string) func(sub, map[string]any) {
	return func(s sub, p map[string]any) { p["phone"] = phone }
}

func withCompany(com string) func(sub, map[string]any) {
	return func(s sub, p map[string]any) { s["company"] = com }
}

// TestDirectCarriers follows one fixture waybill of each carrier by
// polling its fake through the adapter, end to end: subscribe, poll over
// HTTP (signed), enrich (codes reconciled with the texts), push to the
// subscriber.
func TestDirectCarriers(t *testing.T) {
	fakes := newFakeCarriers(t)
	h := newHarnessWith(t, fakes.configure)
	cases := []struct {
		com, nu, phone string
		events         int
		state          trackpush.State
	}{
		{"shunfeng", "SF7444471039325", "13800005678", 7, trackpush.StateSigned},
		{"zhongtong", "73100000000001", "13800001234", 6, trackpush.StateSignedSelf},
		{"jtexpress", "JT0000000000001", "", 6, trackpush.StateSigned},
		{"shentong", "773000000000001", "", 6, trackpush.StateSignedAtLocker},
		{"yuantong", "YT2000000000000", "", 5, trackpush.StateSignedSelf},
		{"debangwuliu", "DPK000000000001", "", 6, trackpush.StateSignedSelf},
		{"yunda", "4300000000001", "", 4, trackpush.StateSignedSelf},
		{"ems", "1100000000001", "", 4, trackpush.StateSignedSelf},
	}
	for _, c := range cases {
		h.mustSubscribe(h.subBody(c.nu, withCompany(c.com), withPhone(c.phone)))
	}
	for _, c := range cases {
		p := h.lastPush(c.nu, func(p trackpush.PushParam) bool { return p.Status == trackpush.PushShutdown })
		lr := p.LastResult
		if lr.Com != c.com || lr.IsCheck != "1" || len(lr.Data) != c.events || lr.State != c.state.String() {
			t.Errorf("%s %s: state %s ischeck %s, %d events; want %d, signed, %d events", c.com, c.nu, lr.State, lr.IsCheck, len(lr.Data), c.state, c.events)
			continue
		}
		oldest := lr.Data[len(lr.Data)-1]
		if oldest.StatusCode != "1" || oldest.AreaCode == nil || *oldest.AreaCode == "" {
			t.Errorf("%s: oldest event %+v, want picked up (1) in a known area", c.com, oldest)
		}
	}
	// The phone's last four digits went to SF and ZTO.
	if calls := fakes.sf.Calls(); len(calls) == 0 || calls[0].Phone != "5678" {
		t.Errorf("SF calls %+v", calls)
	}
	if calls := fakes.zto.Calls(); len(calls) == 0 || calls[0].Phone != "1234" {
		t.Errorf("ZTO calls %+v", calls)
	}
}

// TestDirectPushes: each carrier pushes a scan of a subscribed waybill to
// POST /v1/carriers/{code}/push: verified, acknowledged in the carrier's
// format, deduplicated, and pushed on to the subscriber; a push with a
// wrong signature (or token) is refused in the carrier's format and stores
// nothing.
func TestDirectPushes(t *testing.T) {
	fakes := newFakeCarriers(t)
	h := newHarnessWith(t, fakes.configure)
	base := h.m.URL() + "/v1/carriers/"
	at := func(s string) time.Time { tm, _ := trackpush.ParseTime(s); return tm }
	picked := func(code, desc string) carrierfake.Scan {
		return carrierfake.Scan{Time: at("2025-06-16 08:00:00"), Code: code, Desc: desc, City: "杭州市"}
	}
	ctx := context.Background()
	wrongZTO := carrierfake.NewZTO("zto-app", "not-the-secret", carrierfake.Options{})
	wrongJT := carrierfake.NewJT("J0000000001", "not-the-key", carrierfake.Options{})
	wrongSTO := carrierfake.NewSTO("sto-app", "not-the-secret", carrierfake.Options{})
	defer wrongZTO.Close()
	defer wrongJT.Close()
	defer wrongSTO.Close()
	cases := []struct {
		com, nu, phone string
		push, wrong    func(nu string) (carrierfake.PushResult, error)
		ack            string // a part of the carrier's acknowledgement
	}{
		{"shunfeng", "SF1500000000011", "13800000000",
			func(nu string) (carrierfake.PushResult, error) {
				return fakes.sf.PushRoutes(ctx, base+"sf/push?token=sf-token", nu, picked("50", "顺丰速运 已收取快件"))
			},
			func(nu string) (carrierfake.PushResult, error) {
				return fakes.sf.PushRoutes(ctx, base+"sf/push?token=guess", nu, picked("50", "顺丰速运 已收取快件"))
			}, `"return_code":"0000"`},
		{"zhongtong", "73100000000043", "13800000000",
			func(nu string) (carrierfake.PushResult, error) {
				return fakes.zto.PushTrace(ctx, base+"zto/push", nu, picked("GOT", "【杭州滨江】 的 某某 已揽收"))
			},
			func(nu string) (carrierfake.PushResult, error) {
				return wrongZTO.PushTrace(ctx, base+"zto/push", nu, picked("GOT", "【杭州滨江】 的 某某 已揽收"))
			}, `"status":true`},
		{"jtexpress", "JT0000000000043", "",
			func(nu string) (carrierfake.PushResult, error) {
				return fakes.jt.PushTrace(ctx, base+"jt/push", nu, picked("快件揽收", "【杭州滨江网点】的某某已取件"))
			},
			func(nu string) (carrierfake.PushResult, error) {
				return wrongJT.PushTrace(ctx, base+"jt/push", nu, picked("快件揽收", "【杭州滨江网点】的某某已取件"))
			}, `"code":"1"`},
		{"shentong", "773000000000043", "",
			func(nu string) (carrierfake.PushResult, error) {
				return fakes.sto.PushTrace(ctx, base+"sto/push", nu, picked("收件", "【杭州滨江公司】的收件员【某某】已收件"))
			},
			func(nu string) (carrierfake.PushResult, error) {
				return wrongSTO.PushTrace(ctx, base+"sto/push", nu, picked("收件", "【杭州滨江公司】的收件员【某某】已收件"))
			}, `"success":true`},
		{"yuantong", "YT0000000000043", "",
			func(nu string) (carrierfake.PushResult, error) {
				return fakes.yto.PushUpdate(ctx, base+"yto/push", nu, picked("GOT", "【浙江省杭州市滨江区公司】 已揽收"))
			},
			func(nu string) (carrierfake.PushResult, error) {
				y := *fakes.yto
				y.PartnerID = "not-the-key"
				return y.PushUpdate(ctx, base+"yto/push", nu, picked("GOT", "【浙江省杭州市滨江区公司】 已揽收"))
			}, `<success>true</success>`},
		{"debangwuliu", "DPK000000000043", "",
			func(nu string) (carrierfake.PushResult, error) {
				return fakes.deppon.PushTraces(ctx, base+"deppon/push?token=dp-token", nu, picked("GOT", "您的订单已被收件员揽收,【杭州滨江营业部】库存中"))
			},
			func(nu string) (carrierfake.PushResult, error) {
				return fakes.deppon.PushTraces(ctx, base+"deppon/push", nu, picked("GOT", "您的订单已被收件员揽收,【杭州滨江营业部】库存中"))
			}, `"success":true`},
	}
	for _, c := range cases {
		t.Run(c.com, func(t *testing.T) {
			h.mustSubscribe(h.subBody(c.nu, withCompany(c.com), withPhone(c.phone)))
			// Refused: the carrier's failure answer, nothing stored.
			r, err := c.wrong(c.nu)
			if err != nil || r.Acked || r.Status != 403 {
				t.Fatalf("wrong signature: %v acked=%v %d %s", err, r.Acked, r.Status, r.Body)
			}
			if _, evs, _ := h.m.Store.Shipment(ctx, c.com, c.nu); len(evs) != 0 {
				t.Fatalf("a refused push stored %d events", len(evs))
			}
			// Taken, acknowledged, pushed on.
			r, err = c.push(c.nu)
			if err != nil || !r.Acked || !strings.Contains(r.Body, c.ack) {
				t.Fatalf("push: %v acked=%v %d %s", err, r.Acked, r.Status, r.Body)
			}
			p := h.lastPush(c.nu, func(p trackpush.PushParam) bool { return len(p.LastResult.Data) > 0 })
			if d := p.LastResult.Data; len(d) != 1 || d[0].StatusCode != "1" || d[0].AreaCode == nil || !strings.HasPrefix(*d[0].AreaCode, "CN3301") {
				t.Fatalf("pushed on: %+v", d)
			}
			// A re-push: acknowledged again, nothing new, no new push.
			sub := h.subscriptionOf(c.nu)
			r, err = c.push(c.nu)
			if err != nil || !r.Acked {
				t.Fatalf("re-push: %v %s", err, r.Body)
			}
			if again := h.subscriptionOf(c.nu); again.Push.Version != sub.Push.Version {
				t.Fatalf("a re-push made a new version: %d → %d", sub.Push.Version, again.Push.Version)
			}
		})
	}
}

// TestDirectRateLimit: with SF's sandbox rate the server keeps under the
// sandbox's 30 calls a second, counted by the fake on the real clock: the
// fake never answers A1005 however many shipments are due at once. (The
// limit is a ceiling, so a slow machine only makes the margin larger.)
// Each shipment has its own phone, so none can share a request.
func TestDirectRateLimit(t *testing.T) {
	fakes := newFakeCarriers(t)
	book := carrierfake.NewBook()
	for i := 0; i < 45; i++ {
		tm, _ := trackpush.ParseTime("2025-06-15 10:00:00")
		book.Add(carrierfake.Parcel{Nu: fmt.Sprintf("SF16%011d", i), Scans: []carrierfake.Scan{{Time: tm, Code: "50", Desc: "顺丰速运 已收取快件", City: "深圳市"}}})
	}
	fakes.sf.Close()
	fakes.sf = carrierfake.NewSF("CUST01", "sf-checkword", carrierfake.Options{Traces: book})
	defer fakes.sf.Close()
	h := newHarnessWith(t, func(m *Main) {
		fakes.configure(m)
		m.Config.PollRate = fmt.Sprintf("sf=%d", 25) // what --sf-env sandbox sets
	})
	for i := 0; i < 45; i++ {
		h.mustSubscribe(h.subBody(fmt.Sprintf("SF16%011d", i), withCompany("shunfeng"), withPhone(fmt.Sprintf("138000%05d", i))))
	}
	waitFor(t, "45 queries", func() bool { return len(fakes.sf.Calls()) >= 45 })
	for _, c := range fakes.sf.Calls() {
		if c.Answer != "A1000" || len(c.Numbers) != 1 {
			t.Fatalf("a call answered %s for %d waybills", c.Answer, len(c.Numbers))
		}
	}
	// And the default: --sf-env sandbox sets the rate itself.
	var cfg Config
	bindConfig(newFlagSet("x", nil), &cfg)
	cfg.Carriers.SFEnv = "sandbox"
	if r := cfg.Carriers.defaultRate("sf"); r != 25 {
		t.Fatalf("sandbox default rate %v", r)
	}
}

// TestCarriersConfig: the carriers' settings are validated and a bad one
// is named.
func TestCarriersConfig(t *testing.T) {
	cases := []struct {
		name  string
		set   func(c *Config)
		error string
	}{
		{"unknown upstream", func(c *Config) { c.Poll = "shunfeng=dhl" }, `unknown upstream "dhl"`},
		{"wrong carrier", func(c *Config) { c.Poll = "yuantong=sf" }, "the sf adapter serves shunfeng, shunfengkuaiyun"},
		{"every carrier", func(c *Config) { c.Poll = "*=zto" }, "the zto adapter serves zhongtong"},
		{"no credentials", func(c *Config) { c.Poll = "shunfeng=sf" }, "sf needs --sf-partner-id, --sf-checkword"},
		{"half the credentials", func(c *Config) { c.Poll = "zhongtong=zto"; c.Carriers.ZTOAppKey = "k" }, "zto needs --zto-app-secret"},
		{"bad environment", func(c *Config) { c.Carriers.JTEnv = "staging" }, `jt-env: environment "staging"`},
		{"token without secret", func(c *Config) { c.Carriers.YTOPushToken = "t" }, "yto-push-token"},
		{"EMS key", func(c *Config) {
			c.Poll = "ems=ems"
			c.Carriers.EMSSenderNo, c.Carriers.EMSAuthorization, c.Carriers.EMSSignKey = "s", "a", "c2hvcnQ="
		}, "--ems-sign-key is not base64 of a 16-byte key"},
		{"fine", func(c *Config) {
			c.Poll = "shunfeng=sf,shunfengkuaiyun=sf"
			c.Carriers.SFPartnerID, c.Carriers.SFCheckWord, c.Carriers.SFEnv = "p", "c", "sandbox"
		}, ""},
	}
	for _, tc := range cases {
		var c Config
		bindConfig(newFlagSet("x", nil), &c)
		tc.set(&c)
		err := c.Validate()
		if tc.error == "" && err != nil || tc.error != "" && (err == nil || !strings.Contains(err.Error(), tc.error)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.error)
		}
	}
}

// TestCarrierPushEndpoint: the endpoint exists only for enabled carriers,
// and answers in JSON otherwise.
func TestCarrierPushEndpoint(t *testing.T) {
	h := newHarnessWith(t, func(m *Main) { m.Config.Carriers.SFPushToken = "t" })
	code, b := h.do("POST", "/v1/carriers/zto/push", "application/x-www-form-urlencoded", "", strings.NewReader("data=x"))
	var e map[string]string
	if code != 404 || json.Unmarshal(b, &e) != nil || !strings.Contains(e["error"], `"zto"`) {
		t.Fatalf("zto not enabled: %d %s", code, b)
	}
	code, b = h.do("POST", "/v1/carriers/sf/push?token=t", "application/json", "", strings.NewReader("not json"))
	if code != 400 || !strings.Contains(string(b), `"return_code":"1000"`) {
		t.Fatalf("sf, bad body: %d %s", code, b)
	}
	h2 := newHarness(t)
	if code, _ := h2.do("POST", "/v1/carriers/sf/push", "application/json", "", strings.NewReader("{}")); code != 404 {
		t.Fatalf("no carrier enabled: %d", code)
	}
}

// TestCarrierSecretsFromEnv: carrier settings come from TRACKPUSH_*
// variables, secrets also from TRACKPUSH_*_FILE.
func TestCarrierSecretsFromEnv(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/checkword"
	if err := os.WriteFile(file, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TRACKPUSH_SF_CHECKWORD_FILE", file)
	t.Setenv("TRACKPUSH_SF_PARTNER_ID", "CUST9")
	t.Setenv("TRACKPUSH_SF_ENV", "sandbox")
	t.Setenv("TRACKPUSH_ZTO_APP_SECRET", "zs")
	var c Config
	bindConfig(newFlagSet("x", nil), &c)
	if c.Carriers.SFCheckWord != "from-a-file" || c.Carriers.SFPartnerID != "CUST9" || c.Carriers.SFEnv != "sandbox" || c.Carriers.ZTOAppSecret != "zs" {
		t.Fatalf("%+v", c.Carriers)
	}
	u, err := c.Carriers.upstream("sf")
	if err != nil || u.(*direct.SF).URL != direct.SFHosts[direct.Sandbox] {
		t.Fatalf("sandbox upstream: %v %+v", err, u)
	}
}
