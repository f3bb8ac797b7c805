package region

import (
	"strings"
	"testing"
)

// want describes an expected place: AreaName exactly when name is set,
// else the city (full name) and province.
type want struct {
	name     string // exact areaName, "" to check province/city only
	province string
	city     string
}

func check(t *testing.T, text string, got *Place, w *want) {
	t.Helper()
	if w == nil {
		if got != nil {
			t.Errorf("%q: got %s (%s, conf %.2f, span %q), want no place", text, got.AreaName, got.AreaCode, got.Confidence, got.Span)
		}
		return
	}
	if got == nil {
		t.Errorf("%q: got no place, want %+v", text, *w)
		return
	}
	if w.name != "" && got.AreaName != w.name {
		t.Errorf("%q: areaName %q (conf %.2f, span %q), want %q", text, got.AreaName, got.Confidence, got.Span, w.name)
	}
	if w.province != "" && got.Province != w.province {
		t.Errorf("%q: province %q, want %q", text, got.Province, w.province)
	}
	if w.city != "" && got.City != w.city {
		t.Errorf("%q: city %q (areaName %q), want %q", text, got.City, got.AreaName, w.city)
	}
}

func n(name string) *want { return &want{name: name} }

func TestAddressFullNames(t *testing.T) {
	cases := map[string]*want{
		"广东省深圳市南山区":         n("广东,深圳市,南山区"),
		"江苏省南京市玄武区":         n("江苏,南京市,玄武区"),
		"河南省洛阳市":            n("河南,洛阳市"),
		"陕西省延安市吴起县":         n("陕西,延安市,吴起县"),
		"湖北省武汉市洪山区珞喻路1037号": n("湖北,武汉市,洪山区"),
		"北京市海淀区中关村大街1号":     n("北京,海淀区"),
		"内蒙古自治区鄂尔多斯市准格尔旗":   n("内蒙古,鄂尔多斯市,准格尔旗"),
		"广西壮族自治区桂林市阳朔县":     n("广西,桂林市,阳朔县"),
		"新疆维吾尔自治区乌鲁木齐市天山区":  n("新疆,乌鲁木齐市,天山区"),
		"黑龙江省齐齐哈尔市甘南县":      n("黑龙江,齐齐哈尔市,甘南县"),
		"甘肃省甘南藏族自治州合作市":     n("甘肃,甘南藏族自治州,合作市"),
		"吉林省长春市朝阳区":         n("吉林,长春市,朝阳区"),
		"辽宁省朝阳市双塔区":         n("辽宁,朝阳市,双塔区"),
		"广东省":               n("广东"),
		"广东省东莞市":            n("广东,东莞市"),
		"湖北省仙桃市":            n("湖北,仙桃市"),
		"香港特别行政区九龙城区":       n("香港,九龙城区"),
		"澳门特别行政区":           n("澳门"),
		"台湾省":               n("台湾"),
		"海南省三沙市":            n("海南,三沙市"),
	}
	for text, w := range cases {
		check(t, text, ResolveAddress(text), w)
	}
}

func TestAddressShortNames(t *testing.T) {
	cases := map[string]*want{
		"广东深圳南山":      n("广东,深圳市,南山区"),
		"新疆巴音郭楞":      n("新疆,巴音郭楞蒙古自治州"),
		"四川成都武侯":      n("四川,成都市,武侯区"),
		"浙江杭州西湖区":     n("浙江,杭州市,西湖区"),
		"西藏拉萨城关区":     n("西藏,拉萨市,城关区"),
		"宁夏银川兴庆":      n("宁夏,银川市,兴庆区"),
		"湖南湘西吉首":      n("湖南,湘西土家族苗族自治州,吉首市"),
		"新疆伊犁州伊宁市":    n("新疆,伊犁哈萨克自治州,伊宁市"),
		"延边州延吉市":      n("吉林,延边朝鲜族自治州,延吉市"),
		"湖北仙桃":        n("湖北,仙桃市"),
		"深圳":          n("广东,深圳市"),
		"长春朝阳":        n("吉林,长春市,朝阳区"),
		"辽宁朝阳":        n("辽宁,朝阳市"),
		"福州鼓楼":        n("福建,福州市,鼓楼区"),
		"内蒙阿拉善盟阿拉善左旗": n("内蒙古,阿拉善盟,阿拉善左旗"),
	}
	for text, w := range cases {
		check(t, text, ResolveAddress(text), w)
	}
}

