package status

import (
	"testing"

	"github.com/trackpush/trackpush"
)

// TestReconcile shows where a carrier's operation code and the text engine
// agree and where they disagree, and which wins. The texts are written in
// each carrier's phrasing (none from the development data); code is the
// state the carrier's code stands for (source/direct's code tables).
func TestReconcile(t *testing.T) {
	cases := []struct {
		name     string
		com      string
		text     string
		prev     []trackpush.State
		code     trackpush.State // the code's state
		textOnly trackpush.State // what the text alone says
		want     trackpush.State
		rule     string
	}{
		// Agreement: the finer of the two.
		{"same family, text finer", "zhongtong", "【杭州市】 快件已由【菜鸟驿站】代签收，如有问题请电联", nil,
			trackpush.StateSigned, trackpush.StateSignedAtLocker, trackpush.StateSignedAtLocker, "signed-locker"},
		{"same family, code finer", "shunfeng", "已签收,感谢使用顺丰,期待再次为您服务", nil,
			trackpush.StateSignedAtLocker, trackpush.StateSigned, trackpush.StateSignedAtLocker, "code-finer"},
		{"transit code says nothing new", "shentong", "快件已到达【嘉兴转运中心】扫描员是【某某】", nil,
			trackpush.StateInTransit, trackpush.StateTrunk, trackpush.StateTrunk, "transit-hub"},

		// Disagreement: the text knows only transit, the code knows more.
		{"pickup code, silent text", "zhongtong", "【义乌市】 【义乌北苑】 的 某某 已经进行了扫描", nil,
			trackpush.StatePickedUp, trackpush.StateInTransit, trackpush.StatePickedUp, "code-over-transit-text"},
		{"delivery code, silent text", "jtexpress", "【金华市】【义乌稠城网点】 某某 的快件已出仓", nil,
			trackpush.StateDelivery, trackpush.StateInTransit, trackpush.StateDelivery, "code-over-transit-text"},

		// Disagreement: the code's milestone wins.
		{"signed code, delivery text", "shentong", "【广州白云公司】的派件员【某某】正在为您派件，请保持电话畅通", nil,
			trackpush.StateSigned, trackpush.StateDelivery, trackpush.StateSigned, "code-signed"},
		{"signed code, locker text", "jtexpress", "您的快件已暂存至【兔喜生活超市】，请凭取件码及时领取", nil,
			trackpush.StateSigned, trackpush.StateAtLocker, trackpush.StateSignedAtLocker, "code-signed-at-locker"},
		{"delivery code, locker-overdue text", "yuantong", "快件在【丰巢柜】超时未取，已被快递员取出，将安排再次派送", nil,
			trackpush.StateDelivery, trackpush.StateLockerOverdue, trackpush.StateLockerOverdue, "locker-overdue"},

		// Disagreement: the text's trouble, return, hand-over win.
		{"delivery code, trouble text", "shunfeng", "快件派送不成功(因收件地址不详，无法联系收方客户),待进一步处理", nil,
			trackpush.StateDelivery, trackpush.StateUnreachable, trackpush.StateUnreachable, "unreachable"},
		{"signed code, hand-over text", "shentong", "已签收,签收人是: 转EMS9876543210123", nil,
			trackpush.StateSigned, trackpush.StateTransfer, trackpush.StateTransfer, "transfer"},
		{"signed code, return signed", "yuantong", "退回件已签收，签收人：寄件人本人", nil,
			trackpush.StateSigned, trackpush.StateReturned, trackpush.StateReturned, "return-signed"},
		{"trouble code, return text", "zhongtong", "【成都市】 快件已退回，退回原因：收件人拒收", nil,
			trackpush.StateTrouble, trackpush.StateRefused, trackpush.StateRefused, "refused-returned"},

		// Disagreement: the code wins over a family the text misread.
		{"return code, pickup-like text", "debangwuliu", "您的货物已由【深圳宝安营业部】收回，即将返回", nil,
			trackpush.StateReturning, trackpush.StateTrouble, trackpush.StateReturning, "code-over-text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := Classify(c.text, Context{Com: c.com, Prev: c.prev})
			if text.Advanced != c.textOnly {
				t.Fatalf("the text alone: %d (%s), want %d — the case no longer shows what it is meant to", text.Advanced, text.Rule, c.textOnly)
			}
			got := Reconcile(text, c.code)
			if got.Advanced != c.want || got.Basic != c.want.Basic() {
				t.Fatalf("reconciled: %d/%d (%s), want %d", got.Basic, got.Advanced, got.Rule, c.want)
			}
			if c.rule != "" && got.Rule != c.rule {
				t.Errorf("rule %s, want %s", got.Rule, c.rule)
			}
		})
	}
}

// TestReconcileEveryPair: whatever the two say, the result is a valid
// code of one of them (or 304, from signed and at a locker), and with no
// valid code the text stands.
func TestReconcileEveryPair(t *testing.T) {
	for _, ts := range trackpush.States() {
		text := Result{Basic: ts.Basic(), Advanced: ts, Rule: "text"}
		if got := Reconcile(text, trackpush.State(999)); got != text {
			t.Fatalf("an invalid code changed the text's %d to %v", ts, got)
		}
		for _, cs := range trackpush.States() {
			got := Reconcile(text, cs)
			if !got.Advanced.Valid() || got.Basic != got.Advanced.Basic() {
				t.Fatalf("text %d, code %d: invalid %v", ts, cs, got)
			}
			if got.Advanced != ts && got.Advanced != cs && got.Advanced != trackpush.StateSignedAtLocker {
				t.Fatalf("text %d, code %d: %d is neither", ts, cs, got.Advanced)
			}
			if cs.Basic() == trackpush.StateSigned && got.Advanced.Basic() != trackpush.StateSigned {
				// A signed code yields only to texts that are themselves
				// the end of a parcel's story.
				switch ts.Basic() {
				case trackpush.StateReturned, trackpush.StateRefused, trackpush.StateTransfer, trackpush.StateCustoms:
				default:
					t.Fatalf("text %d, code %d: signed code lost to %d", ts, cs, got.Advanced)
				}
			}
		}
	}
}
