package region

import (
	"strings"
	"sync"
)

// division is one row of the embedded table.
type division struct {
	code   string // 12 digits
	name   string // official full name
	short  string // short name (陕西, 延安, 吴起; the name itself where none)
	center string // "lng,lat", GCJ-02
	pinyin string // of the full name: "wu qi xian"
	parent int32  // index of the parent, -1 for a province
	level  int8   // 1 province … 4 town
	// placeholder marks the NBS grouping rows that are not places
	// (市辖区, 县, 省直辖县级行政区划, 自治区直辖县级行政区划).
	placeholder bool
}

// table is the loaded division table, built once on first use.
type table struct {
	divs   []division
	byCode map[string]int32 // 12-digit code → index
}

var (
	tableOnce sync.Once
	theTable  *table
)

func getTable() *table {
	tableOnce.Do(func() { theTable = parseTable(tableData) })
	return theTable
}

var placeholderNames = map[string]bool{
	"市辖区": true, "县": true, "省直辖县级行政区划": true, "自治区直辖县级行政区划": true,
}

var levelByWidth = [10]int8{2: 1, 4: 2, 6: 3, 9: 4}

func parseTable(data string) *table {
	n := strings.Count(data, "\n")
	t := &table{divs: make([]division, 0, n), byCode: make(map[string]int32, n)}
	short := make(map[string]int32, n) // meaningful-digit code → index
	for len(data) > 0 {
		line, rest, _ := strings.Cut(data, "\n")
		data = rest
		if line == "" {
			continue
		}
		f := strings.SplitN(line, "\t", 5)
		code, name, sname, center, py := f[0], f[1], f[2], f[3], f[4]
		if sname == "" {
			sname = name
		}
		d := division{
			code:        code + strings.Repeat("0", 12-len(code)),
			name:        name,
			short:       sname,
			center:      center,
			pinyin:      py,
			parent:      -1,
			level:       levelByWidth[len(code)],
			placeholder: placeholderNames[name],
		}
		for _, w := range []int{6, 4, 2} {
			if w < len(code) {
				if p, ok := short[code[:w]]; ok {
					d.parent = p
					break
				}
			}
		}
		idx := int32(len(t.divs))
		t.divs = append(t.divs, d)
		short[code] = idx
		t.byCode[d.code] = idx
	}
	return t
}

// isAncestor reports whether a is a proper ancestor of b.
func (t *table) isAncestor(a, b int32) bool {
	for p := t.divs[b].parent; p >= 0; p = t.divs[p].parent {
		if p == a {
			return true
		}
	}
	return false
}

// ancestorAt returns the ancestor (or self) of i at the given level, or -1.
func (t *table) ancestorAt(i int32, level int8) int32 {
	for ; i >= 0; i = t.divs[i].parent {
		if t.divs[i].level == level {
			return i
		}
	}
	return -1
}

// municipalities are the four province-level cities; their level-2 rows are
// placeholders, so the province is also the city.
var municipalities = map[string]bool{
	"110000000000": true, "120000000000": true, "310000000000": true, "500000000000": true,
}

// cityOf returns the index of the unit that acts as the city of i: the
// prefecture; the municipality itself for Beijing, Tianjin, Shanghai and
// Chongqing; the county-level city itself for a county directly under a
// province (仙桃市). It returns -1 when i is above city level (a province).
func (t *table) cityOf(i int32) int32 {
	prov := t.ancestorAt(i, 1)
	if prov >= 0 && municipalities[t.divs[prov].code] {
		return prov
	}
	c := t.ancestorAt(i, 2)
	if c < 0 {
		return -1
	}
	if t.divs[c].placeholder {
		return t.ancestorAt(i, 3)
	}
	return c
}