func TestAddressMissingLevels(t *testing.T) {
	cases := map[string]*want{
		"福建省鼓楼区":        n("福建,福州市,鼓楼区"),
		"泉州市洛江区万安街道":    n("福建,泉州市,洛江区,万安"),
		"泉州市洛江区":        n("福建,泉州市,洛江区"),
		"南京市鼓楼区":        n("江苏,南京市,鼓楼区"),
		"开封市鼓楼区":        n("河南,开封市,鼓楼区"),
		"徐州鼓楼区":         n("江苏,徐州市,鼓楼区"),
		"苏州市吴中区":        n("江苏,苏州市,吴中区"),
		"长沙岳麓区":         n("湖南,长沙市,岳麓区"),
		"成都市双流区":        n("四川,成都市,双流区"),
		"浦东":            n("上海,浦东新区"),
		"义乌":            n("浙江,金华市,义乌市"),
		"昆山市":           n("江苏,苏州市,昆山市"),
		"甘肃甘南州合作":       n("甘肃,甘南藏族自治州,合作市"),
		"云南省西双版纳州景洪市":   n("云南,西双版纳傣族自治州,景洪市"),
		"恩施州利川市":        n("湖北,恩施土家族苗族自治州,利川市"),
		"重庆渝中区解放碑":      n("重庆,渝中区,解放碑"),
		"重庆市万州区":        n("重庆,万州区"),
		"重庆市石柱土家族自治县":   n("重庆,石柱土家族自治县"),
		"河北省保定市雄县":      n("河北,保定市,雄县"),
		"广东省东莞市长安镇":     n("广东,东莞市,长安"),
		"广东东莞虎门镇":       n("广东,东莞市,虎门"),
		"中山市小榄镇":        n("广东,中山市,小榄"),
		"海南三亚":          n("海南,三亚市"),
		"山西大同":          n("山西,大同市"),
		"黑龙江大庆大同区":      n("黑龙江,大庆市,大同区"),
		"江苏省苏州工业园区":     n("江苏,苏州市,苏州工业园区"),
		"浙江省湖州市安吉县递铺街道": n("浙江,湖州市,安吉县,递铺"),
	}
	for text, w := range cases {
		check(t, text, ResolveAddress(text), w)
	}
}

func TestAddressMunicipalities(t *testing.T) {
	cases := map[string]*want{
		"北京市朝阳区":      n("北京,朝阳区"),
		"北京朝阳":        n("北京,朝阳区"),
		"上海浦东":        n("上海,浦东新区"),
		"上海市浦东新区张江镇":  n("上海,浦东新区,张江"),
		"天津滨海新区":      n("天津,滨海新区"),
		"天津市":         n("天津"),
		"北京昌平":        n("北京,昌平区"),
		"重庆":          n("重庆"),
		"上海市徐汇区":      n("上海,徐汇区"),
		"北京市朝阳区望京街道":  n("北京,朝阳区,望京"),
		"北京市东城区东华门街道": n("北京,东城区,东华门"),
	}
	for text, w := range cases {
		check(t, text, ResolveAddress(text), w)
	}
}

func TestAddressTowns(t *testing.T) {
	cases := map[string]*want{
		"广东省深圳市龙岗区坂田街道":    n("广东,深圳市,龙岗区,坂田"),
		"广东省深圳市坂田":         n("广东,深圳市,龙岗区,坂田"),
		"广东省深圳市南山区粤海街道科技园": n("广东,深圳市,南山区,粤海"),
		"浙江省温州市永嘉县瓯北镇":     n("浙江,温州市,永嘉县,瓯北"),
		"浙江杭州余杭区良渚街道":      n("浙江,杭州市,余杭区,良渚"),
		"江苏省苏州市相城区北桥街道":    n("江苏,苏州市,相城区,北桥"),
		"四川省成都市双流区中和街道":    n("四川,成都市,双流区,中和"),
		// 孙村 moved from 历城区 to the high-tech zone before the 2023 table.
		"山东省济南市孙村街道": n("山东,济南市,济南高新技术产业开发区,孙村"),
	}
	for text, w := range cases {
		check(t, text, ResolveAddress(text), w)
	}
}

