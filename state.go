package trackpush

import "strconv"

// State is a shipment or event state code of the protocol: one of the
// basic codes (0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投,
// 8 清关, 14 拒签) or one of the advanced codes that refine them (101 已下单,
// 1001 到达派件城市, 501 投柜或驿站, …).
//
// The advanced code equal to a basic code (0, 1, 2, …) means "this family,
// nothing more specific known". Codes 10–13 are customs sub-states of 8, as
// shared/data/states.csv lists them; the push document counts ten basic
// states (0–8 and 14). Code 14 is both: listed under 4 退签 as an advanced
// code and in the push document as a basic state of its own; Basic(14) is 14
// so that a receiver checking a basic-level push for "14" sees it.
type State int

// The state codes of docs/protocol.md §3 and shared/data/states.csv.
const (
	StateInTransit State = 0 // 在途
	StatePickup    State = 1 // 揽收
	StateTrouble   State = 2 // 疑难
	StateSigned    State = 3 // 签收
	StateReturned  State = 4 // 退签
	StateDelivery  State = 5 // 派件
	StateReturning State = 6 // 退回
	StateTransfer  State = 7 // 转投
	StateCustoms   State = 8 // 清关

	StateCustomsWaiting State = 10 // 待清关
	StateCustomsGoing   State = 11 // 清关中
	StateCustomsCleared State = 12 // 已清关
	StateCustomsTrouble State = 13 // 清关异常
	StateRefused        State = 14 // 拒签

	StateOrdered        State = 101 // 已下单
	StateAwaitingPickup State = 102 // 待揽收
	StatePickedUp       State = 103 // 已揽收

	StateOverdueUnsigned   State = 201 // 超时未签收
	StateOverdueNoUpdate   State = 202 // 超时未更新
	StateRejected          State = 203 // 拒收
	StateDeliveryFailed    State = 204 // 派件异常
	StateLockerOverdue     State = 205 // 柜或驿站超时未取
	StateUnreachable       State = 206 // 无法联系
	StateOutOfArea         State = 207 // 超区
	StateStranded          State = 208 // 滞留
	StateDamaged           State = 209 // 破损
	StateCancelledBySender State = 210 // 销单

	StateSignedSelf      State = 301 // 本人签收
	StateSignedAfterFail State = 302 // 派件异常后签收
	StateSignedByProxy   State = 303 // 代签
	StateSignedAtLocker  State = 304 // 投柜或站签收

	StateCancelled State = 401 // 已销单

	StateAtLocker State = 501 // 投柜或驿站

	StateArrivedDestCity State = 1001 // 到达派件城市
	StateTrunk           State = 1002 // 干线
	StateForwarded       State = 1003 // 转递
)

var stateNames = map[State]string{
	0: "在途", 1: "揽收", 2: "疑难", 3: "签收", 4: "退签", 5: "派件", 6: "退回", 7: "转投", 8: "清关",
	10: "待清关", 11: "清关中", 12: "已清关", 13: "清关异常", 14: "拒签",
	101: "已下单", 102: "待揽收", 103: "已揽收",
	201: "超时未签收", 202: "超时未更新", 203: "拒收", 204: "派件异常", 205: "柜或驿站超时未取",
	206: "无法联系", 207: "超区", 208: "滞留", 209: "破损", 210: "销单",
	301: "本人签收", 302: "派件异常后签收", 303: "代签", 304: "投柜或站签收",
	401:  "已销单",
	501:  "投柜或驿站",
	1001: "到达派件城市", 1002: "干线", 1003: "转递",
}

// States lists every valid code in ascending order.
func States() []State {
	return []State{0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14,
		101, 102, 103, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210,
		301, 302, 303, 304, 401, 501, 1001, 1002, 1003}
}

// Valid reports whether s is one of the protocol's 36 codes.
func (s State) Valid() bool { _, ok := stateNames[s]; return ok }

// Name returns the protocol's Chinese name of the code ("干线"), or "" for an
// invalid code.
func (s State) Name() string { return stateNames[s] }

// Basic returns the basic code a code belongs to: 1002 → 0, 304 → 3, 401 → 4,
// 11 → 8, 14 → 14. A basic code returns itself.
func (s State) Basic() State {
	switch {
	case s >= 1001 && s <= 1003:
		return StateInTransit
	case s >= 101 && s <= 501:
		return s / 100
	case s >= 10 && s <= 13:
		return StateCustoms
	}
	return s
}

// IsBasic reports whether s is a basic code.
func (s State) IsBasic() bool { return s.Valid() && s.Basic() == s }

// String returns the code in decimal, as the wire sends it ("1002").
func (s State) String() string { return strconv.Itoa(int(s)) }

// ParseState parses a decimal code and reports whether it is valid.
func ParseState(v string) (State, bool) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false
	}
	s := State(n)
	return s, s.Valid()
}
