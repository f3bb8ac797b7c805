// Package sqlite is the embedded store of trackpush: one SQLite file (pure
// Go, modernc.org/sqlite) in WAL mode, for one node. Writes go through a
// single connection, one transaction per operation; reads use a pool.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the driver

	"github.com/trackpush/trackpush"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite store. It implements trackpush.Store.
type Store struct {
	w *sql.DB // one connection: every write, serialised
	r *sql.DB // a pool for reads

	// Prepared statements, by query text: parsing SQL costs more than
	// running it.
	mu      sync.Mutex
	wstmts  map[string]*sql.Stmt // nil: seen, to be prepared
	rstmts  map[string]*sql.Stmt
	pending []string

	lock *os.File // OpenServer's lock file; nil for Open

	ops     chan *writeOp // to the writer goroutine
	stop    chan struct{} // closed by Close
	stopped chan struct{} // closed by the writer when it has stopped
}

var _ trackpush.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and runs the
// migrations it lacks. It leaves claims alone: a server may be running on
// the file (see OpenServer).
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: no database path")
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + q.Encode()
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	s := &Store{w: w, wstmts: map[string]*sql.Stmt{}, rstmts: map[string]*sql.Stmt{}}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		w.Close()
		return nil, fmt.Errorf("sqlite: %s is a directory, not a database file", path)
	}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("%w (database %s)", err, path)
	}
	r, err := sql.Open("sqlite", dsn+"&mode=ro")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s.r = r
	s.ops, s.stop, s.stopped = make(chan *writeOp, maxBatch), make(chan struct{}), make(chan struct{})
	go s.writer()
	return s, nil
}

// Close waits for the write in progress and closes the database. Writes
// after Close fail.
func (s *Store) Close() error {
	if s.stop != nil {
		select {
		case <-s.stop:
		default:
			close(s.stop)
		}
		<-s.stopped
	}
	s.mu.Lock()
	for _, st := range s.wstmts {
		if st != nil {
			st.Close()
		}
	}
	for _, st := range s.rstmts {
		st.Close()
	}
	s.mu.Unlock()
	err := errors.Join(s.r.Close(), s.w.Close())
	if s.lock != nil {
		s.lock.Close() // drops the lock
	}
	return err
}

// wstmt returns the prepared statement of a write query, or nil the first
// time it is seen: the writer's only connection is busy with the
// transaction then, so the query runs unprepared and is prepared after the
// transaction ends (see write).
func (s *Store) wstmt(query string) *sql.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.wstmts[query]
	if !ok {
		s.wstmts[query] = nil
		s.pending = append(s.pending, query)
	}
	return st
}

// prepareLater prepares the write queries first seen in a transaction.
// It holds no lock while preparing: that waits for the writer's
// connection, which another transaction may hold.
func (s *Store) prepareLater(ctx context.Context) {
	s.mu.Lock()
	pending := s.pending
	s.pending = nil
	s.mu.Unlock()
	for _, q := range pending {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			continue // stays nil: it runs unprepared
		}
		s.mu.Lock()
		s.wstmts[q] = st
		s.mu.Unlock()
	}
}

// exec, query and queryRow run a write query (prepared once seen) in a
// transaction; rquery and rqueryRow run a prepared read on the pool.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st := s.wstmt(query); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

func (s *Store) query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if st := s.wstmt(query); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, query, args...)
}

// row is a *sql.Row, or the error of preparing it.
type row struct {
	r   *sql.Row
	err error
}

func (r row) Scan(dst ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dst...)
}

func (s *Store) queryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) row {
	if st := s.wstmt(query); st != nil {
		return row{r: tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)}
	}
	return row{r: tx.QueryRowContext(ctx, query, args...)}
}

// rstmt returns the prepared statement of a read query (preparing it
// without holding the lock; a race prepares it twice and keeps one).
func (s *Store) rstmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	st, ok := s.rstmts[query]
	s.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := s.r.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.rstmts[query]; ok {
		st.Close()
		return old, nil
	}
	s.rstmts[query] = st
	return st, nil
}

func (s *Store) rquery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.rstmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (s *Store) rqueryRow(ctx context.Context, query string, args ...any) row {
	st, err := s.rstmt(ctx, query)
	if err != nil {
		return row{err: err}
	}
	return row{r: st.QueryRowContext(ctx, args...)}
}

// migrate applies the embedded migrations not yet applied, in order, each
// in its own transaction. Migrations are forward-only.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("sqlite: migration %s: bad name", name)
		}
		var n int
		if err := s.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: migrations: %w", err)
		}
		if n > 0 {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil { // a script: not preparable
				return err
			}
			_, err := s.exec(ctx, tx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", base, err)
		}
	}
	return nil
}

