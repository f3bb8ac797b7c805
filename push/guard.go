package push

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// URLPolicy says which callback URLs are acceptable.
type URLPolicy struct {
	// AllowHTTPS permits https callbacks (http is always allowed).
	AllowHTTPS bool
	// AllowPrivate permits loopback, private and link-local hosts (tests,
	// the demo, an operator's own network).
	AllowPrivate bool
}

// Check validates a callback URL: http (or https when allowed), a host, no
// credentials, at most 1024 bytes, and — unless private hosts are allowed —
// no literal loopback, private or link-local address and no "localhost".
// Names that resolve to such addresses are refused when dialling.
func (p URLPolicy) Check(raw string) (*url.URL, error) {
	if len(raw) > 1024 {
		return nil, errors.New("callback URL longer than 1024 bytes")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("callback URL: %v", err)
	}
	switch u.Scheme {
	case "http":
	case "https":
		if !p.AllowHTTPS {
			return nil, errors.New("callback URL: https is not enabled on this server")
		}
	default:
		return nil, fmt.Errorf("callback URL: scheme %q, want http", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("callback URL: no host")
	}
	if u.User != nil {
		return nil, errors.New("callback URL: credentials are not allowed in the URL")
	}
	if u.Fragment != "" {
		return nil, errors.New("callback URL: no fragment allowed")
	}
	if !p.AllowPrivate {
		host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			return nil, errors.New("callback URL: private host not allowed")
		}
		if ip, err := netip.ParseAddr(host); err == nil && !publicAddr(ip) {
			return nil, errors.New("callback URL: private host not allowed")
		}
	}
	return u, nil
}

// publicAddr reports whether ip may be dialled when private hosts are not
// allowed. IPv6 forms that embed an IPv4 address — IPv4-mapped and
// IPv4-compatible, SIIT-translated, NAT64 and 6to4 prefixes, Teredo —
// reach that address through a translator or a tunnel, so the embedded
// address must be public too.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return false
	}
	if ip.Is6() {
		for _, v4 := range embeddedIPv4(ip) {
			if !publicAddr(v4) {
				return false
			}
		}
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// nonPublic are the special-purpose ranges, beyond those the netip
// predicates know, that no receiver on the internet lives in.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network"
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),         // IPv4-compatible (deprecated)
	netip.MustParsePrefix("fec0::/10"),     // site-local (deprecated)
	netip.MustParsePrefix("100::/64"),      // discard-only
	netip.MustParsePrefix("2001:db8::/32"), // documentation
}

// embeddedIPv4 returns the IPv4 addresses an IPv6 address carries: the
// last 32 bits of ::/96 (IPv4-compatible), ::ffff:0:0:0/96 (SIIT),
// 64:ff9b::/96 and 64:ff9b:1::/48 (NAT64); bits 16–47 of 2002::/16 (6to4);
// Teredo's (2001::/32) server and inverted client address.
func embeddedIPv4(ip netip.Addr) []netip.Addr {
	b := ip.As16()
	last := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	for _, p := range []netip.Prefix{v4Compatible, siit, nat64, nat64Local} {
		if p.Contains(ip) {
			return []netip.Addr{last}
		}
	}
	switch {
	case sixToFour.Contains(ip):
		return []netip.Addr{netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})}
	case teredo.Contains(ip):
		return []netip.Addr{
			netip.AddrFrom4([4]byte{b[4], b[5], b[6], b[7]}),
			netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}),
		}
	}
	return nil
}

var (
	v4Compatible = netip.MustParsePrefix("::/96")
	siit         = netip.MustParsePrefix("::ffff:0:0:0/96")
	nat64        = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local   = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour    = netip.MustParsePrefix("2002::/16")
	teredo       = netip.MustParsePrefix("2001::/32")
)

// guardError is the dialer's refusal of a non-public address.
type guardError struct{ addr netip.Addr }

func (e *guardError) Error() string {
	return fmt.Sprintf("refusing to push to private address %s", e.addr)
}

// dialer returns a dialer that refuses non-public addresses at connect
// time, after name resolution, so that DNS cannot rebind past Check.
func dialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			if !publicAddr(ap.Addr()) {
				return &guardError{ap.Addr()}
			}
			return nil
		}
	}
	return d
}
