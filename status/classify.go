package status

import (
	"strings"

	"github.com/trackpush/trackpush"
)

// Context is what the classifier may know beyond the text.
type Context struct {
	// Com is the carrier code, lower-case ("zhongtong", "jd", "ems"); may be
	// "". It tells a hand-over to another carrier ("转EMS…") from the
	// carrier's own outlets ("发往杭州市邮政速递…" on an EMS parcel).
	Com string
	// Prev holds the advanced states of the earlier events of the
	// shipment, oldest first; may be nil.
	Prev []trackpush.State
	// City is an opaque key of the prefecture-level city where the event
	// happened ("" unknown). Callers pass the region engine's 12-digit city
	// code; any key works as long as City and DestCity use the same kind.
	City string
	// DestCity is the same kind of key for the shipment's destination city
	// ("" unknown).
	DestCity string
}

// Result is the classification of one scan.
type Result struct {
	Basic    trackpush.State // basic code, always Advanced.Basic()
	Advanced trackpush.State // advanced code (or the basic code when nothing finer is known)
	Rule     string          // name of the rule that decided, for tests and debugging
}

// rule is one row of the ordered rule table: it fires when the event has
// every feature of all, at least one of anyOf (if anyOf is not empty) and
// none of none. The first row that fires decides.
type rule struct {
	name  string
	state trackpush.State
	all   featureSet
	anyOf featureSet
	none  featureSet
	doc   string
}

func row(name string, st trackpush.State, all, anyOf, none []feature, doc string) rule {
	return rule{name: name, state: st, all: setOf(all...), anyOf: setOf(anyOf...), none: setOf(none...), doc: doc}
}

