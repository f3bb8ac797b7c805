package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// OpenServer opens the database file at path for a server: the one process
// that claims and pushes. It holds an exclusive lock on a lock file beside
// the database (path + ".lock", holding the server's process id) for as
// long as the store is open, so that a second server on the same file is
// refused with an error naming the file and the holder. The operating
// system drops the lock when its holder exits, however it exits, so the
// claims a server finds in the database at open are provably dead — left by
// a server that crashed — and are released at once (the pushes they covered
// are made again: at-least-once). Tools open the file with Open, beside a
// live server, and release nothing.
//
// Where the platform has no file lock (see lockFile), no claim is released
// at open: each runs out with its lease instead.
func OpenServer(ctx context.Context, path string) (*Store, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("sqlite: %s is a directory, not a database file", path)
	}
	lock, locked, err := lockFile(path + ".lock")
	if err != nil {
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("sqlite: %s is in use by another trackpush server%s; one server per SQLite file (several nodes need PostgreSQL)", path, holder(path+".lock"))
		}
		return nil, fmt.Errorf("sqlite: lock %s.lock: %w", path, err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		lock.Close()
		return nil, err
	}
	s.lock = lock
	if locked {
		if err := s.releaseDeadClaims(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// errLocked says another process holds the lock.
var errLocked = errors.New("locked")

// holder describes the process named in a lock file, for the error.
func holder(lockPath string) string {
	b, err := os.ReadFile(lockPath)
	if err != nil {
		return ""
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
		return fmt.Sprintf(" (process %d holds %s)", pid, lockPath)
	}
	return ""
}

// releaseDeadClaims releases the push and poll claims a dead server left.
func (s *Store) releaseDeadClaims(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE subscriptions SET lease_until = NULL, claim = 0 WHERE lease_until IS NOT NULL`); err != nil {
		return fmt.Errorf("sqlite: release dead claims: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE shipments SET poll_lease_until = NULL WHERE poll_lease_until IS NOT NULL`); err != nil {
		return fmt.Errorf("sqlite: release dead poll claims: %w", err)
	}
	return nil
}
