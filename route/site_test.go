package route

import (
	"strings"
	"testing"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/sim"
)

const (
	hub    = trackpush.StopHub
	outlet = trackpush.StopOutlet
)

// TestSites reads the sites of real scans of ten carriers (the development
// events and trajectories), as each phrases them: bracketed or bare, hub
// or outlet, the scan's own site or the next stop, and what is not a site
// (the scan-city tag, couriers, scanners, lockers, boilerplate).
func TestSites(t *testing.T) {
	cases := []struct {
		com, text        string
		at, atType, next string
	}{
		// YTO: 【site】 verb 下一站 【next】; the hub's company (…公司) is the hub.
		{"yuantong", "【广东省深圳市坂田】 已发出 下一站 【深圳转运中心公司】", "广东省深圳市坂田", outlet, "深圳转运中心"},
		{"yuantong", "【深圳转运中心公司】 已收入", "深圳转运中心", hub, ""},
		{"yuantong", "【重庆转运中心】 已发出 下一站 【四川省成都市高新区中和一部公司】", "重庆转运中心", hub, "四川省成都市高新区中和一部公司"},
		{"yuantong", "【四川省成都市高新区中和一部公司 】 派件中 派件人: 某某 电话 185****8673 。", "四川省成都市高新区中和一部公司", outlet, ""},
		{"yuantong", "快件已由成都双流区红树湾二期店菜鸟驿站代收，请及时取件，如有疑问请联系173****2077", "", "", ""},
		{"yuantong", "客户签收人: 已签收，签收人凭取货码签收。 已签收 感谢使用圆通速递", "", "", ""},
		// Yunda: [site], or the city tag and bare names.
		{"yunda", "[广东广州分拨中心]进行装车扫描，即将发往：陕西西安分拨中心", "广东广州分拨中心", hub, "陕西西安分拨中心"},
		{"yunda", "[陕西西安分拨中心]从站点发出，本次转运目的地：陕西渭南公司", "陕西西安分拨中心", hub, "陕西渭南公司"},
		{"yunda", "【成都市】已离开 四川成都分拨中心；发往 四川叙永县公司", "四川成都分拨中心", hub, "四川叙永县公司"},
		{"yunda", "【泸州市】四川叙永县公司 派件员 某某 147****7298 正在为您派件", "四川叙永县公司", outlet, ""},
		{"yunda", "【泸州市】快件已被 代签收。如有问题请电联业务员：某某【147****7298】。", "", "", ""},
		{"yunda", "[北京主城区公司昌平区宏福服务部]到达目的地网点，快件很快进行派送", "北京主城区公司昌平区宏福服务部", outlet, ""},
		// ZTO: the city tag, then 【site】; short outlet names; a hub named by its city.
		{"zhongtong", "【上海市】 快件离开 【外高桥北部】 已发往 【上海浦东中心】", "外高桥北部", outlet, "上海浦东中心"},
		{"zhongtong", "【苏州市】 快件已经到达 【昆常转运中心】", "昆常转运中心", hub, ""},
		{"zhongtong", "【北京市】 快件离开 【北京】 已发往 【望京】", "北京", hub, "望京"},
		{"zhongtong", "【北京市】 【望京】 的孙立平189****0939（189****0939） 正在第1次派件, 请保持电话畅通", "望京", outlet, ""},
		{"zhongtong", "【中山市】 【中山新古镇】（0760-23705006） 的 公司王科伟（188****1118） 已揽收", "中山新古镇", outlet, ""},
		{"zhongtong", "【苏州市】 快件已被【丰巢的索特传动设备西门丰巢柜2号柜(丰巢智能快递柜)】代收", "", "", ""},
		// STO: bare names with dashes, 由 … 发往 …, 的派件员.
		{"shentong", "山东潍坊转运中心-已发往-山东潍坊寒亭公司", "山东潍坊转运中心", hub, "山东潍坊寒亭公司"},
		{"shentong", "已到达-山东潍坊寒亭营业厅", "山东潍坊寒亭营业厅", outlet, ""},
		{"shentong", "由 北京大兴公司(010-80462111-843) 发往 北京中转部", "北京大兴公司", outlet, "北京中转部"},
		{"shentong", "广东番禺大岗 的派件员 东涌点李文峰 正在派件", "广东番禺大岗", outlet, ""},
		{"shentong", "快件已到达【重庆转运中心】扫描员是【B班BD组组长陈邦秀】", "重庆转运中心", hub, ""},
		{"shentong", "【重庆机场公司】的派件员【暨华片区(151****0019)】正在为您派件", "重庆机场公司", outlet, ""},
		// Best (huitongkuaidi): the city tag before the bracket.
		{"huitongkuaidi", "杭州市【杭州转运中心】，正发往【江干二部】", "杭州转运中心", hub, "江干二部"},
		{"huitongkuaidi", "北京市|到北京市【北京转运中心】", "北京转运中心", hub, ""},
		{"huitongkuaidi", "太原市|太原市【清徐县】，正发往【太原转运中心】", "清徐县", outlet, "太原转运中心"},
		{"huitongkuaidi", "宁波市【新鄞州十二部】，【周月/185****7939】已揽收", "新鄞州十二部", outlet, ""},
		// EMS: bare names, (本部).
		{"ems", "【上海市】 离开上海速递处理中心 发往莘庄(本部）", "上海速递处理中心", hub, "莘庄"},
		{"ems", "杭州市 杭州邮政速递东区钱江新城揽投站已收件（朱诚凯）", "杭州邮政速递东区钱江新城揽投站", outlet, ""},
		{"ems", "[杭州市邮政速递物流公司高新区分公司古翠路揽投站]在 杭州市 投递并签收，签收人：他人收", "杭州市邮政速递物流公司高新区分公司古翠路揽投站", outlet, ""},
		// SF: 【site】 with 已装车,准备发往; airlines are not sites.
		{"shunfeng", "快件在【郑州市郑东新区晖达新领地营业点】已装车，准备发往 【郑州新郑集散中心】", "郑州市郑东新区晖达新领地营业点", outlet, "郑州新郑集散中心"},
		{"shunfeng", "快件离开【达州杨柳集散中心】,正发往 【达州市大竹县竹海路营业点】", "达州杨柳集散中心", hub, "达州市大竹县竹海路营业点"},
		{"shunfeng", "快件已交航空公司运输，航班已起飞", "", "", ""},
		{"shunfeng", "顺丰速运 已收取快件", "", "", ""},
		// JD: 您的快件在【site】….
		{"jd", "您的快件由【西安灞桥分拣中心】准备发往【西安兴善营业部】", "西安灞桥分拣中心", hub, "西安兴善营业部"},
		{"jd", "您的快件已到达【重庆渝北营业部】", "重庆渝北营业部", outlet, ""},
		{"jd", "您的快件已由快递驿站代收，感谢您使用京东物流，期待再次为您服务", "", "", ""},
		// Deppon: 离开【…】，下一站【…】; a bare name after 货物已到达.
		{"debangwuliu", "运输中，离开【深圳转运场】，下一站【乌鲁木齐转运场】", "深圳转运场", hub, "乌鲁木齐转运场"},
		{"debangwuliu", "货物已到达深圳转运场", "深圳转运场", hub, ""},
		// Rufengda: bare names after the city.
		{"rufengda", "运单已从广州市 广州分拣部发出，下一站广州市 广州车陂站 已发车", "广州分拣部", hub, "广州车陂站"},
		{"rufengda", "运单已由广州市 广州车陂站扫描入站 联系电话：020-82570549 已入站", "广州车陂站", outlet, ""},
	}
	carriers := map[string]bool{}
	for _, c := range cases {
		at, next := Sites(c.text)
		if at.Name != c.at || (c.at != "" && at.Type != c.atType) || next.Name != c.next {
			t.Errorf("%s %q:\n  at %q %s, next %q\n  want %q %s, %q", c.com, c.text, at.Name, at.Type, next.Name, c.at, c.atType, c.next)
		}
		if at.IsZero() != (c.at == "") {
			t.Errorf("%q: IsZero %v", c.text, at.IsZero())
		}
		carriers[c.com] = true
	}
	if len(carriers) < 8 {
		t.Fatalf("phrasings of %d carriers, want at least 8", len(carriers))
	}
}

