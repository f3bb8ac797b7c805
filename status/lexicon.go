package status

// feature is one fact the classifier can know about an event: a phrase
// family found in the text (fSigned … fBorder), or a fact about the Context
// (vTransfer …). Rules are conjunctions over features.
type feature uint8

// Lexical features: phrase families found in the scan text.
const (
	fSigned          feature = iota // 签收, 已签收, 签收人, 妥投, 投递并签收, 完成配送
	fSignedEnd                      // "已送达" closing a clause: delivered, place not named
	fSelf                           // 本人 (the receiver in person)
	fProxy                          // 他人, 代签, 家人, 同事, 前台, 门卫, 物业, 收发室 …
	fDaishou                        // 代收: received on the receiver's behalf
	fStation                        // 驿站, 快递柜, 丰巢, 自提柜, 代收点, 快递超市 …
	fLocker                         // 快递柜, 丰巢, 智能柜 …: a locker (also fStation)
	fPickupCode                     // 取件码, 取货码, 提货码
	fCollectCall                    // 请及时取件, 请尽快领取, 请凭…: come and collect it
	fDeposit                        // 放入, 存放, 暂存, 投递至, 送达, 保管, 上架 …
	fTaken                          // 已取件, 已取出, 被领取: taken out of a locker/station
	fFetched                        // 已取件: taken, by the receiver or (at pickup) a courier
	fBackToCourier                  // 退回至快递员, 快递员取回: a locker gives the parcel back
	fCourier                        // 快递员, 小哥, 业务员, 司机 (role unknown)
	fCollector                      // 揽收员, 收件员, 取件员, 揽投员 (pickup side)
	fDeliverer                      // 派件员, 派送员, 配送员, 投递员 (delivery side)
	fDispatch                       // 派件中, 正在派送, 派送途中, 安排投递, 派件扫描 …
	fSentOut                        // 送出, 出发
	fAssigned                       // 已分配
	fAtDest                         // 到达目的地, 派件城市, 即将派送: at the destination
	fOrdered                        // 已下单, 下单成功, 订单已提交
	fAwaitPickup                    // 待揽收, 揽收任务, 上门取件, 已接单
	fPickedUp                       // 已揽收, 已收件, 收取快件, 揽件扫描, 已收寄
	fShipped                        // 已发货 (merchant shipped)
	fOutbound                       // 已出库: left a warehouse, or a station
	fTransit                        // 到达, 离开, 发往, 已发出, 装车, 分拣, 发车, 运输中 …
	fArrive                         // 到达, 抵达 (also fTransit)
	fHub                            // 转运中心, 分拨中心, 集散中心, 中转, 处理中心, 航空 …
	fForward                        // 转寄, 改地址, 更改派送地址, 新地址: to a new address
	fTransferX                      // 转第三方, 转其他快递, 转投, 转单: hand-over, no name
	fWaybill                        // 单号, 面单号: a (new) waybill number is quoted
	fReturn                         // 退回, 退件, 返回寄件人, 退货
	fReturnSigned                   // 退回签收, 退件签收, 寄件人已签收
	fSender                         // 寄件人, 发件人, 发货人
	fRefuse                         // 拒收, 拒绝签收
	fRefusedSign                    // 拒签
	fOverdueUnsigned                // 超时未签收 (201)
	fOverdueNoUpdate                // 超时未更新 (202)
	fDeliveryFailed                 // 派件异常, 无法派送, 地址不详, 疑难件, 问题件, 改约 (204)
	fLockerOverdue                  // 超时未取, 逾期未取, 滞留柜 (205)
	fUnreachable                    // 无人接听, 无法联系, 联系不上, 关机 (206)
	fOutOfArea                      // 超区, 超出服务范围 (207)
	fStranded                       // 滞留, 未派送, 延误, 暂停派送 (208)
	fHold                           // 暂存 (without a station: held at the outlet)
	fDamaged                        // 破损, 损坏 (209)
	fCancelRequest                  // 撤销寄件, 取消寄件, 销单 (210)
	fCancelled                      // 已销单, 订单已取消, 运单已作废 (401)
	fOverdue                        // 超时, 逾期, 长时间
	fOddity                         // 异常, 疑难, 失败, 拦截, 丢失, 问题
	fCustoms                        // 海关, 清关, 报关, 通关
	fBorder                         // 入境, 出境
	fCustomsWait                    // 待清关, 等待清关, 到达海关 (10)
	fCustomsGoing                   // 清关中, 已提交海关, 海关查验 (11)
	fCustomsDone                    // 已清关, 清关完成, 海关放行 (12)
	fRelease                        // 放行
	fCustomsTrouble                 // 清关异常, 扣关, 海关扣留, 退运 (13)
	fSeize                          // 扣留, 扣押, 补充资料 (13 with a customs word)
	fClosing                        // 感谢您使用, 期待再次为您服务: the carrier's closing words

	// Context features, set by Classify from ctx, not from the text.
	vTransfer    // a hand-over verb names another carrier than ctx.Com
	vSameCity    // ctx.City == ctx.DestCity, both known
	vOtherCity   // ctx.City != ctx.DestCity, both known
	vCityUnknown // ctx.City == ""
	vAfter1001   // the previous event was 1001
	vAfter1002   // the previous event was 1002
	vPrevTrouble // an earlier event was 疑难 (basic 2)
	vPrevReturn  // an earlier event was 退回 (6) or 拒签 (14)
	vPrevLocker  // the latest delivery-stage event was 501 or 205
	vFirst       // no earlier event

	numFeatures
)

