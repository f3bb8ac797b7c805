package region

import "strings"

// Place is a resolved region, in the wire's terms (docs/protocol.md §2.1) plus
// what a caller needs to judge it.
type Place struct {
	// AreaCode is "CN" + the 12-digit code of the finest level resolved.
	AreaCode string `json:"areaCode"`
	// AreaName is the original service's display name: the province's short
	// name, the full names of the lower levels with placeholders skipped, a
	// town by its short name: "广东,深圳市,龙岗区,坂田", "北京,昌平区", "天津".
	AreaName string `json:"areaName"`
	// Location is the place below the province: the city and county names
	// ("延安市,吴起县"), empty for a province or municipality alone.
	Location string `json:"location"`
	// AreaCenter is "lng,lat" (GCJ-02) of the finest level.
	AreaCenter string `json:"areaCenter"`
	// AreaPinYin is the pinyin of the finest level's full name ("wu qi xian").
	AreaPinYin string `json:"areaPinYin"`

	// Province, City, District and Town are full names, empty where unknown.
	// City is the unit that acts as the city: the prefecture, the
	// municipality itself (北京市), or a county-level city directly under a
	// province (仙桃市).
	Province string `json:"province"`
	City     string `json:"city"`
	District string `json:"district"`
	Town     string `json:"town"`
	// Level is the finest level resolved: 1 province, 2 city, 3 county, 4 town.
	Level int `json:"level"`
	// Confidence is in [0, 1]: high when the names agree on one place, low
	// when a name fits several places and nothing decides between them.
	Confidence float64 `json:"confidence"`
	// Span is the part of the input the place was read from, with its rune
	// offsets [SpanStart, SpanEnd).
	Span      string `json:"span"`
	SpanStart int    `json:"spanStart"`
	SpanEnd   int    `json:"spanEnd"`

	idx int32
}

// Code returns the 12-digit division code.
func (p *Place) Code() string { return strings.TrimPrefix(p.AreaCode, "CN") }

// CityCode returns the 12-digit code of the unit acting as the place's city
// (see City), or "" for a place known only to province level. Two places are
// in the same city when their CityCodes are equal and not empty.
func (p *Place) CityCode() string {
	t := getTable()
	if c := t.cityOf(p.idx); c >= 0 {
		return t.divs[c].code
	}
	return ""
}

// ProvinceCode returns the 12-digit code of the place's province.
func (p *Place) ProvinceCode() string {
	t := getTable()
	return t.divs[t.ancestorAt(p.idx, 1)].code
}

// Contains reports whether q lies within p (or is p).
func (p *Place) Contains(q *Place) bool {
	if p == nil || q == nil {
		return false
	}
	return p.idx == q.idx || getTable().isAncestor(p.idx, q.idx)
}

// Lookup returns the place of a division code, given as 12 digits or with
// the wire's "CN" prefix.
func Lookup(code string) (*Place, bool) {
	code = strings.TrimPrefix(code, "CN")
	t := getTable()
	i, ok := t.byCode[code]
	if !ok || t.divs[i].placeholder {
		return nil, false
	}
	p := t.place(i)
	p.Confidence = 1
	return p, true
}

// place builds the Place of division i (without span and confidence).
func (t *table) place(i int32) *Place {
	d := &t.divs[i]
	p := &Place{
		AreaCode:   "CN" + d.code,
		AreaCenter: d.center,
		AreaPinYin: d.pinyin,
		Level:      int(d.level),
		idx:        i,
	}
	var chain [4]int32
	n := 0
	for j := i; j >= 0; j = t.divs[j].parent {
		chain[n] = j
		n++
	}
	var name, loc []string
	for k := n - 1; k >= 0; k-- {
		a := &t.divs[chain[k]]
		if a.placeholder {
			continue
		}
		switch a.level {
		case 1:
			p.Province = a.name
			name = append(name, a.short)
		case 2:
			p.City = a.name
			name = append(name, a.name)
			loc = append(loc, a.name)
		case 3:
			p.District = a.name
			name = append(name, a.name)
			loc = append(loc, a.name)
		case 4:
			p.Town = a.name
			name = append(name, a.short)
		}
	}
	if c := t.cityOf(i); c >= 0 && p.City == "" {
		p.City = t.divs[c].name
	}
	p.AreaName = strings.Join(name, ",")
	p.Location = strings.Join(loc, ",")
	return p
}
