package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/trackpush/trackpush/api"
	"github.com/trackpush/trackpush/source"
	"github.com/trackpush/trackpush/source/direct"
)

// CarriersConfig configures the direct carrier adapters: per carrier its
// environment (production, sandbox or a URL), its credentials (flags,
// TRACKPUSH_* variables or *_FILE secrets) and the secret token of its
// push endpoint. A carrier is an upstream (--poll 'shunfeng=sf') once its
// credentials are given, and its push endpoint POST
// /v1/carriers/{code}/push is enabled as pushFormats says.
type CarriersConfig struct {
	SFEnv, SFPartnerID, SFCheckWord, SFPushToken                         string
	ZTOEnv, ZTOAppKey, ZTOAppSecret, ZTOPushToken                        string
	JTEnv, JTAPIAccount, JTPrivateKey, JTUUID, JTPushToken               string
	STOEnv, STOAppKey, STOResource, STOSecretKey, STOPushToken           string
	YTOEnv, YTOPartner, YTOCustomer, YTOSecret, YTOPushKey, YTOPushToken string
	DepponEnv, DepponCompanyCode, DepponAppKey, DepponPushToken          string
	// Provisional query clients (no push format is known).
	YundaEnv, YundaAppKey, YundaAppSecret             string
	EMSEnv, EMSSenderNo, EMSAuthorization, EMSSignKey string
}

// directCarriers are the adapters' names (the upstream names of --poll and
// the {code} of the push endpoints), with the carrier codes each may
// serve; the first is where a push for an unknown waybill goes.
var directCarriers = map[string][]string{
	"sf":     {"shunfeng", "shunfengkuaiyun"},
	"zto":    {"zhongtong"},
	"jt":     {"jtexpress"},
	"sto":    {"shentong"},
	"yto":    {"yuantong"},
	"deppon": {"debangwuliu", "debangkuaidi"},
	"yunda":  {"yunda"},
	"ems":    {"ems", "youzhengguonei"},
}

// bindCarriers defines the carriers' flags; e reads their secrets.
func bindCarriers(fs *flag.FlagSet, e *env, c *CarriersConfig) {
	platform := func(p *string, carrier string) {
		fs.StringVar(p, carrier+"-env", envOr(strings.ToUpper(carrier)+"_ENV", "production"),
			fmt.Sprintf("%s platform: production, sandbox or a URL (TRACKPUSH_%s_ENV)", carrier, strings.ToUpper(carrier)))
	}
	str := func(p *string, name, usage string) {
		v := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		fs.StringVar(p, name, envOr(v, ""), usage+" (TRACKPUSH_"+v+")")
	}
	sec := func(p *string, name, usage string) {
		v := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		fs.StringVar(p, name, e.secret(v), usage+" (TRACKPUSH_"+v+" or _FILE)")
	}
	platform(&c.SFEnv, "sf")
	str(&c.SFPartnerID, "sf-partner-id", "SF customer code (partnerID)")
	sec(&c.SFCheckWord, "sf-checkword", "SF checkword")
	sec(&c.SFPushToken, "sf-push-token", "secret token of SF's push URL (SF does not sign pushes); enables /v1/carriers/sf/push")
	platform(&c.ZTOEnv, "zto")
	str(&c.ZTOAppKey, "zto-app-key", "ZTO appKey (company id)")
	sec(&c.ZTOAppSecret, "zto-app-secret", "ZTO appSecret")
	sec(&c.ZTOPushToken, "zto-push-token", "optional secret token required on ZTO's push URL too")
	platform(&c.JTEnv, "jt")
	str(&c.JTAPIAccount, "jt-api-account", "J&T apiAccount")
	sec(&c.JTPrivateKey, "jt-private-key", "J&T privateKey")
	str(&c.JTUUID, "jt-uuid", "J&T UAT sandbox uuid")
	sec(&c.JTPushToken, "jt-push-token", "optional secret token required on J&T's push URL too")
	platform(&c.STOEnv, "sto")
	str(&c.STOAppKey, "sto-app-key", "STO appKey (from_appkey)")
	str(&c.STOResource, "sto-resource", "STO resource code (from_code; default: the app key)")
	sec(&c.STOSecretKey, "sto-secret-key", "STO secretKey")
	sec(&c.STOPushToken, "sto-push-token", "secret token of STO's push URL, required for pushes without data_digest")
	platform(&c.YTOEnv, "yto")
	str(&c.YTOPartner, "yto-partner", "YTO partner code (in the URL path)")
	str(&c.YTOCustomer, "yto-customer", "YTO customer code (in the URL path)")
	sec(&c.YTOSecret, "yto-secret", "YTO secret of the track_query_adapter interface")
	sec(&c.YTOPushKey, "yto-push-key", "YTO legacy partner key that signs its XML pushes; enables /v1/carriers/yto/push")
	sec(&c.YTOPushToken, "yto-push-token", "optional secret token required on YTO's push URL too")
	platform(&c.DepponEnv, "deppon")
	str(&c.DepponCompanyCode, "deppon-company-code", "Deppon companyCode")
	sec(&c.DepponAppKey, "deppon-app-key", "Deppon appkey")
	sec(&c.DepponPushToken, "deppon-push-token", "secret token of Deppon's push URL (no push signature is known); enables /v1/carriers/deppon/push")
	platform(&c.YundaEnv, "yunda")
	str(&c.YundaAppKey, "yunda-app-key", "Yunda app-key (provisional adapter)")
	sec(&c.YundaAppSecret, "yunda-app-secret", "Yunda appSecret")
	platform(&c.EMSEnv, "ems")
	str(&c.EMSSenderNo, "ems-sender-no", "EMS agreement customer number (senderNo; provisional adapter)")
	sec(&c.EMSAuthorization, "ems-authorization", "EMS authorisation code")
	sec(&c.EMSSignKey, "ems-sign-key", "EMS signKey (base64 of 16 bytes)")
}

