package trackpush

import "strconv"

// Level is a subscription's enrichment level, the protocol's resultv2:
// 0 (off), 3 (region and status name per event), 5 (+ advanced status,
// centre, pinyin, routeInfo) or 7 (+ ETA and predicted route).
type Level int

// The enrichment levels of PROTOCOL.md §2.2.
const (
	LevelNone     Level = 0
	LevelRegion   Level = 3
	LevelAdvanced Level = 5
	LevelPredict  Level = 7
)

// ParseLevel reads a resultv2 value. The classic endpoint's 1, 4 and 8 are
// aliases of 3, 5 and 7; any other value is taken as the nearest lower level
// ("6" → 5, "2" → 0, "" or not a number → 0), never an error.
func ParseLevel(v string) Level {
	n, err := strconv.Atoi(v)
	if err != nil {
		return LevelNone
	}
	switch {
	case n == 1:
		return LevelRegion
	case n == 4:
		return LevelAdvanced
	case n >= 7:
		return LevelPredict
	case n >= 5:
		return LevelAdvanced
	case n >= 3:
		return LevelRegion
	}
	return LevelNone
}

// String returns the level as resultv2 spells it ("" for none).
func (l Level) String() string {
	if l == LevelNone {
		return ""
	}
	return strconv.Itoa(int(l))
}
