package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/trackpush/trackpush/web/mercator"
)

// Kinds of map markers.
const (
	markFrom    = "from"
	markTo      = "to"
	markCurrent = "current"
	markHub     = "hub"
	markOutlet  = "outlet"
)

// mark is a point on the map, in map units.
type mark struct {
	X, Y      float64
	Kind      string // markHub, markOutlet, markFrom, markTo, markCurrent
	Predicted bool   // a stop not reached yet
	Title     string // shown on hover and to screen readers
	Label     string // written beside the marker ("" for none)
}

// mapSpec is what the trail map draws.
type mapSpec struct {
	Travelled []mark // the way so far, oldest first (solid)
	Predicted []mark // from the current position on (dashed)
	Marks     []mark // drawn in order, on top of the lines
	Tiles     *tiles // an online provider's raster tiles instead of the built-in basemap
	Label     string // the map's accessible description
}

// The view: at least minSpan map units (about 300 km) across, 4:3.
const (
	minSpan = 2500.0
	aspect  = 4.0 / 3.0
)

// detailSpan is the widest view (map units, about 3,800 km) drawn with
// detailed provinces; prefecture borders are drawn up to half of it.
const detailSpan = 32000.0

// view returns the rectangle the map opens on: every point of the spec,
// with a margin, at the map's aspect; all of China when there is none.
func (m *mapSpec) view(bm *basemapData) box {
	b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	n := 0
	for _, set := range [][]mark{m.Travelled, m.Predicted, m.Marks} {
		for _, p := range set {
			b[0], b[1] = math.Min(b[0], p.X), math.Min(b[1], p.Y)
			b[2], b[3] = math.Max(b[2], p.X), math.Max(b[3], p.Y)
			n++
		}
	}
	if n == 0 {
		b = bm.china
	}
	w, h := b[2]-b[0], b[3]-b[1]
	w, h = math.Max(w*1.35, minSpan), math.Max(h*1.4+minSpan*0.08, minSpan/aspect)
	if w/h < aspect {
		w = h * aspect
	} else {
		h = w / aspect
	}
	cx, cy := (b[0]+b[2])/2, (b[1]+b[3])/2
	return box{cx - w/2, cy - h/2, cx + w/2, cy + h/2}
}

// project returns the map units of a longitude and latitude.
func project(lng, lat float64) (float64, float64) { return mercator.Project(lng, lat) }

func f0(v float64) string { return strconv.FormatFloat(math.Round(v), 'f', -1, 64) }

