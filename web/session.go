package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
)

// The console's session: the admin token is entered once into the login
// form; the browser then holds a cookie that names a random session and
// its expiry, signed with HMAC-SHA256 under a key derived from the admin
// token. No node keeps session state, so any node of a cluster with the
// same token accepts it, the token itself never travels again, and
// changing the token ends every session. The cookie is HttpOnly and
// SameSite=Strict (and Secure when the base URL is https); every form
// also carries a CSRF token derived from the session, checked on every
// POST.
const (
	sessionCookie = "trackpush_console"
	sessionTTL    = 12 * time.Hour
)

// sessionKey is the MAC key of the console's cookies.
func (s *Server) sessionKey() []byte {
	k := sha256.Sum256([]byte("trackpush console session\x00" + s.AdminToken))
	return k[:]
}

func (s *Server) mac(msg string) []byte {
	m := hmac.New(sha256.New, s.sessionKey())
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// session is a signed-in browser.
type session struct {
	id   string
	csrf string
}

// newSession returns the cookie value of a new session.
func (s *Server) newSession(now time.Time) string {
	payload := trackpush.NewToken(16) + "." + strconv.FormatInt(now.Add(sessionTTL).Unix(), 10)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac("session\x00"+payload))
}

// session returns the request's valid session, or nil.
func (s *Server) session(r *http.Request, now time.Time) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || s.AdminToken == "" {
		return nil
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return nil
	}
	payload := parts[0] + "." + parts[1]
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.mac("session\x00"+payload)) {
		return nil
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || now.Unix() >= exp {
		return nil
	}
	return &session{id: parts[0], csrf: hex.EncodeToString(s.mac("csrf\x00" + parts[0]))[:32]}
}

// checkCSRF reports whether a POST carries the session's CSRF token.
func (ss *session) checkCSRF(r *http.Request) bool {
	return subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(ss.csrf)) == 1
}

func (s *Server) setSession(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: value, Path: "/admin", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: strings.HasPrefix(s.BaseURL, "https://")})
}

// loginLimit slows guessing the admin token: at most loginFailures failed
// logins per minute per server, then 429 until the minute is over.
type loginLimit struct {
	mu    sync.Mutex
	start time.Time
	fails int
}

const loginFailures = 20

func (l *loginLimit) blocked(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) > time.Minute {
		l.start, l.fails = now, 0
	}
	return l.fails >= loginFailures
}

func (l *loginLimit) failed(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) > time.Minute {
		l.start, l.fails = now, 0
	}
	l.fails++
}
