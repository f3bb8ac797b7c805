package region

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// devTexts loads the scan texts of the project's copy of the real dev events.
func devTexts(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("../testdata/real_events_dev.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct{ Context string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r.Context)
	}
	return out
}

var benchAddresses = []string{
	"广东省深圳市南山区粤海街道科技园", "北京市朝阳区", "上海浦东", "福建省鼓楼区",
	"泉州市洛江区万安街道", "新疆巴音郭楞", "湖北省武汉市洪山区珞喻路1037号", "浙江杭州西湖区文三路",
	"天津滨海新区", "四川成都武侯", "内蒙古自治区鄂尔多斯市准格尔旗", "江苏苏州工业园区",
}

func BenchmarkResolveEvent(b *testing.B) {
	texts := devTexts(b)
	Warm()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ResolveEvent(texts[i%len(texts)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}

func BenchmarkResolveAddress(b *testing.B) {
	Warm()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ResolveAddress(benchAddresses[i%len(benchAddresses)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
}

// BenchmarkWarm measures building the tables (done once per process).
func BenchmarkWarm(b *testing.B) {
	for b.Loop() {
		t := parseTable(tableData)
		buildDict(t)
	}
}
