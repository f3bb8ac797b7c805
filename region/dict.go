package region

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// keyKind says how a dictionary key names its division.
type keyKind uint8

const (
	kindFull    keyKind = iota // the official full name: 延安市
	kindShort                  // a short name or a stem: 延安, 浦东
	kindAlias                  // a former name of a renamed unit: 襄樊
	kindGeneric                // a generic name valid only under a parent: 高新区
)

// entry is one division a key may name.
type entry struct {
	div  int32
	kind keyKind
	// weak marks a key that is also an ordinary word or a name shared by many
	// places (城区, 河东, 光明): it counts only under a parent in the chain.
	weak bool
}

// dict is a rune trie over every name of the table, flattened into arrays.
// Walking it from each position of a text finds every name occurring there.
type dict struct {
	root    []int32 // child of the root by rune - rootBase, for the CJK block
	rootMap map[rune]int32
	nodes   []trieNode
	edges   []trieEdge
	entries []entry
}

type trieNode struct {
	edgeStart, edgeEnd   int32 // children: edges[edgeStart:edgeEnd], sorted by rune
	entryStart, entryEnd int32 // entries[entryStart:entryEnd]
}

type trieEdge struct {
	r     rune
	child int32
}

const (
	rootBase = 0x3400
	rootTop  = 0x9FFF
)

// child returns the child of node n by rune r, or 0 (0 is the root, never a
// child).
func (d *dict) child(n int32, r rune) int32 {
	if n == 0 {
		if r >= rootBase && r <= rootTop {
			return d.root[r-rootBase]
		}
		return d.rootMap[r]
	}
	nd := &d.nodes[n]
	lo, hi := nd.edgeStart, nd.edgeEnd
	for lo < hi {
		m := (lo + hi) / 2
		switch e := d.edges[m].r; {
		case e == r:
			return d.edges[m].child
		case e < r:
			lo = m + 1
		default:
			hi = m
		}
	}
	return 0
}

// builder collects keys before flattening.
type builder struct {
	keys map[string][]entry
}

func (b *builder) add(key string, e entry) {
	if utf8.RuneCountInString(key) < 2 {
		return
	}
	for _, old := range b.keys[key] {
		if old.div == e.div {
			return // keep the first (strongest) kind
		}
	}
	b.keys[key] = append(b.keys[key], e)
}

// build flattens the keys into a dict.
func (b *builder) build() *dict {
	type tnode struct {
		kids    map[rune]int32
		entries []entry
	}
	tn := []tnode{{}}
	for key, es := range b.keys {
		n := int32(0)
		for _, r := range key {
			if tn[n].kids == nil {
				tn[n].kids = map[rune]int32{}
			}
			c, ok := tn[n].kids[r]
			if !ok {
				c = int32(len(tn))
				tn = append(tn, tnode{})
				tn[n].kids[r] = c
			}
			n = c
		}
		tn[n].entries = append(tn[n].entries, es...)
	}
	d := &dict{
		root:    make([]int32, rootTop-rootBase+1),
		rootMap: map[rune]int32{},
		nodes:   make([]trieNode, len(tn)),
	}
	for i, n := range tn {
		nd := &d.nodes[i]
		nd.edgeStart = int32(len(d.edges))
		rs := make([]rune, 0, len(n.kids))
		for r := range n.kids {
			rs = append(rs, r)
		}
		slices.Sort(rs)
		for _, r := range rs {
			d.edges = append(d.edges, trieEdge{r, n.kids[r]})
			if i == 0 {
				if r >= rootBase && r <= rootTop {
					d.root[r-rootBase] = n.kids[r]
				} else {
					d.rootMap[r] = n.kids[r]
				}
			}
		}
		nd.edgeEnd = int32(len(d.edges))
		es := slices.Clone(n.entries)
		slices.SortFunc(es, func(a, b entry) int { return int(a.div - b.div) })
		nd.entryStart = int32(len(d.entries))
		d.entries = append(d.entries, es...)
		nd.entryEnd = int32(len(d.entries))
	}
	return d
}

