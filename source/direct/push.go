package direct

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/trackpush/trackpush"
)

// Push is a carrier push, verified and read.
type Push struct {
	Scans []Pushed
	// Signed is true when the push carried a signature that was checked;
	// an unsigned push (SF, Deppon, STO without data_digest) must carry
	// the endpoint's secret token instead.
	Signed bool
	// Ref is what the carrier's acknowledgement repeats (STO's
	// waybillNo, YTO's txLogisticID), "" when nothing.
	Ref string
}

// Pushed is one scan of a push.
type Pushed struct {
	Nu    string
	Key   string // the idempotency key: SF route id, STO outBizCode, else waybill|time|code
	Event trackpush.RawEvent
}

// PushFormat is one carrier's push protocol: how a push is verified and
// read, and how the carrier expects it answered.
type PushFormat interface {
	// Carrier names the carrier: the {code} of its endpoint and the key
	// space of its idempotency keys ("sf", "zto", …).
	Carrier() string
	// Read verifies a push over the raw bytes received and reads it. A
	// signature that does not match is ErrSignature; a push that cannot be
	// read is a *BadPush.
	Read(r *http.Request, body []byte) (*Push, error)
	// Ack answers a push taken (or already taken) in the carrier's format.
	Ack(w http.ResponseWriter, p *Push)
	// Fail answers a push refused or not taken, in the carrier's format,
	// with an HTTP status (the carrier retries what it sees as a failure).
	// p is nil when the push could not be read.
	Fail(w http.ResponseWriter, p *Push, status int, err error)
}

// Errors of a push.
var (
	// ErrSignature: the push's signature does not match its bytes and
	// our secret.
	ErrSignature = errors.New("signature does not match")
	// ErrUnauthenticated: the push has no signature and not the
	// endpoint's token.
	ErrUnauthenticated = errors.New("not authenticated: no signature and no valid token")
)

// BadPush is a push that cannot be read.
type BadPush struct{ Why string }

// Error says why the push cannot be read.
func (e *BadPush) Error() string { return "bad push: " + e.Why }

func badPush(format string, a ...any) error { return &BadPush{Why: fmt.Sprintf(format, a...)} }

// tupleKey is the idempotency key of carriers that give none: waybill,
// time and operation code (carriers.md §1.8).
func tupleKey(nu, time, code string) string { return nu + "|" + time + "|" + code }

// statusOf is the HTTP status a push error is answered with.
func statusOf(err error) int {
	var bp *BadPush
	switch {
	case errors.Is(err, ErrSignature), errors.Is(err, ErrUnauthenticated):
		return http.StatusForbidden
	case errors.As(err, &bp):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}
