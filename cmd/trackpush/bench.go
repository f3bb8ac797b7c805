package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/api"
	"github.com/trackpush/trackpush/callback"
	"github.com/trackpush/trackpush/enrich"
	"github.com/trackpush/trackpush/push"
)

func init() {
	register(command{name: "bench", summary: "measure subscribe and push throughput against a live server", run: runBench})
}

// benchResult is what one benchmark run measured.
type benchResult struct {
	Store          string  `json:"store"`
	Nodes          int     `json:"nodes"`
	Accounts       int     `json:"accounts"`
	Subscriptions  int     `json:"subscriptions"`
	SubscribePerS  float64 `json:"subscribePerSecond"`
	SubscribeP50MS float64 `json:"subscribeP50Ms"`
	SubscribeP99MS float64 `json:"subscribeP99Ms"`
	Pushes         int     `json:"pushes"`
	PushesPerS     float64 `json:"pushesPerSecond"`
	BaselinePerS   float64 `json:"baselinePostsPerSecond"`
	PushRatio      float64 `json:"pushToBaselineRatio"`
}

func runBench(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", stderr)
	n := fs.Int("n", 20000, "subscriptions (each gets one event, so one push)")
	clients := fs.Int("clients", 32, "concurrent subscribe clients")
	db := fs.String("db", "", "an empty database: a SQLite file, or a PostgreSQL DSN (postgres://USER@HOST:5432/DBNAME?sslmode=disable&search_path=bench); default: a temporary SQLite file")
	workers := fs.Int("workers", 64, "pushes in flight per node")
	nodes := fs.Int("nodes", 1, "server nodes sharing the database (PostgreSQL only for more than one)")
	accounts := fs.Int("accounts", 1, "subscriber accounts the subscriptions are spread over")
	jsonOut := fs.Bool("json", false, "print the result as JSON")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *db == "" {
		dir, err := os.MkdirTemp("", "trackpush-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*db = filepath.Join(dir, "bench.db")
	}
	res, err := Bench(ctx, BenchConfig{DB: *db, N: *n, Clients: *clients, Workers: *workers, Nodes: *nodes, Accounts: *accounts, Log: stderr})
	if err != nil {
		return err
	}
	if *jsonOut {
		return writeJSONLine(stdout, res)
	}
	fmt.Fprintf(stdout, "store %s, %d node(s), %d subscriptions over %d account(s)\n", res.Store, res.Nodes, res.Subscriptions, res.Accounts)
	fmt.Fprintf(stdout, "subscribe: %.0f/s, p50 %.2f ms, p99 %.2f ms (%d clients)\n", res.SubscribePerS, res.SubscribeP50MS, res.SubscribeP99MS, *clients)
	fmt.Fprintf(stdout, "push:      %.0f/s to a loopback receiver (%d pushes)\n", res.PushesPerS, res.Pushes)
	fmt.Fprintf(stdout, "baseline:  %.0f/s bare Go HTTP posts of the same bodies to the same receiver; push/baseline = %.2f\n", res.BaselinePerS, res.PushRatio)
	return nil
}

// BenchConfig configures Bench.
type BenchConfig struct {
	DB       string
	N        int
	Clients  int
	Workers  int
	Nodes    int // server nodes on the database (default 1)
	Accounts int // accounts the subscriptions are spread over (default 1)
	Log      io.Writer
}

// Bench runs a server on cfg.DB, subscribes N shipments through the API
// with Clients concurrent clients (measuring throughput and latency), then
// ingests one event for each and measures how fast the pushes reach a
// loopback receiver, against a baseline: bare Go HTTP posts of the same
// bodies to the same receiver, measured in the same run.
func Bench(ctx context.Context, cfg BenchConfig) (*benchResult, error) {
	// The receiver: acknowledges every push and counts them.
	var got atomic.Int64
	done := make(chan struct{})
	target := int64(cfg.N)
	recv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"result":true,"returnCode":"200","message":"成功"}`)
		if got.Add(1) == target {
			close(done)
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go recv.Serve(ln)
	defer recv.Close()
	recvURL := "http://" + ln.Addr().String() + "/cb"

	if cfg.Nodes < 1 {
		cfg.Nodes = 1
	}
	if cfg.Nodes > 1 && !isPostgres(cfg.DB) {
		return nil, fmt.Errorf("bench: %d nodes need a PostgreSQL database (--db postgres://…)", cfg.Nodes)
	}
	if err := checkEmpty(ctx, cfg.DB); err != nil {
		return nil, err
	}
	secret, err := os.CreateTemp("", "trackpush-bench-secret-")
	if err != nil {
		return nil, err
	}
	secret.Close()
	os.Remove(secret.Name()) // created by the first node, shared by all
	defer os.Remove(secret.Name())
	mains := make([]*Main, cfg.Nodes)
	for i := range mains {
		m := NewMain()
		m.Config.Addr = "127.0.0.1:0"
		m.Config.DB = cfg.DB
		m.Config.AllowPrivateCallbacks = true
		m.Config.IngestToken = "bench"
		m.Config.Workers = cfg.Workers
		m.Config.PerHost = cfg.Workers
		m.Config.PerAccount = cfg.Workers
		m.Config.SecretFile = secret.Name()
		m.Config.NodeName = fmt.Sprintf("bench%d", i+1)
		m.holdPushes = true
		if err := m.Open(ctx); err != nil {
			return nil, err
		}
		defer m.Close()
		mains[i] = m
	}
	m := mains[0]
	if cfg.Accounts < 1 {
		cfg.Accounts = 1
	}
	accts := make([]*trackpush.Account, cfg.Accounts)
	for i := range accts {
		accts[i], _ = api.NewAccount(fmt.Sprintf("bench%d", i), cfg.N*2, "")
		if err := m.Store.CreateAccount(ctx, accts[i]); err != nil {
			return nil, err
		}
	}
	res := &benchResult{Store: storeKind(cfg.DB), Nodes: cfg.Nodes, Accounts: cfg.Accounts, Subscriptions: cfg.N}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients * 2}}
	prefix := fmt.Sprintf("BN%d", time.Now().UnixNano()%1e6)
	number := func(i int) string { return fmt.Sprintf("%s%08d", prefix, i) }

	// Phase 1: subscriptions.
	lat := make([]time.Duration, cfg.N)
	var failed atomic.Int64
	start := time.Now()
	parallel(cfg.Clients, cfg.N, func(i int) {
		body, _ := json.Marshal(map[string]any{"company": "yuantong", "number": number(i),
			"from": "广东省深圳市南山区", "to": "北京市朝阳区", "key": accts[i%len(accts)].Key,
			"parameters": map[string]any{"callbackurl": recvURL, "salt": "b", "resultv2": "5"}})
		t0 := time.Now()
		resp, err := client.Post(mains[i%len(mains)].URL()+"/trackpush/callback", "application/json", bytes.NewReader(body))
		if err != nil {
			failed.Add(1)
			return
		}
		var a trackpush.Answer
		json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		lat[i] = time.Since(t0)
		if a.ReturnCode != "200" {
			failed.Add(1)
		}
	})
	elapsed := time.Since(start)
	if f := failed.Load(); f > 0 {
		return nil, fmt.Errorf("bench: %d subscriptions failed", f)
	}
	res.SubscribePerS = float64(cfg.N) / elapsed.Seconds()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	res.SubscribeP50MS = float64(lat[cfg.N/2].Microseconds()) / 1000
	res.SubscribeP99MS = float64(lat[cfg.N*99/100].Microseconds()) / 1000

	// Phase 2: pushes. The push engine was held back at start: one event
	// per shipment makes every subscription due, then the engine drains
	// them and the clock runs until the receiver has them all.
	evs := []trackpush.RawEvent{{Time: "2025-06-16 10:00:00", Context: "【深圳转运中心】 已发出 下一站 【北京转运中心】"}}
	parallel(cfg.Clients, cfg.N, func(i int) {
		if _, _, err := mains[i%len(mains)].Ingester.Ingest(ctx, "yuantong", number(i), evs); err != nil {
			failed.Add(1)
		}
	})
	if f := failed.Load(); f > 0 {
		return nil, fmt.Errorf("bench: %d ingests failed", f)
	}
	start = time.Now()
	for _, m := range mains {
		m.Pusher.Start(ctx)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		return nil, fmt.Errorf("bench: only %d/%d pushes arrived", got.Load(), cfg.N)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	res.Pushes = cfg.N
	res.PushesPerS = float64(cfg.N) / time.Since(start).Seconds()

	// Baseline: the same number of form posts of a typical push body, with
	// the same concurrency, from a bare Go client.
	h, hevs, err := m.Store.Shipment(ctx, "yuantong", number(0))
	if err != nil {
		return nil, err
	}
	sub, err := m.Store.Subscription(ctx, 1)
	if err != nil {
		return nil, err
	}
	p := enrich.Param(&trackpush.PushJob{Sub: sub, Shipment: h, Events: hevs}, time.Now())
	param, _ := push.EncodeParam(&p)
	body := url.Values{"param": {string(param)}, "sign": {callback.Sign(string(param), "b")}}.Encode()
	bc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Workers}}
	start = time.Now()
	parallel(cfg.Workers, cfg.N, func(int) {
		resp, err := bc.Post(recvURL, "application/x-www-form-urlencoded", strings.NewReader(body))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	res.BaselinePerS = float64(cfg.N) / time.Since(start).Seconds()
	res.PushRatio = res.PushesPerS / res.BaselinePerS
	return res, nil
}

// parallel calls fn(i) for every i in [0, n) from workers goroutines and
// returns when all calls have.
func parallel(workers, n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

func storeKind(db string) string {
	if strings.HasPrefix(db, "postgres") {
		return "postgres"
	}
	return "sqlite"
}

// checkEmpty refuses a database that holds accounts or subscriptions: the
// bench's figures would mix with what is there, and it would leave its
// own data behind.
func checkEmpty(ctx context.Context, db string) error {
	store, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	accts, err := store.Accounts(ctx)
	if err != nil {
		return err
	}
	st, err := store.Stats(ctx, time.Now())
	if err != nil {
		return err
	}
	subs := int64(0)
	for _, n := range st.Subscriptions {
		subs += n
	}
	if len(accts) > 0 || subs > 0 {
		return fmt.Errorf("bench: the database %s is not empty (%d accounts, %d subscriptions); give it an empty database or schema", redactDSN(db), len(accts), subs)
	}
	return nil
}
