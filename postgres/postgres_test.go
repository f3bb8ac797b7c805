package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/storetest"
)

const skipMessage = "PostgreSQL tests need TRACKPUSH_TEST_POSTGRES=postgres://… (see README)"

// testDSN returns the test database's DSN, or skips the test.
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("TRACKPUSH_TEST_POSTGRES")
	if dsn == "" {
		t.Skip(skipMessage)
	}
	return dsn
}

// newSchema creates an empty schema for one test, dropped when the test
// ends, and returns a DSN whose search_path names it.
func newSchema(t *testing.T) string {
	t.Helper()
	base := testDSN(t)
	name := "tp_" + randomHex(6)
	adminExec(t, base, "CREATE SCHEMA "+name)
	t.Cleanup(func() { adminExec(t, base, "DROP SCHEMA "+name+" CASCADE") })
	return withParam(base, "search_path", name)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// withParam adds a run-time parameter to a DSN (a URL or key=value pairs).
func withParam(dsn, key, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set(key, value)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " " + key + "=" + value
}

// adminExec runs a statement on a connection of its own.
func adminExec(t *testing.T, dsn, sql string, args ...any) {
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

// openStore opens a store (a "node") closed when the test ends.
func openStore(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	testDSN(t)
	storetest.Run(t, func(t *testing.T) trackpush.Store {
		s, err := Open(context.Background(), newSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
