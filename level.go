package trackpush

import "strconv"

// Level is a subscription's enrichment level, the protocol's resultv2:
// 0 (off), 3 (region and status name per event), 5 (+ advanced status,
// centre, pinyin, routeInfo) or 7 (+ ETA and predicted route).
type Level int

// The enrichment levels of docs/protocol.md §2.2.
const (
	LevelNone     Level = 0
	LevelRegion   Level = 3
	LevelAdvanced Level = 5
	LevelPredict  Level = 7
)

// ParseLevel reads a resultv2 value where both spellings are welcome (the
// enrich command): 3, 5, 7 and the classic endpoint's aliases 1, 4, 8; any
// other value is taken as the nearest lower level ("6" → 5, "2" → 0, "" or
// not a number → 0), never an error. The endpoints use ParseMapLevel or
// ParseClassicLevel.
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

// ParseMapLevel reads resultv2 as the map-trajectory endpoints take it
// (POST /trackpush/callback, /pollmap): "3", "5", "7"; any other value is
// the nearest lower of those ("4" → 3, "1" → 0), never an error.
func ParseMapLevel(v string) Level {
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < 3:
		return LevelNone
	case n < 5:
		return LevelRegion
	case n < 7:
		return LevelAdvanced
	}
	return LevelPredict
}

// ParseClassicLevel reads resultv2 as the classic endpoints take it
// (POST /poll, the real-time query API): "1", "4", "8" mean 3, 5, 7; any
// other value is the nearest lower of those ("3" → 1 → 3, "7" → 4 → 5, "0"
// → 0), never an error. The original service's own samples send 1 and 4
// there.
func ParseClassicLevel(v string) Level {
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < 1:
		return LevelNone
	case n < 4:
		return LevelRegion
	case n < 8:
		return LevelAdvanced
	}
	return LevelPredict
}

// String returns the level as resultv2 spells it ("" for none).
func (l Level) String() string {
	if l == LevelNone {
		return ""
	}
	return strconv.Itoa(int(l))
}
