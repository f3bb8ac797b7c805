package direct

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// The parsers read the carriers' answers and pushes: outside input. Seeded
// with each carrier's shapes (and their error shapes), the fuzz targets
// check that nothing panics and that what is read is well formed.

func checkParsed(t *testing.T, evs []trackpush.RawEvent, err error) {
	if err != nil {
		if errors.Is(err, source.ErrNoRecord) && len(evs) > 0 {
			t.Fatalf("no record with %d events", len(evs))
		}
		return
	}
	for _, e := range evs {
		if e.Code != nil && !e.Code.State.Valid() {
			t.Fatalf("code %+v maps to an invalid state", e.Code)
		}
	}
}

func flatten(m map[string][]trackpush.RawEvent) []trackpush.RawEvent {
	var out []trackpush.RawEvent
	for _, evs := range m {
		out = append(out, evs...)
	}
	return out
}

func FuzzSFAnswer(f *testing.F) {
	f.Add([]byte(`{"apiErrorMsg":"","apiResponseID":"00018A97CE03FB3FE9D58FC7BD17AB3F","apiResultCode":"A1000","apiResultData":"{\"success\":true,\"errorCode\":\"S0000\",\"errorMsg\":null,\"msgData\":{\"routeResps\":[{\"mailNo\":\"SF7444471039325\",\"routes\":[{\"acceptAddress\":\"深圳市\",\"acceptTime\":\"2023-09-15 15:46:15\",\"remark\":\"顺丰速运 已收取快件\",\"opCode\":\"50\"}]}]}}"}`))
	f.Add([]byte(`{"apiErrorMsg":"数字签名无效","apiResponseID":"x","apiResultCode":"A1006","apiResultData":null}`))
	f.Add([]byte(`{"apiResultCode":"A1000","apiResultData":"{\"success\":false,\"errorCode\":\"8003\"}"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseSFAnswer(b)
		checkParsed(t, flatten(m), err)
	})
}

func FuzzZTOAnswer(f *testing.F) {
	f.Add([]byte(`{"result":[{"billCode":"731","scanType":"收件","scanDate":1718500000000,"desc":"已揽收","scanSite":{"name":"义乌","city":"金华市"}}],"message":"ok","statusCode":"SYS000","status":true}`))
	f.Add([]byte(`{"result":[{"scanType":"5","scanDate":"1718500000000","desc":"签收"}],"status":"true"}`))
	f.Add([]byte(`{"result":null,"message":"签名校验失败","statusCode":"S211","status":false}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := parseZTOAnswer(b)
		checkParsed(t, evs, err)
	})
}

func FuzzJTAnswer(f *testing.F) {
	f.Add([]byte(`{"code":"1","msg":"success","data":[{"billCode":"JT1","details":[{"scanTime":"2025-06-08 19:10:00","desc":"已取件","scanType":"快件揽收","scanNetworkCity":"南京市"}]}]}`))
	f.Add([]byte(`{"code":"0","msg":"签名验证失败","data":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseJTAnswer(b)
		checkParsed(t, flatten(m), err)
	})
}

func FuzzSTOAnswer(f *testing.F) {
	f.Add([]byte(`{"success":"true","errorCode":"","needRetry":false,"data":{"773":[{"waybillNo":"773","opTime":"2025-06-07 16:30:00","scanType":"收件","memo":"已收件","opOrgCityName":"上海市"}]}}`))
	f.Add([]byte(`<?xml version="1.0"?><response><success>false</success><errorMsg>签名校验失败</errorMsg></response>`))
	f.Add([]byte(`{"success":false,"errorCode":"S01","errorMsg":"x","needRetry":true}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseSTOAnswer(b)
		checkParsed(t, flatten(m), err)
	})
}