// writeOp is one write operation waiting for the writer.
type writeOp struct {
	ctx  context.Context
	fn   func(context.Context, *sql.Tx) error
	done chan error
}

var errClosed = errors.New("sqlite: store closed")

// maxBatch bounds the operations committed together.
const maxBatch = 128

// write runs fn in a write transaction and reports its outcome: fn's
// changes are committed when it returns nil and undone when it returns an
// error. Writes are serialised through one connection; operations that
// arrive while another is running are committed together (group commit),
// each in a savepoint of its own, so that one failing leaves the others
// intact. A commit costs more than most operations, so this multiplies the
// write throughput under load without delaying a lone write.
//
// An operation taken from the queue runs to its end even if its caller
// gives up meanwhile (its context is cancelled): interrupting a statement
// would make SQLite roll back the whole group. One whose context is done
// before it starts is skipped.
func (s *Store) write(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	if s.ops == nil { // before the writer runs (migrations)
		return s.runBatch([]*writeOp{op})
	}
	select {
	case s.ops <- op:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stop:
		return errClosed
	}
	select {
	case err := <-op.done:
		return err
	case <-s.stopped:
		// The writer has gone: it either ran the operation or failed it
		// while draining; if neither, nobody ever will.
		select {
		case err := <-op.done:
			return err
		default:
			return errClosed
		}
	}
}

// writer runs queued operations in batches until the store closes.
func (s *Store) writer() {
	defer close(s.stopped)
	batch := make([]*writeOp, 0, maxBatch)
	for {
		var op *writeOp
		select {
		case op = <-s.ops:
		case <-s.stop:
			for { // fail what was queued
				select {
				case op := <-s.ops:
					op.done <- errClosed
				default:
					return
				}
			}
		}
		batch = append(batch[:0], op)
	more:
		for len(batch) < maxBatch {
			select {
			case op = <-s.ops:
				batch = append(batch, op)
			default:
				break more
			}
		}
		s.runBatch(batch)
	}
}

// runBatch runs operations in one transaction and sends each its result.
// It returns the first operation's result (for the direct path). When a
// savepoint cannot be rolled back (the transaction is gone), the
// operations not yet committed are run again in a new batch.
func (s *Store) runBatch(batch []*writeOp) error {
	results := make([]error, len(batch))
	done := make([]bool, len(batch))
	defer func() {
		s.prepareLater(context.Background())
		for i, op := range batch {
			if done[i] {
				op.done <- results[i]
			}
		}
	}()
	ctx := context.Background()
	for i, op := range batch {
		if err := op.ctx.Err(); err != nil {
			results[i], done[i] = err, true
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		for i := range batch {
			results[i], done[i] = fmt.Errorf("sqlite: begin: %w", err), true
		}
		return results[0]
	}
	single := len(batch) == 1
	for i, op := range batch {
		if done[i] {
			continue
		}
		octx := context.WithoutCancel(op.ctx)
		if single {
			if results[i] = op.fn(octx, tx); results[i] != nil {
				tx.Rollback()
				done[i] = true
				return results[0]
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT op"); err != nil {
			results[i], done[i] = fmt.Errorf("sqlite: savepoint: %w", err), true
			continue
		}
		err := op.fn(octx, tx)
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO op"); rerr != nil {
				// SQLite rolled the whole transaction back (a statement
				// it could not undo alone): this operation failed; redo
				// the others, which were lost with it.
				tx.Rollback()
				results[i], done[i] = err, true
				var again []*writeOp
				for j, o := range batch {
					if !done[j] {
						again = append(again, o)
					}
				}
				if len(again) > 0 {
					s.runBatch(again)
				}
				return results[0]
			}
		}
		if _, rerr := tx.ExecContext(ctx, "RELEASE op"); rerr != nil {
			tx.Rollback()
			for j := range batch {
				if !done[j] {
					results[j], done[j] = fmt.Errorf("sqlite: release savepoint: %w", rerr), true
				}
			}
			return results[0]
		}
		results[i] = err
	}
	err = tx.Commit()
	for i := range batch {
		if done[i] {
			continue
		}
		if results[i] == nil && err != nil {
			results[i] = fmt.Errorf("sqlite: commit: %w", err)
		}
		done[i] = true
	}
	return results[0]
}

// Time columns.

func ms(t time.Time) int64 { return t.UnixMilli() }

func msPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).In(trackpush.CST) }

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}
