package status

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/trackpush/trackpush"
)

var printReadme = flag.Bool("readme", false, "print the README's status table (markdown)")

// readmeExamples are the example scan lines of the project README, one per
// code, in the README's order. TestReadmeExamples keeps them true.
var readmeExamples = []struct {
	text string
	ctx  Context
	note string // context the example needs, as the README states it
	want trackpush.State
}{
	{"卖家已发货", Context{}, "", 1},
	{"您的寄件订单下单成功，订单号：SF1234567890", Context{}, "", 101},
	{"揽收任务已分配给某某，联系电话：139****1234", Context{}, "", 102},
	{"【上海市】 【浦东三林】（021-58000000） 的 某某（138****0000） 已揽收", Context{}, "", 1},
	{"【广州市】快件已发车", Context{}, "no place known", 0},
	{"快件到达 【杭州西湖文三营业点】", inDest, "an outlet in the destination city", 1001},
	{"快件到达 【杭州萧山集散中心】", inDest, "a hub, even in the destination city", 1002},
	{"快件在【广州白云集散中心】已装车,准备发往 【杭州萧山集散中心】", elsewhere, "event in another city", 1002},
	{"因收方客户要求更改派送地址，快件将转寄至新地址", Context{}, "", 1003},
	{"【杭州市】 【西湖文三】 的某某（139****0000） 正在第1次派件, 请保持电话畅通,并耐心等待", Context{}, "", 5},
	{"您的快件已放入【文三路丰巢智能柜】，请凭取件码 123456 及时取件", Context{}, "", 501},
	{"已签收,感谢使用顺丰,期待再次为您服务", Context{}, "", 3},
	{"您的快件已由本人签收，感谢您使用京东物流，期待再次为您服务", Context{}, "", 301},
	{"已签收,签收人是: 拍照签收", Context{Prev: []S{1001, 5, 204, 5}}, "an earlier event was 疑难 (e.g. 204)", 302},
	{"[浙江杭州公司西湖分部]快件已被 门卫 签收。如有问题请电联业务员：某某【139****0000】", Context{}, "", 303},
	{"客户签收人: 已签收，签收人凭取货码签收。 已签收 感谢使用圆通速递", Context{}, "", 304},
	{"您的快件已由快递驿站代收，感谢您使用京东物流，期待再次为您服务", Context{}, "a station's closing words", 304},
	{"快件已退回，退回原因：收件地址不详", Context{}, "", 6},
	{"退回件已签收，签收人：寄件人", Context{}, "", 4},
	{"运单已作废", Context{}, "", 401},
	{"客户拒签，快件将退回寄件人", Context{}, "", 14},
	{"快件已转交中国邮政派送，邮政单号：9876543210123", Context{Com: "zhongtong"}, "", 7},
	{"[河北石家庄公司]快件异常；备注：其他原因", Context{}, "", 2},
	{"快件派件后超时未签收，请联系派件网点", Context{}, "", 201},
	{"快件物流信息超时未更新，已提交核实", Context{}, "", 202},
	{"快件派送不成功(因收方客户拒收快件),待进一步处理", Context{}, "", 203},
	{"快件派送不成功，收件地址不详，待联系客户确认", Context{}, "", 204},
	{"您的快件在丰巢智能柜超时未取，已被快递员取出", Context{}, "", 205},
	{"快件派送不成功(因电话无人接听/关机/无信号，暂无法联系到收方客户),正在处理中,待再次派送", Context{}, "", 206},
	{"问题件，原因：收件地址超区，无法派送", Context{}, "", 207},
	{"因天气原因，快件滞留在【萧山营业部】", Context{}, "", 208},
	{"快件外包装破损，已通知寄件人处理", Context{}, "", 209},
	{"寄件人已申请撤销寄件", Context{}, "", 210},
	{"【深圳市】快件已出境，发往【香港】", Context{}, "", 8},
	{"快件已到达上海海关监管仓，等待清关", Context{}, "", 10},
	{"包裹已提交海关，清关中，请耐心等待", Context{}, "", 11},
	{"【上海浦东】海关已放行，即将转国内运输", Context{}, "", 12},
	{"清关异常：需补充收件人身份证资料", Context{}, "", 13},
}

func TestReadmeExamples(t *testing.T) {
	seen := map[trackpush.State]bool{}
	var b strings.Builder
	b.WriteString("| basic | advanced | example scan (→ rule) |\n|---|---|---|\n")
	for _, e := range readmeExamples {
		got := Classify(e.text, e.ctx)
		if got.Advanced != e.want {
			t.Errorf("Classify(%q) = %d (%s), want %d", e.text, got.Advanced, got.Rule, e.want)
		}
		seen[e.want] = true
		note := ""
		if e.note != "" {
			note = " (" + e.note + ")"
		}
		fmt.Fprintf(&b, "| %d %s | %d %s | `%s`%s → `%s` |\n", e.want.Basic(), e.want.Basic().Name(), e.want, e.want.Name(),
			strings.ReplaceAll(e.text, "|", `\|`), note, got.Rule)
		if e.want == trackpush.StatePickup && strings.Contains(e.text, "已揽收") {
			b.WriteString("| 1 揽收 | 103 已揽收 | never inferred: a pickup scan is `1`, as the original service sends it |\n")
		}
	}
	for _, st := range trackpush.States() {
		if !seen[st] && st != trackpush.StatePickedUp {
			t.Errorf("code %d has no example", st)
		}
	}
	if *printReadme {
		fmt.Print(b.String())
	}
}
