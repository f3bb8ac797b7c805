package postgres

import (
	"context"
	"testing"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/internal/pgtest"
	"github.com/trackpush/trackpush/storetest"
)

// testDSN returns the test database's DSN, or skips the test.
func testDSN(t *testing.T) string { return pgtest.DSN(t) }

// newSchema creates an empty schema for one test.
func newSchema(t *testing.T) string { return pgtest.Schema(t) }

func randomHex(n int) string { return pgtest.RandomHex(n) }

func withParam(dsn, key, value string) string { return pgtest.WithParam(dsn, key, value) }

func adminExec(t *testing.T, dsn, sql string, args ...any) { pgtest.Exec(t, dsn, sql, args...) }

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

func TestMigrationUpperNumbers(t *testing.T) {
	dsn := newSchema(t)
	storetest.UpperNumbers(t, func() trackpush.Store {
		s, err := Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, func() { adminExec(t, dsn, `DELETE FROM schema_migrations WHERE version = 4`) })
}
