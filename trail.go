package trackpush

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Trail links (lastResult.trailUrl): every subscription made through the
// map-trajectory endpoints (POST /trackpush/callback, /pollmap) has a
// token, and its map page is <base-url>/trail/<token>.
const (
	// TrailTTL: a link stays valid this long after the shipment's last
	// event while it is not signed (the original's 3 days).
	TrailTTL = 3 * 24 * time.Hour
	// TrailSignedTTL: a link stays valid this long after signing (the
	// original's 15 days).
	TrailSignedTTL = 15 * 24 * time.Hour
)

// MessageStopped is the abort message of a subscription an operator
// stopped.
const MessageStopped = "已停止跟踪"

// NewToken returns n random bytes from crypto/rand as lower-case hex: trail
// tokens (16 bytes, 128 bits), credentials, session identifiers.
func NewToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return hex.EncodeToString(b)
}

// NewTrailToken returns a fresh trail token: 128 bits, unguessable.
func NewTrailToken() string { return NewToken(16) }

// validTrailToken: tokens made by NewTrailToken.
var validTrailToken = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ValidTrailToken reports whether s can be a trail token: a request with
// anything else is answered 404 without asking the store.
func ValidTrailToken(s string) bool { return validTrailToken.MatchString(s) }

// TrailURL returns the map page of a token under a base URL ("" when
// either is empty: no link is better than a wrong one).
func TrailURL(base, token string) string {
	if base == "" || token == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + "/trail/" + token
}

// TrailExpiry returns until when a subscription's trail link is valid: ttl
// after the shipment's last event (service clock: when it arrived) while
// unsigned, signedTTL after it once signed; with no event yet, ttl after
// subscribing. A subscription that ended without being signed (abort, or
// stopped) has no valid link: ok is false.
func TrailExpiry(s *Subscription, h *Shipment, ttl, signedTTL time.Duration) (until time.Time, ok bool) {
	if s.Status == StatusAbort {
		return time.Time{}, false
	}
	base := s.CreatedAt
	if h != nil && h.EventCount > 0 && h.ChangedAt.After(base) {
		base = h.ChangedAt
	}
	if h != nil && h.Summary.Signed {
		return base.Add(signedTTL), true
	}
	return base.Add(ttl), true
}

// MapTemplate is a look of the trail page, named by a subscription's
// mapConfigKey. Subscriptions without one get DefaultTemplate.
type MapTemplate struct {
	Key   string `json:"key"`   // the mapConfigKey: letters, digits, '-', '_' (1–64)
	Name  string `json:"name"`  // for the operator
	Title string `json:"title"` // the page's heading and <title>; "" for the default
	// LogoURL is an image of the operator's: a data: URL (PNG, JPEG, GIF
	// or WebP, served by trackpush itself) or a path on this server
	// ("/static/logo.png"). Other URLs are refused: the page makes no
	// outside request unless the basemap is an online provider.
	LogoURL string `json:"logoUrl"`
	// Colours, as #rgb or #rrggbb.
	RouteColor     string `json:"routeColor"`     // the travelled route
	PredictedColor string `json:"predictedColor"` // the predicted route
	MarkerColor    string `json:"markerColor"`    // hubs, outlets and the current position
	// What the page shows.
	ShowPredicted bool `json:"showPredicted"`
	ShowTimeline  bool `json:"showTimeline"`
	ShowETA       bool `json:"showEta"`
	// Locale is the page's language: "zh-CN" (default) or "en"; Texts
	// replaces named texts of it (see the web package's TextKeys).
	Locale string            `json:"locale"`
	Texts  map[string]string `json:"texts,omitempty"`
	// Basemap is "" or BasemapSVG (the built-in offline map) or
	// BasemapTiles: raster tiles from TileURL, a template with {x}, {y},
	// {z}, optionally {s} (one of TileSubdomains) and {key} (TileKey),
	// e.g. AMap's. Only then does the page load anything from elsewhere,
	// and its Content-Security-Policy names that host.
	Basemap        string `json:"basemap"`
	TileURL        string `json:"tileUrl,omitempty"`
	TileSubdomains string `json:"tileSubdomains,omitempty"`
	TileKey        string `json:"tileKey,omitempty"`
	// TileAttribution is shown under the map with tiles.
	TileAttribution string    `json:"tileAttribution,omitempty"`
	CreatedAt       time.Time `json:"-"`
	UpdatedAt       time.Time `json:"-"`
}

// Basemaps of a template.
const (
	BasemapSVG   = "svg"
	BasemapTiles = "tiles"
)

// DefaultTemplate is the look of subscriptions without a mapConfigKey (and
// of those whose template was deleted since).
func DefaultTemplate() *MapTemplate {
	return &MapTemplate{
		RouteColor: "#1f6feb", PredictedColor: "#8b949e", MarkerColor: "#d1242f",
		ShowPredicted: true, ShowTimeline: true, ShowETA: true,
		Locale: "zh-CN", Basemap: BasemapSVG,
	}
}

var (
	validTemplateKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	validColor       = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	validLogo        = regexp.MustCompile(`^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$`)
	validTileHost    = regexp.MustCompile(`^https?://[A-Za-z0-9.{}\-]+(:[0-9]+)?/`)
)

