package direct

import "github.com/trackpush/trackpush"

// The carriers' operation codes and the states they stand for. Only codes
// whose meaning a source states are here; any other code is passed over
// and the text alone decides. A transit code (arrival, departure) maps to
// 0: it confirms transit and lets the text's 1001/1002 stand. Package
// status reconciles these with the text engine (status.Reconcile).
var (
	// sfCodes: SF opCode (carriers.md §2.3, from fluent's ShunfengOpCode).
	// 123 (heading to an SF store), 607 (agent pickup), 648 (returned or
	// forwarded under a new number) have meanings too loose to map.
	sfCodes = map[string]trackpush.State{
		"50":   trackpush.StatePickup,         // picked up
		"30":   trackpush.StateInTransit,      // loaded, departing
		"31":   trackpush.StateInTransit,      // arrived at a hub
		"3036": trackpush.StateInTransit,      // to the next stop
		"44":   trackpush.StateDelivery,       // out for delivery
		"80":   trackpush.StateSigned,         // signed
		"8000": trackpush.StateSigned,         // signed (the signature image's note)
		"33":   trackpush.StateTrouble,        // delivery exception
		"70":   trackpush.StateDeliveryFailed, // failed delivery
		"130":  trackpush.StateAtLocker,       // at an SF store
		"99":   trackpush.StateForwarded,      // forwarding
	}
	// sfStatusNames: SF's own first-level status on newer accounts
	// (firstStatusName), used when the opCode is not in sfCodes.
	sfStatusNames = map[string]trackpush.State{
		"已揽收": trackpush.StatePickup,
		"运送中": trackpush.StateInTransit,
		"派送中": trackpush.StateDelivery,
		"已签收": trackpush.StateSigned,
	}

	// ztoScanTypes: ZTO query scanType, in its three value spaces (§3.3,
	// OLTS zto.csv "from official doc"): Chinese, English (locker flows)
	// and numeric (after a transfer). 事件, 转单 and 安检 are left to the
	// text.
	ztoScanTypes = map[string]trackpush.State{
		"收件": trackpush.StatePickup, "发件": trackpush.StateInTransit, "到件": trackpush.StateInTransit,
		"派件": trackpush.StateDelivery, "签收": trackpush.StateSigned, "退件": trackpush.StateReturning,
		"问题件":     trackpush.StateTrouble,
		"ARRIVAL": trackpush.StateInTransit, "DEPARTURE": trackpush.StateInTransit,
		"DELIVERY": trackpush.StateDelivery, "SIGNED": trackpush.StateSigned,
		"1": trackpush.StatePickup, "2": trackpush.StateInTransit, "3": trackpush.StateInTransit,
		"4": trackpush.StateDelivery, "5": trackpush.StateSigned, "7": trackpush.StateSigned,
		"8": trackpush.StateReturning, "44": trackpush.StateAtLocker, "45": trackpush.StateSignedAtLocker,
	}
	// ztoActions: ZTO push action (§3.4, the 12 logged test pushes and a
	// public receiver's switch).
	ztoActions = map[string]trackpush.State{
		"GOT": trackpush.StatePickup, "DEPARTURE": trackpush.StateInTransit, "ARRIVAL": trackpush.StateInTransit,
		"DISPATCH": trackpush.StateDelivery, "INBOUND": trackpush.StateAtLocker,
		"HANDOVERSCAN_SIGNED": trackpush.StateSignedAtLocker, "DEPARTURE_SIGNED": trackpush.StateSignedAtLocker,
		"SIGNED": trackpush.StateSigned, "RETURN_SCAN": trackpush.StateReturning,
		"RETURN_SIGNED": trackpush.StateReturned, "PROBLEM": trackpush.StateTrouble,
	}

	// jtScanTypes: J&T scanType names (§7).
	jtScanTypes = map[string]trackpush.State{
		"快件揽收": trackpush.StatePickup, "发件扫描": trackpush.StateInTransit, "到件扫描": trackpush.StateInTransit,
		"出仓扫描": trackpush.StateDelivery, "入库扫描": trackpush.StateAtLocker, "代理点收入扫描": trackpush.StateAtLocker,
		"快件取出扫描": trackpush.StateSignedAtLocker, "出库扫描": trackpush.StateSignedAtLocker,
		"快件签收": trackpush.StateSigned, "问题件扫描": trackpush.StateTrouble,
	}

	// stoScanTypes: STO scanType (§4.3, the push DTO's doc comments and
	// OLTS sto.csv).
	stoScanTypes = map[string]trackpush.State{
		"收件": trackpush.StatePickup, "发件": trackpush.StateInTransit, "到件": trackpush.StateInTransit,
		"派件": trackpush.StateDelivery, "第三方代派": trackpush.StateDelivery, "问题件": trackpush.StateTrouble,
		"退回件": trackpush.StateReturning, "快件取出": trackpush.StateSignedAtLocker,
		"柜机代收": trackpush.StateAtLocker, "驿站代收": trackpush.StateAtLocker, "驿站出库": trackpush.StateSignedAtLocker,
		"签收": trackpush.StateSigned, "改地址件": trackpush.StateForwarded,
		"转邮": trackpush.StateTransfer, "转同行": trackpush.StateTransfer,
	}

	// ytoInfoContents: YTO infoContent (§5.1 and the legacy push §5.2).
	// NOT_SEND and PACKAGE are left to the text.
	ytoInfoContents = map[string]trackpush.State{
		"GOT": trackpush.StatePickup, "ARRIVAL": trackpush.StateInTransit, "DEPARTURE": trackpush.StateInTransit,
		"SENT_SCAN": trackpush.StateDelivery, "INBOUND": trackpush.StateAtLocker, "SIGNED": trackpush.StateSigned,
		"FAILED": trackpush.StateDeliveryFailed, "FORWARDING": trackpush.StateForwarded,
		"TMS_RETURN": trackpush.StateReturning, "AIRSEND": trackpush.StateInTransit, "AIRPICK": trackpush.StateInTransit,
	}

	// depponStatuses: Deppon trace status (§11). ADVANCE_DELIVERY and
	// OPERATETRACK are left to the text.
	depponStatuses = map[string]trackpush.State{
		"GOT": trackpush.StatePickup, "DEPARTURE": trackpush.StateInTransit, "ARRIVAL": trackpush.StateInTransit,
		"SENT_SCAN": trackpush.StateDelivery, "ERROR": trackpush.StateTrouble, "FAILED": trackpush.StateDeliveryFailed,
		"SIGNED": trackpush.StateSigned, "BACK_SIGNED": trackpush.StateReturned,
		"STA_INBOUND": trackpush.StateAtLocker, "STA_SIGN": trackpush.StateSignedAtLocker,
	}
)