// missing returns an error naming the flags a carrier lacks.
func missing(carrier string, pairs ...string) error {
	var out []string
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			out = append(out, "--"+pairs[i])
		}
	}
	if len(out) == 0 {
		return nil
	}
	return fmt.Errorf("%s needs %s", carrier, strings.Join(out, ", "))
}

// credentials checks that a carrier has what its queries need.
func (c *CarriersConfig) credentials(name string) error {
	switch name {
	case "sf":
		return missing(name, "sf-partner-id", c.SFPartnerID, "sf-checkword", c.SFCheckWord)
	case "zto":
		return missing(name, "zto-app-key", c.ZTOAppKey, "zto-app-secret", c.ZTOAppSecret)
	case "jt":
		return missing(name, "jt-api-account", c.JTAPIAccount, "jt-private-key", c.JTPrivateKey)
	case "sto":
		return missing(name, "sto-app-key", c.STOAppKey, "sto-secret-key", c.STOSecretKey)
	case "yto":
		return missing(name, "yto-partner", c.YTOPartner, "yto-customer", c.YTOCustomer, "yto-secret", c.YTOSecret)
	case "deppon":
		return missing(name, "deppon-company-code", c.DepponCompanyCode, "deppon-app-key", c.DepponAppKey)
	case "yunda":
		return missing(name, "yunda-app-key", c.YundaAppKey, "yunda-app-secret", c.YundaAppSecret)
	case "ems":
		if err := missing(name, "ems-sender-no", c.EMSSenderNo, "ems-authorization", c.EMSAuthorization, "ems-sign-key", c.EMSSignKey); err != nil {
			return err
		}
		if _, err := direct.EMSEnvelope("{}", c.EMSSignKey); err != nil {
			return fmt.Errorf("--ems-sign-key is not base64 of a 16-byte key")
		}
		return nil
	}
	return fmt.Errorf("unknown upstream %q (kuaidi100, sim, %s)", name, strings.Join(directNames(), ", "))
}

