package route

import (
	"strconv"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/region"
)

// maxStops bounds a predicted way.
const maxStops = 10

// path returns the most likely way from cur to the outlet that delivers:
// cur first, then the next stop a scan named (known, may be nil), then at
// each site the next stop most often taken from it toward the destination
// (its district, else its city, else its province) in the learned graph;
// where the graph knows nothing, the carrier's likely sites by geography
// (the cold way: the origin city's hub, the destination province's hub,
// the destination city's hub, an outlet in the destination district). The
// last stop is an outlet in the destination district (or city). The
// caller holds m.mu for reading.
//
// It also returns the index of the last stop the graph (or a scan) gave:
// the stops after it are the cold way's.
func (m *Model) path(com string, cur, known *Node, d *dest, passedHub bool) ([]*Node, int) {
	out := []*Node{cur}
	seen := map[string]bool{cur.Key: true}
	hub := passedHub || cur.Type == trackpush.StopHub
	x := cur
	if known != nil && !seen[known.Key] {
		out = append(out, known)
		seen[known.Key] = true
		x = known
		hub = hub || known.Type == trackpush.StopHub
	}
	for len(out) < maxStops {
		if hub && m.final(com, x, d, x == cur || x == known) {
			return out, len(out) - 1
		}
		nx := m.bestHop(com, x, d, seen)
		if nx == nil {
			break
		}
		out = append(out, nx)
		seen[nx.Key] = true
		hub = hub || nx.Type == trackpush.StopHub
		x = nx
	}
	learned := len(out) - 1
	if hub && m.final(com, x, d, x == cur || x == known) {
		return out, learned
	}
	for _, n := range m.coldWay(com, x, d, hub) {
		if !seen[n.Key] {
			out = append(out, n)
			seen[n.Key] = true
		}
	}
	return out, learned
}

// final reports whether a parcel at x is at the outlet that delivers: an
// outlet in the destination district — or, where the parcel is now or
// what a scan named as its next stop (scanned), an outlet of its city
// whose district is not known (ZTO's 【望京】) and from which the graph
// knows no way on; such an outlet is taken to serve the destination
// district (see route). A way the graph or the geography predicts always
// ends in the destination district.
func (m *Model) final(com string, x *Node, d *dest, scanned bool) bool {
	if x.Type != trackpush.StopOutlet || x.City == "" || x.City != d.city {
		return false
	}
	if d.district == "" || x.District == d.district {
		return true
	}
	if x.District != "" || !scanned {
		return false
	}
	for _, tag := range d.tags() {
		if len(m.hops[com+sep+x.Key+sep+tag]) > 0 {
			return false
		}
	}
	return true
}

// bestHop returns the next stop most often taken from x toward d at the
// finest level that has any, not one already on the way, nor an outlet
// outside the destination district (the city's statistics mix outlets of
// all its districts).
func (m *Model) bestHop(com string, x *Node, d *dest, seen map[string]bool) *Node {
	for _, tag := range d.tags() {
		var best string
		var bn int64
		for k, n := range m.hops[com+sep+x.Key+sep+tag] {
			nd := m.Gaz.Lookup(com, k)
			if nd == nil || seen[k] || !onTheWay(x, nd, d) {
				continue
			}
			if nd.Type == trackpush.StopOutlet && tag[0] != 'd' && d.district != "" && nd.District != "" && nd.District != d.district {
				continue // another district's outlet
			}
			if n < bn || (n == bn && k > best) {
				continue
			}
			best, bn = k, n
		}
		if best != "" {
			return m.Gaz.Lookup(com, best)
		}
	}
	return nil
}

