package status

import "testing"

func features(text string) (featureSet, match) {
	var m match
	m.scan(normalize(nil, text))
	return m.feats, m
}

func TestScanFlags(t *testing.T) {
	cases := []struct {
		text      string
		has, lack []feature
	}{
		// maskSpan: a negation hides the word inside it.
		{"快件未签收", nil, fs(fSigned)},
		{"快件已签收", fs(fSigned), nil},
		{"请您准备签收", fs(fDispatch), fs(fSigned)},
		{"配送中心", fs(fHub), fs(fDispatch)},
		{"揽收员已收件", fs(fCollector, fPickedUp), nil},
		{"揽收员", fs(fCollector), fs(fPickedUp)},
		{"代收货款100元", nil, fs(fDaishou)},
		// maskClause: boilerplate hides the rest of its clause only.
		{"如有问题请联系驿站，快件已揽收", fs(fPickedUp), fs(fStation)},
		{"感谢使用圆通速递 已签收", nil, fs(fSigned)},
		{"已签收 感谢使用圆通速递", fs(fSigned), nil},
		{"疫情期间每日消毒。快件派送中", fs(fDispatch), nil},
		// maskClause keeps its own features.
		{"等待快递公司揽收", fs(fAwaitPickup), fs(fPickedUp)},
		// atStart / atEnd.
		{"到杭州市【江干二部】", fs(fTransit, fArrive), nil},
		{"北京市|到北京市【金盏分部】", fs(fTransit, fArrive), nil},
		{"快件送到付款", nil, fs(fSignedEnd)},
		{"您的快件已送达。", fs(fSignedEnd), nil},
		{"您的快件已送达【萧山营业部】", fs(fArrive), fs(fSignedEnd)},
		// Spaces never split a phrase.
		{"快件已被 本人 签收", fs(fSigned, fSelf), nil},
	}
	for _, c := range cases {
		got, _ := features(c.text)
		for _, f := range c.has {
			if !got.has(f) {
				t.Errorf("%q: missing %s (have %v)", c.text, featureNames[f], got.names())
			}
		}
		for _, f := range c.lack {
			if got.has(f) {
				t.Errorf("%q: unexpected %s (have %v)", c.text, featureNames[f], got.names())
			}
		}
	}
}

func TestScanHandOver(t *testing.T) {
	cases := []struct {
		text         string
		strong, weak carrierGroup
	}{
		{"签收人是: 转EMS1100000000000", gPost, 0},
		{"已转交中国邮政派送", gPost, 0},
		{"交由顺丰速运继续派送", gSF, 0},
		{"发往申通，面单号:123", 0, gSTO},
		{"由 申通国际香港分公司 发往 海外深圳分拨中心", 0, 0},
		{"发往杭州市邮政速递物流公司高新区分公司", 0, 0},
		{"离开【杭州中转部】发往【宁波中转部】", 0, 0},
		{"快件交给张某，正在派送途中", 0, 0},
		{"已转交合作方配送", gOther, 0},
		{"转ems", gPost, 0},
	}
	for _, c := range cases {
		_, m := features(c.text)
		if m.strong != c.strong || m.weak != c.weak {
			t.Errorf("%q: strong %b weak %b, want %b %b", c.text, m.strong, m.weak, c.strong, c.weak)
		}
	}
}

func TestComGroup(t *testing.T) {
	cases := map[string]carrierGroup{
		"": 0, "ems": gPost, "youzhengguonei": gPost, "shunfeng": gSF, "shunfengkuaiyun": gSF,
		"zhongtong": gZTO, "zhongtongkuaiyun": gZTO, "yuantong": gYTO, "shentong": gSTO, "yunda": gYunda,
		"jd": gJD, "jtexpress": gJT, "debangwuliu": gDeppon, "debangkuaidi": gDeppon,
		"huitongkuaidi": gBest, "tiantian": gTT, "rufengda": 0, "unknowncarrier": 0,
	}
	for com, want := range cases {
		if got := comGroup(com); got != want {
			t.Errorf("comGroup(%q) = %b, want %b", com, got, want)
		}
	}
}

// TestLexiconCompiled checks the compiled dictionary: every keyword
// reachable from its first rune, buckets longest first, every feature used.
func TestLexiconCompiled(t *testing.T) {
	var used featureSet
	for id, k := range keywords {
		used.union(k.feats)
		r := []rune(k.text)[0]
		found := false
		for _, j := range buckets[firstRune[r]-1] {
			found = found || int(j) == id
		}
		if !found {
			t.Errorf("keyword %q not indexed", k.text)
		}
	}
	for _, b := range buckets {
		for i := 1; i < len(b); i++ {
			if len(keywords[b[i-1]].text) < len(keywords[b[i]].text) {
				t.Errorf("bucket not longest first: %q before %q", keywords[b[i-1]].text, keywords[b[i]].text)
			}
		}
	}
	for f := feature(0); f < vTransfer; f++ {
		if !used.has(f) {
			t.Errorf("feature %s has no keyword", featureNames[f])
		}
		if featureNames[f] == "" {
			t.Errorf("feature %d has no name", f)
		}
	}
}