// stemSuffixes are the unit suffixes stripped to form extra short names
// when the table's short name keeps them (浦东新区 → 浦东).
var stemSuffixes = []string{"新区", "林区", "特区", "矿区", "区", "县", "市", "旗"}

// autonomousVariants: people write an autonomous unit with its short name
// and a one-character suffix (延边州, 长阳县, 鄂伦春旗).
var autonomousVariants = []struct{ suffix, variant string }{
	{"自治州", "州"}, {"自治县", "县"}, {"自治旗", "旗"},
}

// genericChars are the characters of names that are also plain words of
// place descriptions (东区, 城关, 河西, 新城): a two-character name made only
// of them is weak.
const genericChars = "东西南北中城区郊矿新老旧河江山湖海上下前后内外关镇乡村街道路口桥园坝湾州"

// commonWords are short names of counties and districts that are ordinary
// words of Chinese text or names given to many places; they count only
// under a parent (a province or city named in the same text).
var commonWords = map[string]bool{
	"光明": true, "和平": true, "胜利": true, "红旗": true, "人民": true, "建设": true,
	"解放": true, "团结": true, "东风": true, "前进": true, "先锋": true, "向阳": true,
	"新华": true, "长安": true, "永安": true, "东方": true, "开发": true, "高新": true,
	"中心": true, "城关": true, "城中": true, "城东": true, "城西": true, "城北": true,
	"市中": true, "新兴": true, "永定": true, "金山": true, "宝山": true, "普陀": true,
	"铁东": true, "铁西": true, "向东": true, "红山": true, "青山": true, "东山": true,
	"西湖": true, "白云": true, "天山": true, "太平": true, "安定": true, "兴隆": true,
	"长城": true, "中原": true, "东港": true, "新市": true, "大通": true, "平安": true,
	"海港": true, "兴安": true, "龙华": true, "龙岗": true, "江南": true, "江北": true,
	"城厢": true, "三元": true, "五华": true, "榕城": true, "中山": true, "西安": true,
	"新城": true, "南山": true, "北山": true, "西山": true, "钟楼": true, "鼓楼": true,
	"朝阳": true, "红星": true, "丰泽": true, "站前": true, "湖滨": true, "滨海": true,
	"万达": true, "金水": true, "二七": true, "工农": true, "友谊": true, "大东": true,
	"万年": true, "中方": true, "中站": true, "会同": true, "元宝": true, "公安": true,
	"共和": true, "兴业": true, "前锋": true, "博爱": true, "友好": true, "古城": true,
	"台前": true, "合作": true, "同仁": true, "同心": true, "同德": true, "名山": true,
	"和顺": true, "商城": true, "商都": true, "回民": true, "复兴": true, "大方": true,
	"大观": true, "大新": true, "天桥": true, "天涯": true, "太和": true, "安宁": true,
	"安居": true, "宏伟": true, "宝塔": true, "富民": true, "富裕": true, "小店": true,
	"市北": true, "市南": true, "平原": true, "平和": true, "平山": true, "平川": true,
	"平房": true, "平桥": true, "康乐": true, "延长": true, "建华": true, "建安": true,
	"开化": true, "惠民": true, "振兴": true, "新安": true, "新民": true, "新星": true,
	"新建": true, "新和": true, "方正": true, "永和": true, "清水": true, "清河": true,
	"清流": true, "温泉": true, "港口": true, "灯塔": true, "爱民": true, "白沙": true,
	"白杨": true, "白玉": true, "红桥": true, "运河": true, "通道": true, "金沙": true,
	"金安": true, "长寿": true, "高明": true, "麒麟": true, "龙门": true, "龙潭": true,
	"龙湖": true, "龙城": true, "龙泉": true, "龙凤": true, "龙山": true, "三江": true,
	"三河": true, "三门": true, "华安": true, "华龙": true, "仁和": true, "东安": true,
	"东兴": true, "开平": true, "长宁": true, "永兴": true, "新乐": true, "安平": true,
}

// commonPrefectureWords are prefecture names that are everyday words (来宾
// "guest", 安康 "good health", 阿里 as in 阿里巴巴).
var commonPrefectureWords = map[string]bool{"来宾": true, "安康": true, "阿里": true}

