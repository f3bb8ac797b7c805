package web

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run ./internal/gen -geojson ../../shared/data/regions/geojson -o basemap.txt

// basemapText is China's provinces and prefectures, projected and
// simplified once by the generator (internal/gen) and embedded: the page
// draws its basemap from it with no outside request.
//
//go:embed basemap.txt
var basemapText string

// area is one province or prefecture of the basemap, in map units.
type area struct {
	code, name, parent string
	cx, cy             float64
	box                box
	coarse, fine       string // SVG path data; prefectures have fine only
}

// box is a rectangle in map units: min x, min y, max x, max y.
type box [4]float64

func (b box) intersects(o box) bool {
	return b[0] <= o[2] && o[0] <= b[2] && b[1] <= o[3] && o[1] <= b[3]
}

func (b box) contains(x, y float64) bool { return x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3] }

type basemapData struct {
	provinces, prefectures []area
	line                   string // the South China Sea line
	china                  box
}

var (
	basemapOnce sync.Once
	basemapVal  *basemapData
	basemapErr  error
)

// loadBasemap parses the embedded basemap once.
func loadBasemap() (*basemapData, error) {
	basemapOnce.Do(func() { basemapVal, basemapErr = parseBasemap(basemapText) })
	return basemapVal, basemapErr
}

func parseBasemap(text string) (*basemapData, error) {
	d := &basemapData{china: box{1e18, 1e18, -1e18, -1e18}}
	for n, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		bad := func() error { return fmt.Errorf("basemap line %d: %.40q", n+1, line) }
		nums := func(fs []string) ([]float64, error) {
			out := make([]float64, len(fs))
			for i, s := range fs {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return nil, bad()
				}
				out[i] = v
			}
			return out, nil
		}
		switch f[0] {
		case "P":
			if len(f) != 11 {
				return nil, bad()
			}
			v, err := nums(f[3:9])
			if err != nil {
				return nil, err
			}
			a := area{code: f[1], name: f[2], cx: v[0], cy: v[1], box: box{v[2], v[3], v[4], v[5]}, coarse: f[9], fine: f[10]}
			d.provinces = append(d.provinces, a)
			for i := range 2 {
				d.china[i] = min(d.china[i], a.box[i])
				d.china[i+2] = max(d.china[i+2], a.box[i+2])
			}
		case "C":
			if len(f) != 11 {
				return nil, bad()
			}
			v, err := nums(f[4:10])
			if err != nil {
				return nil, err
			}
			d.prefectures = append(d.prefectures, area{code: f[1], name: f[2], parent: f[3], cx: v[0], cy: v[1], box: box{v[2], v[3], v[4], v[5]}, fine: f[10]})
		case "L":
			if len(f) != 2 {
				return nil, bad()
			}
			d.line = f[1]
		default:
			return nil, bad()
		}
	}
	if len(d.provinces) < 30 {
		return nil, fmt.Errorf("basemap: %d provinces", len(d.provinces))
	}
	return d, nil
}

// shortName returns a province's name without its suffix: 广东, 内蒙古,
// 广西, 香港.
func shortName(name string) string {
	for _, suf := range []string{"壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"} {
		if s, ok := strings.CutSuffix(name, suf); ok && s != "" {
			return s
		}
	}
	return name
}