func TestAddressAliases(t *testing.T) {
	cases := map[string]*want{
		"襄樊市":       n("湖北,襄阳市"),
		"湖北省襄樊市樊城区": n("湖北,襄阳市,樊城区"),
		"杭州市下城区":    n("浙江,杭州市,拱墅区"),
		"下城区":       n("浙江,杭州市,拱墅区"),
		"杭州市江干区":    n("浙江,杭州市,上城区"),
		"成都市新津县":    n("四川,成都市,新津区"),
		"新津县":       n("四川,成都市,新津区"),
		"北京市崇文区":    n("北京,东城区"),
		"北京宣武区":     n("北京,西城区"),
		"天津塘沽":      n("天津,滨海新区"),
		"上海市南汇区":    n("上海,浦东新区"),
		"上海闸北区":     n("上海,静安区"),
		"苏州平江区":     n("江苏,苏州市,姑苏区"),
		"南京白下区":     n("江苏,南京市,秦淮区"),
		"成都郫县":      n("四川,成都市,郫都区"),
		"广州萝岗区":     n("广东,广州市,黄埔区"),
		"思茅市":       n("云南,普洱市"),
		"莱芜市":       n("山东,济南市,莱芜区"),
	}
	for text, w := range cases {
		check(t, text, ResolveAddress(text), w)
	}
}

func TestAddressAmbiguous(t *testing.T) {
	for _, text := range []string{"朝阳区", "鼓楼区", "南山区", "普陀区"} {
		p := ResolveAddress(text)
		if p == nil {
			t.Errorf("%q: want a low-confidence answer, got none", text)
			continue
		}
		if p.Confidence >= 0.5 {
			t.Errorf("%q: %s with confidence %.2f, want < 0.5", text, p.AreaName, p.Confidence)
		}
		if ResolveEvent(text) != nil {
			t.Errorf("%q: an ambiguous scan place must be dropped", text)
		}
	}
	for _, text := range []string{"北京市朝阳区", "福建省鼓楼区", "深圳南山区"} {
		if p := ResolveAddress(text); p == nil || p.Confidence < 0.9 {
			t.Errorf("%q: want a confident answer, got %+v", text, p)
		}
	}
}

func TestPriors(t *testing.T) {
	fuzhou := ResolveAddress("福建省福州市")
	changchun := ResolveAddress("吉林省长春市")
	zhoushan := ResolveAddress("浙江舟山")
	cases := []struct {
		text   string
		priors []*Place
		want   string
	}{
		{"鼓楼区", []*Place{fuzhou}, "福建,福州市,鼓楼区"},
		{"朝阳区", []*Place{nil, changchun}, "吉林,长春市,朝阳区"},
		{"普陀区", []*Place{zhoushan}, "浙江,舟山市,普陀区"},
	}
	for _, c := range cases {
		p := ResolveAddress(c.text, c.priors...)
		if p == nil || p.AreaName != c.want || p.Confidence < 0.5 {
			t.Errorf("%q with priors: got %+v, want %s", c.text, p, c.want)
		}
	}
	// A scan at an ambiguous short name on the route resolves to the route.
	if p := ResolveEvent("快件已到达【鼓楼营业部】", fuzhou); p == nil || p.AreaName != "福建,福州市,鼓楼区" {
		t.Errorf("event with prior: got %+v", p)
	}
	// A prior must not override an explicit name.
	if p := ResolveAddress("南京市鼓楼区", fuzhou); p == nil || p.AreaName != "江苏,南京市,鼓楼区" {
		t.Errorf("explicit name with a prior elsewhere: got %+v", p)
	}
}

func TestNothing(t *testing.T) {
	for _, text := range []string{"", "  ", "abc", "123456", "中国", "您的订单已出库", "\xff\xfe广", "东西南北"} {
		if p := ResolveAddress(text); p != nil {
			t.Errorf("ResolveAddress(%q) = %s, want nil", text, p.AreaName)
		}
		if p := ResolveEvent(text); p != nil {
			t.Errorf("ResolveEvent(%q) = %s, want nil", text, p.AreaName)
		}
	}
}

