package main

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/trackpush/trackpush/internal/pgtest"
)

// TestReadiness: /readyz fails while the migrations run (another node
// holds the migration lock) and while the store is unreachable
// (PostgreSQL stopped), and passes otherwise; /healthz stays 200
// throughout, and the API answers 503 with Retry-After until it is ready.
func TestReadiness(t *testing.T) {
	cluster := pgtest.StartCluster(t)
	ctx := context.Background()
	// Hold the migration lock as a node migrating the database would
	// (the store's lock: its class, then a hash of the schema's name).
	conn, err := pgx.Connect(ctx, cluster.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	h := fnv.New32a()
	h.Write([]byte("public"))
	const lockMigrate = 0x7470_0001
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, $2)`, int32(lockMigrate), int32(h.Sum32())); err != nil {
		t.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain()
	m.Listener = ln
	m.Config.DB = cluster.DSN
	m.Config.SecretFile = filepath.Join(t.TempDir(), "secret")
	opened := make(chan error, 1)
	go func() { opened <- m.Open(ctx) }()
	t.Cleanup(func() { m.Close() })
	base := "http://" + ln.Addr().String()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == 503 && path != "/readyz" && resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", path)
		}
		return resp.StatusCode, string(b)
	}
	waitFor(t, "readyz to say the migrations run", func() bool {
		code, body := get("/readyz")
		return code == 503 && strings.Contains(body, "migrating")
	})
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("healthz while migrating: %d", code)
	}
	code, b := get("/companies")
	var e map[string]string
	if code != 503 || json.Unmarshal([]byte(b), &e) != nil || !strings.Contains(e["error"], "starting") {
		t.Fatalf("the API while migrating: %d %s", code, b)
	}

	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, int32(lockMigrate), int32(h.Sum32())); err != nil {
		t.Fatal(err)
	}
	if err := <-opened; err != nil {
		t.Fatal(err)
	}
	if code, body := get("/readyz"); code != 200 {
		t.Fatalf("readyz once open: %d %s", code, body)
	}

	cluster.Stop()
	waitFor(t, "readyz to fail without the store", func() bool {
		code, body := get("/readyz")
		return code == 503 && strings.Contains(body, "store unavailable")
	})
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("healthz without the store: %d", code)
	}
	cluster.Start()
	waitFor(t, "readyz to pass again", func() bool { code, _ := get("/readyz"); return code == 200 })
}
