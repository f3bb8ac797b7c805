package push

import (
	"net/netip"
	"testing"
)

// TestEmbeddedPrivateIPv4Refused: IPv6 forms that carry a private IPv4
// address (IPv4-compatible, SIIT-translated, NAT64, 6to4, Teredo) reach
// that address through a translator or tunnel, so the guard refuses them
// unless private callbacks are allowed; the same forms carrying a public
// address stay allowed.
func TestEmbeddedPrivateIPv4Refused(t *testing.T) {
	strict := URLPolicy{}
	open := URLPolicy{AllowPrivate: true}
	refused := []string{
		"http://[::7f00:1]/cb",                             // IPv4-compatible ::127.0.0.1
		"http://[::127.0.0.1]/cb",                          // the same, dotted
		"http://[::a00:1]/cb",                              // ::10.0.0.1
		"http://[::ffff:0:7f00:1]/cb",                      // SIIT IPv4-translated 127.0.0.1
		"http://[::ffff:0:a9fe:a9fe]/cb",                   // SIIT 169.254.169.254
		"http://[64:ff9b::a9fe:a9fe]/cb",                   // NAT64 169.254.169.254
		"http://[64:ff9b::7f00:1]/cb",                      // NAT64 127.0.0.1
		"http://[64:ff9b:1::c0a8:1]/cb",                    // local-use NAT64 192.168.0.1
		"http://[2002:7f00:1::]/cb",                        // 6to4 127.0.0.1
		"http://[2002:a9fe:a9fe::1]/cb",                    // 6to4 169.254.169.254
		"http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/cb", // Teredo, client 127.0.0.1
		"http://[::ffff:127.0.0.1]/cb",                     // IPv4-mapped (already refused)
		"http://[fec0::1]/cb",                              // site-local
		"http://0.0.0.0/cb",
		"http://0.1.2.3/cb",
		"http://198.18.0.1/cb", // benchmarking
		"http://240.0.0.1/cb",  // reserved
		"http://255.255.255.255/cb",
		"http://192.0.0.8/cb", // IETF protocol assignments
		"http://[::]/cb",
	}
	for _, u := range refused {
		if _, err := strict.Check(u); err == nil {
			t.Errorf("%s passed the guard", u)
		}
		if _, err := open.Check(u); err != nil {
			t.Errorf("%s refused with private callbacks allowed: %v", u, err)
		}
	}
	allowed := []string{
		"http://[64:ff9b::808:808]/cb",                     // NAT64 8.8.8.8
		"http://[2002:808:808::1]/cb",                      // 6to4 8.8.8.8
		"http://[2606:4700:4700::1111]/cb",                 // ordinary global IPv6
		"http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/cb", // Teredo, client 8.8.8.8
	}
	for _, u := range allowed {
		if _, err := strict.Check(u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	// The dial-time check uses the same rule.
	for _, a := range []string{"::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "::ffff:0:7f00:1"} {
		if publicAddr(netip.MustParseAddr(a)) {
			t.Errorf("dialling %s would be allowed", a)
		}
	}
}
