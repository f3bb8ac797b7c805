package sim

import (
	"math/rand/v2"
	"strings"
)

// style is a carrier: how it names its sites, how it phrases its scans,
// and how it moves parcels.
type style struct {
	com   string
	name  string // display name, as hand-over scans name it
	usage int    // 2019 usage count (shared/data/carriers/usage_2019_top.csv), for drawing carriers
	post  bool   // a postal carrier: serves every city, takes hand-overs, never hands over
	// airKm is the leg length from which the carrier may fly (0: never),
	// airShare the share of such legs it flies.
	airKm    float64
	airShare float64
	// coShare is the share of deliveries that pass the city's
	// distribution company between the hub and the outlet.
	coShare float64
	// orderShare is the share of parcels with a pickup-task scan (102).
	orderShare float64
	// eras are alternative phrasebooks (a carrier's older and newer
	// house styles); a parcel uses one.
	eras []phrasebook

	// hubName and outletName name a site; k (0 ≤ k < nameVariants)
	// chooses among the carrier's name shapes, so that tests can try
	// every name a network may hold.
	hubName    func(c *city, regional bool, k int) string
	hubAlt     func(name string) string // nil: the name itself
	coName     func(c *city) string     // nil: no distribution companies
	outletName func(a *area, town string, k int) string
	// wrong are the codes shops mistake the carrier's numbers for.
	wrong []string
	// formats are its tracking-number formats.
	formats []numFormat
}

var styles = map[string]*style{}

func styleOf(com string) *style { return styles[com] }

func register(s *style) { styles[s.com] = s }

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// provCity is the province-and-city prefix of full outlet names:
// 广东省深圳市, or 北京市 for a municipality.
func provCity(c *city) string {
	if c.muni {
		return c.name
	}
	return c.prov + c.name
}

// provStem is the short province-and-city prefix: 广东广州, or 北京.
func provStem(c *city) string {
	if c.muni {
		return c.stem
	}
	return c.provShort + c.stem
}

// provLocal is the area's local name with the province's short name in
// front: 广东广州白云 (北京大兴 for a municipality).
func provLocal(a *area) string {
	if a.city.muni {
		return a.local()
	}
	return a.city.provShort + a.local()
}

// provLocalFull is provLocal with the area's full name: 广东广州白云区.
func provLocalFull(a *area) string {
	if a.city.muni {
		return a.localFull()
	}
	return a.city.provShort + a.localFull()
}

// countyCompany is the Yunda company of a county: 四川叙永县公司 (a
// district is named with its city: 河北石家庄桥西区公司).
func countyCompany(a *area) string {
	c := a.city
	if c.muni || strings.HasSuffix(a.name, "区") {
		return provLocalFull(a) + "公司"
	}
	return c.provShort + a.name + "公司"
}

// townOr returns the town, or else the area's short name.
func townOr(a *area, town string) string {
	if town != "" {
		return town
	}
	return a.short
}

// districtArea returns one of the city's two first areas (its urban
// districts), or its seat.
func districtArea(c *city, k int) *area {
	if c.seat {
		return c.areas[0]
	}
	return c.areas[k%min(2, len(c.areas))]
}

// nameVariants bounds the k of name builders: every name a network may
// hold is the name of some k < nameVariants.
const nameVariants = 36

// nth returns xs[k mod len(xs)].
func nth(k int, xs ...string) string { return xs[k%len(xs)] }

var ordinals = []string{"一部", "二部", "三部", "五部", "六部", "八部"}

// estates are residential compounds and sites where stations and lockers
// stand, and doors the parts of them: none names a place, nor reads as a
// town of any city of the list next to its name (TestStations).
var estates = []string{
	"丽景苑", "御景园", "香樟园", "怡景苑", "水岸名都", "君悦华庭", "保利香槟", "天悦府", "云栖里",
	"领秀城", "铂悦府", "星光公寓", "春晖苑", "馨园", "悦澜湾", "金域蓝湾", "翡翠城", "橡树湾",
	"香榭里", "中海国际社区", "万科金色家园", "时代倾城", "星河丹堤", "华润置地", "金茂府", "锦园",
	"雅苑", "和园", "悦府", "逸品", "御府", "蔚蓝卡地亚", "半岛豪庭", "都市丽景", "雍和府",
	"泰禾院子", "玺园", "创客公寓", "软件园", "创意园", "体育馆", "图书馆", "实验小学", "农贸市场",
}

var doors = []string{"一期", "二期", "三期", "1号楼", "3栋", "5栋", "8号楼", "A座", "B座", "2单元", "正门", "侧门", "", ""}

func station(r *rand.Rand) string { return pick(r, estates...) + pick(r, doors...) }

