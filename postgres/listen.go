package postgres

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Listen's timing.
const (
	// listenIdle is how long the listening connection waits for a
	// notification before it checks that the server is still there: a
	// connection that died silently would otherwise wait forever.
	listenIdle = 30 * time.Second
	// listenTimeout bounds connecting, LISTEN and the liveness check.
	listenTimeout = 10 * time.Second
	// Reconnection backoff, doubled on every failure in a row.
	listenMinBackoff = 100 * time.Millisecond
	listenMaxBackoff = 30 * time.Second
)

// Listen wakes this node when another (or this one) makes work due: it
// holds a connection of its own, outside the pool, LISTENing on
// trackpush_push and trackpush_poll, and calls onPush or onPoll for each
// notification of this store's schema. The callbacks run on Listen's
// goroutine and should only signal (a push engine's or poller's Wake).
//
// When the connection drops, Listen reconnects with a backoff (100 ms
// doubling to 30 s; failures are logged, once per attempt). Notifications
// sent while no connection listened are lost, so after every (re)connection
// it calls both callbacks once: the woken side finds what is due in the
// database. Listen returns nil when ctx ends or the store is closed.
func (s *Store) Listen(ctx context.Context, onPush, onPoll func()) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	logger := s.Logger
	if logger == nil {
		logger = slog.Default()
	}
	backoff := listenMinBackoff
	for {
		start := time.Now()
		listened, err := s.listen(ctx, onPush, onPoll)
		if ctx.Err() != nil {
			return nil
		}
		// A connection that held for a while starts the backoff afresh;
		// one that keeps dropping at once does not spin.
		if listened && time.Since(start) > listenMaxBackoff {
			backoff = listenMinBackoff
		}
		if listened {
			logger.Warn("postgres: listen: connection lost; reconnecting", "err", err, "in", backoff)
		} else {
			logger.Warn("postgres: listen: cannot listen; retrying", "err", err, "in", backoff)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, listenMaxBackoff)
	}
}

// listen runs one listening connection until it fails or ctx ends. It
// reports whether it got as far as listening.
func (s *Store) listen(ctx context.Context, onPush, onPoll func()) (listened bool, err error) {
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] += " listen"
	cctx, cancel := context.WithTimeout(ctx, listenTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return false, err
	}
	defer func() {
		s.listenPID.Store(0)
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(cctx, "LISTEN "+chanPush+"; LISTEN "+chanPoll); err != nil {
		return false, err
	}
	// Whatever became due while nobody listened.
	onPush()
	onPoll()
	s.listenPID.Store(conn.PgConn().PID())
	for {
		wctx, cancel := context.WithTimeout(ctx, listenIdle)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return true, nil
		case err == nil:
			if n.Payload != s.schema && n.Payload != "" {
				continue // another store's schema
			}
			switch n.Channel {
			case chanPush:
				onPush()
			case chanPoll:
				onPoll()
			}
		case pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded):
			pctx, cancel := context.WithTimeout(ctx, listenTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return true, err
			}
		default:
			return true, err
		}
	}
}
