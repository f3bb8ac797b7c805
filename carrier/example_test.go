package carrier_test

import (
	"fmt"
	"strings"

	"github.com/trackpush/trackpush/carrier"
)

func ExampleLookup() {
	c, ok := carrier.Lookup("ShunFeng")
	fmt.Println(c.Code, c.Name, c.Aliases, ok, carrier.RequiresPhone(c.Code))
	_, ok = carrier.Lookup("nosuch")
	fmt.Println(ok)
	// Output:
	// shunfeng 顺丰速运 [顺丰] true true
	// false
}

func ExampleWriteCSV() {
	var b strings.Builder
	if err := carrier.WriteCSV(&b); err != nil {
		panic(err)
	}
	lines := strings.Split(b.String(), "\n")
	fmt.Println(len(lines)-2, "carriers; the first:")
	fmt.Println(strings.Join(lines[:3], "\n"))
	// Output:
	// 1568 carriers; the first:
	// code,name
	// 100mexpress,百米快运
	// 1ziton,一智通
}

func ExampleDetector_Rank() {
	d := carrier.NewDetector()
	for _, c := range d.Rank("773054585813745") {
		fmt.Printf("%s %s lengthPre=%d %.2f\n", c.Code, c.Name, c.LengthPre, c.Score)
	}
	// Output:
	// shentong 申通快递 lengthPre=15 0.95
	// yunda 韵达快递 lengthPre=15 0.05
	// longbanwuliu 龙邦速递 lengthPre=15 0.00
	// quanfengkuaidi 全峰快递 lengthPre=15 0.00
}

func ExampleDetector_Fits() {
	d := carrier.NewDetector()
	fmt.Println(d.Fits("shentong", "773054585813745"))
	fmt.Println(d.Fits("yunda", "JT1234567890123"))
	// A numbering scheme no public pattern knows is learned.
	fmt.Println(d.Fits("yunda", "ZZ-1234-5678"))
	for _, n := range []string{"ZZ-0001-0002", "ZZ-0003-0004", "ZZ-0005-0006", "ZZ-0007-0008", "ZZ-0009-0010"} {
		d.Observe("a2u", n)
	}
	fmt.Println(d.Fits("yunda", "ZZ-1234-5678"))
	best, _ := d.Best("ZZ-1234-5678")
	fmt.Println(best.Code)
	// Output:
	// true
	// false
	// true
	// false
	// a2u
}
