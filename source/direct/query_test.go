package direct

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrierfake"
	"github.com/trackpush/trackpush/clock"
	"github.com/trackpush/trackpush/source"
)

var ctx = context.Background()

// want is what a query must yield for one scan.
type want struct {
	time    string
	context string // a part of the text
	code    string // the operation code carried ("" : none)
	state   trackpush.State
}

func checkEvents(t *testing.T, got []trackpush.RawEvent, ws []want) {
	t.Helper()
	if len(got) != len(ws) {
		t.Fatalf("%d events, want %d: %+v", len(got), len(ws), got)
	}
	for i, w := range ws {
		e := got[i]
		if e.Time != w.time || !strings.Contains(e.Context, w.context) {
			t.Errorf("event %d: %s %q, want %s …%s…", i, e.Time, e.Context, w.time, w.context)
		}
		switch {
		case w.code == "" && e.Code != nil:
			t.Errorf("event %d: code %+v, want none", i, e.Code)
		case w.code != "" && (e.Code == nil || e.Code.Code != w.code || e.Code.State != w.state):
			t.Errorf("event %d: code %+v, want %s → %d", i, e.Code, w.code, w.state)
		}
	}
}

// fixedNow is the adapters' clock in these tests: the timestamps sent are
// those of the synthetic vectors.
func fixedNow() time.Time { return time.UnixMilli(1700000000000) }

func TestSFQuery(t *testing.T) {
	f := carrierfake.NewSF("CUST01", "TestCheckWord0123456789abcdefAB", carrierfake.Options{Traces: carrierfake.Fixtures("sf")})
	defer f.Close()
	sf := &SF{URL: f.URL(), PartnerID: "CUST01", CheckWord: "TestCheckWord0123456789abcdefAB", Now: fixedNow}

	// A batch: two known waybills and an unknown one, with a phone.
	qs := []source.Query{{Com: "shunfeng", Nu: "SF7444471039325", Phone: "13800005678"}, {Com: "shunfeng", Nu: "SF9999999999999", Phone: "13800005678"},
		{Com: "shunfeng", Nu: "SF1400000000017", Phone: "0755-22225678"}}
	got, err := sf.TrackBatch(ctx, qs)
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, got[0].Events, []want{
		{"2023-09-15 15:46:15", "【深圳市】 顺丰速运 已收取快件", "50", trackpush.StatePickup},
		{"2023-09-15 18:20:03", "准备发往 【深圳华南集散中心】", "30", 0},
		{"2023-09-15 21:02:47", "快件到达 【深圳华南集散中心】", "31", 0},
		{"2023-09-16 02:15:10", "【深圳华南集散中心】完成分拣", "30", 0},
		{"2023-09-16 16:40:31", "快件到达 【杭州萧山集散中心】", "31", 0},
		{"2023-09-17 07:58:02", "正在派送途中", "44", trackpush.StateDelivery},
		{"2023-09-17 11:20:45", "您的快件已签收", "80", trackpush.StateSigned},
	})
	if !errors.Is(got[1].Err, source.ErrNoRecord) || len(got[2].Events) != 7 {
		t.Fatalf("unknown: %v; second: %d events", got[1].Err, len(got[2].Events))
	}
	calls := f.Calls()
	if len(calls) != 1 || len(calls[0].Numbers) != 3 || calls[0].Phone != "5678" || calls[0].Answer != "A1000" {
		t.Fatalf("calls %+v: want one request of 3 waybills with checkPhoneNo 5678", calls)
	}

	// The msgData of one waybill is §12.B's SF vector input, byte for byte.
	if got := sfMsgData([]string{"SF1234567890123"}, ""); got != `{"language":"zh-CN","trackingType":1,"trackingNumber":["SF1234567890123"],"methodType":1}` {
		t.Fatalf("msgData %s", got)
	}

	// SF's limit: at most 10 waybills, refused before sending; the fake
	// refuses 11 with 8003 too.
	var many []source.Query
	for i := 0; i < 11; i++ {
		many = append(many, source.Query{Nu: fmt.Sprintf("SF%013d", i)})
	}
	if _, err := sf.TrackBatch(ctx, many); err == nil {
		t.Fatal("11 waybills were sent")
	}
	raw := &sfRaw{sf}
	if _, err := raw.trackBatchUnchecked(ctx, many); !errors.Is(err, source.ErrRejected) || !strings.Contains(err.Error(), "8003") {
		t.Fatalf("the fake's answer to 11 waybills: %v", err)
	}

	// A wrong checkword: A1006, refused, nothing to retry soon.
	bad := &SF{URL: f.URL(), PartnerID: "CUST01", CheckWord: "wrong"}
	if _, err := bad.Track(ctx, qs[0]); !errors.Is(err, source.ErrRejected) || !strings.Contains(err.Error(), "A1006") {
		t.Fatalf("wrong checkword: %v", err)
	}
}