func init() {
	// ── 圆通速递 (YTO): 【广东省深圳市坂田公司】 已揽收; 【深圳转运中心】 已发出 下一站 【成都转运中心公司】
	register(&style{
		com: "yuantong", name: "圆通速递", usage: 2742888, coShare: 0.3,
		hubName: func(c *city, regional bool, k int) string { return c.stem + "转运中心" },
		hubAlt:  func(n string) string { return n + "公司" },
		coName:  func(c *city) string { return provCity(c) + "公司" },
		outletName: func(a *area, town string, k int) string {
			p := provCity(a.city)
			switch k % 4 {
			case 0:
				return p + townOr(a, town) + "公司"
			case 1:
				return p + a.name + town + nth(k/4, ordinals...) + "公司"
			case 2:
				return p + a.name + "公司"
			}
			return p + a.name + town + "公司"
		},
		wrong:   []string{"yunda", "zhongtong"},
		formats: []numFormat{{"YT", 13, 1}},
		eras: []phrasebook{book(map[step][]string{
			stPickup: {
				"【{node}】 已揽收 取件人: {courier} ({phone})",
				"【{node}】 已收件 取件人: {courier} ({phone})",
				"【{node}】 取件人: {courier} 已收件",
				"【{node}】 已收件",
			},
			stOutletPack:   {"【{node}】 已打包"},
			stOutletDepart: {"【{node}】 已发出 下一站 【{nextalt}】", "【{node}】 已发出 下一站 【{next}】"},
			stHubArrive:    {"【{alt}】 已收入", "【{node}】 已收入"},
			stHubSort:      {"【{alt}】 已打包", "【{node}】 已打包"},
			stHubDepart:    {"【{node}】 已发出 下一站 【{nextalt}】", "【{node}】 已发出 下一站 【{next}】", "【{node}】 已发出"},
			stCoArrive:     {"【{node}】 已收入"},
			stCoDepart:     {"【{node}】 已发出 下一站 【{next}】"},
			stOutletArrive: {"【{node}】 已收入"},
			stDispatch: {
				"【{node}】 派件中 派件人: {courier} 电话 {phone} 。 如有疑问，请联系：{phone}",
				"【{node}】 派件人: {courier} 派件中 派件员电话{phone}",
				"【{node}】 派件中 派件人: {courier} 电话 {phone}",
			},
			stLocker: {
				"快件已由{lstation}代收，请及时取件，如有疑问请联系{phone}",
				"快件已暂存至{lstation}，如有疑问请联系{phone}",
				"快件已被{station}【自提柜】代收，请及时取件。有问题请联系派件员{phone}",
			},
			stTaken: {
				"客户签收人: 已签收，签收人凭取货码签收。 感谢使用圆通速递，期待再次为您服务 如有疑问请联系：{phone}",
				"客户 签收人: {station}菜鸟驿站签收 已签收 感谢使用圆通速递，期待再次为您服务",
			},
			stSignPlain: {
				"客户 签收人: {courier} 已签收 感谢使用圆通速递，期待再次为您服务",
				"客户签收人: 已签收 感谢使用圆通速递，期待再次为您服务 如有疑问请联系：{phone}",
			},
			stSignSelf: {
				"客户 签收人: 本人签收 已签收 感谢使用圆通速递，期待再次为您服务",
				"客户签收人: 本人 已签收 感谢使用圆通速递，期待再次为您服务 如有疑问请联系：{phone}",
			},
			stSignProxy: {
				"客户 签收人: 门卫 已签收 感谢使用圆通速递，期待再次为您服务",
				"客户 签收人: 家人代收 已签收 感谢使用圆通速递，期待再次为您服务",
			},
			stSignStation: {"客户 签收人: {station}菜鸟驿站签收 已签收 感谢使用圆通速递，期待再次为您服务"},
			stFail204:     {"【{node}】 失败签收录入 原因: 客户不在家，改约明天派送", "【{node}】 失败签收录入 原因: 地址不详"},
			stFail206:     {"【{node}】 失败签收录入 原因: 电话无人接听", "【{node}】 失败签收录入 原因: 收件人电话关机"},
			stRefuse:      {"【{node}】 失败签收录入 原因: 客户拒收"},
			stReturn:      {"【{node}】 快件已退回，退回寄件人"},
			stReturnSign:  {"客户 签收人: 寄件人 已签收 感谢使用圆通速递，期待再次为您服务"},
			stHandOver:    {"【{node}】 快件已转交{newname}派送，{newname}单号：{newnu}"},
		})},
	})

	// ── 中通快递 (ZTO): 【苏州市】 快件离开 【昆常转运中心】 已发往 【常熟天下淘宝四】
	register(&style{
		com: "zhongtong", name: "中通快递", usage: 3399172,
		hubName: func(c *city, regional bool, k int) string {
			if regional && k%2 == 0 {
				return districtArea(c, k/2).local() + "中心"
			}
			return c.stem + nth(k/2, "中心", "转运中心", "中转部")
		},
		outletName: func(a *area, town string, k int) string {
			switch k % 3 {
			case 0:
				return townOr(a, town) + nth(k/3, "", "东部", "西部", "南部", "北部")
			case 1:
				return a.short + nth(k/3, ordinals...)
			}
			if town == "" {
				return a.short + nth(k/3, "营业部", "分部")
			}
			return a.short + town
		},
		wrong:   []string{"shentong", "zhongtongkuaiyun"},
		formats: []numFormat{{"73", 12, 2}, {"75", 12, 2}, {"76", 12, 1}, {"78", 12, 2}},
		eras: []phrasebook{book(map[step][]string{
			stPickup: {
				"【{city}】 【{node}】（{tel}） 的 {courier}（{phone}） 已揽收",
				"【{city}】 【{node}】 的 {courier}（{phone}） 已揽收",
				"【{city}】 【{node}】（{tel}） 的 {courier}（{phone}） 已收件",
			},
			stOutletDepart: {"【{city}】 快件离开 【{node}】 已发往 【{next}】", "【{city}】 快件离开 【{node}】 发往 【{next}】"},
			stHubArrive:    {"【{city}】 快件已经到达 【{node}】", "【{city}】 快件到达 【{node}】"},
			stHubDepart:    {"【{city}】 快件离开 【{node}】 已发往 【{next}】", "【{city}】 快件离开 【{node}】 发往 【{next}】"},
			stOutletArrive: {"【{city}】 快件已经到达 【{node}】", "【{city}】 快件到达 【{node}】"},
			stDispatch: {
				"【{city}】 【{node}】 的{courier}（{phone}） 正在第{n}次派件, 请保持电话畅通,并耐心等待（95720为中通快递员外呼专属号码，请放心接听）",
				"【{city}】 【{node}】 的 {courier}（{phone}） 正在第{n}次派件, 请保持电话畅通,并耐心等待",
			},
			stLocker: {
				"【{city}】 快件已被【丰巢的{station}丰巢柜{k}号柜(丰巢智能快递柜)】代收，如有问题请电联（{tel}），感谢使用中通快递，期待再次为您服务！",
				"【{city}】 快件已送达【{station}菜鸟驿站】，请及时凭取件码取件，如有问题请电联（{phone}）",
			},
			stTaken: {
				"【{city}】 您的快递已签收, 签收人在【丰巢的{station}丰巢柜{k}号柜(丰巢智能快递柜)】({station}丰巢柜{k}号柜)领取。如有疑问请电联:（{phone}）, 投诉电话:（4000633333,{phone}）, 您的快递已经妥投。风里来雨里去, 只为客官您满意。上有老下有小, 赏个好评好不好？【请在评价快递员处帮忙点亮五颗星星哦~】",
				"【{city}】 快件已被领取，如有疑问请电联（{phone}），感谢使用中通快递，期待再次为您服务！",
			},
			stSignPlain: {
				"【{city}】 您的快件已签收，如有疑问请电联:（{phone}）, 投诉电话:（4000633333）, 感谢使用中通快递, 期待再次为您服务!",
				"【{city}】 快件已签收，签收人：{courier}，如有疑问请电联（{phone}）",
			},
			stSignSelf: {"【{city}】 您的快件已签收，签收人：本人，如有疑问请电联:（{phone}）, 感谢使用中通快递, 期待再次为您服务!"},
			stSignProxy: {
				"【{city}】 您的快件已签收，签收人：门卫，如有疑问请电联:（{phone}）",
				"【{city}】 快件已签收，签收人：前台，如有疑问请电联（{phone}）, 感谢使用中通快递, 期待再次为您服务!",
			},
			stSignStation: {"【{city}】 快件已由【菜鸟的{station}【自提柜】】代签收, 如有问题请电联（{phone}）, 感谢您使用中通快递, 期待再次为您服务!"},
			stFail204: {
				"【{city}】 【{node}】 快件派送不成功，原因：收件人不在，已与客户约定改天派送",
				"【{city}】 【{node}】 的{courier}（{phone}） 派件异常，原因：地址不详",
			},
			stFail206:    {"【{city}】 【{node}】 快件派送不成功，原因：收件人电话无人接听，待再次派送"},
			stRefuse:     {"【{city}】 【{node}】 快件派送不成功，原因：收件人拒收，待进一步处理"},
			stReturn:     {"【{city}】 快件已由【{node}】退回，将返回寄件人"},
			stReturnSign: {"【{city}】 快件已退回签收，签收人：寄件人，感谢使用中通快递"},
			stHandOver:   {"【{city}】 【{node}】 快件已转交{newname}派送，新单号：{newnu}"},
		})},
	})

	// ── 韵达快递 (Yunda): [广东广州白云区嘉禾公司]进行揽件扫描, and the newer 【重庆市】已离开 重庆分拨中心；发往 …
	yundaOld := book(map[step][]string{
		stPickup:       {"[{node}]进行揽件扫描"},
		stOutletDepart: {"[{node}]进行下级地点扫描，将发往：{next}", "[{node}]进行装包扫描，将发往：{next}"},
		stHubArrive:    {"[{node}]在分拨中心进行卸车扫描", "[{node}]进行卸车扫描"},
		stHubSort:      {"[{node}]在分拨中心进行称重扫描", "[{node}]进行分拣扫描"},
		stHubDepart: {
			"[{node}]进行装车扫描，即将发往：{next}",
			"[{node}]从站点发出，本次转运目的地：{next}",
			"[{node}]进行装车扫描，发往：{next}",
		},
		stCoDepart:     {"[{node}]进行快件扫描，将发往：{next}"},
		stOutletArrive: {"![{node}]到达目的地网点，快件很快进行派送", "[{node}]进行到件扫描"},
		stDispatch:     {"[{node}]进行派件扫描；派送业务员：{courier}；联系电话：{phone}"},
		stLocker: {
			"[{node}]快件已被 您的快件已送达 {station}丰巢智能柜FC{code}({station}丰巢智能柜) 保管。如有问题请电联业务员：{courier}【{phone}】。相逢是缘,如果您对我的服务感到满意,给个五星好不好？【请在评价小件员处给予五星好评】",
		},
		stTaken:       {"[{node}]快件已从 {station}丰巢智能柜 取出，如有问题请电联业务员：{courier}【{phone}】"},
		stSignPlain:   {"[{node}]快件已被 {courier} 签收", "[{node}]快件已签收"},
		stSignSelf:    {"[{node}]快件已被 本人 签收"},
		stSignProxy:   {"[{node}]快件已被 门卫 签收", "[{node}]快件已被 家人 签收", "[{node}]快件已被 代签收。如有问题请电联业务员：{courier}【{phone}】"},
		stSignStation: {"[{node}]快件已被 {station}菜鸟驿站 签收"},
		stFail204:     {"[{node}]快件异常；备注：收件人不在，改天派送", "[{node}]快件异常；备注：地址不详"},
		stFail206:     {"[{node}]快件异常；备注：收件人电话无人接听"},
		stRefuse:      {"[{node}]快件异常；备注：客户拒收"},
		stReturn:      {"[{node}]进行退件扫描"},
		stReturnSign:  {"[{node}]快件已被 寄件人 签收"},
		stHandOver:    {"[{node}]快件已转{newname}派送，单号：{newnu}"},
	})
	yundaNew := yundaOld.with(map[step][]string{
		stPickup:       {"【{city}】{node} 已揽收"},
		stOutletDepart: {"【{city}】已离开 {node}；发往 {next}"},
		stHubArrive:    {"【{city}】已到达 {node}"},
		stHubSort:      {"【{city}】{node} 已进行分拣"},
		stHubDepart:    {"【{city}】已离开 {node}；发往 {next}"},
		stCoArrive:     {"【{city}】已到达 {node}"},
		stCoDepart:     {"【{city}】已离开 {node}；发往 {next}"},
		stOutletArrive: {"【{city}】已到达 {node}"},
		stDispatch:     {"【{city}】{node} 派件员 {courier} {phone} 正在为您派件"},
		stLocker:       {"【{city}】快件已被 {station}丰巢智能柜 保管，请及时取件。如有问题请电联业务员：{courier}【{phone}】"},
		stTaken:        {"【{city}】快件已从 {station}丰巢智能柜 取出。如有问题请电联业务员：{courier}【{phone}】"},
		stSignPlain:    {"【{city}】快件已签收。如有问题请电联业务员：{courier}【{phone}】"},
		stSignSelf:     {"【{city}】快件已被 本人 签收。如有问题请电联业务员：{courier}【{phone}】"},
		stSignProxy: {
			"【{city}】快件已被 代签收。如有问题请电联业务员：{courier}【{phone}】。相逢是缘,如果您对我的服务感到满意,给个五星好不好？【请在评价小件员处给予五星好评】",
		},
		stSignStation: {"【{city}】快件已被 {station}菜鸟驿站 代签收。如有问题请电联业务员：{courier}【{phone}】"},
		stFail204:     {"【{city}】{node} 快件异常；备注：收件人不在，改天派送"},
		stFail206:     {"【{city}】{node} 快件异常；备注：收件人电话无人接听"},
		stRefuse:      {"【{city}】{node} 快件异常；备注：客户拒收"},
		stReturn:      {"【{city}】{node} 进行退件扫描"},
		stReturnSign:  {"【{city}】快件已被 寄件人 签收"},
		stHandOver:    {"【{city}】{node} 快件已转{newname}派送，单号：{newnu}"},
	})
	register(&style{
		com: "yunda", name: "韵达快递", usage: 5936642, coShare: 0.5,
		hubName: func(c *city, regional bool, k int) string { return provStem(c) + "分拨中心" },
		coName:  func(c *city) string { return provStem(c) + "公司" },
		outletName: func(a *area, town string, k int) string {
			c := a.city
			switch k % 3 {
			case 0:
				return provLocalFull(a) + town + "公司"
			case 1:
				if !(c.seat && a != c.areas[0]) && town != "" {
					return provStem(c) + "公司" + town + nth(k/3, "分部", "便民服务站分部", "服务部")
				}
			}
			return countyCompany(a)
		},
		wrong:   []string{"yuantong", "yundakuaiyun"},
		formats: []numFormat{{"31", 13, 4}, {"33", 13, 3}, {"5", 12, 1}},
		eras:    []phrasebook{yundaOld, yundaNew},
	})

	// ── 申通快递 (STO): 由 北京中转部 发往 广东深圳中转部; 快件由【重庆转运中心】发往【重庆机场公司】
	stoOld := book(map[step][]string{
		stPickup:       {"{node}({tel}) 的收件员 {courier} 已收件", "{node} 的收件员 {courier} 已收件"},
		stOutletPack:   {"{node}({tel}) 正在进行 装袋 扫描", "{node} 正在进行 装袋 扫描"},
		stOutletDepart: {"由 {node} 发往 {next}"},
		stHubArrive:    {"快件已到达 {node}"},
		stHubSort:      {"{node} 正在进行 装包 扫描"},
		stHubDepart:    {"由 {node} 发往 {next}"},
		stOutletArrive: {"快件已到达 {node}"},
		stDispatch:     {"{node} 的派件员 {courier} 正在派件"},
		stLocker:       {"{node} 快件已放入{station}快递柜，请凭取件码{code}及时取件"},
		stTaken:        {"快件已从{station}快递柜取出，感谢使用申通快递，期待再次为您服务"},
		stSignPlain:    {"已签收,签收人是: {courier}", "已签收,感谢使用申通快递,期待再次为您服务"},
		stSignSelf:     {"已签收,签收人是: 本人,感谢使用申通快递,期待再次为您服务"},
		stSignProxy:    {"已签收,签收人是前台代收,感谢使用申通快递,期待再次为您服务", "已签收,签收人是: 门卫"},
		stSignStation: {
			"已签收,签收人是(快递已送代理点如有问题请联系{phone})先生/女士,如有疑问请联系派件员{courier}({phone}),如您未收到此快递,请拨打投诉电话:{tel},感谢使用申通快递,期待再次为您服务",
		},
		stFail204:    {"{node} 正在进行 疑难件 扫描,原因是： 联系好下午送", "{node} 正在进行 疑难件 扫描,原因是： 收件人不在"},
		stFail206:    {"{node} 正在进行 疑难件 扫描,原因是： 电话无人接听"},
		stRefuse:     {"{node} 正在进行 疑难件 扫描,原因是： 客户拒收"},
		stReturn:     {"{node} 正在进行 退件 扫描"},
		stReturnSign: {"已签收,签收人是: 寄件人"},
		stHandOver:   {"已签收,签收人是: 转{newname}{newnu}", "{node} 快件已转交{newname}派送，单号：{newnu}"},
	})
	stoNew := stoOld.with(map[step][]string{
		stPickup:       {"【{node}】的收件员【{courier}({phone})】已收件"},
		stOutletPack:   {"【{node}】已打包"},
		stOutletDepart: {"快件由【{node}】发往【{next}】", "{node}-已发往-{next}"},
		stHubArrive:    {"快件已到达【{node}】扫描员是【{courier}】", "已到达-{node}"},
		stHubSort:      {"【{node}】已进行装袋扫描"},
		stHubDepart:    {"快件由【{node}】发往【{next}】", "{node}-已发往-{next}"},
		stOutletArrive: {"快件已到达【{node}】扫描员是【{courier}】", "已到达-{node}"},
		stDispatch: {
			"【{node}】的派件员【{courier}({phone})】正在为您派件，如有疑问请联系派件员，联系电话【{phone}】",
			"{node}-{courier}({phone})-派件中",
		},
	})
	register(&style{
		com: "shentong", name: "申通快递", usage: 2499705,
		hubName: func(c *city, regional bool, k int) string {
			return nth(k, provStem(c)+"转运中心", c.stem+"转运中心", provStem(c)+"中转部")
		},
		outletName: func(a *area, town string, k int) string {
			c := a.city
			switch k % 3 {
			case 0:
				return provLocal(a) + nth(k/3, "营业厅", "公司", "营业部")
			case 1:
				return provLocal(a) + town + nth(k/3, ordinals...)
			}
			if c.muni || strings.HasSuffix(a.name, "区") {
				return provLocal(a) + "公司"
			}
			return c.provShort + a.short + "公司"
		},
		wrong:   []string{"zhongtong", "shunfeng"},
		formats: []numFormat{{"77", 13, 3}, {"43", 12, 1}},
		eras:    []phrasebook{stoOld, stoNew},
	})

	// ── 顺丰速运 (SF): 快件在【郑州市郑东新区晖达新领地营业点】已装车，准备发往 【郑州新郑集散中心】
	register(&style{
		com: "shunfeng", name: "顺丰速运", usage: 2748779, airKm: 600, airShare: 0.85,
		hubName: func(c *city, regional bool, k int) string {
			return districtArea(c, k).local() + "集散中心"
		},
		outletName: func(a *area, town string, k int) string {
			c := a.city
			switch k % 3 {
			case 0:
				return c.name + a.name + town + "营业点"
			case 1:
				return a.local() + town + "营业部"
			}
			return a.local() + town + "营业点"
		},
		wrong:   []string{"shunfengkuaiyun", "shentong"},
		formats: []numFormat{{"SF", 13, 1}},
		eras: []phrasebook{book(map[step][]string{
			stPickup:       {"顺丰速运已收取您的快件，收件员：{courier}", "[{city}]顺丰速运已收取您的快件，收件员：{courier}（{phone}）"},
			stOutletDepart: {"快件在【{node}】已装车，准备发往 【{next}】", "[{city}]快件在【{node}】已装车,准备发往 【{next}】", "快件离开【{node}】,正发往 【{next}】"},
			stTruck:        {"快件已发车", "[{city}]快件已发车，正在运往下一站"},
			stAir:          {"快件已交航空公司运输，航班已起飞"},
			stHubArrive:    {"快件到达 【{node}】", "[{city}]快件到达 【{node}】"},
			stHubSort:      {"快件在【{node}】完成分拣,准备发往下一站"},
			stHubDepart:    {"快件在【{node}】已装车，准备发往 【{next}】", "快件离开【{node}】,正发往 【{next}】", "快件在【{node}】已装车，准备发往下一站"},
			stOutletArrive: {"快件到达 【{node}】", "[{city}]快件到达 【{node}】"},
			stDispatch: {
				"快件交给{courier}，正在派送途中（联系电话：{phone}）",
				"[{city}]快件交给{courier}，正在派送途中（联系电话：{phone}）",
				"正在派送途中,请您准备签收(派件人:{courier},电话:{phone})",
			},
			stLocker: {
				"快件已放入【{station}丰巢智能柜】，请凭取件码{code}及时取件",
				"[{city}]快件已暂存至【{station}顺丰驿站】，请及时取件",
			},
			stTaken:       {"快件已从【{station}丰巢智能柜】取出，感谢使用顺丰，期待再次为您服务", "您的快件已被领取，感谢使用顺丰，期待再次为您服务"},
			stSignPlain:   {"您的快件已签收，感谢您使用顺丰速运，期待再次为您服务", "[{city}]快件已签收，签收人：{courier}，感谢使用顺丰速运"},
			stSignSelf:    {"您的快件已签收，签收人：本人，感谢使用顺丰，期待再次为您服务"},
			stSignProxy:   {"您的快件已签收，签收人：前台，感谢使用顺丰，期待再次为您服务", "已签收,他人代收（门卫）,感谢使用顺丰,期待再次为您服务"},
			stSignStation: {"您的快件已由{station}丰巢智能柜代签收，感谢使用顺丰，期待再次为您服务"},
			stFail204:     {"快件派送不成功(因收方客户不在家，暂无法派送),正在处理中,待再次派送", "快件派送不成功(因收件地址不详),正在处理中,待再次派送"},
			stFail206:     {"快件派送不成功(因电话无人接听/关机/无信号，暂无法联系到收方客户),正在处理中,待再次派送"},
			stRefuse:      {"快件派送不成功(因收方客户拒收快件),待进一步处理"},
			stReturn:      {"快件已退回，正在返回寄件人途中"},
			stReturnSign:  {"退回件已签收，签收人：寄件人"},
			stHandOver:    {"快件已转交{newname}派送，{newname}单号：{newnu}"},
		})},
	})

	// ── 京东物流 (JD): 您的快件由【成都祥福分拣中心】准备发往【重庆分拣中心】
	register(&style{
		com: "jd", name: "京东物流", usage: 1427612, airKm: 1000, airShare: 0.5, orderShare: 0.6,
		hubName: func(c *city, regional bool, k int) string {
			if k%2 == 0 {
				return c.stem + "分拣中心"
			}
			return districtArea(c, k/2).local() + "分拣中心"
		},
		outletName: func(a *area, town string, k int) string {
			if k%2 == 0 {
				return a.local() + "营业部"
			}
			return a.local() + town + "营业部"
		},
		wrong:   []string{"jingdongkuaiyun"},
		formats: []numFormat{{"JDVA", 11, 3}, {"JDVB", 11, 2}, {"JDX", 12, 1}},
		eras: []phrasebook{book(map[step][]string{
			stOrder:        {"揽收任务已分配给{courier}", "您的快件揽收任务已分配给{courier}，联系电话：{phone}"},
			stPickup:       {"京东快递已收取您的快件，揽收员：{courier}", "您的快件已由京东快递揽收员{courier}揽收完成"},
			stPickupMore:   {"您的快件已由【{node}】揽收完成"},
			stOutletPack:   {"您的快件已到达【{node}】"},
			stTruck:        {"快递司机已收箱，等待发车", "运输车辆已发车，您的快件正在运往下一站"},
			stAir:          {"您的快件已交航空运输，航班已起飞"},
			stOutletDepart: {"您的快件由【{node}】准备发往【{next}】"},
			stHubArrive:    {"您的快件已到达【{node}】"},
			stHubSort:      {"您的快件在【{node}】分拣完成"},
			stHubDepart:    {"您的快件由【{node}】准备发往【{next}】"},
			stOutletArrive: {"您的快件已到达【{node}】", "您的快件在【{node}】收货完成"},
			stDispatch: {
				"您的快件正在派送中，请您准备签收（快递员：{courier}，联系电话：{phone}）",
				"您的快件正在派送中，请您准备签收（快递员：{courier}，联系电话：{phone}）。给您服务的快递员已完成新冠疫苗接种，祝您身体健康。",
			},
			stLocker:      {"您的快件已由{station}快递驿站代收，请及时取件，感谢您使用京东物流", "您的快件已放入{station}智能柜，请凭取件码{code}及时取件"},
			stTaken:       {"您的快件已从快递柜取出，感谢您使用京东物流，期待再次为您服务", "您的快件已被领取，感谢您使用京东物流，期待再次为您服务"},
			stSignPlain:   {"您的快件已签收，感谢您使用京东物流，期待再次为您服务"},
			stSignSelf:    {"您的快件已由本人签收，如有疑问请联系快递员：{courier}，电话：{phone}，感谢您使用京东物流，期待再次为您服务"},
			stSignProxy:   {"您的快件已由家人代签收，感谢您使用京东物流，期待再次为您服务", "您的快件已由门卫签收，感谢您使用京东物流，期待再次为您服务"},
			stSignStation: {"您的快件已由{station}京东自提点代签收，感谢您使用京东物流，期待再次为您服务"},
			stFail204:     {"您的快件配送失败，原因：客户不在家，将于明日再次配送", "您的快件配送失败，原因：地址不详，待联系客户确认"},
			stFail206:     {"您的快件派送不成功，原因：电话无人接听，将再次联系客户"},
			stRefuse:      {"您的快件配送失败，原因：客户拒收"},
			stReturn:      {"您的快件已退回，正在返回商家途中"},
			stReturnSign:  {"您的快件已由寄件人签收，感谢您使用京东物流"},
			stHandOver:    {"您的快件已转交{newname}派送，{newname}单号：{newnu}"},
		})},
	})

	// ── EMS: 离开杭州处理中心 发往杭州市邮政速递物流公司高新区分公司古翠路揽投站
	register(&style{
		com: "ems", name: "EMS", usage: 711984, post: true, airKm: 1000, airShare: 0.6,
		hubName: func(c *city, regional bool, k int) string {
			return c.stem + nth(k, "处理中心", "速递处理中心", "邮件处理中心")
		},
		outletName: func(a *area, town string, k int) string {
			c := a.city
			if c.seat && a != c.areas[0] {
				// a county of a prefecture named after its seat
				if town == "" {
					return a.name + nth(k, "邮政速递揽投站", "邮政速递物流公司揽投部")
				}
				return a.name + nth(k, "邮政速递", "邮政速递物流公司") + town + "揽投站"
			}
			if k%2 == 0 {
				return c.stem + "邮政速递" + a.name + town + "揽投站"
			}
			return c.stem + "市邮政速递物流公司" + a.name + "分公司" + town + "揽投站"
		},
		wrong:   []string{"youzhengguonei"},
		formats: []numFormat{{"10", 11, 3}, {"11", 11, 3}, {"E", s10, 1}},
		eras: []phrasebook{book(map[step][]string{
			stPickup: {
				"{city} {node}已收件（揽投员姓名：{courier},联系电话:{phone}）",
				"【{city}】 {node}已收件（揽投员姓名：{courier},联系电话:{phone}）",
			},
			stOutletDepart: {"已离开{node}，发往{next}", "【{city}】 离开{node} 发往{next}"},
			stAir:          {"邮件已交航空运输，航班已起飞"},
			stHubArrive:    {"到达{node}", "【{city}】 到达{node}"},
			stHubSort:      {"【{city}】 {node}已开拆"},
			stHubDepart:    {"离开{node} 发往{next}", "【{city}】 离开{node} 发往{next}"},
			stOutletArrive: {"到达{node}", "【{city}】 到达{node}"},
			stDispatch: {
				"{node}安排投递，预计{eta}前投递（投递员姓名：{courier};联系电话：{phone}）",
				"【{city}】 {node}安排投递，预计{eta}前投递（投递员姓名：{courier};联系电话：{phone}）",
			},
			stLocker:      {"【{city}】 快件已投递至{station}菜鸟驿站，请及时领取"},
			stTaken:       {"【{city}】 投递并签收，签收人：{station}菜鸟驿站"},
			stSignPlain:   {"【{city}】 已妥投", "【{city}】 投递并签收"},
			stSignSelf:    {"【{city}】 投递并签收，签收人：本人收", "[{node}]在 {city} 投递并签收，签收人：本人收"},
			stSignProxy:   {"【{city}】 投递并签收，签收人：他人收 门卫", "【{city}】 投递并签收，签收人：他人收"},
			stSignStation: {"[{node}]在 {city} 投递并签收，签收人：他人收 {station}菜鸟驿站"},
			stFail204:     {"【{city}】 {node}未妥投，原因：收件人不在", "【{city}】 {node}未妥投，原因：地址不详"},
			stFail206:     {"【{city}】 {node}未妥投，原因：电话无人接听"},
			stRefuse:      {"【{city}】 {node}未妥投，原因：收件人拒收"},
			stReturn:      {"【{city}】 {node}已退回寄件人"},
			stReturnSign:  {"【{city}】 退回妥投，签收人：寄件人"},
		})},
	})

	// ── 邮政快递包裹 (China Post parcels): 离开【广州邮区中心局】，下一站【北京邮区中心局】
	register(&style{
		com: "youzhengguonei", name: "中国邮政", usage: 6413328, post: true,
		hubName: func(c *city, regional bool, k int) string {
			if regional {
				return c.stem + "邮区中心局"
			}
			return c.stem + "邮件处理中心"
		},
		outletName: func(a *area, town string, k int) string {
			if k%2 == 0 {
				return a.local() + "揽投部"
			}
			return a.local() + town + "揽投部"
		},
		wrong:   []string{"ems"},
		formats: []numFormat{{"98", 11, 3}, {"99", 11, 2}, {"96", 11, 1}},
		eras: []phrasebook{book(map[step][]string{
			stPickup:       {"【{node}】已收寄，揽投员：{courier}，电话：{phone}", "{city} {node}已收寄"},
			stOutletDepart: {"离开【{node}】，下一站【{next}】"},
			stHubArrive:    {"到达【{node}】"},
			stHubSort:      {"【{node}】已封发"},
			stHubDepart:    {"离开【{node}】，下一站【{next}】"},
			stOutletArrive: {"到达【{node}】"},
			stDispatch:     {"【{node}】安排投递，投递员：{courier}，电话：{phone}，揽投部电话：{tel}"},
			stLocker:       {"【{node}】已投递至{station}快递柜，请凭提取码{code}及时取件"},
			stTaken:        {"您的邮件已从{station}快递柜取出"},
			stSignPlain:    {"【{node}】已妥投", "您的邮件已妥投"},
			stSignSelf:     {"【{node}】已妥投，签收人：本人收"},
			stSignProxy:    {"【{node}】已妥投，签收人：他人收，收发室"},
			stSignStation:  {"【{node}】已妥投，签收人：{station}快递柜"},
			stFail204:      {"【{node}】未妥投，原因：收件人不在家"},
			stFail206:      {"【{node}】未妥投，原因：收件人电话无人接听"},
			stRefuse:       {"【{node}】未妥投，原因：收件人拒收"},
			stReturn:       {"【{node}】邮件已退回寄件人"},
			stReturnSign:   {"【{node}】退回妥投，签收人：寄件人"},
		})},
	})

	// ── 百世快递 (Best): 金华市【金华转运中心】，正发往【杭州转运中心】; 到杭州市【江干二部】
	register(&style{
		com: "huitongkuaidi", name: "百世快递", usage: 2558500,
		hubName: func(c *city, regional bool, k int) string { return c.stem + "转运中心" },
		outletName: func(a *area, town string, k int) string {
			switch k % 3 {
			case 0:
				return a.short + nth(k/3, ordinals...)
			case 1:
				return townOr(a, town) + "分部"
			}
			return a.short + "集货点"
		},
		wrong:   []string{"baishiwuliu", "jtexpress"},
		formats: []numFormat{{"55", 12, 3}, {"57", 12, 2}, {"70", 12, 2}, {"71", 12, 1}},
		eras: []phrasebook{book(map[step][]string{
			stPickup:       {"{city}【{node}】，【{courier}/{phone}】已揽收", "{city}|{city}【{node}】，【{courier}/{phone}】已揽收"},
			stOutletDepart: {"{city}【{node}】，正发往【{next}】", "{city}|{city}【{node}】，正发往【{next}】"},
			stHubArrive:    {"到{city}【{node}】", "{city}|到{city}【{node}】"},
			stHubDepart:    {"{city}【{node}】，正发往【{next}】", "{city}|{city}【{node}】，正发往【{next}】"},
			stOutletArrive: {"到{city}【{node}】", "{city}|到{city}【{node}】"},
			stDispatch:     {"{city}【{node}】，【{courier}/{phone}】正在派件", "{city}|{city}【{node}】，【{courier}/{phone}】正在派件"},
			stLocker:       {"【{city}】您的派件已送达至【丰巢智能柜】{station}丰巢智能柜{k}号柜，请及时领取您的包裹，联系电话:{phone}"},
			stTaken:        {"您的快件已经被领取，如有疑问请联系派件员{courier}（{phone}）。"},
			stSignPlain:    {"{city}【{node}】，拍照签收 已签收", "{city}|{city}【{node}】，已签收"},
			stSignSelf:     {"{city}【{node}】，本人签收 已签收"},
			stSignProxy:    {"{city}【{node}】，门卫代签收 已签收"},
			stSignStation:  {"{city}【{node}】，{station}菜鸟驿站代签收 已签收"},
			stFail204:      {"{city}【{node}】，客户不在家，改日派送", "{city}【{node}】，地址不详，待联系客户"},
			stFail206:      {"{city}【{node}】，电话无人接听，待再次派送"},
			stRefuse:       {"{city}【{node}】，客户拒收"},
			stReturn:       {"{city}【{node}】，快件已退回寄件人"},
			stReturnSign:   {"{city}【{node}】，寄件人已签收"},
			stHandOver:     {"{city}【{node}】，转{newname}，单号：{newnu}"},
		})},
	})

	// ── 天天快递 (TTK)
	register(&style{
		com: "tiantian", name: "天天快递", usage: 865366,
		hubName: func(c *city, regional bool, k int) string {
			return nth(k, provStem(c)+"中转部", c.stem+"分拨中心")
		},
		outletName: func(a *area, town string, k int) string {
			if k%2 == 0 || town == "" {
				return a.local() + "分部"
			}
			return a.local() + town + "公司"
		},
		wrong:   []string{"huitongkuaidi"},
		formats: []numFormat{{"66", 10, 2}, {"88", 10, 2}, {"995", 9, 3}, {"TT66", 11, 3}},
		eras: []phrasebook{book(map[step][]string{
			stPickup:       {"【{city}】 {node} 已收件，收件员：{courier}", "【{city}】 快件在 {node} 进行收件扫描"},
			stOutletDepart: {"【{city}】 快件在 {node} 进行发件扫描，下一站：{next}"},
			stHubArrive:    {"【{city}】 快件到达 {node}，正在进行到件扫描"},
			stHubDepart:    {"【{city}】 快件在 {node} 进行发件扫描，下一站：{next}"},
			stOutletArrive: {"【{city}】 快件到达 {node}，正在进行到件扫描"},
			stDispatch:     {"【{city}】 {node} 派件员：{courier} 电话：{phone} 正在为您派件"},
			stLocker:       {"【{city}】 快件已放入{station}丰巢智能柜，请凭取件码{code}及时取件"},
			stTaken:        {"【{city}】 快件已从{station}丰巢智能柜取出"},
			stSignPlain:    {"【{city}】 快件已签收，感谢使用天天快递"},
			stSignSelf:     {"【{city}】 快件已签收，签收人：本人"},
			stSignProxy:    {"【{city}】 快件已签收，签收人：同事"},
			stSignStation:  {"【{city}】 快件已由{station}菜鸟驿站代签收"},
			stFail204:      {"【{city}】 {node} 快件派送不成功，原因：收件人不在"},
			stFail206:      {"【{city}】 {node} 快件派送不成功，原因：电话无人接听"},
			stRefuse:       {"【{city}】 {node} 快件派送不成功，原因：收件人拒收"},
			stReturn:       {"【{city}】 {node} 快件已退回寄件人"},
			stReturnSign:   {"【{city}】 快件已退回签收，签收人：寄件人"},
			stHandOver:     {"【{city}】 {node} 快件已转交{newname}派送，单号：{newnu}"},
		})},
	})
}
