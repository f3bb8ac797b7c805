// Package mercator is the trail page's projection: Web Mercator, in the
// pixels of one zoom level of the usual 256-pixel tile grid, so that the
// built-in basemap, the route and an online provider's raster tiles share
// one coordinate system. Coordinates are GCJ-02, as the region table's and
// AMap's: no datum shift is made.
package mercator

import "math"

// Zoom is the tile zoom level whose pixels are the map's units: one unit
// is about 150 m at the equator, 120 m in central China.
const Zoom = 10

// World is the width of the world in units.
const World = 256 << Zoom

// Project returns the map coordinates of a longitude and latitude.
func Project(lng, lat float64) (x, y float64) {
	lat = math.Max(-85.05112878, math.Min(85.05112878, lat))
	s := math.Sin(lat * math.Pi / 180)
	x = (lng + 180) / 360 * World
	y = (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * World
	return x, y
}

// Unproject returns the longitude and latitude of map coordinates.
func Unproject(x, y float64) (lng, lat float64) {
	lng = x/World*360 - 180
	n := math.Pi - 2*math.Pi*y/World
	lat = 180 / math.Pi * math.Atan(math.Sinh(n))
	return lng, lat
}
