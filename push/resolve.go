package push

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"time"
)

// resolved is the receiver address a callback host resolved to, and until
// when that answer is used.
type resolved struct {
	addr    string
	expires time.Time
}

// The resolution cache: answers are kept a minute (real time: DNS is the
// world's), names are given resolveTimeout, and the cache is emptied when
// it holds maxResolved hosts.
const (
	resolveTTL     = time.Minute
	resolveTimeout = 2 * time.Second
	maxResolved    = 4096
)

// resolve returns the receiver address of a canonical host (host:port, as
// trackpush.CallbackHost writes it), the key of the per-receiver cap: an
// address literal as it is; a name by the lowest address it resolves to,
// so that the names of one receiver share its slots. A name that does not
// resolve keys by itself (the push will fail to dial anyway).
func (e *Engine) resolve(ctx context.Context, host string) string {
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		return host
	}
	if ip, err := netip.ParseAddr(name); err == nil {
		return net.JoinHostPort(ip.Unmap().WithZone("").String(), port)
	}
	now := time.Now()
	e.mu.Lock()
	r, ok := e.addrs[host]
	e.mu.Unlock()
	if ok && now.Before(r.expires) {
		return r.addr
	}
	rctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	ips, err := e.resolver.LookupNetIP(rctx, "ip", name)
	cancel()
	addr := "name:" + host
	if err == nil && len(ips) > 0 {
		for i := range ips {
			ips[i] = ips[i].Unmap()
		}
		slices.SortFunc(ips, netip.Addr.Compare)
		addr = net.JoinHostPort(ips[0].String(), port)
	}
	e.mu.Lock()
	if len(e.addrs) >= maxResolved {
		clear(e.addrs)
	}
	e.addrs[host] = resolved{addr: addr, expires: now.Add(resolveTTL)}
	e.mu.Unlock()
	return addr
}
