package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestClusterRestart(t *testing.T) {
	c := StartCluster(t)
	Exec(t, c.DSN, "CREATE TABLE x (v int)")
	Exec(t, c.DSN, "INSERT INTO x VALUES (1)")
	c.Restart()
	conn, err := pgx.Connect(context.Background(), c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM x").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after restart: %d %v", n, err)
	}
}
