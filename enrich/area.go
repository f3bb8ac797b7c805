package enrich

import (
	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

// AreaOf converts a resolved place to the area stored with events and
// subscriptions (nil stays nil).
func AreaOf(p *region.Place) *trackpush.Area {
	if p == nil {
		return nil
	}
	return &trackpush.Area{
		Code:     p.AreaCode,
		Name:     p.AreaName,
		Center:   p.AreaCenter,
		Location: p.Location,
		PinYin:   p.AreaPinYin,
		City:     p.CityCode(),
	}
}

// PlaceOf returns the place of a stored area, for use as a prior (nil when
// unknown).
func PlaceOf(a *trackpush.Area) *region.Place {
	if a == nil {
		return nil
	}
	p, ok := region.Lookup(a.Code)
	if !ok {
		return nil
	}
	return p
}
