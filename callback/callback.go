// Package callback is the receiver side of trackpush (and of the original
// service it is compatible with): parse a push request, verify its
// signature, decode the param into typed structs, and answer.
//
// A receiver must store the push, then answer with the acknowledgement
// (WriteAck); anything else makes the sender retry 30 minutes later, up to 3
// times. Every push carries the whole trajectory, newest event first, so a
// receiver can simply replace what it stored before.
package callback

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/trackpush/trackpush"
)

// Push is a parsed push request.
type Push struct {
	// Param is the decoded message.
	Param trackpush.PushParam
	// Raw is the param exactly as received (what the signature covers).
	Raw string
	// Sign is the signature received, "" when none was sent.
	Sign string
}

// Errors of Parse.
var (
	ErrNoParam  = errors.New("callback: no param in the request")
	ErrBadSign  = errors.New("callback: signature does not match")
	ErrNoSign   = errors.New("callback: signature missing")
	ErrTooLarge = errors.New("callback: request body too large")
)

// MaxBody is the largest request body Parse reads (the whole trajectory of
// a parcel is a few tens of KiB at most).
const MaxBody = 8 << 20

// Parse reads a push request (a form POST with the fields param and,
// when the subscription has a salt, sign). With salt non-nil the signature
// is required and checked; with salt nil it is not checked.
func Parse(r *http.Request, salt *string) (*Push, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, ErrTooLarge
		}
		return nil, fmt.Errorf("callback: read form: %w", err)
	}
	p := &Push{Raw: r.PostForm.Get("param"), Sign: r.PostForm.Get("sign")}
	if p.Raw == "" {
		p.Raw = r.Form.Get("param")
	}
	if p.Raw == "" {
		return nil, ErrNoParam
	}
	if salt != nil {
		if p.Sign == "" {
			return nil, ErrNoSign
		}
		if !Verify(p.Raw, p.Sign, *salt) {
			return nil, ErrBadSign
		}
	}
	if err := json.Unmarshal([]byte(p.Raw), &p.Param); err != nil {
		return nil, fmt.Errorf("callback: decode param: %w", err)
	}
	return p, nil
}

// Sign returns the signature of a param: upper-case hex MD5(param + salt).
func Sign(param, salt string) string {
	sum := md5.Sum([]byte(param + salt))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// Verify reports whether sign is the signature of param with salt (the
// comparison ignores the case of the hex digits and takes constant time).
func Verify(param, sign, salt string) bool {
	want := Sign(param, salt)
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToUpper(sign))) == 1
}

// Ack is the acknowledgement a receiver answers after storing a push.
var Ack = trackpush.Answer{Result: true, ReturnCode: "200", Message: "成功"}

// WriteAck answers a push as received.
func WriteAck(w http.ResponseWriter) { writeAnswer(w, http.StatusOK, Ack) }

// WriteError answers a push as not received (the sender will retry).
func WriteError(w http.ResponseWriter, status int, message string) {
	writeAnswer(w, status, trackpush.Answer{Result: false, ReturnCode: "500", Message: message})
}

func writeAnswer(w http.ResponseWriter, status int, a trackpush.Answer) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(a)
}

// Handler returns an http.Handler that parses each push (checking the
// signature when salt is non-nil), calls fn, and answers with the
// acknowledgement when fn returns nil, or an error answer (so that the push
// is retried) when it fails.
func Handler(salt *string, fn func(*http.Request, *Push) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			WriteError(w, http.StatusMethodNotAllowed, "POST only")
			return
		}
		p, err := Parse(r, salt)
		if err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, ErrBadSign) || errors.Is(err, ErrNoSign) {
				status = http.StatusForbidden
			}
			WriteError(w, status, err.Error())
			return
		}
		if err := fn(r, p); err != nil {
			WriteError(w, http.StatusInternalServerError, err.Error())
			return
		}
		WriteAck(w)
	})
}

// Newest returns the newest event of the push (data is newest first), or
// nil when there is none.
func (p *Push) Newest() *trackpush.DataItem {
	if len(p.Param.LastResult.Data) == 0 {
		return nil
	}
	return &p.Param.LastResult.Data[0]
}