func FuzzYTOAnswer(f *testing.F) {
	f.Add([]byte(`[{"waybill_No":"YT2000000000000","upload_Time":"2023-04-24 20:37:33","infoContent":"GOT","processInfo":"您的快件被【浙江省金华市义乌市上溪镇】揽收","city":"金华市","district":"义乌市","weight":0.68}]`))
	f.Add([]byte(`{"map":{"YT2600205450611":[]},"code":"1001","success":"true","message":"查询结果为空。"}`))
	f.Add([]byte(`<response><success>false</success><reason>签名验证失败</reason></response>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := parseYTOAnswer(b)
		checkParsed(t, evs, err)
	})
}

func FuzzDepponAnswer(f *testing.F) {
	f.Add([]byte(`{"result":"true","resultCode":"1000","responseParam":{"trace_list":[{"city":"**市(测试)","description":"货物已到达【***营业部】部门","site":"【***】营业部","status":"ARRIVAL","time":"2020-07-13 16:58:37"}],"tracking_number":"6293222153"}}`))
	f.Add([]byte(`{"result":"false","reason":"签名校验失败","resultCode":"0"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := parseDepponAnswer(b)
		checkParsed(t, evs, err)
	})
}

// FuzzPushRead reads arbitrary pushes with every carrier's format: a push
// read without error has scans with a waybill and a key, and a signed
// format never reads an unsigned push as signed.
func FuzzPushRead(f *testing.F) {
	formats := []PushFormat{SFPush{}, ZTOPush{AppKey: "k", AppSecret: "s"}, JTPush{APIAccount: "a", PrivateKey: "p"},
		STOPush{SecretKey: "s"}, YTOPush{PartnerID: "p"}, DepponPush{}}
	f.Add(0, `{"Body":{"WaybillRoute":[{"id":"1","mailno":"SF1","acceptTime":"2025-06-15 09:00:00","remark":"已收取","opCode":"50"}]}}`, "")
	f.Add(0, `{"Body":{"WaybillRoute":{"id":2,"mailno":"SF1","acceptTime":"2025-06-15 09:00:00","remark":"已收取","opCode":50}}}`, "")
	f.Add(1, "data=%7B%22billCode%22%3A%22731%22%7D&data_digest=x&company_id=k&msg_type=Traces", "")
	f.Add(2, "bizContent=%7B%22billCode%22%3A%22JT1%22%2C%22details%22%3A%5B%5D%7D", "digest-value")
	f.Add(3, "content=%7B%22waybillNo%22%3A%22773%22%2C%22trace%22%3A%7B%22outBizCode%22%3A%22b%22%7D%7D", "")
	f.Add(4, "logistics_interface=%3CUpdateInfo%3E%3CmailNo%3EYT1%3C%2FmailNo%3E%3C%2FUpdateInfo%3E&data_digest=x", "")
	f.Add(5, "params=%7B%22track_list%22%3A%5B%7B%22tracking_number%22%3A%22DP1%22%2C%22trace_list%22%3A%5B%7B%22time%22%3A%222025-06-15+10%3A00%3A00%22%7D%5D%7D%5D%7D", "")
	f.Fuzz(func(t *testing.T, i int, body, digest string) {
		if i < 0 {
			i = -i
		}
		pf := formats[i%len(formats)]
		r := httptest.NewRequest("POST", "/v1/carriers/x/push", strings.NewReader(body))
		r.Header.Set("digest", digest)
		p, err := pf.Read(r, []byte(body))
		if err != nil {
			return
		}
		if _, unsigned := pf.(SFPush); unsigned && p.Signed {
			t.Fatal("an SF push read as signed")
		}
		if _, unsigned := pf.(DepponPush); unsigned && p.Signed {
			t.Fatal("a Deppon push read as signed")
		}
		for _, s := range p.Scans {
			if s.Nu == "" || s.Key == "" {
				t.Fatalf("scan without waybill or key: %+v", s)
			}
		}
	})
}

func FuzzYundaAnswer(f *testing.F) {
	f.Add([]byte(`{"result":true,"code":"0000","data":{"mailno":"430","steps":[{"time":"2025-06-10 18:00:00","action":"GOT","city":"广州市","description":"已揽收"}]}}`))
	f.Add([]byte(`{"result":false,"code":"-1","message":"签名错误"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := parseYundaAnswer(b)
		checkParsed(t, evs, err)
	})
}

func FuzzEMSAnswer(f *testing.F) {
	f.Add([]byte(`{"retCode":"00000","retMsg":"成功","retBody":"{\"responseItems\":[{\"opTime\":\"2025-06-09 10:20:00\",\"opCode\":\"203\",\"opDesc\":\"已收寄\"}]}"}`))
	f.Add([]byte(`{"retCode":"00000","retBody":"[{\"opTime\":\"2025-06-09 10:20:00\",\"opName\":\"收寄\"}]"}`))
	f.Add([]byte(`{"retCode":"-1","retMsg":"报文解密失败","retBody":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := parseEMSAnswer(b)
		checkParsed(t, evs, err)
	})
}
