package region

// Reading a carrier scan. Aggregators and carriers put the scan city in
// front ("【泸州市】…", "[广州市]…", "北京市|…", "杭州市【江干二部】…"): that is
// the anchor, and only places inside it count. The rest of the text names
// the site where the scan happened, but also the next stop ("…发往B",
// "下一站B"), couriers' names and boilerplate; those parts are blanked out
// before names are looked up, so that "离开A，发往B" resolves to A and
// "已发往B" alone to nothing.

// destinationMarkers begin the part of a scan that names where the parcel
// goes next. The part runs to the end of the clause.
var destinationMarkers = []string{"发往", "下一站", "目的地", "送往", "运往", "寄往", "发至", "转往", "转运至"}

// roleMarkers are followed by a person's name (or a role such as 他人收):
// 派件员 某某, 签收人：他人收, 快件交给张三.
var roleMarkers = []string{
	"派件员", "派送员", "快递员", "业务员", "收件员", "揽投员", "投递员", "配送员", "收派员",
	"取件人", "派件人", "签收人", "扫描员", "操作员", "联系人", "司机", "小哥", "姓名",
	"交给", "分配给", "代收人", "收件人",
}

// boilerplate begins the closing phrases of a scan (thanks, complaint
// numbers, hygiene notices); nothing after them is the scan's place.
var boilerplate = []string{
	"如有疑问", "如有问题", "如有任何问题", "投诉电话", "感谢使用", "感谢您使用", "期待再次",
	"期间", "相逢是缘", "请保持电话畅通", "客官", "祝您", "给您服务的", "温馨提示",
}

// clauseEnd ends a clause: the reach of a destination marker.
func clauseEnd(r rune) bool {
	switch r {
	case '；', ';', '。', '!', '！', '，', ',', '\n':
		return true
	}
	return false
}

// nameEnd ends a person's name.
func nameEnd(r rune) bool {
	switch r {
	case ' ', '\t', '，', ',', '。', '；', ';', ':', '：', '（', '(', ')', '）', '【', '】', '[', ']', '、', '|', '/', '-', '*', '"', '“', '”':
		return true
	}
	return r >= '0' && r <= '9'
}

// maskEvent blanks, from rune from on, the parts of a scan that do not name
// the scan's own place.
func maskEvent(rs []rune, from int32) {
	for i := int(from); i < len(rs); i++ {
		switch {
		case hasPrefixAt(rs, i, boilerplate):
			blank(rs, i, len(rs))
			return
		case hasPrefixAt(rs, i, destinationMarkers):
			j := i
			for j < len(rs) && !clauseEnd(rs[j]) {
				j++
			}
			blank(rs, i, j)
			i = j
		default:
			if n := markerLen(rs, i, roleMarkers); n > 0 {
				j := i + n
				for j < len(rs) && (rs[j] == ' ' || rs[j] == ':' || rs[j] == '：' || rs[j] == '是' || rs[j] == '为') {
					j++
				}
				k := j
				for k < len(rs) && k-j < 8 && !nameEnd(rs[k]) {
					k++
				}
				blank(rs, i, k)
				i = k - 1
			} else if rs[i] == '的' {
				// ZTO: "【网点】 的 张三（138…）": a name between 的 and a bracket.
				j := i + 1
				for j < len(rs) && rs[j] == ' ' {
					j++
				}
				k := j
				for k < len(rs) && k-j < 6 && !nameEnd(rs[k]) {
					k++
				}
				if k < len(rs) && k > j && (rs[k] == '(' || rs[k] == '（' || rs[k] == ' ' || (rs[k] >= '0' && rs[k] <= '9')) {
					blank(rs, i, k)
					i = k - 1
				}
			}
		}
	}
}

func markerLen(rs []rune, at int, words []string) int {
	for _, w := range words {
		if hasPrefixAt(rs, at, []string{w}) {
			return len([]rune(w))
		}
	}
	return 0
}

func blank(rs []rune, i, j int) {
	for ; i < j; i++ {
		rs[i] = ' '
	}
}

// findAnchor returns the division named by the scan-city tag at the start
// of a scan, with the tag's rune span, or -1 when there is none or it is
// ambiguous.
func (e *engine) findAnchor(rs []rune) (div, start, end int32) {
	i := 0
	for i < len(rs) && isSpace(rs[i]) {
		i++
	}
	if i == len(rs) {
		return -1, 0, 0
	}
	if rs[i] == '【' || rs[i] == '[' {
		closer := '】'
		if rs[i] == '[' {
			closer = ']'
		}
		for j := i + 1; j < len(rs) && j < i+16; j++ {
			if rs[j] == closer {
				a, b := trimSpaceRunes(rs, i+1, j)
				if d := e.exactPlace(rs[a:b]); d >= 0 {
					return d, int32(i), int32(j + 1)
				}
				return -1, 0, 0
			}
		}
		return -1, 0, 0
	}
	// A leading place name ended by '|', a bracket or a space:
	// "北京市|…", "杭州市【江干二部】", "到杭州市【…】", "杭州市 …".
	if rs[i] == '到' || rs[i] == '在' {
		i++
	}
	for j := i + 1; j < len(rs) && j < i+12; j++ {
		switch rs[j] {
		case '|', '【', '[', ' ':
			if d := e.exactPlace(rs[i:j]); d >= 0 {
				end := j
				if rs[j] == '|' {
					end++
				}
				return d, int32(i), int32(end)
			}
			return -1, 0, 0
		}
	}
	return -1, 0, 0
}

func trimSpaceRunes(rs []rune, a, b int) (int, int) {
	for a < b && isSpace(rs[a]) {
		a++
	}
	for b > a && isSpace(rs[b-1]) {
		b--
	}
	return a, b
}

// exactPlace returns the division a whole text names (one key of levels
// 1–3, unambiguous up to ancestry: 吉林 names the province), or -1.
func (e *engine) exactPlace(rs []rune) int32 {
	if len(rs) < 2 {
		return -1
	}
	n := int32(0)
	for _, r := range rs {
		if n = e.d.child(n, r); n == 0 {
			return -1
		}
	}
	nd := &e.d.nodes[n]
	best := int32(-1)
	for _, en := range e.d.entries[nd.entryStart:nd.entryEnd] {
		if e.t.divs[en.div].level > 3 || en.kind == kindGeneric {
			continue
		}
		switch {
		case best < 0 || e.t.isAncestor(en.div, best):
			best = en.div
		case e.t.isAncestor(best, en.div):
		default:
			return -1
		}
	}
	return best
}
