// Package status classifies carrier scan texts into the protocol's basic and
// advanced state codes (docs/protocol.md §3) and summarises a shipment's state.
//
// Classify reads one raw scan text ("【苏州市】 快件已被【丰巢…】代收…") with
// what the caller knows beyond it (Context: carrier code, the states of the
// earlier events, the event's city and the destination city) and returns a
// Result: basic code, advanced code and the name of the rule that decided.
// Summarize derives a shipment's current state, ischeck and "finished" from
// its classified events in any order.
//
// # How a text is read
//
// The text is normalised (white space removed, ASCII lower-cased, full-width
// punctuation folded, 【】 → []), then scanned once, left to right, against a
// phrase dictionary (lexicon.go). Each dictionary word sets features:
// phrase families such as "signed" (签收, 妥投, 投递并签收), "station" (驿站,
// 丰巢, 快递柜, 代收点) or "dispatch" (派件中, 正在派送, 安排投递). Three
// kinds of words change what is found around them:
//
//   - span masks hide the words inside them: a negation or an instruction
//     ("未签收", "请您准备签收", "无法派送", "代收货款", "请拒收") hides
//     "签收", "派送", "代收", "拒收";
//   - clause masks hide the rest of their clause: boilerplate and
//     conditions ("如有疑问请联系…", "感谢使用…", "疫情期间…消毒",
//     "相逢是缘…五星好评", "请保持电话畅通", "预计…", "如您不在家可放驿站…");
//   - hand-over verbs (转, 转交, 交由, 发往, 由) record a carrier named right
//     after them ("转EMS…", "交由邮政投递").
//
// Then an ordered rule table (Rules) is tried top down; each row is a
// conjunction over the features and a few context facts, and the first row
// that holds decides. The order is the priority between families: a
// hand-over beats the signature it is written in ("已签收,签收人是: 转EMS…"),
// a return beats the signature or refusal it quotes, a signature beats the
// delivery words it quotes ("正在派件" inside a signed text), customs and
// trouble beat delivery, delivery beats pickup, and transit is what is left.
// A text nothing matches is 0 在途 (rule "unknown"): a wrong confident code
// is worse than the family's plain code, so every refinement needs evidence.
//
// The dictionary is written by phrasing family, as carriers share them, and
// checked against each carrier's house style: SF (收取快件, 已装车…准备发往,
// 派送途中, 已签收,感谢使用顺丰), ZTO (快件已经到达【】, 快件离开【】已发往【】,
// 正在第N次派件, 快件已被【】代收, 签收人在【】领取), YTO (已收件 取件人,
// 已收入, 已打包, 已发出 下一站, 派件中 派件人, 客户签收人:, 失败签收录入),
// Yunda (进行揽件扫描, 进行下级地点扫描, 在分拨中心进行卸车扫描, 进行派件扫描,
// 快件已被 X 签收/保管, 快件异常；备注：), STO (的收件员…已收件, 正在进行 装袋
// 扫描, 由…发往, 已到达-, -派件中, 疑难件 扫描,原因是, 已签收,签收人是), JD
// (揽收任务已分配给, 已收取快件, 揽收完成, 分拣完成, 准备发往, 已发车, 正在派送中，
// 请您准备签收, 已由本人签收, 已由快递驿站代收), EMS and China Post (已收件（揽投员…）,
// 已收寄, 离开…处理中心 发往, 安排投递, 投递并签收，签收人：本人收/他人收, 未妥投),
// J&T (快件已揽收, 快件离开【】发往【】, 正在派件, 快件已签收，签收人是), Deppon
// (您的订单已被收件员揽收, 运输中，离开【】，下一站【】, 货物已到达, 正在派送途中),
// Best (到X【】, X【】，正发往【】, 正在派件, 拍照签收), Cainiao stations and
// lockers (已到达【菜鸟驿站】，取件码…, 包裹已出库), and the common English
// scans of international carriers (Delivered, Out for delivery, Customs
// clearance…).
//
// # Context
//
// Prev (advanced states of the earlier events, oldest first) refines a few
// readings: a plain "已签收" after a 疑难 event is 302, after the parcel was
// left at a locker or station (501/205) it is 304, after a return (6/14) it
// is 4 退签; a transit scan with no known place continues the previous
// event's 1001/1002; "已取件" as the first event is a pickup (103).
//
// City and DestCity decide between 1001 and 1002 for in-transit scans:
// 1001 到达派件城市 when the event is in the destination city (every
// in-transit scan there, including arrival at the delivery outlet, as the
// project's labels mark them), 1002 干线 when it is in another city. When
// the cities cannot be compared, a hub or line-haul scan (转运中心, 分拨中心,
// 集散中心, 中转, 分拣中心, 处理中心, 航空) is 1002, and anything else is plain 0.
// A text that says it is at the destination ("到达目的地网点", "即将派送") is
// 1001 whatever the cities. Kuaidi100 itself marks destination-city hub
// scans 1002; this package follows the project's labels instead.
//
// Com tells a hand-over to another carrier (7) from the carrier's own
// outlets: "发往杭州市邮政速递…" on an EMS parcel is transit.
//
// # Decisions
//
// Locker or station, 501 vs 304. A parcel left at a locker, a station or a
// pickup point and waiting there is 501 投柜或驿站, not signed: "已放入丰巢…",
// "快件已被【丰巢…】代收" (ZTO), "快件已被 您的快件已送达 …丰巢智能柜… 保管"
// (Yunda), "您的快件已由快递驿站代收" (JD), "快件已由…菜鸟驿站代收，请及时取件"
// (YTO), "…取件码…". It becomes 304 投柜或站签收 when it is taken or the
// station signs: "签收人在【…丰巢柜…】领取", "签收人凭取货码签收", "已取件",
// "已从快递柜取出", "快件已被领取", "【菜鸟驿站】您的包裹已出库", "快件已由【…驿站】
// 代签收", "签收人：他人收 91号菜鸟驿站", or a plain "已签收" after a 501. The
// original service is inconsistent here (sometimes 304, sometimes 在途, and
// 签收 for the Yunda text above); a shop reading 304 believes its customer
// has the parcel, which a parcel in a locker is not. The push lifecycle ends
// on signature, so 501 also keeps tracking alive until the parcel is taken.
//
// Refusal, 203 vs 14. 203 拒收 is the receiver refusing while the carrier
// still holds the parcel and waits for the sender ("快件异常；备注：客户拒收",
// "派送不成功(因收方客户拒收快件)"). 14 拒签 is the carrier recording a refused
// signature ("拒签") or sending the parcel back because of the refusal
// ("因客户拒收，快件退回", "收件人拒收，正在返回商家途中"). A refusal is
// reported once as 14 instead of 6 退回, because the reason matters to the
// shop; later return scans without the reason are 6.
//
// Cancellation, 210 vs 401. 210 销单 (疑难) is the sender asking to cancel or
// revoke a sending ("撤销寄件", "取消寄件", "寄件人取消", "销单"): something a
// shop must look at. 401 已销单 (退签) is the order or waybill recorded as
// voided, a final state ("已销单", "订单已取消", "运单已作废").
//
// Signed after return, 4. A return signed for by the sender ("退回签收",
// "退件签收", "寄件人已签收", "签收人：寄件人", or "已签收" after a 6/14 event)
// is 4 退签, which Kuaidi100 defines as returned and signed by the sender.
// It is not coded 3: a shop must not read it as delivered. It still counts
// as signed: IsSigned(4) is true, so Summary.IsCheck (ischeck "1") and
// Finished (the shutdown push) hold.
//
// Order accepted, 已接单. "已接单" is the carrier or its courier accepting a
// pickup order: the next step is the pickup, so it is 102 待揽收, like
// "揽收任务已分配" and "已分配快递员". A merchant or warehouse accepting an
// order ("商家已接单") is 101 已下单.
//
// Transfer, 7. A hand-over to another carrier needs the carrier named right
// after a hand-over verb (转EMS…, 转交中国邮政派送, 交由第三方快递派送,
// 签收人是: 转EMS…), a carrier other than ctx.Com, or a new waybill number
// quoted with it ("发往申通，面单号:…"). Words such as 转第三方, 转其他快递,
// 转投 are transfers by themselves.
//
// Taken-by-courier. "已取件" is said of a courier fetching a parcel from the
// sender too; with a courier word and no locker, or as a shipment's first
// event, it is 103. "取出", "被领取", "取走" are always taken from a locker.
//
// Customs. 13 (清关异常, 扣关, 海关扣留, 退运, a customs word with 异常/延误)
// before 12 (已清关, 清关完成, 海关放行) before 11 (清关中, 已提交海关,
// 海关查验) before 10 (待清关, 等待清关, 到达海关) before 8 (any other customs
// or border scan: 报关, 入境, 出境).
//
// # Summary
//
// Sort orders events by time, then arrival order (Seq). Summarize takes the
// newest event by the same order, so an older event arriving late never
// overwrites a newer state, and reports its advanced state, ischeck and
// finished. The newest event decides alone: a stray scan stamped after a
// signature reopens the shipment, as the carrier's own trajectory then
// does; the lifecycle has already sent its shutdown push by then.
//
// # Performance
//
// Classify makes no allocation for texts up to 1 KiB and takes about 1 µs
// per event (0.8–1.3 million events per second per core on the dev texts,
// BenchmarkClassify); the dictionary is compiled once at start-up into a
// first-rune index, and no regular expression is used.
package status
