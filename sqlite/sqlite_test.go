package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/sqlite"
	"github.com/trackpush/trackpush/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) trackpush.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a := &trackpush.Account{Name: "a", AppCode: "app", Key: "key", Quota: 3}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path) // migrations already applied
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := trackpush.Authenticate(ctx, s, "app", "", a.CreatedAt, true); err != nil || got.ID != a.ID {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
}

func TestMigrationUpperNumbers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	storetest.UpperNumbers(t, func() trackpush.Store {
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, func() {
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`DELETE FROM schema_migrations WHERE version = 6`); err != nil {
			t.Fatal(err)
		}
	})
}
