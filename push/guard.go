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
// allowed.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() &&
		!ip.IsLinkLocalMulticast() && !ip.IsMulticast() && !ip.IsUnspecified() &&
		!netip.MustParsePrefix("100.64.0.0/10").Contains(ip) // carrier-grade NAT
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
				return fmt.Errorf("refusing to push to private address %s", ap.Addr())
			}
			return nil
		}
	}
	return d
}