// sfRaw sends a route query without the adapter's own limit check, to see
// the carrier's answer to too many waybills.
type sfRaw struct{ *SF }

func (s *sfRaw) trackBatchUnchecked(ctx context.Context, qs []source.Query) (map[string][]trackpush.RawEvent, error) {
	var numbers []string
	for _, q := range qs {
		numbers = append(numbers, q.Nu)
	}
	form := sfForm(s.PartnerID, s.CheckWord, "EXP_RECE_SEARCH_ROUTES", sfMsgData(numbers, ""), nowMS(s.Now))
	body, err := postForm(ctx, nil, "sf", s.URL, nil, form)
	if err != nil {
		return nil, err
	}
	return parseSFAnswer(body)
}

// TestSFRateLimit: over the sandbox's 30 calls a second SF answers A1005,
// which the adapter reports as ErrRateLimited (the poller then pauses the
// upstream). The fake counts on its own clock, frozen here.
func TestSFRateLimit(t *testing.T) {
	fc := clock.NewFake(time.Date(2025, 6, 16, 10, 0, 0, 0, trackpush.CST))
	f := carrierfake.NewSF("CUST01", "cw", carrierfake.Options{Traces: carrierfake.Fixtures("sf"), Clock: fc})
	defer f.Close()
	sf := &SF{URL: f.URL(), PartnerID: "CUST01", CheckWord: "cw"}
	q := source.Query{Com: "shunfeng", Nu: "SF1400000000025"}
	for i := 0; i < carrierfake.SFSandboxPerSecond; i++ {
		if _, err := sf.Track(ctx, q); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if _, err := sf.Track(ctx, q); !errors.Is(err, source.ErrRateLimited) {
		t.Fatalf("call 31 in one second: %v", err)
	}
	fc.Advance(time.Second)
	if _, err := sf.Track(ctx, q); err != nil {
		t.Fatalf("the next second: %v", err)
	}
	// The daily quota.
	f.SetLimits(0, 2)
	fc.Advance(24 * time.Hour)
	sf.Track(ctx, q)
	sf.Track(ctx, q)
	if _, err := sf.Track(ctx, q); !errors.Is(err, source.ErrRateLimited) {
		t.Fatalf("over the daily quota: %v", err)
	}
}

func TestZTOQuery(t *testing.T) {
	// The fake's clock is frozen: its per-second limit is counted on it.
	fc := clock.NewFake(time.Date(2025, 6, 16, 10, 0, 0, 0, trackpush.CST))
	f := carrierfake.NewZTO("app-key", "test-app-secret", carrierfake.Options{Traces: carrierfake.Fixtures("zto"), Clock: fc})
	defer f.Close()
	z := &ZTO{URL: f.URL(), AppKey: "app-key", AppSecret: "test-app-secret"}
	// The request body of this query is §12.B's ZTO vector input.
	evs, err := z.Track(ctx, source.Query{Com: "zhongtong", Nu: "73100000000001", Phone: "+86 138 0000 1234"})
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, evs, []want{
		{"2025-06-09 17:20:11", "【金华市】 【义乌北苑】", "收件", trackpush.StatePickup},
		{"2025-06-09 21:35:40", "快件离开 【义乌北苑】", "发件", 0},
		{"2025-06-10 02:11:09", "快件已经到达 【义乌转运中心】", "到件", 0},
		{"2025-06-11 05:48:30", "快件已经到达 【南京转运中心】", "到件", 0},
		{"2025-06-11 08:02:17", "正在第1次派件", "派件", trackpush.StateDelivery},
		{"2025-06-11 11:30:00", "签收人: 本人", "签收", trackpush.StateSigned},
	})
	if c := f.Calls(); len(c) != 1 || c[0].Phone != "1234" {
		t.Fatalf("calls %+v: want mobilePhone 1234", c)
	}
	if body := marshal(ztoQuery{BillCode: "73100000000001", MobilePhone: "1234"}); ZTODigest(body, "test-app-secret") != "d5camZnHFpByZkqr/XDIVw==" {
		t.Fatalf("body %s is not the vector's input", body)
	}
	// The phone check: missing (E413) and wrong (E409) are refusals.
	for _, phone := range []string{"", "13800009999"} {
		if _, err := z.Track(ctx, source.Query{Nu: "73100000000001", Phone: phone}); !errors.Is(err, source.ErrRejected) {
			t.Errorf("phone %q: %v", phone, err)
		}
	}
	// No phone needed; no scan: no record.
	if evs, err := z.Track(ctx, source.Query{Nu: "73100000000019"}); err != nil || len(evs) != 3 || evs[2].Code.State != trackpush.StateTrouble {
		t.Fatalf("73100000000019: %v %+v", err, evs)
	}
	if _, err := z.Track(ctx, source.Query{Nu: "73199999999999"}); !errors.Is(err, source.ErrNoRecord) {
		t.Fatalf("unknown: %v", err)
	}
	bad := &ZTO{URL: f.URL(), AppKey: "app-key", AppSecret: "wrong"}
	if _, err := bad.Track(ctx, source.Query{Nu: "73100000000019"}); !errors.Is(err, source.ErrRejected) || !strings.Contains(err.Error(), "S211") {
		t.Fatalf("wrong secret: %v", err)
	}
	f.PerSecond = 1
	if _, err := z.Track(ctx, source.Query{Nu: "73100000000019"}); err != nil {
		t.Fatal(err)
	}
	if _, err := z.Track(ctx, source.Query{Nu: "73100000000019"}); !errors.Is(err, source.ErrRateLimited) {
		t.Fatalf("over ZTO's QPS: %v, want S221 as ErrRateLimited", err)
	}
}