func directNames() []string {
	var out []string
	for n := range directCarriers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// environment returns a carrier's env setting.
func (c *CarriersConfig) environment(name string) string {
	return map[string]string{"sf": c.SFEnv, "zto": c.ZTOEnv, "jt": c.JTEnv, "sto": c.STOEnv, "yto": c.YTOEnv, "deppon": c.DepponEnv,
		"yunda": c.YundaEnv, "ems": c.EMSEnv}[name]
}

// hosts returns a carrier's published endpoints.
func hosts(name string) map[string]string {
	return map[string]map[string]string{"sf": direct.SFHosts, "zto": direct.ZTOHosts, "jt": direct.JTHosts,
		"sto": direct.STOHosts, "yto": direct.YTOHosts, "deppon": direct.DepponHosts, "yunda": direct.YundaHosts, "ems": direct.EMSHosts}[name]
}

// Validate checks the carriers' settings and a poll route to one of them.
func (c *CarriersConfig) Validate(routes map[string]string) error {
	for _, n := range directNames() {
		if _, err := direct.Endpoint(c.environment(n), hosts(n)); err != nil {
			return fmt.Errorf("%s-env: %w", n, err)
		}
	}
	if _, err := c.pushFormats(); err != nil {
		return err
	}
	for com, up := range routes {
		if up == "kuaidi100" || up == "sim" {
			continue
		}
		coms, ok := directCarriers[up]
		if !ok {
			return fmt.Errorf("poll: unknown upstream %q (kuaidi100, sim, %s)", up, strings.Join(directNames(), ", "))
		}
		if !slices.Contains(coms, com) {
			return fmt.Errorf("poll: %s=%s: the %s adapter serves %s", com, up, up, strings.Join(coms, ", "))
		}
		if err := c.credentials(up); err != nil {
			return fmt.Errorf("poll: %s=%s: %w", com, up, err)
		}
	}
	return nil
}

// upstream makes a carrier's query adapter.
func (c *CarriersConfig) upstream(name string) (source.Upstream, error) {
	u, err := direct.Endpoint(c.environment(name), hosts(name))
	if err != nil {
		return nil, err
	}
	switch name {
	case "sf":
		return &direct.SF{URL: u, PartnerID: c.SFPartnerID, CheckWord: c.SFCheckWord}, nil
	case "zto":
		return &direct.ZTO{URL: u, AppKey: c.ZTOAppKey, AppSecret: c.ZTOAppSecret}, nil
	case "jt":
		return &direct.JT{URL: u, APIAccount: c.JTAPIAccount, PrivateKey: c.JTPrivateKey, UUID: c.JTUUID}, nil
	case "sto":
		return &direct.STO{URL: u, AppKey: c.STOAppKey, Resource: c.STOResource, SecretKey: c.STOSecretKey}, nil
	case "yto":
		return &direct.YTO{Host: u, Partner: c.YTOPartner, Customer: c.YTOCustomer, Secret: c.YTOSecret}, nil
	case "deppon":
		return &direct.Deppon{URL: u, CompanyCode: c.DepponCompanyCode, AppKey: c.DepponAppKey}, nil
	case "yunda":
		return &direct.Yunda{URL: u, AppKey: c.YundaAppKey, AppSecret: c.YundaAppSecret}, nil
	case "ems":
		return &direct.EMS{URL: u, SenderNo: c.EMSSenderNo, Authorization: c.EMSAuthorization, SignKey: c.EMSSignKey}, nil
	}
	return nil, fmt.Errorf("unknown upstream %q", name)
}

// defaultRate is an adapter's request rate when --poll-rate names none:
// SF's sandbox publishes 30 calls/s; no other limit is published.
func (c *CarriersConfig) defaultRate(name string) float64 {
	if name == "sf" && c.SFEnv == direct.Sandbox {
		return direct.SFSandboxRate
	}
	return 0
}

// pushFormats returns the push endpoints to enable, with their tokens:
// carriers that sign their pushes once their secret is given (ZTO, J&T,
// YTO's legacy push, STO), carriers that do not (SF, Deppon) once their
// push token is given. STO's push signature is not confirmed: with its
// secret key given, signed pushes are checked; unsigned ones need the
// token.
func (c *CarriersConfig) pushFormats() (map[direct.PushFormat]string, error) {
	out := map[direct.PushFormat]string{}
	if c.SFPushToken != "" {
		out[direct.SFPush{}] = c.SFPushToken
	}
	if c.ZTOAppKey != "" && c.ZTOAppSecret != "" {
		out[direct.ZTOPush{AppKey: c.ZTOAppKey, AppSecret: c.ZTOAppSecret}] = c.ZTOPushToken
	} else if c.ZTOPushToken != "" {
		return nil, errors.New("zto-push-token: ZTO's pushes are checked with --zto-app-key and --zto-app-secret")
	}
	if c.JTAPIAccount != "" && c.JTPrivateKey != "" {
		out[direct.JTPush{APIAccount: c.JTAPIAccount, PrivateKey: c.JTPrivateKey}] = c.JTPushToken
	} else if c.JTPushToken != "" {
		return nil, errors.New("jt-push-token: J&T's pushes are checked with --jt-api-account and --jt-private-key")
	}
	if c.STOSecretKey != "" || c.STOPushToken != "" {
		out[direct.STOPush{SecretKey: c.STOSecretKey}] = c.STOPushToken
	}
	if c.YTOPushKey != "" {
		out[direct.YTOPush{PartnerID: c.YTOPushKey}] = c.YTOPushToken
	} else if c.YTOPushToken != "" {
		return nil, errors.New("yto-push-token: YTO's pushes are checked with --yto-push-key")
	}
	if c.DepponPushToken != "" {
		out[direct.DepponPush{}] = c.DepponPushToken
	}
	return out, nil
}

// openCarriers makes the carrier push receiver (nil when no carrier's
// endpoint is enabled). A carrier's pushes go under the carrier codes the
// poll routes give its adapter, or under its default codes.
func (m *Main) openCarriers() (*direct.Receiver, error) {
	formats, err := m.Config.Carriers.pushFormats()
	if err != nil || len(formats) == 0 {
		return nil, err
	}
	routes, _ := parsePairs(m.Config.Poll)
	rc := &direct.Receiver{Store: m.Store, Ingester: m.Ingester, Clock: m.Clock, Log: m.Logger.With("component", "carriers"),
		Check: api.CheckNumber}
	for f, token := range formats {
		var coms []string
		for com, up := range routes {
			if up == f.Carrier() {
				coms = append(coms, com)
			}
		}
		sort.Strings(coms)
		if len(coms) == 0 {
			coms = directCarriers[f.Carrier()]
		} else {
			// The default code first: a push for an unknown waybill goes there.
			sort.SliceStable(coms, func(i, j int) bool { return coms[i] == directCarriers[f.Carrier()][0] })
		}
		rc.Add(f, coms, token)
	}
	return rc, nil
}