// TestSiteKey: one outlet written with and without its 公司, brackets,
// spaces or a phone number in parentheses is one key.
func TestSiteKey(t *testing.T) {
	a, _ := Sites("【广东省深圳市坂田公司】 已打包")
	b, _ := Sites("【广东省深圳市坂田】 已发出 下一站 【深圳转运中心公司】")
	if a.Key != b.Key || a.Key != "广东省深圳市坂田" || a.Name != "广东省深圳市坂田公司" {
		t.Fatalf("%+v %+v", a, b)
	}
	c, _ := Sites("北京大兴公司(010-80462111-843) 正在进行 装袋 扫描")
	d, _ := Sites("由 北京大兴公司 发往 北京中转部")
	if c.Key != d.Key {
		t.Fatalf("%+v %+v", c, d)
	}
	if PlaceKey(a, "440300000000") != "广东省深圳市坂田@4403" || PlaceKey(Site{Key: "深圳转运中心", Type: hub}, "440300000000") != "深圳转运中心" {
		t.Fatal("place keys")
	}
}

// TestSitesSim reads every scan of 3,000 simulated parcels of the ten
// carriers: a site it reads is the site the simulator means, and a scan
// that writes its site's name always has it read.
func TestSitesSim(t *testing.T) {
	w := sim.NewWorld(sim.Config{Seed: 3, Rates: sim.DefaultRates()})
	n, named := 0, 0
	for i := 0; i < 3000; i++ {
		p := w.Parcel(i)
		for _, e := range p.Events {
			at, _ := Sites(e.Context)
			n++
			if at.IsZero() {
				if strings.Contains(e.Context, e.Node) {
					t.Errorf("%s: %q names %q, none read", p.Com, e.Context, e.Node)
				}
				continue
			}
			named++
			if at.Key != SiteKey(siteOf(e.Node, 0).Name) {
				t.Errorf("%s: %q: read %q, the simulator means %q", p.Com, e.Context, at.Name, e.Node)
			}
		}
	}
	if named < n*8/10 {
		t.Fatalf("%d of %d scans named a site", named, n)
	}
}

func FuzzSites(f *testing.F) {
	for _, s := range []string{
		"【深圳转运中心】 已发出 下一站 【成都转运中心公司】", "[北京分拨中心]从站点发出，本次转运目的地：", "由  发往 ", "【】【[", "的派件员",
		"快件已被【丰巢的【自提柜】", "离开杭州处理中心 发往", "到达", "【北京市】", "站站站站", "(((((((", "的 某某（",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, next := Sites(s)
		for _, x := range []Site{at, next} {
			if x.IsZero() != (x.Name == "") {
				t.Fatalf("%q: %+v", s, x)
			}
			if !x.IsZero() && x.Type != hub && x.Type != outlet {
				t.Fatalf("%q: type %q", s, x.Type)
			}
			if len([]rune(x.Name)) > maxSiteRunes {
				t.Fatalf("%q: name %q too long", s, x.Name)
			}
		}
	})
}