func TestJTQuery(t *testing.T) {
	f := carrierfake.NewJT("J0000000001", "test-private-key", carrierfake.Options{Traces: carrierfake.Fixtures("jt")})
	f.UUID = "sandbox-uuid"
	defer f.Close()
	j := &JT{URL: f.URL(), APIAccount: "J0000000001", PrivateKey: "test-private-key", UUID: "sandbox-uuid"}
	got, err := j.TrackBatch(ctx, []source.Query{{Nu: "JT0000000000001"}, {Nu: "JT0000000000019"}, {Nu: "JT0000000000027"}})
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, got[0].Events, []want{
		{"2025-06-08 19:10:00", "【南京江宁网点】的某某已取件", "快件揽收", trackpush.StatePickup},
		{"2025-06-08 22:35:00", "已发往【南京转运中心】", "发件扫描", 0},
		{"2025-06-09 01:10:00", "快件到达【南京转运中心】", "到件扫描", 0},
		{"2025-06-10 06:20:00", "快件到达【广州转运中心】", "到件扫描", 0},
		{"2025-06-10 09:05:00", "正在为您派件", "出仓扫描", trackpush.StateDelivery},
		{"2025-06-10 14:40:00", "快件已签收", "快件签收", trackpush.StateSigned},
	})
	if len(got[1].Events) != 2 || !errors.Is(got[2].Err, source.ErrNoRecord) {
		t.Fatalf("second %+v third %v", got[1], got[2].Err)
	}
	// The biz content of one waybill is §12.B's J&T vector input.
	if biz := marshal(map[string]string{"billCodes": "JT0000000000001"}); JTDigest(biz, "test-private-key") != "Ygso/QvYFljH+C634nJqXA==" {
		t.Fatalf("bizContent %s is not the vector's input", biz)
	}
	// 30 waybills in one request; 31 refused before sending.
	var qs []source.Query
	for i := 0; i < 31; i++ {
		qs = append(qs, source.Query{Nu: fmt.Sprintf("JT%013d", i)})
	}
	if _, err := j.TrackBatch(ctx, qs[:30]); err != nil {
		t.Fatal(err)
	}
	if c := f.Calls(); len(c[len(c)-1].Numbers) != 30 {
		t.Fatalf("last call: %+v", c[len(c)-1])
	}
	if _, err := j.TrackBatch(ctx, qs); err == nil {
		t.Fatal("31 waybills were sent")
	}
	bad := &JT{URL: f.URL(), APIAccount: "J0000000001", PrivateKey: "wrong", UUID: "sandbox-uuid"}
	if _, err := bad.Track(ctx, qs[0]); err == nil || errors.Is(err, source.ErrNoRecord) {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestSTOQuery(t *testing.T) {
	f := carrierfake.NewSTO("app", "test-secret-key", carrierfake.Options{Traces: carrierfake.Fixtures("sto")})
	defer f.Close()
	s := &STO{URL: f.URL(), AppKey: "app", SecretKey: "test-secret-key"}
	evs, err := s.Track(ctx, source.Query{Nu: "773000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	// The fake answers newest first (order desc), as asked.
	checkEvents(t, evs, []want{
		{"2025-06-09 18:45:00", "签收人凭取货码签收", "签收", trackpush.StateSigned},
		{"2025-06-09 11:10:00", "【菜鸟驿站】代收", "驿站代收", trackpush.StateAtLocker},
		{"2025-06-09 08:30:00", "正在为您派件", "派件", trackpush.StateDelivery},
		{"2025-06-08 23:05:00", "快件已到达【济南转运中心】", "到件", 0},
		{"2025-06-07 20:15:00", "快件由【上海松江公司】发往【上海转运中心】", "发件", 0},
		{"2025-06-07 16:30:00", "的收件员【某某】已收件", "收件", trackpush.StatePickup},
	})
	if content := marshal(stoQuery{Order: "desc", WaybillNoList: []string{"773000000000001"}}); STODigest(content, "test-secret-key") != "y4/DwGpcMjo/ftlaLHtaPQ==" {
		t.Fatalf("content %s is not the vector's input", content)
	}
	if _, err := s.Track(ctx, source.Query{Nu: "773999999999999"}); !errors.Is(err, source.ErrNoRecord) {
		t.Fatalf("unknown: %v", err)
	}
	// A wrong key: the gateway's XML error body.
	bad := &STO{URL: f.URL(), AppKey: "app", SecretKey: "wrong"}
	if _, err := bad.Track(ctx, source.Query{Nu: "773000000000001"}); !errors.Is(err, source.ErrRejected) || !strings.Contains(err.Error(), "签名校验失败") {
		t.Fatalf("wrong key: %v", err)
	}
	if c := f.Calls(); c[len(c)-1].Answer != "xml-error" {
		t.Fatalf("the fake answered %+v", c[len(c)-1])
	}
}

func TestYTOQuery(t *testing.T) {
	f := carrierfake.NewYTO("JRe9WQ", "TEST", "test-secret", carrierfake.Options{Traces: carrierfake.Fixtures("yto")})
	defer f.Close()
	y := &YTO{Host: f.Host(), Partner: "JRe9WQ", Customer: "TEST", Secret: "test-secret"}
	if y.URL() != f.Host()+"/open/track_query_adapter/v1/JRe9WQ/TEST" {
		t.Fatalf("URL %s", y.URL())
	}
	evs, err := y.Track(ctx, source.Query{Nu: "YT2000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, evs, []want{
		{"2023-04-24 20:37:33", "您的快件被【浙江省金华市义乌市上溪镇】揽收", "GOT", trackpush.StatePickup},
		{"2023-04-24 23:58:10", "已发往【义乌转运中心】", "DEPARTURE", 0},
		{"2023-04-26 04:12:44", "您的快件已经到达【北京转运中心】", "ARRIVAL", 0},
		{"2023-04-26 09:30:02", "派件中", "SENT_SCAN", trackpush.StateDelivery},
		{"2023-04-26 15:06:40", "已签收", "SIGNED", trackpush.StateSigned},
	})
	if p := marshal(map[string]string{"Number": "YT0000000000001"}); YTODigest(p, ytoMethod, ytoVersion, "test-secret") != "JjE3yDfY8A+T7/IFrmkGjA==" {
		t.Fatalf("param %s is not the vector's input", p)
	}
	// Nothing found: YTO's other answer shape.
	if _, err := y.Track(ctx, source.Query{Nu: "YT9999999999999"}); !errors.Is(err, source.ErrNoRecord) {
		t.Fatalf("unknown: %v", err)
	}
	bad := &YTO{Host: f.Host(), Partner: "JRe9WQ", Customer: "TEST", Secret: "wrong"}
	if _, err := bad.Track(ctx, source.Query{Nu: "YT2000000000000"}); !errors.Is(err, source.ErrRejected) || !strings.Contains(err.Error(), "签名验证失败") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestDepponQuery(t *testing.T) {
	f := carrierfake.NewDeppon("219401", "test-appkey", carrierfake.Options{Traces: carrierfake.Fixtures("deppon")})
	defer f.Close()
	d := &Deppon{URL: f.URL(), CompanyCode: "219401", AppKey: "test-appkey", Now: fixedNow}
	evs, err := d.Track(ctx, source.Query{Nu: "DPK000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, evs, []want{
		{"2025-06-05 14:20:00", "【深圳宝安石岩营业部】库存中", "GOT", trackpush.StatePickup},
		{"2025-06-05 23:10:00", "下一站【深圳转运场】", "DEPARTURE", 0},
		{"2025-06-06 03:30:00", "货物已到达【深圳转运场】", "ARRIVAL", 0},
		{"2025-06-08 07:45:00", "货物已到达【长沙转运场】", "ARRIVAL", 0},
		{"2025-06-08 13:20:00", "派送中", "SENT_SCAN", trackpush.StateDelivery},
		{"2025-06-08 17:05:00", "正常签收", "SIGNED", trackpush.StateSigned},
	})
	// With the fixed clock the form is §12.B's Deppon vector.
	if DepponDigest(marshal(map[string]string{"mailNo": "DPK000000000001"}), "test-appkey", nowMS(fixedNow)) != "MmNjNDJkNzlkMjIyZDA4NzgxYzhkMjdjN2MwNzM3ZDY=" {
		t.Fatal("params and timestamp are not the vector's input")
	}
	if _, err := d.Track(ctx, source.Query{Nu: "DPK999999999999"}); !errors.Is(err, source.ErrNoRecord) {
		t.Fatalf("unknown: %v", err)
	}
	bad := &Deppon{URL: f.URL(), CompanyCode: "219401", AppKey: "wrong"}
	if _, err := bad.Track(ctx, source.Query{Nu: "DPK000000000001"}); err == nil || !strings.Contains(err.Error(), "签名校验失败") {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestEndpoint(t *testing.T) {
	for _, c := range []struct{ env, want string }{
		{"", SFHosts[Production]}, {"production", SFHosts[Production]}, {"sandbox", SFHosts[Sandbox]},
		{"https://sfapi-hk.sf-express.com/std/service", "https://sfapi-hk.sf-express.com/std/service"},
	} {
		if got, err := Endpoint(c.env, SFHosts); err != nil || got != c.want {
			t.Errorf("%q: %s %v", c.env, got, err)
		}
	}
	if _, err := Endpoint("staging", SFHosts); err == nil {
		t.Error("an unknown environment was accepted")
	}
}

func TestPlaced(t *testing.T) {
	for _, c := range []struct{ city, text, want string }{
		{"深圳市", "顺丰速运 已收取快件", "【深圳市】 顺丰速运 已收取快件"},
		{"深圳市", "快件到达 【深圳华南集散中心】", "快件到达 【深圳华南集散中心】"},
		{"", "快件到达", "快件到达"},
		{"金华市", "您的快件被【浙江省金华市义乌市上溪镇】揽收", "您的快件被【浙江省金华市义乌市上溪镇】揽收"},
		{"北京市", "", "【北京市】"},
	} {
		if got := placed(c.city, c.text); got != c.want {
			t.Errorf("%q %q: %q, want %q", c.city, c.text, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{{"13800001234", "1234"}, {"0755-2222 5678", "5678"}, {"123", ""}, {"", ""}} {
		if got := phoneTail(c.in); got != c.want {
			t.Errorf("phoneTail(%q) = %q", c.in, got)
		}
	}
}

func TestYundaQuery(t *testing.T) {
	f := carrierfake.NewYunda("999999", "test-app-secret", carrierfake.Options{Traces: carrierfake.Fixtures("yunda")})
	defer f.Close()
	y := &Yunda{URL: f.URL(), AppKey: "999999", AppSecret: "test-app-secret"}
	evs, err := y.Track(ctx, source.Query{Nu: "4300000000001"})
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, evs, []want{
		{"2025-06-10 18:00:00", "【广东广州白云区公司】已揽收", "GOT", trackpush.StatePickup},
		{"2025-06-11 02:30:00", "【广州分拨中心】已发出", "DEPARTURE", 0},
		{"2025-06-12 09:10:00", "进行派件扫描", "SENT", trackpush.StateDelivery},
		{"2025-06-12 15:20:00", "快件已被 本人 签收", "SIGNED", trackpush.StateSigned},
	})
	// The body of this query is §12.B's Yunda vector input.
	if b := marshal(map[string]string{"mailno": "4300000000001"}); YundaSign(b, "test-app-secret") != "48419bedf4f15823a810b675d66fd29a" {
		t.Fatalf("body %s is not the vector's input", b)
	}
	if _, err := y.Track(ctx, source.Query{Nu: "4309999999999"}); !errors.Is(err, source.ErrNoRecord) {
		t.Fatalf("unknown: %v", err)
	}
	bad := &Yunda{URL: f.URL(), AppKey: "999999", AppSecret: "wrong"}
	if _, err := bad.Track(ctx, source.Query{Nu: "4300000000001"}); err == nil || !strings.Contains(err.Error(), "签名错误") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestEMSQuery(t *testing.T) {
	f := carrierfake.NewEMS("S1", "MDEyMzQ1Njc4OWFiY2RlZg==", carrierfake.Options{Traces: carrierfake.Fixtures("ems")})
	defer f.Close()
	e := &EMS{URL: f.URL(), SenderNo: "S1", Authorization: "auth", SignKey: "MDEyMzQ1Njc4OWFiY2RlZg=="}
	evs, err := e.Track(ctx, source.Query{Nu: "1100000000001"})
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, evs, []want{
		{"2025-06-09 10:20:00", "已收寄", "203", trackpush.StatePickup},
		{"2025-06-09 21:40:00", "离开【北京邮件处理中心】", "389", 0},
		{"2025-06-11 08:30:00", "安排投递", "", 0},
		{"2025-06-11 14:05:00", "【成都市】 已签收", "", 0},
	})
	if _, err := e.Track(ctx, source.Query{Nu: "1109999999999"}); !errors.Is(err, source.ErrNoRecord) {
		t.Fatalf("unknown: %v", err)
	}
	bad := &EMS{URL: f.URL(), SenderNo: "S1", Authorization: "auth", SignKey: "ZmVkY2JhOTg3NjU0MzIxMA=="}
	if _, err := bad.Track(ctx, source.Query{Nu: "1100000000001"}); err == nil || errors.Is(err, source.ErrNoRecord) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := (&EMS{URL: f.URL(), SignKey: "short"}).Track(ctx, source.Query{Nu: "1100000000001"}); !errors.Is(err, source.ErrRejected) {
		t.Fatalf("a bad key: %v", err)
	}
}