func TestPlaceFields(t *testing.T) {
	p := ResolveAddress("陕西省延安市吴起县")
	if p == nil {
		t.Fatal("no place")
	}
	got := []string{p.AreaCode, p.AreaName, p.Location, p.AreaCenter, p.AreaPinYin, p.Province, p.City, p.District, p.Town, p.Span}
	wantF := []string{"CN610626000000", "陕西,延安市,吴起县", "延安市,吴起县", "108.176976,36.924852", "wu qi xian", "陕西省", "延安市", "吴起县", "", "陕西省延安市吴起县"}
	for i := range got {
		if got[i] != wantF[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], wantF[i])
		}
	}
	if p.Level != 3 || p.SpanStart != 0 || p.SpanEnd != 9 {
		t.Errorf("level %d span [%d,%d)", p.Level, p.SpanStart, p.SpanEnd)
	}
	town := ResolveAddress("广东省深圳市龙岗区坂田街道")
	if town.AreaCode != "CN440307013000" || town.Town != "坂田街道" || town.Level != 4 || town.AreaPinYin != "ban tian jie dao" || town.Location != "深圳市,龙岗区" {
		t.Errorf("town: %+v", town)
	}
	tj := ResolveAddress("天津")
	if tj.AreaName != "天津" || tj.City != "天津市" || tj.Province != "天津市" || tj.Location != "" || tj.Level != 1 {
		t.Errorf("municipality: %+v", tj)
	}
	if tj.CityCode() != "120000000000" || town.CityCode() != "440300000000" || town.ProvinceCode() != "440000000000" {
		t.Errorf("city codes: %s %s %s", tj.CityCode(), town.CityCode(), town.ProvinceCode())
	}
	xt := ResolveAddress("湖北仙桃")
	if xt.CityCode() != "429004000000" || xt.City != "仙桃市" {
		t.Errorf("county-level city under a province: %+v", xt)
	}
	if gd := ResolveAddress("广东"); gd.CityCode() != "" || gd.City != "" {
		t.Errorf("province: %+v", gd)
	}
	sz := ResolveAddress("深圳")
	if !sz.Contains(town) || town.Contains(sz) || sz.Contains(tj) {
		t.Error("Contains")
	}
	if l, ok := Lookup("CN440307013000"); !ok || l.AreaName != town.AreaName {
		t.Errorf("Lookup: %+v", l)
	}
	if _, ok := Lookup("110100000000"); ok {
		t.Error("Lookup of a placeholder must fail")
	}
	// The span is in runes of the input.
	sp := ResolveAddress("收货地址：浙江省杭州市西湖区文三路")
	if sp.Span != "浙江省杭州市西湖区" || sp.SpanStart != 5 {
		t.Errorf("span %q at %d", sp.Span, sp.SpanStart)
	}
}

func TestTableIntegrity(t *testing.T) {
	tb := getTable()
	if len(tb.divs) != 44728 {
		t.Fatalf("%d divisions, want 44728", len(tb.divs))
	}
	levels := map[int8]int{}
	for i, d := range tb.divs {
		levels[d.level]++
		if d.level > 1 && d.parent < 0 {
			t.Fatalf("%s %s has no parent", d.code, d.name)
		}
		if d.parent >= 0 && tb.divs[d.parent].level >= d.level {
			t.Fatalf("%s: parent level %d ≥ %d", d.code, tb.divs[d.parent].level, d.level)
		}
		if d.pinyin == "" || !strings.Contains(d.center, ",") {
			t.Fatalf("row %d (%s) lacks pinyin or centre", i, d.code)
		}
	}
	want := map[int8]int{1: 34, 2: 342, 3: 3001, 4: 41351}
	for l, n := range want {
		if levels[l] != n {
			t.Errorf("level %d: %d rows, want %d", l, levels[l], n)
		}
	}
	for _, a := range aliases {
		if _, ok := tb.byCode[a.code]; !ok {
			t.Errorf("alias %s → %s: no such code", a.name, a.code)
		}
	}
}