// table is the rule table, in decision order. Later families only see what
// earlier ones let through: a hand-over beats a signature ("已签收，签收人是:
// 转EMS…"), a signature beats the delivery words it quotes ("正在派件"
// inside a signed text), trouble beats the delivery it interrupts, and
// transit is what is left.
var table = []rule{
	// 7 转投
	row("transfer", 7, nil, fs(fTransferX, vTransfer), nil,
		"handed over to another carrier: 转EMS…, 交由邮政投递, 转第三方, or 发往<carrier> with a new waybill number"),

	// 4 退签 family
	row("return-signed", 4, nil, fs(fReturnSigned), nil, "the return was signed for: 退回签收, 退件签收, 寄件人已签收"),
	row("return-signed", 4, fs(fReturn), fs(fSigned, fTaken), nil, "a return and a signature in one scan"),
	row("return-signed", 4, fs(fSigned, fSender), nil, nil, "signed by the sender: 签收人：寄件人"),
	row("return-signed", 4, fs(vPrevReturn), fs(fSigned, fTaken), nil, "signed after the shipment was returned (Prev has 6 or 14)"),
	row("refused-returned", 14, nil, fs(fRefusedSign), nil, "the carrier records a refused signature: 拒签"),
	row("refused-returned", 14, fs(fRefuse, fReturn), nil, nil, "refused and sent back: 因客户拒收，快件退回"),
	row("cancelled", 401, nil, fs(fCancelled), nil, "the waybill/order is voided: 已销单, 订单已取消, 运单已作废"),

	// 6 退回
	row("returning", 6, nil, fs(fReturn), nil, "on its way back to the sender: 退回, 退件, 返回寄件人"),

	// 3 签收 family
	row("signed-self", 301, fs(fSigned, fSelf), nil, nil, "signed by the receiver: 本人签收, 签收人：本人, 本人收"),
	row("signed-locker", 304, fs(fSigned), fs(fStation, fPickupCode), nil,
		"signed by or at a locker/station: 签收人：菜鸟驿站, 凭取货码签收, 【丰巢柜】代签收"),
	// A staffed station receiving the parcel in words that close the
	// carrier's record is its last word: signed at the station (304), as
	// the original service has it. Received with a call to come and
	// collect, or into a locker, it is waiting there (501, below).
	row("station-final", 304, fs(fStation, fDaishou, fClosing), nil, fs(fLocker, fCollectCall, fPickupCode, fAwaitPickup),
		"received by a station as the carrier's last word: 已由快递驿站代收，感谢您使用…"),
	row("signed-proxy", 303, fs(fSigned), fs(fProxy, fDaishou), nil, "signed by someone else: 他人收, 代签收, 前台/门卫/家人签收"),
	row("taken-by-courier", 1, fs(fFetched), fs(fCourier, fCollector), fs(fDeliverer, fStation, fPickupCode, fSelf),
		"a courier took the parcel from the sender: 快递员已取件"),
	row("taken-first-event", 1, fs(fFetched, vFirst), nil, fs(fStation, fPickupCode, fSelf), "已取件 as the first event of a shipment is a pickup"),
	row("taken", 304, nil, fs(fTaken), fs(fLockerOverdue, fCourier, fCollector, fDeliverer),
		"taken out of a locker/station by the receiver: 已取件, 已从快递柜取出, 快件已被领取"),
	row("taken", 304, fs(fOutbound, fStation), nil, nil, "left the station: 【菜鸟驿站】您的包裹已出库"),
	row("signed-after-locker", 304, fs(fSigned, vPrevLocker), nil, nil, "a plain signature after the parcel was left at a locker/station"),
	row("signed-after-trouble", 302, fs(fSigned, vPrevTrouble), nil, nil, "a plain signature after an earlier 疑难 event"),
	row("signed", 3, nil, fs(fSigned), nil, "signed, signer not stated: 已签收, 妥投, 拍照签收"),
	row("received-by-proxy", 303, fs(fDaishou), nil, fs(fStation, fPickupCode, fCollectCall),
		"received by a person for the receiver: 已由门卫代收"),
	row("received-by-proxy", 303, fs(fDeposit, fProxy), nil, fs(fStation, fPickupCode, fCollectCall),
		"left with a person: 已将快件放至门卫处"),

	// 8 清关 family
	row("customs-trouble", 13, nil, fs(fCustomsTrouble), nil, "清关异常, 扣关, 海关扣留, 退运"),
	row("customs-trouble", 13, fs(fCustoms), fs(fSeize, fOddity, fStranded), nil, "a customs word with 扣留/异常/延误"),
	row("customs-cleared", 12, nil, fs(fCustomsDone), nil, "已清关, 清关完成, 海关放行"),
	row("customs-cleared", 12, fs(fCustoms, fRelease), nil, nil, "a customs word with 放行"),
	row("customs-clearing", 11, nil, fs(fCustomsGoing), nil, "清关中, 已提交海关, 海关查验"),
	row("customs-waiting", 10, nil, fs(fCustomsWait), nil, "待清关, 等待清关, 到达海关"),
	row("customs-waiting", 10, fs(fCustoms, fArrive), nil, nil, "arrived at a customs place"),
	row("customs", 8, nil, fs(fCustoms, fBorder), nil, "any other customs or border scan: 报关, 入境, 出境"),

	// 2 疑难 family, specific reasons first
	row("locker-overdue", 205, nil, fs(fLockerOverdue), nil, "超时未取, 逾期未取, 滞留柜"),
	row("locker-overdue", 205, fs(fStation), fs(fOverdue, fStranded, fBackToCourier), nil, "a locker/station with 超时/滞留, or giving the parcel back to the courier"),
	row("locker-overdue", 205, fs(fBackToCourier, fOverdue), nil, nil, "超时, 已被快递员收回"),
	row("overdue-unsigned", 201, nil, fs(fOverdueUnsigned), nil, "超时未签收"),
	row("overdue-no-update", 202, nil, fs(fOverdueNoUpdate), nil, "超时未更新"),
	row("refused", 203, nil, fs(fRefuse), nil, "the receiver refuses, the parcel is not yet returned: 客户拒收"),
	row("unreachable", 206, nil, fs(fUnreachable), nil, "电话无人接听, 无法联系, 联系不上, 关机"),
	row("out-of-area", 207, nil, fs(fOutOfArea), nil, "超区, 超出服务范围"),
	row("damaged", 209, nil, fs(fDamaged), nil, "破损, 损坏"),
	row("sender-cancelled", 210, nil, fs(fCancelRequest), nil, "the sender cancels: 撤销寄件, 取消寄件, 销单"),

	// 0 在途: 1003 before the locker and generic trouble (a new address
	// is often the answer to 地址错误/客户要求)
	row("forwarded", 1003, nil, fs(fForward), nil, "sent on to a new address: 转寄, 更改派送地址, 转至新地址"),

	// 5 派件 family: a parcel waiting at a locker or station
	row("at-locker", 501, nil, fs(fCollectCall, fPickupCode), nil, "come and collect it: 请及时取件, 请尽快领取, 凭取件码, 待客户自提"),
	row("at-locker", 501, fs(fStation), fs(fDeposit, fDaishou), fs(fAwaitPickup), "left at a locker/station: 已放入丰巢, 驿站代收, 暂存至…驿站"),
	row("at-locker", 501, fs(fStation, fArrive), nil, fs(fAtDest, fAwaitPickup), "arrived at a station: 快件已到达【…驿站】"),

	// 2 疑难, generic
	row("stranded", 208, nil, fs(fStranded, fHold), nil, "滞留, 未派送, 延误, 暂停派送, 暂存 (no station)"),
	row("delivery-failed", 204, nil, fs(fDeliveryFailed), nil, "派件异常, 无法派送, 地址不详, 疑难件, 问题件, 改约"),
	row("trouble", 2, nil, fs(fOddity, fBackToCourier), nil, "异常, 失败, 拦截, 丢失, 退回至快递员"),

	// 5 派件
	row("out-for-delivery", 5, nil, fs(fDispatch), nil, "派件中, 正在派送, 派送途中, 安排投递, 派件扫描, 第N次派件, 请您准备签收"),
	row("out-for-delivery", 5, fs(fSentOut), fs(fDeliverer, fCourier), nil, "配送员…送出"),
	row("out-for-delivery", 5, fs(fAssigned, fDeliverer), nil, nil, "已分配配送员"),

	// 1 揽收 family
	row("awaiting-pickup", 102, nil, fs(fAwaitPickup), nil, "待揽收, 揽收任务已分配, 上门取件, 已接单"),
	row("awaiting-pickup", 102, fs(fAssigned), fs(fCourier, fCollector), nil, "已分配快递员"),
	row("ordered", 101, nil, fs(fOrdered), nil, "已下单, 下单成功, 订单已提交, 商家已接单"),
	// A pickup scan is 1 揽收, as the original service sends it (the push
	// document's own example, its real pushes); 103 is never inferred.
	row("picked-up", 1, nil, fs(fPickedUp), nil, "已揽收, 已收件, 收取快件, 揽件扫描, 已收寄"),
	row("shipped", 1, nil, fs(fShipped), nil, "已发货: shipped by the merchant, pickup not stated"),

	// 3 签收, weakest form
	row("delivered", 3, nil, fs(fSignedEnd), nil, "已送达 closing a clause, with no locker or place named"),

	// 0 在途 family
	row("transit-destination", 1001, nil, fs(fAtDest), nil, "the text says it is at the destination: 到达目的地网点, 即将派送"),
	// A hub scan in the destination city is 1002, as the original sends it
	// (its real pushes and the development data's labels): only an outlet
	// scan there, or a text that says so, is 1001.
	row("transit-dest-city", 1001, fs(vSameCity, fTransit), nil, fs(fHub), "in-transit scan at an outlet in the destination city"),
	row("transit-other-city", 1002, fs(vOtherCity), fs(fTransit, fHub), nil, "in-transit scan in another city"),
	row("transit-after-arrival", 1001, fs(vCityUnknown, vAfter1001, fTransit), nil, fs(fHub), "place unknown, not a hub, previous event was 1001"),
	row("transit-hub", 1002, fs(fHub), nil, nil, "a hub or line-haul scan (转运中心, 分拨中心, 中转, 航空) where the cities cannot be compared"),
	row("transit-continued", 1002, fs(vCityUnknown, vAfter1002, fTransit), nil, nil, "place unknown, previous event was 1002"),
	row("transit", 0, nil, fs(fTransit), nil, "到达, 离开, 发往, 装车, 发车, 运输中: nothing tells which leg"),

	row("unknown", 0, nil, nil, nil, "nothing recognised: in transit, no refinement"),
}

