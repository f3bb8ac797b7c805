package direct

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/clock"
	"github.com/trackpush/trackpush/source"
	"github.com/trackpush/trackpush/sqlite"
)

// The push receiver's cost against its baseline, the same scans ingested
// directly (what POST /v1/events does after parsing): the difference is
// reading the push, checking its signature and the idempotency keys.
//
//	go test -run '^$' -bench 'Push|IngestBaseline' -benchtime 2000x ./source/direct/

func benchEnv(b *testing.B) (*Receiver, *source.Ingester) {
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	fc := clock.NewFake(time.Date(2025, 6, 16, 10, 0, 0, 0, trackpush.CST))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	in := &source.Ingester{Store: store, Clock: fc, Log: log}
	rc := &Receiver{Store: store, Ingester: in, Clock: fc, Log: log}
	return rc, in
}

const benchText = "快件在【深圳华南集散中心】完成分拣,准备发往 【北京顺义集散中心】"

// BenchmarkZTOPush: one signed ZTO push (one scan of a new waybill) per
// operation, through the receiver's handler (no network).
func BenchmarkZTOPush(b *testing.B) {
	rc, _ := benchEnv(b)
	rc.Add(ZTOPush{AppKey: "k", AppSecret: "s"}, []string{"zhongtong"}, "")
	bodies := make([]string, b.N)
	for i := range bodies {
		data := fmt.Sprintf(`{"billCode":"731%011d","action":"DEPARTURE","actionTime":"2025-06-15 20:00:00","desc":%q,"city":"深圳市"}`, i, benchText)
		bodies[i] = url.Values{"data": {data}, "data_digest": {ZTODigest(data, "s")}, "company_id": {"k"}, "msg_type": {"Traces"}}.Encode()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest("POST", "/v1/carriers/zto/push", strings.NewReader(bodies[i]))
		r.SetPathValue("code", "zto")
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkIngestBaseline: the same scans ingested directly.
func BenchmarkIngestBaseline(b *testing.B) {
	_, in := benchEnv(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := in.Ingest(ctx, "zhongtong", fmt.Sprintf("731%011d", i),
			[]trackpush.RawEvent{{Time: "2025-06-15 20:00:00", Context: "【深圳市】 " + benchText}}); err != nil {
			b.Fatal(err)
		}
	}
}