// coldWay returns the way from x where the graph knows no next stop for
// the destination: the carrier's hub of x's city (when x is an outlet not
// yet past a hub); on a long way, the hub it usually sends on to from
// there (its regional hub); the hub that usually feeds the destination
// city's hub — or, not known, the hub of the destination province's
// capital (when x is in another province); the destination city's hub;
// an outlet of the destination district. A site the gazetteer knows for
// the carrier there is taken, else a synthetic one named by its region.
func (m *Model) coldWay(com string, x *Node, d *dest, passedHub bool) []*Node {
	var out []*Node
	hubOf := func(city string) *Node {
		if h := m.Gaz.hubIn(com, city); h != nil {
			return h
		}
		if pl, ok := region.Lookup(city); ok {
			return synthetic(com, trackpush.StopHub, pl)
		}
		return nil
	}
	last := x
	add := func(n *Node) {
		if n != nil && n.Key != last.Key {
			out = append(out, n)
			last = n
		}
	}
	if x.Type == trackpush.StopOutlet && !passedHub && x.City != "" {
		add(hubOf(x.City))
	}
	switch {
	case last.City != d.city:
		h := hubOf(d.city)
		long := false
		if km, ok := distanceTo(last, d); ok && km >= longWay {
			long = true
		}
		if long && last.Type == trackpush.StopHub {
			r := m.usual(com, last, outTag)
			if r == nil {
				r = m.nearestMajor(com, last)
			}
			if r != nil && r.City != d.city && r.City != last.City && onTheWay(last, r, d) {
				add(r)
			}
		}
		p := m.usual(com, h, inTag)
		if p == nil && long && h != nil {
			p = m.nearestMajor(com, h)
		}
		switch {
		case p != nil:
			if p.City != d.city && p.City != last.City && onTheWay(last, p, d) {
				add(p)
			}
		case long && last.Province != d.province:
			if capital := capitals[d.province[:2]]; capital != "" && capital != d.city && !m.knowsMajors(com) {
				add(hubOf(capital))
			}
		}
		add(h)
	case last.Type == trackpush.StopOutlet && passedHub:
		// an outlet of the city that is not the one that delivers (a city
		// company): straight on to the one that does
	case last.Type != trackpush.StopHub:
		add(hubOf(d.city))
	}
	var o *Node
	if d.district != "" {
		o = m.Gaz.outletIn(com, d.district)
	}
	if o == nil {
		o = synthetic(com, trackpush.StopOutlet, d.place)
	}
	add(o)
	return out
}

// minThrough is how many parcels a hub must have passed on between two
// other cities to count as a regional hub.
const minThrough = 3

func (m *Model) knowsMajors(com string) bool { return len(m.majorKeys[com]) > 0 }

// nearestMajor returns the carrier's regional hub (one that passed at
// least minThrough parcels on between two other cities) nearest to n — n
// itself when it is one — or nil; the caller holds m.mu for reading.
func (m *Model) nearestMajor(com string, n *Node) *Node {
	if !n.known() {
		return nil
	}
	var best *Node
	bd := 0.0
	for _, k := range m.majorKeys[com] {
		h := m.Gaz.Lookup(com, k)
		if !h.known() {
			continue
		}
		if d := distance(n, h); best == nil || d < bd {
			best, bd = h, d
		}
	}
	return best
}

// longWay is the distance (km) from which a parcel goes through regional
// hubs rather than straight to the destination city's hub.
const longWay = 250

// usual returns the hub a site usually sends on to (outTag: from it, to
// another city, whatever the destination) or is usually fed by (inTag),
// when one does at least half the time; nil otherwise.
func (m *Model) usual(com string, n *Node, tag string) *Node {
	if n == nil || n.Synthetic {
		return nil
	}
	var best string
	var bn, total int64
	for k, c := range m.hops[com+sep+n.Key+sep+tag] {
		total += c
		if c > bn || c == bn && k < best {
			best, bn = k, c
		}
	}
	if bn < 2 || 2*bn < total {
		return nil
	}
	if h := m.Gaz.Lookup(com, best); h != nil && h.Type == trackpush.StopHub {
		return h
	}
	return nil
}

// capitals maps a province's code (2 digits) to its capital's city code:
// the province's hub of the cold way.
var capitals = map[string]string{
	"13": "130100000000", "14": "140100000000", "15": "150100000000", "21": "210100000000",
	"22": "220100000000", "23": "230100000000", "32": "320100000000", "33": "330100000000",
	"34": "340100000000", "35": "350100000000", "36": "360100000000", "37": "370100000000",
	"41": "410100000000", "42": "420100000000", "43": "430100000000", "44": "440100000000",
	"45": "450100000000", "46": "460100000000", "51": "510100000000", "52": "520100000000",
	"53": "530100000000", "54": "540100000000", "61": "610100000000", "62": "620100000000",
	"63": "630100000000", "64": "640100000000", "65": "650100000000",
}

// onTheWay reports whether a next stop may lie on the way from x to the
// destination: it stays in the destination city once the parcel is there,
// and does not take it much farther away (a hub's regional hub may lie
// off the straight way; a misroute's wrong hub, learned by the graph,
// should not be predicted).
func onTheWay(x, nx *Node, d *dest) bool {
	if x.City != "" && x.City == d.city {
		return nx.City == d.city
	}
	dn, ok1 := distanceTo(nx, d)
	dx, ok2 := distanceTo(x, d)
	if !ok1 || !ok2 {
		return true
	}
	return dn <= dx+max(200, dx/2)
}

// distanceTo returns the distance from a node to the destination's centre.
func distanceTo(n *Node, d *dest) (float64, bool) {
	if !n.known() {
		return 0, false
	}
	return Distance(strconv.FormatFloat(n.Lng, 'f', 6, 64)+","+strconv.FormatFloat(n.Lat, 'f', 6, 64), d.place.AreaCenter)
}
