package status_test

import (
	"fmt"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/status"
)

func ExampleClassify() {
	r := status.Classify("【宁波市】 快件已被【丰巢的东湖花园3号柜】代收，如有问题请电联（139****0000）",
		status.Context{Com: "zhongtong"})
	fmt.Println(r.Basic, r.Advanced, r.Advanced.Name(), r.Rule)

	r = status.Classify("快件到达 【杭州西湖文三营业点】",
		status.Context{Com: "shunfeng", City: "330100000000", DestCity: "330100000000"})
	fmt.Println(r.Basic, r.Advanced, r.Advanced.Name(), r.Rule)
	// Output:
	// 5 501 投柜或驿站 at-locker
	// 0 1001 到达派件城市 transit-dest-city
}

func ExampleSummarize() {
	texts := []string{"【宁波市】 【鄞州东部】 的 某某 已揽收", "【宁波市】 正在第1次派件", "已签收，签收人：本人"}
	var prev []trackpush.State
	var events []status.Event
	for i, text := range texts {
		r := status.Classify(text, status.Context{Com: "zhongtong", Prev: prev})
		prev = append(prev, r.Advanced)
		events = append(events, status.Event{Seq: i, Result: r})
	}
	s := status.Summarize(events)
	fmt.Println(s.State, s.IsCheck, s.Finished, s.Newest)
	// Output: 301 true true 2
}