var featureNames = [numFeatures]string{
	fSigned: "signed", fSignedEnd: "delivered-end", fSelf: "self", fProxy: "proxy",
	fDaishou: "代收", fStation: "station", fLocker: "locker", fPickupCode: "pickup-code",
	fCollectCall: "collect-call", fDeposit: "deposit", fTaken: "taken", fFetched: "fetched", fBackToCourier: "back-to-courier",
	fCourier: "courier", fCollector: "collector", fDeliverer: "deliverer",
	fDispatch: "dispatch", fSentOut: "sent-out", fAssigned: "assigned",
	fAtDest: "at-destination", fOrdered: "ordered", fAwaitPickup: "await-pickup",
	fPickedUp: "picked-up", fShipped: "shipped", fOutbound: "outbound", fTransit: "transit",
	fArrive: "arrive", fHub: "hub", fForward: "forward", fTransferX: "transfer-word",
	fWaybill: "waybill", fReturn: "return", fReturnSigned: "return-signed",
	fSender: "sender", fRefuse: "refuse", fRefusedSign: "拒签",
	fOverdueUnsigned: "overdue-unsigned", fOverdueNoUpdate: "overdue-no-update",
	fDeliveryFailed: "delivery-failed", fLockerOverdue: "locker-overdue",
	fUnreachable: "unreachable", fOutOfArea: "out-of-area", fStranded: "stranded",
	fHold: "hold", fDamaged: "damaged", fCancelRequest: "cancel-request",
	fCancelled: "cancelled", fOverdue: "overdue", fOddity: "oddity",
	fCustoms: "customs", fBorder: "border", fCustomsWait: "customs-wait",
	fCustomsGoing: "customs-going", fCustomsDone: "customs-done", fRelease: "release",
	fCustomsTrouble: "customs-trouble", fSeize: "seize", fClosing: "closing",
	vTransfer: "ctx:other-carrier", vSameCity: "ctx:dest-city", vOtherCity: "ctx:other-city",
	vCityUnknown: "ctx:city-unknown", vAfter1001: "prev:1001", vAfter1002: "prev:1002",
	vPrevTrouble: "prev:trouble", vPrevReturn: "prev:return", vPrevLocker: "prev:locker",
	vFirst: "prev:none",
}

// kwFlag changes how a keyword matches or what it does to its neighbours.
type kwFlag uint8

const (
	// maskSpan hides the keywords that lie inside this one: "未签收" hides
	// "签收", "配送中心" hides "配送中".
	maskSpan kwFlag = 1 << iota
	// maskClause hides everything after it to the end of the clause:
	// boilerplate such as "如有疑问请联系…", "感谢使用…", "疫情期间…". Its
	// own features, if any, still count.
	maskClause
	// atStart matches only at the start of the text or of a clause (Best's
	// "到杭州市【江干二部】").
	atStart
	// atEnd matches only at the end of the text or of a clause.
	atEnd
	// strongVerb is a hand-over verb (转, 转交, 交由 …): a carrier name right
	// after it records a hand-over target.
	strongVerb
	// weakVerb is a movement verb (发往, 由) that names a hand-over target
	// only when the carrier differs from ctx.Com or a waybill is quoted.
	weakVerb
)

