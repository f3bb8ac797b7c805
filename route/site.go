package route

import (
	"strings"
	"unicode"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

// Site is a place of a carrier's network as a scan names it: a transfer
// centre (转运中心, 分拨中心, 集散中心, …) or an outlet (a company, branch,
// station or sales point that picks up and delivers).
type Site struct {
	// Name is how the carrier writes it, without brackets, phone numbers
	// and the 公司 that some carriers add to a hub's name (深圳转运中心公司
	// → 深圳转运中心).
	Name string
	// Key identifies the site among the carrier's: Name without spaces,
	// parentheses and a trailing 公司, so that 【广东省深圳市坂田公司】 and
	// 【广东省深圳市坂田】 are one outlet.
	Key string
	// Type is trackpush.StopHub or trackpush.StopOutlet.
	Type string
}

// IsZero reports whether s names no site.
func (s Site) IsZero() bool { return s.Key == "" }

// Reading a scan for its sites. Scans name sites in brackets
// (【深圳转运中心】, [广东深圳公司]) or bare, ended by a site word
// (已到达 重庆分拨中心；发往 …, 由 北京大兴公司 发往 北京中转部, 离开上海速递
// 处理中心). What is not a site: the scan-city tag in front (【上海市】,
// 杭州市|), couriers and scanners (派件员【…】, 扫描员是【…】, 的 某某（138…）),
// lockers and stations where the receiver picks the parcel up (丰巢,
// 驿站, 自提柜), and boilerplate. A site after a destination marker (发往,
// 下一站, 目的地) is the next stop, not the scan's own site.

// hubWords end the name of a transfer centre.
var hubWords = []string{
	"转运中心", "分拨中心", "集散中心", "分拣中心", "处理中心", "中转中心", "操作中心", "航空中心",
	"邮件处理中心", "邮区中心局", "中心局", "转运场", "中转场", "分拣场", "集散场", "转运部", "中转部",
	"分拣部", "分拨部", "集散部", "中转站", "枢纽", "中心", "中转", "分拨", "集散", "仓",
}

// outletWords end the name of an outlet when it is written bare (in
// brackets anything may be a site).
var outletWords = []string{
	"分公司", "公司", "分部", "营业部", "营业点", "营业厅", "营业所", "网点", "服务部", "服务站",
	"揽投部", "揽投站", "投递部", "投递站", "集货点", "配送站", "站点", "本部", "一部", "二部",
	"三部", "四部", "五部", "六部", "七部", "八部", "九部", "十部", "东部", "西部", "南部", "北部", "站",
}

// lockerWords mark a receiver's pickup point or an airline, not a site of
// the network.
var lockerWords = []string{"航空公司", "航班", "驿站", "丰巢", "自提柜", "快递柜", "智能柜", "快递箱", "代收点", "自提点", "柜", "超市", "便利店", "门卫", "物业"}

// nextMarkers begin the part of a clause that names the next stop.
var nextMarkers = []string{"发往", "下一站", "目的地", "送往", "运往", "转往", "转运至", "发至"}

// personMarkers are followed by a person's name or role, never a site.
var personMarkers = []string{
	"派件员", "派送员", "快递员", "业务员", "收件员", "揽投员", "投递员", "配送员", "收派员",
	"取件人", "派件人", "签收人", "扫描员", "操作员", "联系人", "司机", "小哥", "姓名",
	"交给", "分配给", "代收人", "收件人", "寄件人",
}

// endWords begin the closing phrases of a scan; nothing after them is a
// site.
var endWords = []string{
	"如有疑问", "如有问题", "如有任何问题", "投诉电话", "感谢使用", "感谢您使用", "期待再次",
	"疫情期间", "相逢是缘", "请保持电话畅通", "客官", "祝您", "给您服务的", "温馨提示", "联系电话",
}

// verbPrefixes are stripped from the front of a bare name (已到达 重庆分拨中心,
// 离开上海速递处理中心, 运单已从广州市 …).
var verbPrefixes = []string{
	"您的快件", "您的包裹", "您的邮件", "您的订单", "快件", "包裹", "邮件", "货物", "运单", "订单",
	"快件已经到达", "快件已到达", "快件到达", "运单已到达", "已经到达", "已到达", "到达", "快件离开",
	"已离开", "离开", "运单已从", "已从", "从", "由", "在", "到", "已发往", "正发往", "将发往",
	"即将发往", "准备发往", "发往", "本次转运目的地", "转运目的地", "目的地", "下一站", "已收入",
	"已由", "已被", "被",
}

// maxSiteRunes bounds a site name: longer bracket contents are messages.
const maxSiteRunes = 40

type span struct {
	from, to int // runes [from, to)
	bracket  bool
	next     bool
}

// Sites reads a scan text for the site where the scan happened and the
// next stop it names; either is zero when the text names none.
func Sites(text string) (at, next Site) {
	rs := normalize(text)
	cut := len(rs)
	for i := range rs {
		if hasAt(rs, i, endWords) > 0 {
			cut = i
			break
		}
	}
	rs = rs[:cut]
	orig := append([]rune(nil), rs...)
	maskPersons(rs)
	cands := candidates(rs, orig)
	// The scan-city tag: a leading bracket that names only a city or
	// province, or one that names only a place when another site follows.
	var sites []Site
	var roles []bool
	for k, c := range cands {
		name := clean(rs[c.from:c.to])
		if name == "" || len([]rune(name)) > maxSiteRunes || isLocker(name) {
			continue
		}
		lvl := regionOnly(name)
		if c.bracket && !c.next && lvl > 0 && leading(rs, c.from) && (lvl <= 2 || hasSiteAfter(cands[k+1:])) {
			continue
		}
		if !c.bracket && lvl > 0 {
			continue // a bare place name ("杭州市 …") is a scan-city tag
		}
		sites = append(sites, siteOf(name, lvl))
		roles = append(roles, c.next)
	}
	for i, s := range sites {
		if roles[i] {
			if next.IsZero() {
				next = s
			}
		} else if at.IsZero() {
			at = s
		}
	}
	return at, next
}

// hasSiteAfter reports whether a candidate that is the scan's own site
// follows.
func hasSiteAfter(cands []span) bool {
	for _, c := range cands {
		if !c.next {
			return true
		}
	}
	return false
}

// leading reports whether rune i starts the text but for spaces.
func leading(rs []rune, i int) bool {
	for j := 0; j < i-1; j++ {
		if !unicode.IsSpace(rs[j]) {
			return false
		}
	}
	return true
}

// normalize maps full-width punctuation to one form and drops control
// characters.
func normalize(text string) []rune {
	rs := make([]rune, 0, len(text)/2)
	for _, r := range text {
		switch r {
		case '（':
			r = '('
		case '）':
			r = ')'
		case '［', '〔':
			r = '['
		case '］', '〕':
			r = ']'
		case '〖', '『', '「':
			r = '【'
		case '〗', '』', '」':
			r = '】'
		case '　', '\u00a0', '\t', '\n', '\r':
			r = ' '
		case '：':
			r = ':'
		case '，':
			r = ','
		case '；':
			r = ';'
		}
		if unicode.IsControl(r) {
			continue
		}
		rs = append(rs, r)
	}
	return rs
}

// maskPersons blanks couriers, scanners and signers: a person marker and
// the name after it (bracketed or bare), and ZTO's "的 某某（138…）".
func maskPersons(rs []rune) {
	for i := 0; i < len(rs); i++ {
		n := hasAt(rs, i, personMarkers)
		if n == 0 && rs[i] == '的' {
			if hasAt(rs, skipSpaces(rs, i+1), personMarkers) > 0 {
				rs[i] = ' ' // "的派件员 某某": the marker is handled next
				continue
			}
			n = 1
		}
		if n == 0 {
			continue
		}
		j := i + n
		for j < len(rs) && (rs[j] == ' ' || rs[j] == ':' || rs[j] == '是' || rs[j] == '为') {
			j++
		}
		if j < len(rs) && (rs[j] == '【' || rs[j] == '[') {
			k := closeOf(rs, j)
			blankRunes(rs, i, k)
			i = k - 1
			continue
		}
		k := j
		for k < len(rs) && k-j < 10 && !nameEnd(rs[k]) {
			k++
		}
		if rs[i] == '的' && n == 1 {
			// Only "的 name(" or "的 name 138…" is a person; 的 also joins
			// words ("快件的…").
			if k == j || k == len(rs) || !(rs[k] == '(' || rs[k] == ' ' || isDigit(rs[k])) {
				continue
			}
			if k-j > 6 {
				continue
			}
		}
		blankRunes(rs, i, k)
		i = k - 1
	}
}

func nameEnd(r rune) bool {
	switch r {
	case ' ', ',', '。', ';', ':', '(', ')', '【', '】', '[', ']', '、', '|', '/', '-', '*', '"', '“', '”':
		return true
	}
	return isDigit(r)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func blankRunes(rs []rune, i, j int) {
	for ; i < j && i < len(rs); i++ {
		rs[i] = ' '
	}
}

// closeOf returns the index after the bracket opened at i closes
// (brackets nest), or len(rs).
func closeOf(rs []rune, i int) int {
	depth := 0
	for k := i; k < len(rs); k++ {
		switch rs[k] {
		case '【', '[':
			depth++
		case '】', ']':
			depth--
			if depth == 0 {
				return k + 1
			}
		}
	}
	return len(rs)
}

// candidates returns the spans of a scan that may name sites, in order:
// bracket contents, and bare names ended by a site word or followed by
// 的派件员/的收件员 in the original text orig.
func candidates(rs, orig []rune) []span {
	var out []span
	clause := 0 // start of the current clause
	next := false
	i := 0
	for i < len(rs) {
		r := rs[i]
		switch {
		case r == ',' || r == ';' || r == '。' || r == '!' || r == '！':
			clause, next = i+1, false
			i++
			continue
		case r == '【' || r == '[':
			k := closeOf(rs, i)
			if !next {
				next = markerBetween(rs, clause, i)
			}
			to := k - 1
			if to < i+1 {
				to = i + 1
			}
			out = append(out, span{from: i + 1, to: min(to, len(rs)), bracket: true, next: next})
			i = k
			continue
		case isNameRune(r):
			j := i
			for j < len(rs) && isNameRune(rs[j]) {
				j++
			}
			from, isNext := stripVerbs(rs, i, j)
			if !next {
				next = markerBetween(rs, clause, from) || isNext
			}
			if end := siteEnd(rs[from:j]); end > 0 {
				out = append(out, span{from: from, to: from + end, next: next})
			} else if from < j && followedByCourier(orig, j) {
				out = append(out, span{from: from, to: j, next: next})
			}
			i = j
			continue
		}
		i++
	}
	return out
}

// isNameRune reports whether r may be part of a bare site name.
func isNameRune(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || isDigit(r) || r == '(' || r == ')'
}

// stripVerbs skips verb prefixes at the front of the bare run [i, j) and
// reports whether one of them was a destination marker.
func stripVerbs(rs []rune, i, j int) (int, bool) {
	next := false
	for i < j {
		n := hasAt(rs[:j], i, verbPrefixes)
		if n == 0 {
			break
		}
		if hasAt(rs[:j], i, nextMarkers) > 0 || hasAt(rs[:j], i, []string{"正发往", "将发往", "即将发往", "准备发往", "已发往", "本次转运目的地", "转运目的地"}) > 0 {
			next = true
		}
		i += n
	}
	return i, next
}

// markerBetween reports whether a destination marker occurs in rs[a:b].
func markerBetween(rs []rune, a, b int) bool {
	for k := a; k < b; k++ {
		if hasAt(rs[:b], k, nextMarkers) > 0 {
			return true
		}
	}
	return false
}

// siteEnd returns the length of a bare site name at the start of rs: up to
// the end of the last site word in the run, or 0 when it has none.
func siteEnd(rs []rune) int {
	end := 0
	for k := range rs {
		for _, words := range [][]string{hubWords, outletWords} {
			n := hasAt(rs, k, words)
			if n == 1 && rs[k] == '站' && k > 0 && strings.ContainsRune("入出进到下本一", rs[k-1]) {
				continue // 扫描入站, 下一站: not a station's name
			}
			if n > 0 && k+n > end && k > 0 {
				end = k + n
			}
		}
	}
	if end > 0 && end < 3 {
		return 0
	}
	return end
}

// courierWords follow a site's name in STO's scans: "广东番禺大岗 的派件员
// 某某 正在派件".
var courierWords = []string{"的派件员", "的收件员", "的派送员", "的收派员", "的快递员"}

// followedByCourier reports whether the bare run ending at j of the
// original text is followed by one of courierWords.
func followedByCourier(orig []rune, j int) bool {
	return hasAt(orig, skipSpaces(orig, j), courierWords) > 0
}

func skipSpaces(rs []rune, i int) int {
	for i < len(rs) && rs[i] == ' ' {
		i++
	}
	return i
}

// hasAt returns the rune length of the first word of words at rs[i:], or 0.
func hasAt(rs []rune, i int, words []string) int { return region.WordAt(rs, i, words) }

// clean returns a site's name from its runes: parenthesised parts (phone
// numbers, 本部) and spaces dropped.
func clean(rs []rune) string {
	var b strings.Builder
	depth := 0
	for _, r := range rs {
		switch {
		case r == '(':
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0, r == ' ', r == '【', r == '】', r == '[', r == ']':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isLocker(name string) bool {
	for _, w := range lockerWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return strings.Contains(name, "****")
}

// regionOnly returns the level of the region a name consists of entirely
// (广东省深圳市坂田 → 4, 北京 → 1), or 0 when it is more than a place name.
func regionOnly(name string) int {
	p := region.ResolveAddress(name)
	if p == nil || p.Span != name {
		return 0
	}
	return p.Level
}

// siteOf classifies a cleaned name.
func siteOf(name string, lvl int) Site {
	display := name
	// 深圳转运中心公司: the carrier's company running the hub.
	if base, ok := strings.CutSuffix(name, "公司"); ok && endsWithAny(base, hubWords) {
		display = base
	}
	typ := trackpush.StopOutlet
	if endsWithAny(strings.TrimSuffix(display, "公司"), hubWords) || (lvl > 0 && lvl <= 2) {
		typ = trackpush.StopHub
	}
	return Site{Name: display, Key: SiteKey(display), Type: typ}
}

// SiteKey returns the matching key of a site name (see Site.Key).
func SiteKey(name string) string {
	k := clean([]rune(name))
	for {
		b, ok := strings.CutSuffix(k, "公司")
		if !ok || b == "" {
			break
		}
		k = b
	}
	return k
}

func endsWithAny(s string, words []string) bool {
	for _, w := range words {
		if strings.HasSuffix(s, w) && len(s) > len(w) {
			return true
		}
	}
	return false
}
