package web

import (
	"sort"

	"github.com/trackpush/trackpush"
)

// locales are the page's texts. A template chooses one and may replace
// any of them by key (its Texts).
var locales = map[string]map[string]string{
	"zh-CN": {
		"title":        "物流轨迹",
		"eta":          "预计送达",
		"range":        "可能区间",
		"basis":        "预测依据",
		"lane":         "本线路的历史时效",
		"prior":        "运输距离估算",
		"blend":        "线路历史与距离",
		"arrived":      "已进入派送阶段",
		"loop":         "路由异常",
		"loopText":     "快件离开后又回到了",
		"timeline":     "物流详情",
		"from":         "发货地",
		"to":           "收货地",
		"current":      "当前位置",
		"hub":          "转运中心",
		"outlet":       "网点",
		"travelled":    "已走路线",
		"predicted":    "预计路线",
		"updated":      "最近更新",
		"expires":      "链接有效期至",
		"noEvents":     "暂无物流信息，揽收后这里会显示轨迹。",
		"expired":      "链接已过期",
		"expiredText":  "这个物流轨迹链接已过有效期（未签收的快件在最后一条物流信息后 3 天内有效，签收后 15 天内有效）。请向商家索取新的链接。",
		"ended":        "已停止跟踪",
		"endedText":    "这个快件已停止跟踪，轨迹链接不再可用。",
		"notFound":     "链接无效",
		"notFoundText": "找不到这个物流轨迹，请检查链接是否完整。",
		"zoomIn":       "放大",
		"zoomOut":      "缩小",
		"reset":        "复位",
		"mapLabel":     "快件路线地图",
		"notice":       "",
		"attribution":  "底图数据 © 高德/DataV",
	},
	"en": {
		"title":        "Parcel tracking",
		"eta":          "Estimated delivery",
		"range":        "Likely between",
		"basis":        "Based on",
		"lane":         "this lane's history",
		"prior":        "the distance",
		"blend":        "lane history and distance",
		"arrived":      "out for delivery",
		"loop":         "Route anomaly",
		"loopText":     "The parcel came back to a place it had left:",
		"timeline":     "Tracking history",
		"from":         "From",
		"to":           "To",
		"current":      "Now",
		"hub":          "Hub",
		"outlet":       "Outlet",
		"travelled":    "Route so far",
		"predicted":    "Route ahead",
		"updated":      "Updated",
		"expires":      "Link valid until",
		"noEvents":     "No tracking information yet: the route appears once the carrier scans the parcel.",
		"expired":      "This link has expired",
		"expiredText":  "Tracking links stay valid for 3 days after the last update, and for 15 days after delivery. Ask the shop for a new link.",
		"ended":        "Tracking has ended",
		"endedText":    "This parcel is no longer tracked; its link is closed.",
		"notFound":     "Link not found",
		"notFoundText": "No parcel has this link. Check that it was copied whole.",
		"zoomIn":       "Zoom in",
		"zoomOut":      "Zoom out",
		"reset":        "Reset",
		"mapLabel":     "Map of the parcel's route",
		"notice":       "",
		"attribution":  "Basemap © AMap/DataV",
	},
}

// basicEN names the basic states in English (the advanced names stay
// Chinese: they are the protocol's own).
var basicEN = map[trackpush.State]string{
	trackpush.StateInTransit: "In transit", trackpush.StatePickup: "Picked up", trackpush.StateTrouble: "Problem",
	trackpush.StateSigned: "Delivered", trackpush.StateReturned: "Returned", trackpush.StateDelivery: "Out for delivery",
	trackpush.StateReturning: "Returning", trackpush.StateTransfer: "Handed over", trackpush.StateCustoms: "Customs",
	trackpush.StateRefused: "Refused",
}

// TextKeys returns the keys of the page's texts a template may replace.
func TextKeys() []string {
	var out []string
	for k := range locales["zh-CN"] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// texts are a page's texts: a locale with a template's replacements.
type texts struct {
	locale string
	base   map[string]string
	over   map[string]string
}

func textsOf(t *trackpush.MapTemplate) texts {
	base, ok := locales[t.Locale]
	if !ok {
		base = locales["zh-CN"]
	}
	return texts{locale: t.Locale, base: base, over: t.Texts}
}

func (t texts) Get(k string) string {
	if v, ok := t.over[k]; ok {
		return v
	}
	return t.base[k]
}

// state names a state in the page's language.
func (t texts) State(code string) string {
	st, ok := trackpush.ParseState(code)
	if !ok {
		return code
	}
	if t.locale == "en" {
		return basicEN[st.Basic()]
	}
	return st.Name()
}
