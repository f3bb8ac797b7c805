// Package postgres is the scale-out store of trackpush: several server
// nodes share one PostgreSQL database (pgx, pgxpool). It behaves as the
// SQLite store does — the same conformance suite (storetest) — and adds
// what sharing needs.
//
// Every operation is one transaction at READ COMMITTED. A read-modify-write
// first locks the rows it is about to change (SELECT … FOR UPDATE, or an
// INSERT … ON CONFLICT DO UPDATE, which locks too) and reads them after the
// lock is granted, so concurrent nodes serialise on the rows they share.
// Locks are always taken in one order, so two operations never wait for each
// other in a cycle:
//
//	account → shipments (by id) → subscriptions (by id)
//
// Subscribe and Redirect lock the account first (one account's subscribes
// are serialised: the duplicate rules and the quota hold across nodes), then
// the shipment; AppendEvents and EndSubscription lock the shipment, then its
// subscriptions; UpdateAll and CompletePushes lock subscriptions only, in id
// order. Claims (ClaimPushes, ClaimPolls) never wait: they take the due rows
// with FOR UPDATE SKIP LOCKED, so two nodes never claim the same row, and a
// node that dies loses its claims when their leases run out (unlike SQLite,
// Open does not release claims: they may be another live node's). A claim's
// token comes from a sequence, unique across nodes; a completion that does
// not present the current token is a stale one and changes no state.
//
// When work becomes due at once, the transaction that makes it due also
// sends NOTIFY trackpush_push or trackpush_poll (delivered at commit, with
// the schema as payload); Listen wakes the idle nodes with it. Maintain does
// the singleton chores (pruning the delivery log) under an advisory lock.
//
// Connections come from a pgxpool (health checks on, idle connections pinged
// before use). A transaction that fails — PostgreSQL restarted, the network
// dropped — is rolled back by the server and returns an error: never a half
// applied change. Failures before COMMIT is sent are retried (a few times,
// with a short backoff), as are deadlocks and serialisation failures; a
// failed COMMIT is not, since its outcome is unknown.
//
// A DSN may name the schema with search_path
// (postgres://…/db?search_path=trackpush); the store's tables, its
// notifications and its advisory locks are then that schema's alone. The
// store needs PostgreSQL 12 or later.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/trackpush/trackpush"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the PostgreSQL store. It implements trackpush.Store.
type Store struct {
	// Logger receives Listen's connection troubles (nil: slog.Default()).
	// Set it before calling Listen.
	Logger *slog.Logger

	pool *pgxpool.Pool
	// schema is current_schema() of the store's connections: the payload
	// of its notifications and part of its advisory lock keys, so that
	// stores in other schemas of the database neither wake nor block it.
	schema  string
	lockKey int32

	done      chan struct{} // closed by Close: stops Listen
	closeOnce sync.Once

	// Test hooks.
	listenPID    atomic.Uint32 // backend of the listening connection; 0 while none
	maintainHook func()        // called once Maintain holds its lock
	deadlocks    atomic.Int64  // transactions the server aborted as deadlocked
}

var _ trackpush.Store = (*Store)(nil)

// Notification channels.
const (
	chanPush = "trackpush_push"
	chanPoll = "trackpush_poll"
)

// Advisory lock classes (the first key; the second is the schema's).
const (
	lockMigrate  int32 = 0x7470_0001
	lockMaintain int32 = 0x7470_0002
)

const (
	// opTimeout bounds an operation whose context has no deadline: a
	// database that stopped answering must not hang a node.
	opTimeout = 30 * time.Second
	// defaultMaxConns is the pool's size unless the DSN sets
	// pool_max_conns.
	defaultMaxConns = 16
	// maxTries bounds the attempts of an operation that fails before
	// anything was committed (a dead pooled connection, a deadlock).
	maxTries = 4
)

// Open connects to the database a DSN names (a postgres:// URL or
// key=value pairs; pool_max_conns, 16 by default, and the other pgxpool
// settings apply), applies the migrations it lacks and returns the store.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "trackpush"
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		// pgxpool's default (4, or one per CPU) is tight for a node whose
		// push workers, poller and API share the pool, and whose
		// operations may queue on a row lock while holding a connection.
		cfg.MaxConns = max(cfg.MaxConns, defaultMaxConns)
	}
	if cfg.PingTimeout == 0 {
		// A pooled connection idle for a while is pinged before use; a
		// server that does not answer must not stall the operation.
		cfg.PingTimeout = 5 * time.Second
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, done: make(chan struct{})}
	if err := s.init(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	var schema *string
	err := s.read(ctx, func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema)
	})
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	if schema == nil {
		return errors.New("postgres: the search_path names no existing schema")
	}
	s.schema = *schema
	h := fnv.New32a()
	h.Write([]byte(s.schema))
	s.lockKey = int32(h.Sum32())
	return s.migrate(ctx)
}

// Close closes the pool and stops Listen. Operations after Close fail.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		s.pool.Close()
	})
	return nil
}