// Classify returns the basic and advanced state of one carrier scan text.
// It never fails: a text it does not recognise is 0 在途 (rule "unknown").
func Classify(text string, ctx Context) Result {
	var buf [1024]byte
	b := normalize(buf[:0], text)
	var m match
	m.scan(b)
	f := m.feats
	addContext(&f, &m, &ctx)
	for i := range table {
		ru := &table[i]
		if f.hasAll(ru.all) && (ru.anyOf.empty() || f.hasAny(ru.anyOf)) && !f.hasAny(ru.none) {
			return Result{Basic: ru.state.Basic(), Advanced: ru.state, Rule: ru.name}
		}
	}
	return Result{Rule: "unknown"} // unreachable: the last row always fires
}

// addContext sets the context features.
func addContext(f *featureSet, m *match, ctx *Context) {
	if targets := m.strong | m.weak; targets != 0 {
		own := comGroup(ctx.Com)
		if m.strong&^own != 0 || own != 0 && m.weak&^own != 0 || f.has(fWaybill) {
			f.add(vTransfer)
		}
	}
	switch {
	case ctx.City == "":
		f.add(vCityUnknown)
	case ctx.DestCity == "":
	case ctx.City == ctx.DestCity:
		f.add(vSameCity)
	default:
		f.add(vOtherCity)
	}
	prev := ctx.Prev
	if len(prev) == 0 {
		f.add(vFirst)
		return
	}
	switch prev[len(prev)-1] {
	case trackpush.StateArrivedDestCity:
		f.add(vAfter1001)
	case trackpush.StateTrunk:
		f.add(vAfter1002)
	}
	lockerSeen := false
	for i := len(prev) - 1; i >= 0; i-- {
		s := prev[i]
		switch {
		case s == trackpush.StateReturning || s == trackpush.StateRefused:
			f.add(vPrevReturn)
		case s.Basic() == trackpush.StateTrouble:
			f.add(vPrevTrouble)
		}
		// The latest delivery-stage event decides whether the parcel
		// was waiting at a locker or station.
		if !lockerSeen && (s.Basic() == trackpush.StateDelivery || s == trackpush.StateLockerOverdue) {
			lockerSeen = true
			if s == trackpush.StateAtLocker || s == trackpush.StateLockerOverdue {
				f.add(vPrevLocker)
			}
		}
	}
}

// RuleInfo documents one row of the rule table.
type RuleInfo struct {
	Name  string          // rule name, as in Result.Rule
	State trackpush.State // the advanced code the row decides
	When  string          // the row's condition over phrase families and context
	Doc   string          // what the row means, with typical phrasings
}

// Rules returns the rule table in decision order, for documentation and
// tests. Several rows may share a name: they are alternative conditions of
// one rule.
func Rules() []RuleInfo {
	out := make([]RuleInfo, len(table))
	for i, ru := range table {
		var w []string
		if !ru.all.empty() {
			w = append(w, "all of ["+strings.Join(ru.all.names(), ", ")+"]")
		}
		if !ru.anyOf.empty() {
			w = append(w, "any of ["+strings.Join(ru.anyOf.names(), ", ")+"]")
		}
		if !ru.none.empty() {
			w = append(w, "none of ["+strings.Join(ru.none.names(), ", ")+"]")
		}
		if len(w) == 0 {
			w = append(w, "always")
		}
		out[i] = RuleInfo{Name: ru.name, State: ru.state, When: strings.Join(w, "; "), Doc: ru.doc}
	}
	return out
}
