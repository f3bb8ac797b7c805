// Package devdata holds what the tests that score the engines on the
// project's real development events (testdata/real_events_dev.jsonl) share:
// how the project's labels read under the conventions of the original
// service.
package devdata

import (
	"slices"
	"strings"

	"github.com/trackpush/trackpush"
)

// hubWords name transfer centres in the development texts.
var hubWords = []string{"转运中心", "分拨中心", "集散中心", "分拣中心", "处理中心", "转运场", "中转部", "中转场"}

// Convention returns a row's advanced label under the conventions the
// original service follows where the project's labels are finer or read
// otherwise (the README's compatibility notes): a pickup scan is 1, not
// 103; a hub scan in the destination city is 1002, not 1001, and so is a
// scan that names no place right after one (the parcel is still at the
// hub); a staffed station's closing 代收 ("已由快递驿站代收，感谢…") is signed
// at the station, 304, not 501. placeless says the row's label names no
// city; prev is the previous row's convention label in its shipment.
func Convention(label trackpush.State, text string, placeless bool, prev trackpush.State) trackpush.State {
	switch {
	case label == trackpush.StatePickedUp:
		return trackpush.StatePickup
	case label == trackpush.StateArrivedDestCity && slices.ContainsFunc(hubWords, func(w string) bool { return strings.Contains(text, w) }):
		return trackpush.StateTrunk
	case label == trackpush.StateArrivedDestCity && placeless && prev == trackpush.StateTrunk:
		return trackpush.StateTrunk
	case label == trackpush.StateAtLocker && strings.Contains(text, "驿站") && strings.Contains(text, "代收") &&
		strings.Contains(text, "感谢") && !strings.Contains(text, "取件"):
		return trackpush.StateSignedAtLocker
	}
	return label
}
