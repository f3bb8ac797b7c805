package sim

import (
	"fmt"
	"strings"
)

// step is what a scan reports; each carrier phrases each step its own way.
type step uint8

const (
	stOrder        step = iota // 102: a pickup task assigned (JD)
	stPickup                   // 1: picked up at the origin outlet
	stPickupMore               // 1: a second pickup scan right after the first (JD)
	stOutletPack               // transit: processed at the origin outlet
	stOutletDepart             // transit: leaves an outlet for the next node
	stTruck                    // transit, names no place: the truck leaves
	stAir                      // transit, names no place: on a flight
	stHubArrive                // transit: arrives at a hub
	stHubSort                  // transit: sorted at a hub
	stHubDepart                // transit: leaves a hub
	stCoArrive                 // transit: arrives at a city distribution company
	stCoDepart                 // transit: leaves it for the outlet
	stOutletArrive             // transit: arrives at the delivering outlet
	stDispatch                 // 5: out for delivery
	stLocker                   // 501: left at a locker or station
	stTaken                    // 304: taken from the locker or station
	stSignPlain                // 3 (302 after trouble, 304 after a locker, 4 after a return): signed, signer not stated
	stSignSelf                 // 301: signed by the receiver
	stSignProxy                // 303: signed by someone else
	stSignStation              // 304: signed by a station on the receiver's behalf
	stFail204                  // 204: delivery failed
	stFail206                  // 206: receiver unreachable
	stRefuse                   // 203: receiver refuses
	stReturn                   // 6: returned to the sender
	stReturnSign               // 4: the sender signs for the return
	stHandOver                 // 7: handed over to another carrier
	numSteps
)

var stepNames = [numSteps]string{
	"order", "pickup", "pickup-more", "outlet-pack", "outlet-depart", "truck", "air",
	"hub-arrive", "hub-sort", "hub-depart", "co-arrive", "co-depart", "outlet-arrive",
	"dispatch", "locker", "taken", "sign-plain", "sign-self", "sign-proxy", "sign-station",
	"fail-204", "fail-206", "refuse", "return", "return-sign", "handover",
}

func (s step) String() string { return stepNames[s] }

// slot is a placeholder of a template.
type slot uint8

const (
	slotNone     slot = iota
	slotNode          // {node}: the node's name
	slotAlt           // {alt}: the node's alternative name
	slotNext          // {next}: the next node's name
	slotNextAlt       // {nextalt}: the next node's alternative name
	slotCity          // {city}: the node's city, full name (深圳市)
	slotCourier       // {courier}: a courier's (masked) name
	slotPhone         // {phone}: a masked mobile number
	slotTel           // {tel}: an outlet's landline
	slotN             // {n}: the delivery attempt
	slotStation       // {station}: a station or locker site naming no place
	slotLStation      // {lstation}: a station named with its city and district
	slotCode          // {code}: a pickup code
	slotK             // {k}: a small number (locker bay)
	slotETA           // {eta}: a time of day
	slotNewNu         // {newnu}: the number given by the carrier handed over to
	slotNewName       // {newname}: the name of that carrier
)

var slotNames = map[string]slot{
	"node": slotNode, "alt": slotAlt, "next": slotNext, "nextalt": slotNextAlt, "city": slotCity,
	"courier": slotCourier, "phone": slotPhone, "tel": slotTel, "n": slotN, "station": slotStation,
	"lstation": slotLStation, "code": slotCode, "k": slotK, "eta": slotETA, "newnu": slotNewNu,
	"newname": slotNewName,
}

type part struct {
	lit  string
	slot slot
}

// tpl is one phrasing of a step.
type tpl struct {
	src   string
	parts []part
	// placed: the text names the place of the event (it fills {node},
	// {alt}, {city} or {lstation}); otherwise the event has no city.
	placed bool
	// noReturn: not said on a return's way back (its words assume the
	// receiver's end: "到达目的地网点").
	noReturn bool
}

// compile parses a template: literal text with {slot} placeholders; a
// leading "!" marks it noReturn.
func compile(src string) tpl {
	t := tpl{src: src}
	s := src
	if rest, ok := strings.CutPrefix(s, "!"); ok {
		t.noReturn = true
		s = rest
	}
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t.parts = append(t.parts, part{lit: s})
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			panic(fmt.Sprintf("sim: unclosed slot in %q", src))
		}
		name := s[i+1 : i+j]
		sl, ok := slotNames[name]
		if !ok {
			panic(fmt.Sprintf("sim: unknown slot {%s} in %q", name, src))
		}
		if i > 0 {
			t.parts = append(t.parts, part{lit: s[:i]})
		}
		t.parts = append(t.parts, part{slot: sl})
		switch sl {
		case slotNode, slotAlt, slotCity, slotLStation:
			t.placed = true
		}
		s = s[i+j+1:]
	}
	return t
}

// phrasebook holds a carrier's templates by step.
type phrasebook [numSteps][]tpl

func book(m map[step][]string) phrasebook {
	var b phrasebook
	for s, srcs := range m {
		for _, src := range srcs {
			b[s] = append(b[s], compile(src))
		}
	}
	return b
}

// with returns a copy of b with the steps of m replaced.
func (b phrasebook) with(m map[step][]string) phrasebook {
	o := book(m)
	for s := range o {
		if len(o[s]) > 0 {
			b[s] = o[s]
		}
	}
	return b
}