// entry is one line of the lexicon: words (separated by "|") that set the
// same features and flags. Words are normalised like scan texts (see
// normalize): write them in Chinese punctuation or ASCII, either works.
type entry struct {
	feats []feature
	flags kwFlag
	words string
}

func fs(f ...feature) []feature { return f }

// lexicon is the phrase dictionary. It is written by phrasing family, the
// way carriers word their scans, not by carrier; the carrier styles it was
// checked against are listed in doc.go and in the tests.
var lexicon = []entry{
	// ── signed ──
	{fs(fSigned), 0, "签收|已签收|签收人|已被签收|签收成功|妥投|已妥投|投递并签收|送达成功|成功送达|完成配送|配送完成|已完成配送|完成投递|投递完成|投递成功|送达客户|送达收件人|客户手中|收件人手中|签字|delivered|signedfor|signedby"},
	{fs(fSignedEnd), atEnd, "已送达|送达了"},
	{fs(fDeposit), maskSpan, "deliveredto"},
	{fs(fSigned), maskSpan, "deliveredtorecipient|deliveredtoaddressee"},
	{fs(fSigned, fSelf), 0, "本人收|本人签收|本人已签收"},
	{fs(fSelf), 0, "本人"},
	{fs(fSigned, fProxy), 0, "他人收|代签收|代签|他人代收|代为签收|单位收|收发室收"},
	{fs(fProxy), 0, "他人|家人|家属|亲属|亲友|亲戚|同事|前台|门卫|物业|保安|收发室|传达室|收发章|邻居|朋友|室友|同学|门岗|值班室|门房|草签|老公|老婆|妻子|丈夫|父亲|母亲|爸爸|儿子|女儿|frontdesk|reception|concierge|neighbor|neighbour"},
	{fs(fDaishou), 0, "代收"},
	{fs(fStation), 0, "驿站|自提点|自提|代收点|代理点|快递超市|近邻宝|快递站|兔喜|熊猫快收|日日顺|便利店|e栈|乐栈|蜂站|喵站|代收站|自取点|取件点|pickuppoint|accesspoint"},
	// Lockers hold a parcel until the receiver fetches it with a code.
	{fs(fStation, fLocker), 0, "快递柜|智能柜|丰巢|自提柜|包裹柜|快件柜|智能包裹柜|信包箱|速递易|云柜|储物柜|格口|收件宝|parcellocker|locker"},
	{fs(fPickupCode), 0, "取件码|取货码|提货码|提取码|取件号|取件密码|验证码|凭码|pickupcode"},
	{fs(fCollectCall), maskSpan, "请及时取出|请尽快取出|及时取出|尽快取出|请取出|可取出|请取走|及时取走|尽快取走"},
	{fs(fCollectCall), 0, "请及时取件|请尽快取件|及时取件|尽快取件|请及时领取|请尽快领取|及时领取|尽快领取|前往领取|请凭|待领取|到店取件|请取件|自取|待自提|等待自提|等待客户自提|请自提|availableforpickup|readyforpickup|awaitingcollection|readyforcollection"},
	{fs(fDeposit), 0, "放入|已放入|已放|投放|已投放|放置|已放置|放至|存放|已存放|存入|寄存|保管|上架|已上架|入库|投递至|投递到|投至|派送至|送至|送达|送到|放在"},
	{fs(fDeposit, fHold), 0, "暂存|已暂存"},
	{fs(fDeposit, fStation), 0, "投柜|已投柜|入柜"},
	{fs(fTaken), 0, "被领取|已领取|已取出|被取出|取出|已被取走|已取走|取走"},
	// 取件 is said of a courier fetching from the sender too (快递员已取件).
	{fs(fTaken, fFetched), 0, "已取件|取件成功|被取件"},
	{fs(fBackToCourier), maskSpan, "退回至快递员|退回快递员|退回给快递员|退回派件员|退还快递员|快递员收回|快递员取回|被快递员收回|被快递员取回|收回|取回"},

	// ── people ──
	{fs(fCourier), 0, "快递员|快递小哥|小哥|业务员|司机|courier"},
	{fs(fCollector), maskSpan, "揽收员|揽件员|取件员|收件员|揽投员|揽收人员"},
	{fs(fDeliverer), 0, "派件员|派送员|配送员|投递员|派件人员"},

	// ── out for delivery ──
	{fs(fDispatch), 0, "派件中|正在派件|为您派件|为您派送|进行派件|进行派送|已派件|交快递员|交派件员|交配送员|交投递员|交给快递员|交给派件员|交给配送员|交由快递员|交由派件员|交由配送员|正在派送|派送中|派送途中|安排投递|正在投递|投递中|开始投递|派件扫描|派送扫描|投递扫描|开始派送|开始配送|正在配送|配送中|送货中|正在送货|准备收货|次派件|次派送|派件人|派送人|出车派送|出仓派送|派件出发|outfordelivery|ondeliveryvehicle|withdeliverycourier"},
	{fs(fDispatch), maskSpan, "准备签收"},
	{fs(fSentOut), 0, "送出|已送出"},
	{fs(fSentOut, fTransit), 0, "出发|已出发"},
	{fs(fAssigned), 0, "已分配|分配给"},

	// ── at the destination, not yet out ──
	{fs(fAtDest), maskSpan, "到达目的地|目的地网点|到达派件城市|派件城市|收件城市|目的城市|目的地城市|所在城市|所在的城市|派件网点|派送网点|末端网点|很快进行派送|即将派送|准备派送|等待派送|待派送|即将为您派送|即将派件|等待派件|待派件|安排派送"},

	// ── pickup ──
	{fs(fOrdered), 0, "已下单|已经下单|下单成功|订单已提交|订单提交成功|提交了订单|已创建订单|订单已创建|预约寄件成功|labelcreated|shippinglabelcreated|shipmentinformationreceived"},
	// 已接单 is an order accepted by the carrier or its courier: pickup is
	// next (102). A merchant or warehouse accepting an order is 101.
	{fs(fOrdered), maskSpan, "商家已接单|卖家已接单|仓库已接单"},
	{fs(fAwaitPickup), maskSpan, "待揽收|等待揽收|待揽件|等待揽件|揽收任务|取件任务|通知揽收|通知揽件|通知快递员|等待上门|上门取件|上门揽收|上门揽件|预约揽收|预约取件|安排揽收|已接单|揽收中|待取货"},
	// "等待快递公司揽收": what follows is awaited, not done.
	{fs(fAwaitPickup), maskClause, "等待快递公司|待快递公司|等待快递员|待快递员上门|待快递员揽|待快递员取件"},
	{fs(fPickedUp), 0, "已揽收|揽收完成|揽收成功|揽收|已揽件|收件|已开单|开单|揽件|揽件成功|揽件完成|揽件扫描|揽收扫描|收件扫描|已收件|收件成功|已收取|收取快件|已收寄|收寄|pickedup"},
	{fs(fPickedUp), maskSpan, "已上门取件|上门取件成功|已上门揽收|上门揽件成功"},
	// 收件 is a pickup verb; these nouns contain it.
	{nil, maskSpan, "收件人|收件地址|收件信息|收件方|收件客户|收件电话|收件网点|收件时间"},
	{fs(fShipped), 0, "已发货|发货成功"},
	// 出库 leaves a warehouse (shipped) or a station (collected: 304).
	{fs(fShipped, fOutbound), 0, "已出库|订单已出库|包裹已出库"},

	// ── in transit ──
	{fs(fTransit, fArrive), 0, "到达|已到达|抵达|到港|到件|送达|送至|送到|arrived|arrival"},
	{fs(fTransit, fArrive), atStart, "到"},
	{fs(fTransit), 0, "离开|已离开|发往|已发往|发出|已发出|已收入|收入扫描|打包|已打包|装车|卸车|装袋|建包|拆包|集包|分拣|发车|已发车|中转|转运|运输中|运输|在途|下一站|进港|出港|离港|入库|入站|入仓|出仓|称重|扫描|封发|开拆|交航|航班|起飞|落地|运往|收货完成|收箱|正在前往|接驳|发件|已交接|departed|departure|intransit|processed|transit"},
	{fs(fHub), 0, "转运中心|分拨中心|集散中心|中转|分拣中心|处理中心|航空|干线|转运场|分拨|集散|转运|枢纽|航班|起飞|互换局|中心|hub|gateway|airport"},
	{fs(fHub), maskSpan, "配送中心|派送中心|派件中心|投递中心"},
	// Streets, squares and shops named 中心 are outlets' addresses, not hubs.
	{nil, maskSpan, "中心路|中心街|中心大道|中心大街|中心北路|中心南路|中心东路|中心西路|中心广场|中心村|中心镇|购物中心|商务中心|客服中心"},
	{fs(fForward), 0, "转寄|改寄|改地址|更改地址|地址更改|更改派送地址|更改收件地址|修改地址|修改收件地址|地址变更|变更地址|新地址|转址|转递|forwarded|redirected"},

	// ── hand-over to another carrier ──
	{fs(fTransferX), 0, "转第三方|第三方快递|第三方物流|转其他快递|转其它快递|其他快递公司|其它快递公司|合作快递|转投|已转投|转单"},
	{fs(fWaybill), 0, "单号|面单号|运单号|新单号|转单号|waybill"},
	{nil, strongVerb | maskSpan, "交|转|转交|交由|交给|交与|交予|转至|转给|转由|改由|移交|转寄"},
	{nil, weakVerb, "发往|由"},

	// ── returns ──
	{fs(fReturn), 0, "退回|退件|退货|返回寄件人|返回发件人|返回寄件|返回发货|退回寄件人|退回发件人|返还寄件人|退还寄件人|返寄|原件返回|原路退回|返回商家|退回商家|返回卖家|退回卖家|退回仓库|returntosender|returnedtosender|returningtosender|returntoshipper|returnedtoshipper"},
	{fs(fReturnSigned), 0, "退回签收|退件签收|退货签收|退回妥投|退件妥投|寄件人签收|发件人签收|寄件人已签收|发件人已签收|原寄件人签收|退回成功|退件成功|退回件签收|退回件已签收"},
	{fs(fSender), maskSpan, "寄件人|发件人|发货人|原寄件人"},
	{fs(fRefuse), 0, "拒收|拒绝签收|拒绝接收|拒绝收货|refused|rejected"},
	{fs(fRefusedSign), 0, "拒签"},

	// ── trouble ──
	{fs(fOverdueUnsigned), 0, "超时未签收|长时间未签收|逾期未签收|超期未签收"},
	{fs(fOverdueNoUpdate), 0, "超时未更新|长时间未更新|长时间无更新|物流信息未更新|信息未更新"},
	{fs(fLockerOverdue), 0, "超时未取|逾期未取|长时间未取|超期未取|未及时取|超时未领取|逾期未领取|滞留柜|柜中滞留|超时滞留"},
	{fs(fUnreachable), 0, "无人接听|无法联系|联系不上|联系不到|未能联系|联系未果|无法接通|电话关机|手机关机|关机|停机|空号|电话错误|号码错误|电话有误|号码有误|号码不正确|电话不通|拒接|未接听|无人应答|无法取得联系|未联系上|联系无果|不接电话|电话未接"},
	{fs(fOutOfArea), 0, "超区|超出服务范围|超出派送范围|超出配送范围|不在服务范围|不在派送范围|不在配送范围|超范围|超派|不派送区域|派送范围外|服务范围外|非派送区域|不在服务区|偏远地区"},
	{fs(fStranded), 0, "滞留|未派送|暂未派送|延误|延迟|积压|暂停派送|暂缓派送|暂停配送|暂停投递|留仓|停发|delay|delayed|onhold"},
	{fs(fDamaged), 0, "破损|损坏|货损|受损|短少|少件|漏液|damaged"},
	{fs(fCancelRequest), maskSpan, "撤销寄件|取消寄件|寄件人取消|申请撤销|撤销订单|申请销单|销单|取消下单|取消揽收|取消发货|寄件取消|撤回寄件"},
	{fs(fCancelled), maskSpan, "已销单|订单已取消|运单已取消|订单取消|运单取消|运单已作废|已作废|运单作废|已撤单|运单已撤销|订单已撤销|销单成功|面单作废"},
	{fs(fDeliveryFailed), maskSpan, "失败签收|签收失败|妥投失败|未投递成功|未成功投递|未能成功投递|派件异常|派送异常|配送异常|投递异常|派件失败|派送失败|配送失败|投递失败|派送不成功|派件不成功|配送不成功|投递不成功|未妥投|未投递|未能投递|无法投递|无法派送|无法配送|未能派送|不能派送|未能配送|地址不详|地址错误|地址有误|地址不全|地址不准确|地址不清|地址不完整|地址不对|地址模糊|查无此人|收件人不在|客户不在|收方不在|无人在家|家中无人|无人签收|无人收件|疑难件|问题件|异常件|待再次派送|再次派送|二次派送|改约|改期|另约|约定时间|改天派送|改日派送|要求改天|更改派送时间|更改时间|延迟派送|延期派送|推迟派送|要求延迟|要求延期|客户要求|收件人要求|收方客户要求|联系好|预约派送|预约配送|退回网点|退回站点|退回营业部|退回分部|退回到网点|deliveryattempted|attempteddelivery|unabletodeliver|failedattempt|incorrectaddress|addressincorrect"},
	{fs(fOverdue), 0, "超时|逾期|超期|长时间"},
	{fs(fOddity), 0, "异常|疑难|失败|拦截|丢失|遗失|错分|错发|问题|exception"},

	// ── customs ──
	{fs(fCustoms), 0, "海关|清关|报关|通关|关务|监管仓|监管区|customs|clearance"},
	// Place names that contain a customs word: 山海关 (秦皇岛山海关区) is a
	// district, not customs.
	{nil, maskSpan, "山海关"},
	{fs(fBorder), 0, "入境|出境"},
	{fs(fCustomsWait), 0, "待清关|等待清关|等待海关|待海关|待报关|等待报关|等待通关|待通关|到达海关|抵达海关|已到海关|awaitingclearance|awaitingcustoms|arrivedatcustoms"},
	{fs(fCustomsGoing), 0, "清关中|正在清关|进行清关|开始清关|清关处理|海关处理中|提交海关|已提交海关|递交海关|交海关|海关查验|查验中|报关中|正在报关|已报关|申报中|已申报|通关中|正在通关|clearanceinprogress|customsprocessing"},
	{fs(fCustomsDone), 0, "已清关|清关完成|清关成功|完成清关|完成报关|完成通关|清关已完成|海关放行|通关完成|已通关|通关放行|报关完成|清关结束|clearancecomplete|customscleared|clearedcustoms|releasedbycustoms|customsreleased"},
	{fs(fRelease), 0, "放行|released"},
	{fs(fCustomsTrouble), 0, "清关异常|清关失败|扣关|海关扣留|查验异常|通关异常|报关异常|清关延误|清关受阻|退运|customsdelay|heldbycustoms|customshold|clearancedelay|clearanceexception"},
	{fs(fSeize), 0, "扣留|扣押|查扣|暂扣|补充资料|补充材料|申报不符"},

	// ── masks: negations, instructions and conditions ──
	{nil, maskSpan, "未签收|没签收|尚未签收|待签收|等待签收|请签收|请您签收|签收前|签收时|签收后|没有签收|不签收|签收单|签单|回单|签收图|代收货款|代收款|请拒收|可拒收|可以拒收|有权拒收|请拒签|可拒签|可以拒签|破损请|破损可|破损时|是否破损|有无破损|到付|转投递|notdelivered|undelivered|tobedelivered|willbedelivered"},

	// ── masks: boilerplate clauses ──
	// The closing words end the carrier's record of a parcel ("…代收，感谢
	// 您使用京东物流，期待再次为您服务"): a feature of their own.
	{fs(fClosing), maskClause, "感谢|期待"},
	{nil, maskClause, "是否|检查外包装|如本人|如收件人|如客户|如他人|如家中|如无人|若本人|若无人|若收件人|可由|非本人|请本人|需本人|须本人|本人持|本人携带|请当面|当面验|以免|以防|避免|将为您放|可放|可代收|如有|如您|如需|如果|如非|如发现|如遇|如对|如未|如不|如包裹|如快件|如货物|如收到|若有|若您|若需|若非|若发现|欢迎|祝您|谢谢|投诉|客服|疫情期间|新冠|防疫|消毒|测温|体温|口罩|疫苗|请保持|保持电话|请耐心|耐心等待|请放心|放心接听|请您安心|请安心|相逢是缘|好评|五星好评|给个五星|点亮|评价|满意|赏个|风里来|上有老|温馨提示|提示:|注意:|服务热线|请电联|请联系|请致电|可联系|有疑问|有问题请|疑问请|可查看|官网|运单资料|下载|关注|公众号|小程序|扫码|扫描二维码|时效|峰会|专属号码|外呼|预计|可能|或将|或有|给您服务的|为保证|每日对|每天对|已测|请您放心|请勿|切勿|谨防|诈骗|营业时间|工作时间|仅供参考|ifyouhave|pleasecontact|thankyou"},
}