// migrate applies the embedded migrations not yet applied, in order, in
// one transaction. Migrations are forward-only. The advisory lock makes
// nodes that start at once take turns: the first applies them, the others
// find them applied.
func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	err = s.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockMigrate, s.lockKey); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		done := map[int]bool{}
		for _, v := range applied {
			done[v] = true
		}
		for _, name := range names {
			base := strings.TrimPrefix(name, "migrations/")
			v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
			if err != nil {
				return fmt.Errorf("migration %s: bad name", base)
			}
			if done[v] {
				continue
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil { // a script: simple protocol
				return fmt.Errorf("migration %s: %w", base, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, v, time.Now().UnixMilli()); err != nil {
				return fmt.Errorf("migration %s: %w", base, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// errRollback, returned by a transaction's function, undoes the
// transaction and makes tx return nil: the operation found nothing to do.
var errRollback = errors.New("postgres: nothing to do")

// opContext gives an operation a deadline when its caller gave none.
func opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, opTimeout)
}

// tx runs fn in a transaction and commits it when fn returns nil. A
// failure before COMMIT leaves nothing behind (the server rolls back what a
// dead connection began), so when it is a lost connection, a deadlock or a
// serialisation failure the whole transaction is run again; fn must
// therefore set its results afresh on each call. A failed COMMIT is
// returned as it is: whether it took effect is unknown.
func (s *Store) tx(ctx context.Context, fn func(context.Context, pgx.Tx) error) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	for try := 1; ; try++ {
		err := s.tryTx(ctx, fn)
		if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "40P01" {
			s.deadlocks.Add(1)
		}
		if errors.Is(err, errCommit) {
			s.resetIfLost(err)
			return err
		}
		if errors.Is(err, errRollback) {
			return nil
		}
		if err == nil || !s.again(ctx, err, try) {
			return err
		}
		s.resetIfLost(err)
		if !sleep(ctx, time.Duration(try-1)*50*time.Millisecond) {
			return err
		}
	}
}

// errCommit marks a failed COMMIT.
var errCommit = errors.New("commit")

func (s *Store) tryTx(ctx context.Context, fn func(context.Context, pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return beginError{err}
	}
	if err := fn(ctx, tx); err != nil {
		tx.Rollback(ctx)
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("%w: %w", errCommit, err)
	}
	return nil
}

// beginError is a failure to begin a transaction: nothing was done, so it
// may always be tried again.
type beginError struct{ err error }

func (e beginError) Error() string { return "begin: " + e.err.Error() }
func (e beginError) Unwrap() error { return e.err }

// read runs fn, a read (or a single idempotent statement), again when it
// fails because its connection was lost.
func (s *Store) read(ctx context.Context, fn func(context.Context) error) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	for try := 1; ; try++ {
		err := fn(ctx)
		if err == nil || !s.again(ctx, err, try) {
			return err
		}
		s.resetIfLost(err)
		if !sleep(ctx, time.Duration(try-1)*50*time.Millisecond) {
			return err
		}
	}
}

// again reports whether an operation that failed with err on its try-th
// attempt is to be run again.
func (s *Store) again(ctx context.Context, err error, try int) bool {
	select {
	case <-s.done:
		return false // closed: it will not get better
	default:
	}
	return try < maxTries && ctx.Err() == nil && retryable(err)
}

// retryable reports whether an operation that failed with err, before
// committing anything, is worth running again: a connection lost or
// refused, or a transaction the server aborted to resolve a conflict.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errRollback) {
		return false
	}
	var be beginError
	if errors.As(err, &be) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "40001", pe.Code == "40P01": // serialization_failure, deadlock_detected
			return true
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "57P"): // connection exception, shutdown
			return true
		}
		return false
	}
	var te *trackpush.Error
	if errors.As(err, &te) {
		return false
	}
	// Not an answer of the server: the connection failed.
	return pgconn.SafeToRetry(err) || isConnError(err)
}

// resetIfLost closes every pooled connection when err says one was lost:
// what kills one connection (a restart, a network interruption) usually
// killed them all, and the pool would otherwise hand the dead ones out one
// after the other. Connections in use are closed when they come back.
func (s *Store) resetIfLost(err error) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01") {
		return // the server answered: the connection is fine
	}
	if retryable(err) {
		s.pool.Reset()
	}
}

// isConnError reports whether err is a failure of the connection itself
// (as opposed to a statement the server refused or a bad argument).
func isConnError(err error) bool {
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// queueNotify adds a notification to a batch of a transaction: it is
// delivered when the transaction commits, and not at all if it does not.
func (s *Store) queueNotify(b *pgx.Batch, channel string) {
	b.Queue(`SELECT pg_notify($1, $2)`, channel, s.schema)
}

// send sends a batch in a transaction and reads all its results.
func send(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

// Time columns.

func ms(t time.Time) int64 { return t.UnixMilli() }

func msPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).In(trackpush.CST) }

func fromNullMS(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := fromMS(*v)
	return &t
}

// prefixed qualifies each column of a list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