func isWeakName(key string, level int8) bool {
	switch level {
	case 1:
		return false
	case 2:
		return commonPrefectureWords[key]
	}
	if commonWords[key] {
		return true
	}
	if utf8.RuneCountInString(key) == 2 {
		generic := true
		for _, r := range key {
			if !strings.ContainsRune(genericChars, r) {
				generic = false
			}
		}
		return generic
	}
	return false
}

// jargon holds words of logistics texts (site types, company words). A
// town whose name is part of one of them (中心 in 转运中心, 城区 in 主城区) is
// not indexed by that name: such a match would only ever be the jargon.
var jargon = []string{
	"转运中心", "分拨中心", "集散中心", "分拣中心", "处理中心", "配送中心", "操作中心", "运营中心",
	"营业部", "营业点", "营业厅", "营业所", "分公司", "公司", "分部", "网点", "驿站", "快递柜",
	"智能柜", "自提柜", "服务站", "服务部", "服务点", "揽投站", "投递站", "投递部", "集货点",
	"中转部", "中转场", "中转站", "转运场", "航空部", "机场", "速递", "物流", "市场部", "直营",
	"大学城", "开发区", "高新区", "工业园", "科技园", "产业园", "物流园", "便民", "代收点",
	"菜鸟", "丰巢", "派件", "签收", "收件", "揽收", "包裹", "快件", "快递", "主城区", "市区",
	"城区", "新区", "郊区", "东区", "西区", "南区", "北区", "中区", "本部", "总部", "片区",
	"一部", "二部", "三部", "四部", "五部", "六部", "七部", "八部", "九部", "十部",
}

// inJargon reports whether key is part of a jargon word.
func inJargon(key string) bool {
	for _, j := range jargon {
		if strings.Contains(j, key) {
			return true
		}
	}
	return false
}

// buildDict indexes every name of the table: full names, short names and
// their stems, autonomous-unit variants, former names and generic names.
func buildDict(t *table) *dict {
	b := &builder{keys: map[string][]entry{}}
	for i := range t.divs {
		d := &t.divs[i]
		if d.placeholder {
			continue
		}
		idx := int32(i)
		if d.level == 4 {
			b.add(d.name, entry{div: idx, kind: kindFull})
			if d.short != d.name && !inJargon(d.short) {
				b.add(d.short, entry{div: idx, kind: kindShort})
			}
			continue
		}
		b.add(d.name, entry{div: idx, kind: kindFull, weak: isWeakName(d.name, d.level)})
		if d.short != d.name {
			b.add(d.short, entry{div: idx, kind: kindShort, weak: isWeakName(d.short, d.level)})
		}
		if d.level <= 3 {
			for _, suf := range stemSuffixes {
				if stem, ok := strings.CutSuffix(d.name, suf); ok && utf8.RuneCountInString(stem) >= 2 && stem != d.short {
					b.add(stem, entry{div: idx, kind: kindShort, weak: isWeakName(stem, d.level)})
					break
				}
			}
			for _, av := range autonomousVariants {
				if strings.HasSuffix(d.name, av.suffix) && d.short != d.name {
					b.add(d.short+av.variant, entry{div: idx, kind: kindShort})
				}
			}
			if d.level == 3 {
				for _, g := range genericZones {
					if strings.Contains(d.name, g.marker) {
						for _, k := range g.keys {
							b.add(k, entry{div: idx, kind: kindGeneric, weak: true})
						}
					}
				}
			}
		}
	}
	for _, a := range aliases {
		if i, ok := t.byCode[a.code]; ok {
			b.add(a.name, entry{div: i, kind: kindAlias})
		}
	}
	return b.build()
}

// genericZones map the generic names of development zones to the zones a
// city has: "成都市高新区" names 成都高新技术产业开发区.
var genericZones = []struct {
	marker string
	keys   []string
}{
	{"高新技术产业开发区", []string{"高新区", "高新技术产业开发区", "高新技术开发区"}},
	{"经济技术开发区", []string{"经开区", "经济技术开发区", "经济开发区"}},
	{"经济开发区", []string{"经开区", "经济开发区"}},
}
