package sim

import (
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"sync"
)

// node is a site of a carrier's network.
type node struct {
	name     string // as scans name it: 深圳转运中心, 广东省深圳市坂田公司
	alt      string // the form some scans use for it as the next stop (深圳转运中心公司)
	typ      string // NodeHub or NodeOutlet
	city     *city
	area     *area // outlets only
	town     string
	regional bool
	centre   bool // a transfer centre (not a city distribution company)
	lng, lat float64
}

// network is one carrier's hub network: a hub in every city it serves
// (the hubs of the big cities it picked are its regional hubs), a
// distribution company in some cities, and outlets in every area.
type network struct {
	st       *style
	hubs     []*node   // by city index; nil where the carrier does not serve the city
	cos      []*node   // city distribution companies by city index (nil: none)
	regional []*node   // regional hubs
	nearest  []*node   // by city index: the regional hub closest to the city
	outlets  [][]*node // by city index, then area index × outletsPerArea
	served   []*city
	cum      []float64 // cumulative traffic weights of served, for drawing ends
}

const outletsPerArea = 2

var networks sync.Map // com → *network

// networkOf returns the network of a carrier, built once. Networks depend
// on the carrier only, not on a world's seed: the geography of a carrier
// is fixed, parcels vary.
func networkOf(com string) *network {
	if n, ok := networks.Load(com); ok {
		return n.(*network)
	}
	n, _ := networks.LoadOrStore(com, buildNetwork(styleOf(com)))
	return n.(*network)
}

func comSeed(com string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(com))
	return h.Sum64()
}

func buildNetwork(st *style) *network {
	g := geo()
	r := rand.New(rand.NewPCG(comSeed(st.com), 0x6e6574))
	n := &network{
		st:      st,
		hubs:    make([]*node, len(g.cities)),
		cos:     make([]*node, len(g.cities)),
		outlets: make([][]*node, len(g.cities)),
	}
	for _, c := range g.cities {
		// Private carriers leave some remote cities to the post.
		if !st.post && c.weight == 1 && r.Float64() < 0.06 {
			continue
		}
		// Regional hubs: the big cities (weight ≥ 5) the carrier picked;
		// the four largest always.
		regional := c.weight >= 10 || c.weight >= 5 && r.Float64() < 0.8
		name := st.hubName(c, regional, r.IntN(nameVariants))
		h := &node{name: name, alt: name, typ: NodeHub, city: c, regional: regional, centre: true, lng: c.lng, lat: c.lat}
		if st.hubAlt != nil {
			h.alt = st.hubAlt(name)
		}
		n.hubs[c.idx] = h
		if regional {
			n.regional = append(n.regional, h)
		}
		if st.coName != nil {
			name := st.coName(c)
			n.cos[c.idx] = &node{name: name, alt: name, typ: NodeHub, city: c, lng: c.lng, lat: c.lat}
		}
		seen := map[string]bool{h.name: true}
		for _, a := range c.areas {
			for k := range outletsPerArea {
				town := ""
				if len(a.towns) > 0 {
					town = a.towns[(k+r.IntN(len(a.towns)))%len(a.towns)]
				}
				var name string
				for try := 0; ; try++ {
					name = st.outletName(a, town, r.IntN(nameVariants))
					if !seen[name] || try > 8 {
						break
					}
				}
				seen[name] = true
				n.outlets[c.idx] = append(n.outlets[c.idx], &node{name: name, alt: name, typ: NodeOutlet, city: c, area: a, town: town, lng: a.lng, lat: a.lat})
			}
		}
		n.served = append(n.served, c)
	}
	n.nearest = make([]*node, len(g.cities))
	for _, c := range n.served {
		bd := 0.0
		for _, h := range n.regional {
			if d := cityDistance(c, h.city); n.nearest[c.idx] == nil || d < bd {
				n.nearest[c.idx], bd = h, d
			}
		}
	}
	total := 0.0
	for _, c := range n.served {
		total += float64(c.weight)
		n.cum = append(n.cum, total)
	}
	return n
}

// drawCity draws a served city by traffic weight; for senders, half the
// draws are kept to the coastal e-commerce provinces.
func (n *network) drawCity(r *rand.Rand, senders bool) *city {
	if senders && r.Float64() < 0.5 {
		// Half the parcels ship from the manufacturing and e-commerce
		// coast: 广东, 浙江, 江苏, 上海, 福建.
		for {
			c := n.served[sort.SearchFloat64s(n.cum, r.Float64()*n.cum[len(n.cum)-1])]
			switch c.code[:2] {
			case "44", "33", "32", "31", "35":
				return c
			}
		}
	}
	return n.served[sort.SearchFloat64s(n.cum, r.Float64()*n.cum[len(n.cum)-1])]
}

// outlet returns an outlet of area a.
func (n *network) outlet(a *area, r *rand.Rand) *node {
	var in []*node
	for _, o := range n.outlets[a.city.idx] {
		if o.area == a {
			in = append(in, o)
		}
	}
	return in[r.IntN(len(in))]
}

// nearestRegional returns the regional hub closest to city c.
func (n *network) nearestRegional(c *city) *node { return n.nearest[c.idx] }

// hubPath returns the hubs a parcel passes from city a to city b: the
// origin city's hub, the regional hubs that serve both ends on a long
// haul, the destination city's hub. No city appears twice.
func (n *network) hubPath(a, b *city, r *rand.Rand) []*node {
	ha, hb := n.hubs[a.idx], n.hubs[b.idx]
	if a == b {
		return []*node{ha}
	}
	d := cityDistance(a, b)
	path := []*node{ha}
	switch {
	case d < 250:
		// Short haul: straight from hub to hub, sometimes through the
		// regional hub when it lies on the way.
		if ra := n.nearestRegional(a); ra != nil && r.Float64() < 0.4 &&
			cityDistance(a, ra.city)+cityDistance(ra.city, b) < 1.3*d {
			path = append(path, ra)
		}
	default:
		if ra := n.nearestRegional(a); ra != nil {
			path = append(path, ra)
		}
		if rb := n.nearestRegional(b); rb != nil {
			path = append(path, rb)
		}
	}
	path = append(path, hb)
	// Drop repeated cities: keep the first visit and skip to after the
	// last, so that an ordinary route never revisits a city.
	var out []*node
	for i := 0; i < len(path); i++ {
		last := i
		for j := i + 1; j < len(path); j++ {
			if path[j].city == path[i].city {
				last = j
			}
		}
		out = append(out, path[i])
		i = last
	}
	return out
}
