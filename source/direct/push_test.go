package direct

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrierfake"
	"github.com/trackpush/trackpush/clock"
	"github.com/trackpush/trackpush/source"
	"github.com/trackpush/trackpush/sqlite"
)

// pushEnv is a receiver on a real SQLite store behind a loopback server.
type pushEnv struct {
	t     *testing.T
	store *sqlite.Store
	rc    *Receiver
	srv   *httptest.Server
	clock *clock.Fake
}

func newPushEnv(t *testing.T) *pushEnv {
	t.Helper()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "push.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	fc := clock.NewFake(time.Date(2025, 6, 16, 10, 0, 0, 0, trackpush.CST))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rc := &Receiver{Store: store, Clock: fc, Log: log, Ingester: &source.Ingester{Store: store, Clock: fc, Log: log}}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/carriers/{code}/push", rc)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &pushEnv{t: t, store: store, rc: rc, srv: srv, clock: fc}
}

func (e *pushEnv) url(code, token string) string {
	u := e.srv.URL + "/v1/carriers/" + code + "/push"
	if token != "" {
		u += "?token=" + token
	}
	return u
}

// events returns the stored events of a shipment, in arrival order.
func (e *pushEnv) events(com, nu string) []trackpush.Event {
	e.t.Helper()
	_, evs, err := e.store.Shipment(ctx, com, nu)
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

func scan(at, code, desc, city string) carrierfake.Scan {
	t, _ := trackpush.ParseTime(at)
	return carrierfake.Scan{Time: t, Code: code, Desc: desc, City: city}
}

func acked(t *testing.T, what string, r carrierfake.PushResult, err error) {
	t.Helper()
	if err != nil || !r.Acked {
		t.Fatalf("%s: not acknowledged: %v %d %s", what, err, r.Status, r.Body)
	}
}

func refused(t *testing.T, what string, r carrierfake.PushResult, err error) {
	t.Helper()
	if err != nil || r.Acked {
		t.Fatalf("%s: acknowledged (or failed to send: %v): %d %s", what, err, r.Status, r.Body)
	}
}

func TestSFPush(t *testing.T) {
	e := newPushEnv(t)
	e.rc.Add(SFPush{}, []string{"shunfeng", "shunfengkuaiyun"}, "s3cret-path-token")
	f := carrierfake.NewSF("CUST01", "cw", carrierfake.Options{})
	defer f.Close()
	nu := "SF1400000000033"
	routes := []carrierfake.Scan{
		scan("2025-06-15 09:00:00", "50", "顺丰速运 已收取快件", "深圳市"),
		scan("2025-06-15 20:00:00", "30", "快件在【深圳华南集散中心】完成分拣,准备发往 【北京顺义集散中心】", "深圳市"),
		scan("2025-06-16 08:30:00", "44", "快件交给某某，正在派送途中", "北京市"),
	}
	for i := range routes {
		routes[i].ID = fmt.Sprintf("R%d", i+1) // SF's route ids
	}
	// SF does not sign its pushes: without the token they are refused, and
	// nothing is stored.
	r, err := f.PushRoutes(ctx, e.url("sf", ""), nu, routes...)
	refused(t, "no token", r, err)
	if r.Status != http.StatusForbidden || !strings.Contains(r.Body, `"return_code":"1000"`) {
		t.Fatalf("refusal: %d %s", r.Status, r.Body)
	}
	r, err = f.PushRoutes(ctx, e.url("sf", "wrong"), nu, routes...)
	refused(t, "wrong token", r, err)
	if len(e.events("shunfeng", nu)) != 0 {
		t.Fatal("a refused push stored events")
	}

	r, err = f.PushRoutes(ctx, e.url("sf", "s3cret-path-token"), nu, routes...)
	acked(t, "push", r, err)
	if r.Body != `{"return_code":"0000","return_msg":"成功"}` {
		t.Fatalf("ack %s", r.Body)
	}
	evs := e.events("shunfeng", nu)
	if len(evs) != 3 || evs[0].State != trackpush.StatePickup || evs[2].State != trackpush.StateDelivery {
		t.Fatalf("stored %+v", evs)
	}
	if evs[0].Context != "【深圳市】 顺丰速运 已收取快件" || evs[0].Area == nil || !strings.Contains(evs[0].Area.Name, "深圳市") {
		t.Fatalf("enriched %+v %+v", evs[0], evs[0].Area)
	}

	// The same routes again (SF re-pushes a route it thinks failed):
	// acknowledged, nothing new. A route with a known id but another text
	// is the same route: dropped on its id, not stored as a second event.
	r, err = f.PushRoutes(ctx, e.url("sf", "s3cret-path-token"), nu, routes...)
	acked(t, "re-push", r, err)
	again := routes[2]
	again.Desc = "快件交给某某，正在派送途中（联系电话：138****0000）"
	r, err = f.PushRoutes(ctx, e.url("sf", "s3cret-path-token"), nu, again)
	acked(t, "same id", r, err)
	if n := len(e.events("shunfeng", nu)); n != 3 {
		t.Fatalf("%d events after re-pushes, want 3", n)
	}

	// A waybill followed as shunfengkuaiyun is ingested there.
	sub := &trackpush.Subscription{AccountID: account(t, e.store).ID, Com: "shunfengkuaiyun", Nu: "SF1400000000041", CallbackURL: "http://127.0.0.1:9/cb"}
	if err := e.store.Subscribe(ctx, sub, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	r, err = f.PushRoutes(ctx, e.url("sf", "s3cret-path-token"), "SF1400000000041", routes[0])
	acked(t, "kuaiyun", r, err)
	if len(e.events("shunfengkuaiyun", "SF1400000000041")) != 1 || len(e.events("shunfeng", "SF1400000000041")) != 0 {
		t.Fatal("the push went to the wrong carrier code")
	}

	// One bad route refuses the whole push.
	bad := scan("2025-06-16 09:00:00", "80", "", "")
	r, err = f.PushRoutes(ctx, e.url("sf", "s3cret-path-token"), "SF1400000000058", routes[0], bad)
	refused(t, "no text", r, err)
	if r.Status != http.StatusBadRequest || len(e.events("shunfeng", "SF1400000000058")) != 0 {
		t.Fatalf("a push with a bad route: %d, stored %d", r.Status, len(e.events("shunfeng", "SF1400000000058")))
	}
}

func account(t *testing.T, s trackpush.Store) *trackpush.Account {
	t.Helper()
	a := &trackpush.Account{Name: "a", AppCode: "app", Key: "key", Quota: 10}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestZTOPush(t *testing.T) {
	e := newPushEnv(t)
	e.rc.Add(ZTOPush{AppKey: "app-key", AppSecret: "app-secret"}, []string{"zhongtong"}, "")
	f := carrierfake.NewZTO("app-key", "app-secret", carrierfake.Options{})
	defer f.Close()
	nu := "73100000000027"
	s := scan("2025-06-15 10:00:00", "收件", "【杭州滨江】 的 某某 已揽收", "杭州市")
	s.Action = "GOT"
	r, err := f.PushTrace(ctx, e.url("zto", ""), nu, s)
	acked(t, "push", r, err)
	if !strings.Contains(r.Body, `"status":true`) {
		t.Fatalf("ack %s", r.Body)
	}
	signed := scan("2025-06-16 09:00:00", "签收", "【杭州市】 快件已由【菜鸟驿站】代收，请及时取件", "杭州市")
	signed.Action = "DEPARTURE_SIGNED" // taken from the station: signed at a locker or station
	r, err = f.PushTrace(ctx, e.url("zto", ""), nu, signed)
	acked(t, "push", r, err)
	evs := e.events("zhongtong", nu)
	if len(evs) != 2 || evs[0].State != trackpush.StatePickup || evs[1].State != trackpush.StateSignedAtLocker {
		t.Fatalf("stored %+v", evs)
	}
	// Re-pushed: acknowledged once more, stored once.
	r, err = f.PushTrace(ctx, e.url("zto", ""), nu, s)
	acked(t, "re-push", r, err)
	if len(e.events("zhongtong", nu)) != 2 {
		t.Fatal("a re-push was stored again")
	}
	// Another secret: ZTO's data_digest does not match; refused, stored
	// nothing.
	other := carrierfake.NewZTO("app-key", "not-our-secret", carrierfake.Options{})
	defer other.Close()
	r, err = other.PushTrace(ctx, e.url("zto", ""), "73100000000035", s)
	refused(t, "wrong digest", r, err)
	if r.Status != http.StatusForbidden || !strings.Contains(r.Body, `"status":false`) || len(e.events("zhongtong", "73100000000035")) != 0 {
		t.Fatalf("wrong digest: %d %s", r.Status, r.Body)
	}
	// Another company's push, signed with our secret: refused.
	stranger := carrierfake.NewZTO("another-app", "app-secret", carrierfake.Options{})
	defer stranger.Close()
	r, err = stranger.PushTrace(ctx, e.url("zto", ""), "73100000000035", s)
	refused(t, "company_id", r, err)
}

func TestJTPush(t *testing.T) {
	e := newPushEnv(t)
	e.rc.Add(JTPush{APIAccount: "J0000000001", PrivateKey: "pk"}, []string{"jtexpress"}, "")
	f := carrierfake.NewJT("J0000000001", "pk", carrierfake.Options{})
	defer f.Close()
	nu := "JT0000000000035"
	scans := []carrierfake.Scan{
		scan("2025-06-15 10:00:00", "快件揽收", "【南京江宁网点】的某某已取件", "南京市"),
		scan("2025-06-16 09:00:00", "入库扫描", "您的快件已到达【兔喜生活超市】，请凭取件码及时领取", "南京市"),
	}
	r, err := f.PushTrace(ctx, e.url("jt", ""), nu, scans...)
	acked(t, "push", r, err)
	if !strings.Contains(r.Body, `"code":"1"`) || !strings.Contains(r.Body, `"data":"SUCCESS"`) {
		t.Fatalf("ack %s", r.Body)
	}
	evs := e.events("jtexpress", nu)
	if len(evs) != 2 || evs[1].State != trackpush.StateAtLocker {
		t.Fatalf("stored %+v", evs)
	}
	// The next push repeats the first scan: only the new one is stored.
	more := append(scans, scan("2025-06-16 18:00:00", "快件签收", "快件已签收，签收人：兔喜生活超市", "南京市"))
	r, err = f.PushTrace(ctx, e.url("jt", ""), nu, more...)
	acked(t, "second push", r, err)
	if evs := e.events("jtexpress", nu); len(evs) != 3 || evs[2].State.Basic() != trackpush.StateSigned {
		t.Fatalf("after the second push %+v", evs)
	}
	// A wrong private key: J&T sees a failure (code other than "1") and
	// retries; nothing is stored meanwhile.
	other := carrierfake.NewJT("J0000000001", "wrong", carrierfake.Options{})
	defer other.Close()
	other.Push.Retries = 2
	r, err = other.PushTrace(ctx, e.url("jt", ""), "JT0000000000043", scans...)
	refused(t, "wrong digest", r, err)
	if r.Attempts != 3 || len(e.events("jtexpress", "JT0000000000043")) != 0 {
		t.Fatalf("attempts %d, stored %d", r.Attempts, len(e.events("jtexpress", "JT0000000000043")))
	}
}

func TestSTOPush(t *testing.T) {
	e := newPushEnv(t)
	e.rc.Add(STOPush{SecretKey: "sk"}, []string{"shentong"}, "sto-token")
	f := carrierfake.NewSTO("app", "sk", carrierfake.Options{})
	defer f.Close()
	nu := "773000000000027"
	s := scan("2025-06-15 10:00:00", "收件", "【上海松江公司】的收件员【某某】已收件", "上海市")
	s.ID = "BIZ-0001"
	// Signed with data_digest (the LINK rule): the token is still the
	// endpoint's, required when configured.
	r, err := f.PushTrace(ctx, e.url("sto", "sto-token"), nu, s)
	acked(t, "push", r, err)
	if !strings.Contains(r.Body, `"success":true`) || !strings.Contains(r.Body, `"waybillNo":"`+nu+`"`) {
		t.Fatalf("ack %s", r.Body)
	}
	// STO re-pushes the same outBizCode when our answer times out, here
	// with a reworded memo: dropped on outBizCode.
	s2 := s
	s2.Desc = "【上海松江公司】的收件员【某某】已收件，感谢使用申通快递"
	r, err = f.PushTrace(ctx, e.url("sto", "sto-token"), nu, s2)
	acked(t, "re-push", r, err)
	if evs := e.events("shentong", nu); len(evs) != 1 || evs[0].State != trackpush.StatePickup {
		t.Fatalf("stored %+v", evs)
	}
	// Unsigned pushes (the digest is not confirmed for STO) need the token.
	f.SignPushes = false
	s3 := scan("2025-06-16 08:00:00", "派件", "【上海松江公司】的派件员【某某】正在为您派件", "上海市")
	r, err = f.PushTrace(ctx, e.url("sto", ""), nu, s3)
	refused(t, "unsigned, no token", r, err)
	r, err = f.PushTrace(ctx, e.url("sto", "sto-token"), nu, s3)
	acked(t, "unsigned, token", r, err)
	// A digest that does not match is refused even with the token.
	bad := carrierfake.NewSTO("app", "wrong", carrierfake.Options{})
	defer bad.Close()
	r, err = bad.PushTrace(ctx, e.url("sto", "sto-token"), nu, scan("2025-06-16 12:00:00", "签收", "已签收", "上海市"))
	refused(t, "wrong digest", r, err)
	if evs := e.events("shentong", nu); len(evs) != 2 {
		t.Fatalf("stored %d events, want 2", len(evs))
	}
}

func TestYTOPush(t *testing.T) {
	e := newPushEnv(t)
	e.rc.Add(YTOPush{PartnerID: "partner-key"}, []string{"yuantong"}, "")
	f := carrierfake.NewYTO("P", "C", "s", carrierfake.Options{})
	f.PartnerID = "partner-key"
	defer f.Close()
	nu := "YT0000000000019"
	r, err := f.PushUpdate(ctx, e.url("yto", ""), nu, scan("2025-06-15 10:00:00", "GOT", "", "深圳市"))
	acked(t, "push", r, err)
	if !strings.Contains(r.Body, "<success>true</success>") || !strings.Contains(r.Body, "<txLogisticID>TX"+nu+"</txLogisticID>") {
		t.Fatalf("ack %s", r.Body)
	}
	evs := e.events("yuantong", nu)
	if len(evs) != 1 || evs[0].State != trackpush.StatePickup || !strings.Contains(evs[0].Context, "已揽收") {
		t.Fatalf("stored %+v", evs)
	}
	r, err = f.PushUpdate(ctx, e.url("yto", ""), nu, scan("2025-06-15 10:00:00", "GOT", "", "深圳市"))
	acked(t, "re-push", r, err)
	f.PartnerID = "wrong"
	r, err = f.PushUpdate(ctx, e.url("yto", ""), nu, scan("2025-06-16 10:00:00", "SIGNED", "已签收", "北京市"))
	refused(t, "wrong digest", r, err)
	if !strings.Contains(r.Body, "<success>false</success>") || len(e.events("yuantong", nu)) != 1 {
		t.Fatalf("refusal %s", r.Body)
	}
}

func TestDepponPush(t *testing.T) {
	e := newPushEnv(t)
	e.rc.Add(DepponPush{}, []string{"debangwuliu", "debangkuaidi"}, "dp-token")
	f := carrierfake.NewDeppon("219401", "k", carrierfake.Options{})
	defer f.Close()
	nu := "DPK000000000019"
	scans := []carrierfake.Scan{
		scan("2025-06-15 10:00:00", "GOT", "您的订单已被收件员揽收", "长沙市"),
		scan("2025-06-16 09:00:00", "BACK_SIGNED", "货物已退回并签收", "长沙市"),
	}
	r, err := f.PushTraces(ctx, e.url("deppon", ""), nu, scans...)
	refused(t, "no token", r, err)
	r, err = f.PushTraces(ctx, e.url("deppon", "dp-token"), nu, scans...)
	acked(t, "push", r, err)
	if r.Body != `{"success":true,"error_code":"1000","error_msg":"成功","result":true}` {
		t.Fatalf("ack %s", r.Body)
	}
	evs := e.events("debangwuliu", nu)
	if len(evs) != 2 || evs[1].State != trackpush.StateReturned {
		t.Fatalf("stored %+v", evs)
	}
}

// TestPushNotStored: a push that cannot be stored is answered as a
// failure, so the carrier pushes it again.
func TestPushNotStored(t *testing.T) {
	e := newPushEnv(t)
	e.rc.Add(JTPush{APIAccount: "A", PrivateKey: "pk"}, []string{"jtexpress"}, "")
	f := carrierfake.NewJT("A", "pk", carrierfake.Options{})
	defer f.Close()
	e.store.Close()
	r, err := f.PushTrace(ctx, e.url("jt", ""), "JT0000000000050", scan("2025-06-15 10:00:00", "快件揽收", "已取件", "南京市"))
	refused(t, "store closed", r, err)
	if r.Status != http.StatusInternalServerError {
		t.Fatalf("status %d %s", r.Status, r.Body)
	}
	resp, err := http.Post(e.url("dhl", ""), "application/json", strings.NewReader("{}"))
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown carrier: %v %v", err, resp.Status)
	}
}

// TestSTORepushOnTimeout: STO pushes again when our answer does not come
// in time. The first push is taken but its answer is held until STO has
// given up on it; the re-push carries the same outBizCode and is
// acknowledged without a second event.
func TestSTORepushOnTimeout(t *testing.T) {
	e := newPushEnv(t)
	e.rc.Add(STOPush{SecretKey: "sk"}, []string{"shentong"}, "")
	var mu sync.Mutex
	calls := 0
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		r.SetPathValue("code", "sto")
		if !first {
			e.rc.ServeHTTP(w, r)
			return
		}
		e.rc.ServeHTTP(httptest.NewRecorder(), r) // taken and stored…
		<-r.Context().Done()                      // …but answered only after STO gave up
	}))
	defer slow.Close()
	f := carrierfake.NewSTO("app", "sk", carrierfake.Options{})
	defer f.Close()
	f.Push.Timeout, f.Push.Retries = time.Second, 3
	s := scan("2025-06-15 10:00:00", "收件", "【上海松江公司】的收件员【某某】已收件", "上海市")
	s.ID = "BIZ-7"
	r, err := f.PushTrace(ctx, slow.URL, "773000000000035", s)
	acked(t, "re-pushed", r, err)
	if r.Attempts != 2 || len(e.events("shentong", "773000000000035")) != 1 {
		t.Fatalf("%d attempts, %d events; want 2 and 1", r.Attempts, len(e.events("shentong", "773000000000035")))
	}
}
