package mercator

import (
	"math"
	"testing"
)

func TestProject(t *testing.T) {
	for _, c := range []struct{ lng, lat, x, y float64 }{
		{0, 0, World / 2, World / 2},
		{-180, 0, 0, World / 2},
		{180, 0, World, World / 2},
		{0, 85.05112878, World / 2, 0},
	} {
		x, y := Project(c.lng, c.lat)
		if math.Abs(x-c.x) > 1e-6 || math.Abs(y-c.y) > 1e-3 {
			t.Errorf("Project(%v, %v) = %v, %v, want %v, %v", c.lng, c.lat, x, y, c.x, c.y)
		}
	}
	// Beijing is in tile (843, 388) at zoom 10 (the slippy-map formula: x =
	// (lng+180)/360·2^z, y = (1 − ln(tan φ + sec φ)/π)/2·2^z); its pixels are
	// the map's units divided by 256.
	x, y := Project(116.397, 39.909)
	if int(x/256) != 843 || int(y/256) != 388 {
		t.Errorf("Beijing in tile %d,%d at zoom 10", int(x/256), int(y/256))
	}
	for _, p := range [][2]float64{{116.4, 39.9}, {87.6, 43.8}, {109.5, 18.25}} {
		lng, lat := Unproject(Project(p[0], p[1]))
		if math.Abs(lng-p[0]) > 1e-9 || math.Abs(lat-p[1]) > 1e-9 {
			t.Errorf("round trip of %v: %v, %v", p, lng, lat)
		}
	}
}