// svg renders the map: the basemap (provinces everywhere, in detail where
// they meet the view, prefecture borders in the view), the routes and the
// markers. Sizes of lines are in screen pixels (non-scaling strokes);
// marker and label sizes are in map units for the opening view, and the
// page's script keeps them constant when zooming.
func (m *mapSpec) svg(bm *basemapData) template.HTML {
	v := m.view(bm)
	w, h := v[2]-v[0], v[3]-v[1]
	// Detail where the user is likely to look: provinces in and around the
	// view, prefecture borders in it and a margin for panning. Farther
	// away the coarse provinces serve when zooming out.
	// A view of most of the country (wider than detailSpan) is drawn
	// coarse: prefecture borders would be noise at that scale, and the
	// page stays light.
	near := box{v[0] - w/2, v[1] - h/2, v[2] + w/2, v[3] + h/2}
	inner := box{v[0] - w/4, v[1] - h/4, v[2] + w/4, v[3] + h/4}
	if w > detailSpan {
		near, inner = box{}, box{}
	} else if w > detailSpan/2 {
		inner = box{}
	}
	// One allocation for the whole map: the basemap's paths are most of it.
	size := 16 << 10
	if m.Tiles == nil {
		for _, p := range bm.provinces {
			if near != (box{}) && p.box.intersects(near) {
				size += len(p.fine) + 32
			} else {
				size += len(p.coarse) + 32
			}
		}
		for _, p := range bm.prefectures {
			if inner != (box{}) && p.box.intersects(inner) {
				size += len(p.fine) + 16
			}
		}
	}
	var b strings.Builder
	b.Grow(size)
	vb := f0(v[0]) + " " + f0(v[1]) + " " + f0(w) + " " + f0(h)
	fmt.Fprintf(&b, `<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="%s" data-home="%s" preserveAspectRatio="xMidYMid meet" role="img" aria-label="%s">`,
		vb, vb, html.EscapeString(m.Label))
	b.WriteString(`<rect class="sea" x="0" y="0" width="` + strconv.Itoa(mercator.World) + `" height="` + strconv.Itoa(mercator.World) + `"/>`)
	if m.Tiles != nil {
		m.Tiles.write(&b, box{v[0] - w, v[1] - h, v[2] + w, v[3] + h}, w)
	} else {
		b.WriteString(`<g class="land">`)
		for _, p := range bm.provinces {
			d := p.coarse
			if near != (box{}) && p.box.intersects(near) {
				d = p.fine
			}
			b.WriteString(`<path d="` + d + `"><title>` + p.name + `</title></path>`)
		}
		b.WriteString(`</g><g class="pref">`)
		for _, p := range bm.prefectures {
			if inner != (box{}) && p.box.intersects(inner) {
				b.WriteString(`<path d="` + p.fine + `"/>`)
			}
		}
		b.WriteString(`</g><path class="sea-line" d="` + bm.line + `"/>`)
		fs := w / 26
		b.WriteString(`<g class="names" font-size="` + f0(fs) + `" data-fs="` + f0(fs) + `">`)
		for _, p := range bm.provinces {
			if v.contains(p.cx, p.cy) {
				b.WriteString(`<text x="` + f0(p.cx) + `" y="` + f0(p.cy) + `">` + shortName(p.name) + `</text>`)
			}
		}
		b.WriteString(`</g>`)
	}
	line := func(class string, pts []mark) {
		if len(pts) < 2 {
			return
		}
		b.WriteString(`<polyline class="` + class + `" points="`)
		for i, p := range pts {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(f0(p.X) + "," + f0(p.Y))
		}
		b.WriteString(`"/>`)
	}
	line("pred", m.Predicted)
	line("route", m.Travelled)
	r := w / 90
	b.WriteString(`<g class="marks">`)
	for _, p := range m.Marks {
		class := p.Kind
		if p.Predicted {
			class += " ahead"
		}
		title := `<title>` + html.EscapeString(p.Title) + `</title>`
		x, y := f0(p.X), f0(p.Y)
		switch p.Kind {
		case markHub:
			s := r * 1.6
			fmt.Fprintf(&b, `<rect class="%s" x="%s" y="%s" width="%s" height="%s" data-r="%s">%s</rect>`, class, f0(p.X-s/2), f0(p.Y-s/2), f0(s), f0(s), f0(s), title)
		case markCurrent:
			fmt.Fprintf(&b, `<circle class="halo" cx="%s" cy="%s" r="%s" data-r="%s"/><circle class="%s" cx="%s" cy="%s" r="%s" data-r="%s">%s</circle>`,
				x, y, f0(r*2.6), f0(r*2.6), class, x, y, f0(r*1.3), f0(r*1.3), title)
		case markFrom, markTo:
			fmt.Fprintf(&b, `<circle class="%s" cx="%s" cy="%s" r="%s" data-r="%s">%s</circle>`, class, x, y, f0(r*1.2), f0(r*1.2), title)
		default:
			fmt.Fprintf(&b, `<circle class="%s" cx="%s" cy="%s" r="%s" data-r="%s">%s</circle>`, class, x, y, f0(r*0.8), f0(r*0.8), title)
		}
	}
	b.WriteString(`</g>`)
	fs := w / 30
	b.WriteString(`<g class="labels" font-size="` + f0(fs) + `" data-fs="` + f0(fs) + `">`)
	for _, p := range m.Marks {
		if p.Label != "" {
			b.WriteString(`<text x="` + f0(p.X+r*1.8) + `" y="` + f0(p.Y+fs*0.35) + `">` + html.EscapeString(p.Label) + `</text>`)
		}
	}
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}

// tiles is an online provider's raster tile grid (a template's basemap).
type tiles struct {
	URL        string   // with {x}, {y}, {z}, {s}, {key}
	Subdomains []string // values of {s}
	Key        string
}

// hosts returns the origins the tiles come from, for the
// Content-Security-Policy.
func (t *tiles) hosts() []string {
	subs := t.Subdomains
	if !strings.Contains(t.URL, "{s}") || len(subs) == 0 {
		subs = []string{""}
	}
	var out []string
	seen := map[string]bool{}
	for _, s := range subs {
		u := strings.ReplaceAll(t.URL, "{s}", s)
		scheme, rest, _ := strings.Cut(u, "://")
		host, _, _ := strings.Cut(rest, "/")
		if o := scheme + "://" + host; !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out
}

// write draws the tiles covering area at a zoom level where the view's
// width w spans about four tiles.
func (t *tiles) write(b *strings.Builder, area box, w float64) {
	z := int(math.Round(mercator.Zoom - math.Log2(w/1024)))
	z = max(3, min(18, z))
	size := float64(int(256) << mercator.Zoom >> z)
	if z > mercator.Zoom {
		size = 256 / float64(int(1)<<(z-mercator.Zoom))
	}
	n := 1 << z
	x0, x1 := max(0, int(area[0]/size)), min(n-1, int(area[2]/size))
	y0, y1 := max(0, int(area[1]/size)), min(n-1, int(area[3]/size))
	b.WriteString(`<g class="tiles">`)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			u := strings.NewReplacer("{x}", strconv.Itoa(x), "{y}", strconv.Itoa(y), "{z}", strconv.Itoa(z), "{key}", t.Key).Replace(t.URL)
			if len(t.Subdomains) > 0 {
				u = strings.ReplaceAll(u, "{s}", t.Subdomains[(x+y)%len(t.Subdomains)])
			}
			fmt.Fprintf(b, `<image href="%s" x="%s" y="%s" width="%s" height="%s"/>`, html.EscapeString(u), f0(float64(x)*size), f0(float64(y)*size), f0(size+0.5), f0(size+0.5))
		}
	}
	b.WriteString(`</g>`)
}
