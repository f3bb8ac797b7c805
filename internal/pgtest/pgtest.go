// Package pgtest gives tests a PostgreSQL database: a fresh schema in the
// server named by TRACKPUSH_TEST_POSTGRES, or a private cluster of their
// own (for tests that restart PostgreSQL).
//
// Without TRACKPUSH_TEST_POSTGRES the tests skip with a message, unless
// TRACKPUSH_REQUIRE_POSTGRES is set (CI): then they fail, so that a CI run
// cannot pass by skipping them.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// SkipMessage is shown when PostgreSQL tests are skipped.
const SkipMessage = "PostgreSQL tests need TRACKPUSH_TEST_POSTGRES=postgres://… (see README)"

// DSN returns the test server's DSN, or skips (fails, when PostgreSQL is
// required) the test.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("TRACKPUSH_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("TRACKPUSH_REQUIRE_POSTGRES") != "" {
			t.Fatal("TRACKPUSH_REQUIRE_POSTGRES is set but TRACKPUSH_TEST_POSTGRES is not: " + SkipMessage)
		}
		t.Skip(SkipMessage)
	}
	return dsn
}

// Schema creates an empty schema for one test in the test server, dropped
// when the test ends, and returns a DSN whose search_path names it.
func Schema(t testing.TB) string {
	t.Helper()
	base := DSN(t)
	name := "tp_" + RandomHex(6)
	Exec(t, base, "CREATE SCHEMA "+name)
	t.Cleanup(func() { Exec(t, base, "DROP SCHEMA "+name+" CASCADE") })
	return WithParam(base, "search_path", name)
}

// RandomHex returns n random bytes in hex.
func RandomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// WithParam adds a run-time parameter to a DSN (a URL or key=value pairs).
func WithParam(dsn, key, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			q.Set(key, value)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " " + key + "=" + value
}

// Exec runs a statement on a connection of its own.
func Exec(t testing.TB, dsn, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// Cluster is a private PostgreSQL server a test may stop and restart
// without disturbing anyone else.
type Cluster struct {
	t    testing.TB
	bin  string // the server's bin directory
	dir  string // its data directory
	Port int
	DSN  string
}

// StartCluster starts a private PostgreSQL server listening on a Unix
// socket only (initdb as the postgres user, trust auth, fsync off): no TCP
// port to race other processes for while it restarts. It needs the
// machine's PostgreSQL binaries and root (to run them as postgres); it
// skips when they are missing unless PostgreSQL is required.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	DSN(t) // the same skip/require rule as the other PostgreSQL tests
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 || os.Geteuid() != 0 {
		msg := "a private PostgreSQL cluster needs the server binaries (/usr/lib/postgresql/*/bin) and root"
		if os.Getenv("TRACKPUSH_REQUIRE_POSTGRES") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	c := &Cluster{t: t, bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "trackpush-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = filepath.Join(dir, "data")
	t.Cleanup(func() {
		c.pgctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if out, err := exec.Command("chown", "-R", "postgres:postgres", dir).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	// The port only names the socket file.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if out, err := c.run("initdb", "-D", c.dir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.Start()
	c.DSN = fmt.Sprintf("postgres://postgres@/postgres?host=%s&port=%d&sslmode=disable", dir, c.Port)
	return c
}

func (c *Cluster) run(tool string, args ...string) ([]byte, error) {
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(c.bin, tool)}, args...)...)
	cmd.Dir = "/"
	return cmd.CombinedOutput()
}

func (c *Cluster) pgctl(args ...string) ([]byte, error) {
	return c.run("pg_ctl", append([]string{"-D", c.dir, "-w", "-t", "60"}, args...)...)
}

// Start starts the server (again).
func (c *Cluster) Start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -c listen_addresses='' -c unix_socket_directories=%s -c fsync=off -c max_connections=200", c.Port, filepath.Dir(c.dir))
	if out, err := c.pgctl("-o", opts, "-l", filepath.Join(filepath.Dir(c.dir), "log"), "start"); err != nil {
		c.t.Fatalf("pg_ctl start: %v\n%s", err, out)
	}
}

// Stop stops the server, fast: sessions are cut, committed data stays.
func (c *Cluster) Stop() {
	c.t.Helper()
	if out, err := c.pgctl("-m", "fast", "stop"); err != nil {
		c.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// Restart stops and starts the server.
func (c *Cluster) Restart() {
	c.t.Helper()
	c.Stop()
	time.Sleep(100 * time.Millisecond) // let the port be released
	c.Start()
}
