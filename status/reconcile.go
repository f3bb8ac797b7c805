package status

import "github.com/trackpush/trackpush"

// Reconcile combines the text engine's reading of a scan with the state
// its carrier operation code stands for (a trackpush.CarrierCode's State),
// and returns the event's state. The result's Rule names the text rule
// when the text decided, or one of the "code-…" rules below.
//
// Codes and texts are each right about different things. A code names the
// operation that was scanned — picked up, out for delivery, signed — and
// carriers set it by process, so it is the better witness of those
// milestones: a "签收" scan is signed whatever its text says. But carriers
// scan trouble, returns and hand-overs with whatever operation was at hand
// (a delivery scan "派送不成功", a signature "签收人是: 转EMS…"), and a
// transit code (arrival, departure) says nothing the text does not. So:
//
//   - the same family: the finer of the two codes (the text's 1001/1002,
//     301/303/304, 204/206 … over a bare family code);
//   - a transit code, or no reading from the text beyond transit: the
//     other one;
//   - a text that names a hand-over (7), customs (8–13), or a signature
//     after a return (4) or a refusal (14): the text;
//   - a signed code with a text that leaves the parcel at a locker or
//     station: 304, signed at a locker or station;
//   - a signed code otherwise: signed;
//   - trouble in the text on a delivery or pickup code, or a return in
//     the text on a trouble code: the text;
//   - otherwise the code.
func Reconcile(text Result, code trackpush.State) Result {
	if !code.Valid() {
		return text
	}
	tb, cb := text.Advanced.Basic(), code.Basic()
	byCode := func(rule string) Result { return Result{Basic: cb, Advanced: code, Rule: rule} }
	switch {
	case tb == cb:
		if text.Advanced == tb && code != cb {
			return byCode("code-finer")
		}
		return text
	case cb == trackpush.StateInTransit:
		return text
	case tb == trackpush.StateInTransit:
		return byCode("code-over-transit-text")
	case tb == trackpush.StateTransfer || tb == trackpush.StateCustoms:
		return text
	case tb == trackpush.StateReturned || tb == trackpush.StateRefused:
		// 4 and 14 are the end of a return or a refusal: the carrier scans
		// them as a signature, a return or trouble.
		return text
	case cb == trackpush.StateSigned && text.Advanced == trackpush.StateAtLocker:
		return Result{Basic: trackpush.StateSigned, Advanced: trackpush.StateSignedAtLocker, Rule: "code-signed-at-locker"}
	case cb == trackpush.StateSigned:
		return byCode("code-signed")
	case tb == trackpush.StateTrouble && (cb == trackpush.StateDelivery || cb == trackpush.StatePickup):
		return text
	case tb == trackpush.StateReturning && cb == trackpush.StateTrouble:
		return text
	}
	return byCode("code-over-text")
}