// carrierGroup is a bit per carrier, for hand-over detection.
type carrierGroup uint32

const (
	gPost carrierGroup = 1 << iota
	gSF
	gZTO
	gYTO
	gSTO
	gYunda
	gJD
	gJT
	gDeppon
	gBest
	gTT
	gZJS
	gUC
	gANE
	gDN
	gKY
	gDHL
	gUPS
	gFedEx
	gTNT
	gOther // "第三方", "其他快递": never the subscription's own carrier
)

// carrierAliases are the carrier names a hand-over names (转EMS, 交由邮政,
// 发往申通). Longer names first where one is a prefix of another.
var carrierAliases = []struct {
	name  string
	group carrierGroup
}{
	{"ems", gPost}, {"中国邮政", gPost}, {"邮政", gPost}, {"邮局", gPost},
	{"顺丰", gSF}, {"中通", gZTO}, {"圆通", gYTO}, {"申通", gSTO}, {"韵达", gYunda},
	{"京东", gJD}, {"极兔", gJT}, {"德邦", gDeppon}, {"百世", gBest}, {"汇通", gBest},
	{"天天", gTT}, {"宅急送", gZJS}, {"优速", gUC}, {"安能", gANE}, {"丹鸟", gDN},
	{"跨越", gKY}, {"dhl", gDHL}, {"ups", gUPS}, {"fedex", gFedEx}, {"联邦快递", gFedEx}, {"tnt", gTNT},
	{"第三方", gOther}, {"其他快递", gOther}, {"其它快递", gOther}, {"合作快递", gOther},
	{"合作公司", gOther}, {"合作方", gOther}, {"其他物流", gOther}, {"其它物流", gOther}, {"当地快递", gOther}, {"落地配", gOther},
}