// MaxLogoBytes bounds a template's logo data: URL.
const MaxLogoBytes = 96 << 10

// ValidTemplateKey reports whether k can name a template.
func ValidTemplateKey(k string) bool { return validTemplateKey.MatchString(k) }

// Validate checks a template and names the bad field (CodeInternal, as
// every malformed request of the admin API).
func (t *MapTemplate) Validate() error {
	bad := func(field, format string, a ...any) error {
		return Errorf(CodeInternal, "%s: %s", field, fmt.Sprintf(format, a...))
	}
	switch {
	case !ValidTemplateKey(t.Key):
		return bad("key", "%q: 1–64 letters, digits, '-' or '_'", t.Key)
	case len(t.Name) > 200:
		return bad("name", "longer than 200 bytes")
	case len(t.Title) > 200:
		return bad("title", "longer than 200 bytes")
	case len(t.LogoURL) > MaxLogoBytes:
		return bad("logoUrl", "longer than %d bytes", MaxLogoBytes)
	case t.LogoURL != "" && !validLogo.MatchString(t.LogoURL) && !(strings.HasPrefix(t.LogoURL, "/") && !strings.HasPrefix(t.LogoURL, "//") && !strings.ContainsAny(t.LogoURL, "\"'<> \\")):
		return bad("logoUrl", "a data:image/(png|jpeg|gif|webp);base64 URL or a path on this server; the page loads nothing from elsewhere")
	}
	for _, c := range []struct{ name, v string }{{"routeColor", t.RouteColor}, {"predictedColor", t.PredictedColor}, {"markerColor", t.MarkerColor}} {
		if !validColor.MatchString(c.v) {
			return bad(c.name, "%q is not #rgb or #rrggbb", c.v)
		}
	}
	switch t.Locale {
	case "zh-CN", "en":
	default:
		return bad("locale", "%q: zh-CN or en", t.Locale)
	}
	for k, v := range t.Texts {
		if len(k) > 64 || len(v) > 500 {
			return bad("texts", "%q: keys up to 64 bytes, texts up to 500", k)
		}
	}
	switch t.Basemap {
	case BasemapSVG:
		if t.TileURL != "" {
			return bad("tileUrl", "only with basemap %q", BasemapTiles)
		}
	case BasemapTiles:
		if !validTileHost.MatchString(t.TileURL) || !strings.Contains(t.TileURL, "{x}") || !strings.Contains(t.TileURL, "{y}") || !strings.Contains(t.TileURL, "{z}") ||
			strings.ContainsAny(t.TileURL, "\"'<> \\") {
			return bad("tileUrl", "%q: an http(s) URL with {x}, {y} and {z}", t.TileURL)
		}
		if strings.Contains(t.TileURL, "{s}") && t.TileSubdomains == "" {
			return bad("tileSubdomains", "needed for {s}")
		}
		if !validTileHost.MatchString(strings.Replace(t.TileURL, "{s}", "a", 1)) || strings.ContainsAny(t.TileSubdomains, "\"'<> \\/:") {
			return bad("tileSubdomains", "%q", t.TileSubdomains)
		}
		if strings.ContainsAny(t.TileKey, "\"'<> \\&#") {
			return bad("tileKey", "must not contain quotes, spaces, '&', '#' or angle brackets")
		}
	default:
		return bad("basemap", "%q: %s or %s", t.Basemap, BasemapSVG, BasemapTiles)
	}
	if len(t.TileAttribution) > 300 {
		return bad("tileAttribution", "longer than 300 bytes")
	}
	return nil
}

// SubscriptionQuery selects subscriptions for the operator: every
// non-empty field must match. Results come newest first, Limit at a time;
// Before pages on (only ids below it).
type SubscriptionQuery struct {
	Nu        string
	Com       string
	AccountID int64
	Status    string // StatusPolling, StatusShutdown or StatusAbort
	Before    int64
	Limit     int
}

// Page sizes of SearchSubscriptions.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// PageSize returns the query's Limit within 1–MaxPageSize
// (DefaultPageSize when unset).
func (q SubscriptionQuery) PageSize() int {
	switch {
	case q.Limit <= 0:
		return DefaultPageSize
	case q.Limit > MaxPageSize:
		return MaxPageSize
	}
	return q.Limit
}

// AccountUpdate changes an account's settings; nil fields stay as they
// are. ClearExpiry removes the expiry.
type AccountUpdate struct {
	Name        *string
	Quota       *int
	ExpiresAt   *time.Time
	ClearExpiry bool
	Disabled    *bool
}

// Apply applies the update to an account.
func (u AccountUpdate) Apply(a *Account) {
	if u.Name != nil {
		a.Name = *u.Name
	}
	if u.Quota != nil {
		a.Quota = *u.Quota
	}
	if u.ClearExpiry {
		a.ExpiresAt = nil
	}
	if u.ExpiresAt != nil {
		t := *u.ExpiresAt
		a.ExpiresAt = &t
	}
	if u.Disabled != nil {
		a.Disabled = *u.Disabled
	}
}

// DecodeTemplate reads a template's settings as the stores keep them
// (JSON, the admin API's field names).
func DecodeTemplate(b []byte) (*MapTemplate, error) {
	var t MapTemplate
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("decode template: %w", err)
	}
	return &t, nil
}
