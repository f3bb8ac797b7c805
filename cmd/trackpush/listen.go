package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/callback"
)

func init() {
	register(command{name: "listen", summary: "receive pushes: verify, print one line each, acknowledge", run: runListen})
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

// ServeHTTP handles one push.
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	callback.Handler(l.Salt, func(r *http.Request, p *callback.Push) error {
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
		stamp := time.Now().Format("15:04:05")
		if l.Clock != nil {
			stamp = trackpush.FormatTime(l.Clock.Now())
		}
		l.mu.Lock()
		fmt.Fprintf(l.Out, "%s %s%-9s %s %s state=%s ischeck=%s events=%d %s | %s\n",
			stamp, l.Name, p.Param.Status, lr.Com, lr.Nu, lr.State, lr.IsCheck, len(lr.Data), verdict, newest)
		l.mu.Unlock()
		if fail {
			return errors.New("failing on purpose (--fail-first)")
		}
		return nil
	}).ServeHTTP(w, r)
}

func runListen(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("listen", stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	salt := fs.String("salt", "", "verify the sign with this salt (default: accept unsigned pushes)")
	failFirst := fs.Int("fail-first", 0, "fail the first N attempts of each push")
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
