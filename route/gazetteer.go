package route

import (
	"strconv"
	"strings"
	"sync"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

// Node is a place of the network with what the model needs of its region.
type Node struct {
	trackpush.Place
	// Province, City, District are the 12-digit codes of the place's
	// province, city (the unit acting as one) and district ("" where the
	// region is not known to that level).
	Province, City, District string
	// Short is the province's short name (湖北), CityName and DistrictName
	// full names, as the predicted route sends them.
	Short, CityName, DistrictName string
	// Synthetic marks a place the model assumed (a carrier's hub in a city
	// where it has seen none yet), not one a scan named.
	Synthetic bool
}

// known reports whether the node's region is known.
func (n *Node) known() bool { return n != nil && n.AreaCode != "" }

// newNode fills a node's region fields from its place.
func newNode(p trackpush.Place) *Node {
	n := &Node{Place: p}
	if pl, ok := region.Lookup(p.AreaCode); ok && p.AreaCode != "" {
		fillRegion(n, pl)
	}
	return n
}

// fillRegion sets a node's region fields from a resolved place.
func fillRegion(n *Node, pl *region.Place) {
	n.AreaCode = pl.AreaCode
	n.Province = pl.ProvinceCode()
	n.City = pl.CityCode()
	if pl.Level >= 3 {
		n.District = pl.Code()[:6] + "000000"
	}
	n.Short, _, _ = strings.Cut(pl.AreaName, ",")
	n.CityName, n.DistrictName = pl.City, pl.District
	if n.Lng == 0 && n.Lat == 0 {
		n.Lng, n.Lat = parseLngLat(pl.AreaCenter)
	}
}

func parseLngLat(s string) (float64, float64) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0
	}
	lng, err1 := strconv.ParseFloat(a, 64)
	lat, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return lng, lat
}

// Gazetteer is the places of every carrier's network the service has seen:
// transfer centres and outlets by the name scans give them, with their
// region and coordinates. It learns from every scan (PlaceOf) and is kept
// in the store, shared by all nodes. It is safe for concurrent use.
type Gazetteer struct {
	mu     sync.RWMutex
	byKey  map[gkey]*Node   // com, key
	byCity map[gkey][]*Node // com, city code: hubs, first seen first
	byDist map[gkey][]*Node // com, district code: outlets
}

// NewGazetteer returns an empty gazetteer.
func NewGazetteer() *Gazetteer {
	return &Gazetteer{byKey: map[gkey]*Node{}, byCity: map[gkey][]*Node{}, byDist: map[gkey][]*Node{}}
}

// gkey is a carrier's key (no string to build for a lookup).
type gkey struct{ com, key string }

// sep joins the parts of composite keys; it never occurs in names (scan
// texts are cleaned of control characters).
const sep = "\x1f"

// Lookup returns a carrier's place by key, or nil.
func (g *Gazetteer) Lookup(com, key string) *Node {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.byKey[gkey{com, key}]
}

// Len returns the number of places.
func (g *Gazetteer) Len() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.byKey)
}

// Add adds or updates places (a place whose region was unknown takes the
// region of a later sighting; otherwise the first sighting stays).
func (g *Gazetteer) Add(places ...trackpush.Place) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range places {
		k := gkey{p.Com, p.Key}
		n := g.byKey[k]
		switch {
		case n == nil:
			n = newNode(p)
			g.byKey[k] = n
		case n.AreaCode != "" || p.AreaCode == "":
			continue
		default:
			*n = *newNode(p) // its region, learned later; indexes keep the pointer
		}
		if n.City != "" && n.Type == trackpush.StopHub {
			g.byCity[gkey{p.Com, n.City}] = appendOnce(g.byCity[gkey{p.Com, n.City}], n)
		}
		if n.District != "" && n.Type == trackpush.StopOutlet {
			g.byDist[gkey{p.Com, n.District}] = appendOnce(g.byDist[gkey{p.Com, n.District}], n)
		}
	}
}

