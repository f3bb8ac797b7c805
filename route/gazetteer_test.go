package route

import (
	"strings"
	"testing"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

func cityArea(t *testing.T, addr string) *trackpush.Area {
	t.Helper()
	a := areaOf(region.ResolveAddress(addr))
	if a == nil {
		t.Fatalf("no region for %q", addr)
	}
	return a
}

// TestPlaceOf places sites of real scans: a hub where its name says, an
// outlet in the city of the scan that names it (short outlet names name
// places elsewhere too), a next stop in the city of the scan's site.
func TestPlaceOf(t *testing.T) {
	cases := []struct {
		com, text string
		area      string // the scan's region ("" none)
		city      string // the city of the scan's site, for a next stop
		next      bool
		key, code string
	}{
		{"yuantong", "【深圳转运中心公司】 已收入", "广东深圳", "", false, "深圳转运中心", "CN440300000000"},
		{"jd", "您的快件在【西安灞桥分拣中心】分拣完成", "陕西西安灞桥区", "", false, "西安灞桥分拣中心", "CN610111000000"},
		// A hub whose name names no place: the scan's.
		{"zhongtong", "【苏州市】 快件已经到达 【昆常转运中心】", "江苏苏州", "", false, "昆常转运中心", "CN320500000000"},
		// A hub's name wins over an odd scan-city tag.
		{"zhongtong", "【嘉兴市】 快件到达 【杭州中转部】", "浙江嘉兴", "", false, "杭州中转部", "CN330100000000"},
		// Short outlet names: the scan's city, not the 兴和县 of Inner Mongolia.
		{"zhongtong", "【七台河市】 快件已经到达 【兴和】", "黑龙江七台河", "", false, "兴和@2309", "CN230900000000"},
		{"zhongtong", "【北京市】 快件已经到达 【望京】", "北京", "", false, "望京@11", "CN110000000000"},
		// An outlet whose name places it within the scan's city.
		{"yuantong", "【广东省深圳市坂田公司】 已打包", "广东深圳龙岗坂田", "", false, "广东省深圳市坂田@4403", "CN440307013000"},
		// Next stops: a hub by its name, an outlet in the scan's site's city.
		{"yunda", "[广东广州分拨中心]进行装车扫描，即将发往：陕西西安分拨中心", "", "440100000000", true, "陕西西安分拨中心", "CN610100000000"},
		{"huitongkuaidi", "延安市【延安转运中心】，正发往【凤凰山分部】", "", "610600000000", true, "凤凰山分部@6106", "CN610600000000"},
	}
	for _, c := range cases {
		at, next := Sites(c.text)
		s := at
		if c.next {
			s = next
		}
		var area *trackpush.Area
		if c.area != "" {
			area = cityArea(t, c.area)
		}
		p := PlaceOf(c.com, s, area, c.city)
		if p.Key != c.key || p.AreaCode != c.code || p.Com != c.com || p.Name != s.Name || p.Type != s.Type {
			t.Errorf("%q: %+v, want key %q in %s", c.text, p, c.key, c.code)
		}
		if p.AreaCode != "" && (p.Lng < 73 || p.Lng > 136 || p.Lat < 3 || p.Lat > 54) {
			t.Errorf("%q: coordinates %v,%v outside China", c.text, p.Lng, p.Lat)
		}
	}
}

// TestGazetteer: the first sighting of a place stays; a place first seen
// without a region takes the region of a later sighting; the carrier's
// hubs by city and outlets by district are found.
func TestGazetteer(t *testing.T) {
	g := NewGazetteer()
	hubP := trackpush.Place{Com: "yuantong", Key: "深圳转运中心", Name: "深圳转运中心", Type: hub, AreaCode: "CN440300000000", Lng: 114.06, Lat: 22.54}
	g.Add(hubP)
	moved := hubP
	moved.AreaCode = "CN440100000000"
	g.Add(moved)
	if n := g.Lookup("yuantong", "深圳转运中心"); n == nil || n.AreaCode != "CN440300000000" || n.City != "440300000000" || n.Short != "广东" {
		t.Fatalf("hub %+v", n)
	}
	if g.Lookup("zhongtong", "深圳转运中心") != nil {
		t.Fatal("a place of one carrier found under another")
	}
	unplaced := trackpush.Place{Com: "yuantong", Key: "广东省深圳市南山公司@4403", Name: "广东省深圳市南山公司", Type: outlet}
	g.Add(unplaced)
	if n := g.Lookup("yuantong", unplaced.Key); n == nil || n.known() {
		t.Fatalf("unplaced %+v", n)
	}
	placed := unplaced
	placed.AreaCode, placed.Lng, placed.Lat = "CN440305000000", 113.93, 22.53
	g.Add(placed)
	n := g.Lookup("yuantong", unplaced.Key)
	if n == nil || n.District != "440305000000" || n.DistrictName != "南山区" || n.CityName != "深圳市" {
		t.Fatalf("placed later %+v", n)
	}
	if g.hubIn("yuantong", "440300000000") == nil || g.outletIn("yuantong", "440305000000") != n || g.hubIn("yuantong", "440100000000") != nil {
		t.Fatal("indexes")
	}
	if g.Len() != 2 || len(g.Places()) != 2 {
		t.Fatalf("%d places", g.Len())
	}
}

// TestSynthetic: a site assumed where no scan named one is named by its
// region, as the original service names sites it knows only by region
// (陕西省延安市吴起县).
func TestSynthetic(t *testing.T) {
	pl, _ := region.Lookup("CN610626000000")
	o := synthetic("yuantong", outlet, pl)
	if o.Name != "陕西省延安市吴起县" || o.Type != outlet || o.District != "610626000000" || !o.Synthetic || !strings.HasPrefix(o.Key, "~") {
		t.Fatalf("%+v", o)
	}
	h := synthetic("yuantong", hub, pl)
	if h.Name != "延安市" || h.Type != hub {
		t.Fatalf("%+v", h)
	}
	bj, _ := region.Lookup("CN110105000000")
	if o := synthetic("yuantong", outlet, bj); o.Name != "北京市朝阳区" {
		t.Fatalf("%+v", o)
	}
}
