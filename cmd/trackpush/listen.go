package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/callback"
)

func init() {
	register(command{name: "listen", summary: "receive pushes: verify, print one line each (rejected ones marked), acknowledge", args: "[--addr HOST:PORT] [--salt S] [--fail-first N]", run: runListen})
}

// Listener is a push receiver for trying trackpush out and for tests: it
// verifies each push, prints one line, and acknowledges — after failing
// the first FailFirst attempts of each distinct push, to exercise retries.
type Listener struct {
	Salt      *string
	FailFirst int
	Out       io.Writer
	// Clock, when set, stamps the lines (the demo's accelerated clock).
	Clock trackpush.Clock
	// Name, when set, prefixes the lines.
	Name string

	mu    sync.Mutex
	tries map[[32]byte]int
}

// ServeHTTP handles one push. A push it cannot take — not a POST, no
// param, a missing or wrong sign, a param that is not the push JSON — is
// printed too, marked REJECTED with the reason, and answered as an error
// (so that the sender retries it).
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		l.reject(w, http.StatusMethodNotAllowed, r.Method+" instead of POST", nil)
		return
	}
	p, err := callback.Parse(r, l.Salt)
	if err != nil {
		status, why := http.StatusBadRequest, err.Error()
		switch {
		case errors.Is(err, callback.ErrBadSign):
			status, why = http.StatusForbidden, "bad sign"
		case errors.Is(err, callback.ErrNoSign):
			status, why = http.StatusForbidden, "missing sign"
		case errors.Is(err, callback.ErrNoParam):
			why = "no param"
		case strings.HasPrefix(err.Error(), "callback: decode param"):
			why = "unparsable param: " + strings.TrimPrefix(err.Error(), "callback: decode param: ")
		}
		l.reject(w, status, why, r)
		return
	}
	key := sha256.Sum256([]byte(p.Raw))
	l.mu.Lock()
	if l.tries == nil {
		l.tries = map[[32]byte]int{}
	}
	l.tries[key]++
	n := l.tries[key]
	l.mu.Unlock()
	lr := p.Param.LastResult
	newest := "-"
	if e := p.Newest(); e != nil {
		newest = e.Time + " " + e.Context
	}
	fail := n <= l.FailFirst
	verdict := "ack"
	if fail {
		verdict = fmt.Sprintf("fail %d/%d", n, l.FailFirst)
	}
	l.printf("%s%-9s %s %s state=%s ischeck=%s events=%d %s | %s", l.Name, p.Param.Status, lr.Com, lr.Nu, lr.State, lr.IsCheck, len(lr.Data), verdict, newest)
	if fail {
		callback.WriteError(w, http.StatusInternalServerError, "failing on purpose (--fail-first)")
		return
	}
	callback.WriteAck(w)
}

// reject prints and answers a push the listener cannot take; what can be
// read of it (carrier and number) is printed with the reason.
func (l *Listener) reject(w http.ResponseWriter, status int, why string, r *http.Request) {
	about := ""
	if r != nil {
		var p trackpush.PushParam
		if json.Unmarshal([]byte(r.PostForm.Get("param")), &p) == nil && p.LastResult.Nu != "" {
			about = fmt.Sprintf(" %s %s state=%s", p.LastResult.Com, p.LastResult.Nu, p.LastResult.State)
		}
	}
	l.printf("%sREJECTED %s%s", l.Name, why, about)
	callback.WriteError(w, status, why)
}

// printf prints one line, stamped with the time: RFC 3339 with the offset,
// or the demo clock's China time.
func (l *Listener) printf(format string, a ...any) {
	stamp := time.Now().Format(time.RFC3339)
	if l.Clock != nil {
		stamp = trackpush.FormatTime(l.Clock.Now())
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.Out, "%s "+format+"\n", append([]any{stamp}, a...)...)
}

func runListen(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("listen", stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	salt := fs.String("salt", "", "verify the sign with this salt; pushes without it or with a wrong one are printed REJECTED and refused (default: no check)")
	failFirst := fs.Int("fail-first", 0, "fail the first N attempts of each distinct push (to see the 30-minute retries)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	l := &Listener{FailFirst: *failFirst, Out: stdout}
	saltSet := false
	fs.Visit(func(f *flag.Flag) { saltSet = saltSet || f.Name == "salt" })
	if saltSet {
		l.Salt = salt
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: l, ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(stderr, "listening on http://%s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
