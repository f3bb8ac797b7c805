// Package region resolves Chinese addresses and carrier scan texts to the
// administrative divisions of China (levels 1–4: province, prefecture,
// county, town), with the names, codes, centres and pinyin the wire needs.
//
// The division table (NBS 2023, 44,728 rows) is compiled into the binary
// (table_gen.go, rebuilt from shared/data/regions/regions.csv by
// "go generate ./region"); the lookup structures are built once, on first
// use or by Warm.
//
// # How a text is read
//
// Every name of the table is indexed in a rune trie: full names (延安市),
// short names (延安) and stems (浦东 of 浦东新区), autonomous-unit variants
// (延边州), former names of renamed units (襄樊, 下城区), and generic
// development-zone names (高新区, valid only under a city). Walking the trie
// from each position finds every name in the text. Names followed by a road
// word (北京路) or that lend their last character to a jargon word (山东营业部
// is not 东营) are dropped; a short name followed by the unit suffix of
// another level (朝阳区) does not name that level's unit (朝阳市).
//
// The names found are then chained: each link must lie inside the one
// before it (广东 → 深圳 → 南山区 → 粤海), levels may be skipped (福建省鼓楼区
// is 福州市鼓楼区), and the best-scoring chain wins. A score adds each name's
// weight (full names above short ones, higher levels above lower), a bonus
// per link, and a bonus for lying in the city or province of a prior (the
// shipment's from/to). Towns, and names that are ordinary words or shared by
// many places (城区, 和平, 光明), count only inside a place already named. A
// name that names both a unit and one inside it means the larger (吉林 is
// the province, 长沙 the city, not 长沙县).
//
// The confidence reflects the evidence (a chain of names or one name) and
// the margin over the best chain naming a different place: 朝阳区 alone
// fits Beijing and Changchun and comes back with confidence < 0.5.
//
// # Scan texts
//
// ResolveEvent reads only the place where the scan happened. A scan city
// in front ("【泸州市】…", "[广州市]…", "北京市|…", "杭州市【江干二部】…") anchors
// the result: only places inside it count. The next stop ("…发往B",
// "下一站B", "目的地：B"), couriers' and signers' names, and boilerplate
// (thanks, complaint numbers, notices) are blanked out before lookup, so
// "离开A，发往B" is A and "已发往B" alone is nothing. Ambiguous answers are
// dropped: a wrong place is worse than none.
//
// # Names on the wire
//
// AreaName follows the original service: the province by its short name,
// the lower levels by their full names with placeholders (市辖区, 县,
// 省直辖县级行政区划) skipped, a town by its short name: "陕西,延安市,吴起县",
// "广东,深圳市,龙岗区,坂田", "北京,昌平区", "天津". Location is the city and
// county part ("延安市,吴起县").
package region