// aliasTails may follow a carrier name in a hand-over ("转EMS国内派送",
// "交由邮政投递", "发往申通，面单号…"). Anything else (a place, "国际",
// "公司", a hub) means the name is part of an outlet's name.
var aliasTails = []string{"快递", "速递", "物流", "速运", "快运", "派送", "配送", "投递", "继续", "代为", "承运", "单号", "面单", "运单", "国内", "网络", "express"}

// comGroup maps a Kuaidi100 company code to its carrier group (0 unknown).
func comGroup(com string) carrierGroup {
	has := func(p string) bool { return len(com) >= len(p) && com[:len(p)] == p }
	switch {
	case com == "":
		return 0
	case has("ems"), has("youzheng"), has("chinapost"), has("emsguoji"):
		return gPost
	case has("shunfeng"), com == "sf", com == "sfexpress":
		return gSF
	case has("zhongtong"):
		return gZTO
	case has("yuantong"):
		return gYTO
	case has("shentong"):
		return gSTO
	case has("yunda"):
		return gYunda
	case com == "jd", has("jingdong"):
		return gJD
	case has("jtexpress"), has("jitu"):
		return gJT
	case has("debang"):
		return gDeppon
	case has("huitong"), has("baishi"), has("bestex"):
		return gBest
	case has("tiantian"):
		return gTT
	case has("zhaijisong"):
		return gZJS
	case has("youshu"):
		return gUC
	case has("anneng"):
		return gANE
	case has("danniao"):
		return gDN
	case has("kuayue"):
		return gKY
	case has("dhl"):
		return gDHL
	case has("ups"):
		return gUPS
	case has("fedex"):
		return gFedEx
	case has("tnt"):
		return gTNT
	}
	return 0
}