func appendOnce(ns []*Node, n *Node) []*Node {
	for _, x := range ns {
		if x == n {
			return ns
		}
	}
	return append(ns, n)
}

// Places returns every place (for tests and tools).
func (g *Gazetteer) Places() []trackpush.Place {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make([]trackpush.Place, 0, len(g.byKey))
	for _, n := range g.byKey {
		out = append(out, n.Place)
	}
	return out
}

// hubIn returns the carrier's first-seen hub in a city, or nil.
func (g *Gazetteer) hubIn(com, city string) *Node {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if hs := g.byCity[gkey{com, city}]; len(hs) > 0 {
		return hs[0]
	}
	return nil
}

// outletIn returns the carrier's first-seen outlet in a district, or nil.
func (g *Gazetteer) outletIn(com, district string) *Node {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if os := g.byDist[gkey{com, district}]; len(os) > 0 {
		return os[0]
	}
	return nil
}

// PlaceKey returns the gazetteer's key of a site: a hub's name identifies
// it across the network (深圳转运中心); an outlet's name often only within
// its city (ZTO's 【兴和】, 【文峰】), so an outlet's key carries the code of
// the city it is in when that is known — the city of the scan that placed
// it, or for a next stop named by a scan, the city of the scan's site.
func PlaceKey(s Site, city string) string {
	if s.Type == trackpush.StopHub || city == "" {
		return s.Key
	}
	return s.Key + "@" + strings.TrimRight(city, "0")
}

// PlaceOf returns the place a site is. area is the region of the scan
// that named it as its own site (nil for a next stop); city is the city of
// the site the scan happened at (for a next stop, which is most often an
// outlet of the same city or a hub). The region: a hub's is what its name
// says (西安转运中心 → 西安市), else the scan's; an outlet's is what its
// name says when that lies in the scan's city, else the scan's city —
// short outlet names (兴和, 凤凰山分部) name places elsewhere too.
func PlaceOf(com string, s Site, area *trackpush.Area, city string) trackpush.Place {
	p := trackpush.Place{Com: com, Name: s.Name, Type: s.Type}
	var scan *region.Place
	if area != nil && area.City != "" {
		scan, _ = region.Lookup(area.Code)
		city = area.City
	}
	named := region.ResolveAddress(s.Name)
	if named != nil && named.Confidence < 0.5 {
		named = nil
	}
	var pl *region.Place
	switch {
	case s.Type == trackpush.StopHub:
		pl = named
		if pl == nil || pl.Level < 2 && scan != nil && named.Contains(scan) {
			pl = scan
		}
	case named != nil && city != "" && named.CityCode() == city:
		pl = named
		if scan != nil && scan.Level > named.Level && named.Contains(scan) {
			pl = scan
		}
	case scan != nil:
		pl = scan
	case city != "":
		pl, _ = region.Lookup(city)
	default:
		pl = named
	}
	if pl != nil {
		p.AreaCode = pl.AreaCode
		p.Lng, p.Lat = parseLngLat(pl.AreaCenter)
	}
	p.Key = PlaceKey(s, city)
	return p
}

// synthetic returns a place the model assumes: the region's name standing
// for a site of the given type that no scan has named yet.
func synthetic(com, typ string, pl *region.Place) *Node {
	name := fullName(pl)
	if typ == trackpush.StopHub {
		name = pl.City
		if name == "" {
			name = pl.Province
		}
	}
	n := &Node{Place: trackpush.Place{Com: com, Key: "~" + typ + pl.AreaCode, Name: name, Type: typ}, Synthetic: true}
	fillRegion(n, pl)
	return n
}

// fullName returns a region's full name, province to district: 浙江省金华市义乌市,
// 北京市朝阳区.
func fullName(pl *region.Place) string {
	name := pl.Province
	if pl.City != pl.Province {
		name += pl.City
	}
	return name + pl.District
}
