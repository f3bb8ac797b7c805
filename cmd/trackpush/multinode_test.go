package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/internal/pgtest"
	"github.com/trackpush/trackpush/postgres"
)

// pushLog is a receiver that records every push: which node sent it, how
// many events it carried, and how many pushes of one number were in flight
// at once.
type pushLog struct {
	mu        sync.Mutex
	byParam   map[[32]byte]map[string]int // param → node → deliveries
	events    map[string]int              // number → most events seen
	inflight  map[string]int
	maxFlight int
	byNode    map[string]int
	// hold, when set, names a node whose pushes are held unanswered (as
	// by a receiver that hangs) until the node goes away; heldAt records
	// when each held number's push came, and later when another node
	// first delivered it.
	hold      string
	heldAt    map[string]time.Time
	takenOver map[string]time.Time
}

func newPushLog() *pushLog {
	return &pushLog{byParam: map[[32]byte]map[string]int{}, events: map[string]int{}, inflight: map[string]int{}, byNode: map[string]int{},
		heldAt: map[string]time.Time{}, takenOver: map[string]time.Time{}}
}

func (l *pushLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	param := r.PostForm.Get("param")
	var p trackpush.PushParam
	json.Unmarshal([]byte(param), &p)
	nu, node := p.LastResult.Nu, strings.TrimPrefix(r.UserAgent(), "trackpush/")
	l.mu.Lock()
	if l.hold != "" && node == l.hold {
		if _, ok := l.heldAt[nu]; !ok {
			l.heldAt[nu] = time.Now()
		}
		l.mu.Unlock()
		<-r.Context().Done() // the node died: the connection is gone
		return
	}
	if _, held := l.heldAt[nu]; held && node != l.hold {
		if _, ok := l.takenOver[nu]; !ok {
			l.takenOver[nu] = time.Now()
		}
	}
	l.inflight[nu]++
	if l.inflight[nu] > l.maxFlight {
		l.maxFlight = l.inflight[nu]
	}
	l.mu.Unlock()
	time.Sleep(time.Millisecond) // a receiver takes a moment: overlaps would show
	l.mu.Lock()
	l.inflight[nu]--
	k := sha256.Sum256([]byte(param))
	if l.byParam[k] == nil {
		l.byParam[k] = map[string]int{}
	}
	l.byParam[k][node]++
	l.byNode[node]++
	if n := len(p.LastResult.Data); n > l.events[nu] {
		l.events[nu] = n
	}
	l.mu.Unlock()
	io.WriteString(w, `{"result":true,"returnCode":"200","message":"成功"}`)
}

// complete counts the numbers whose push carried want events.
func (l *pushLog) complete(numbers []string, want int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, nu := range numbers {
		if l.events[nu] >= want {
			n++
		}
	}
	return n
}

// crossNode counts the versions delivered by more than one node.
func (l *pushLog) crossNode() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, nodes := range l.byParam {
		if len(nodes) > 1 {
			n++
		}
	}
	return n
}

// cluster is a few trackpush nodes on one database, and a load that
// subscribes numbers and ingests their events through any live node.
type cluster struct {
	t       *testing.T
	bin     string
	db      string
	secret  string
	mu      sync.Mutex
	nodes   map[string]*exec.Cmd
	addrs   map[string]string
	recv    *httptest.Server
	log     *pushLog
	numbers []string
}

const (
	mnEvents  = 6 // per number, in 3 batches of 2
	mnLease   = 30 * time.Second
	mnWorkers = 16
)

func newCluster(t *testing.T, db string, n int) *cluster {
	t.Helper()
	dir := t.TempDir()
	c := &cluster{t: t, bin: buildBinary(t, dir), db: db, secret: filepath.Join(dir, "secret"),
		nodes: map[string]*exec.Cmd{}, addrs: map[string]string{}, log: newPushLog()}
	c.recv = httptest.NewServer(c.log)
	t.Cleanup(c.recv.Close)
	store, err := postgres.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	acct := &trackpush.Account{Name: "mn", AppCode: "mn-app", Key: "mn-key", KeyPrefix: "mn-key", Quota: 100000}
	if err := store.CreateAccount(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	store.Close()
	for i := 0; i < n; i++ {
		c.start(fmt.Sprintf("node%d", i+1))
	}
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, cmd := range c.nodes {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return c
}

func (c *cluster) start(name string) {
	addr := freePort(c.t)
	cmd := startServer(c.t, c.bin, addr, c.db, "--node", name, "--secret-file", c.secret, "--push-lease", mnLease.String(), "--workers", fmt.Sprint(mnWorkers))
	c.mu.Lock()
	c.nodes[name], c.addrs[name] = cmd, addr
	c.mu.Unlock()
}

func (c *cluster) kill(name string) {
	c.mu.Lock()
	cmd := c.nodes[name]
	delete(c.nodes, name)
	delete(c.addrs, name)
	c.mu.Unlock()
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

// post sends a request to a live node, trying the others (and again)
// until one answers, as a load balancer in front of the nodes would.
func (c *cluster) post(i int, path, auth string, body []byte) []byte {
	client := &http.Client{Timeout: 10 * time.Second}
	for try := 0; ; try++ {
		c.mu.Lock()
		var addrs []string
		for _, a := range c.addrs {
			addrs = append(addrs, a)
		}
		c.mu.Unlock()
		if len(addrs) > 0 {
			addr := addrs[(i+try)%len(addrs)]
			req, _ := http.NewRequest("POST", "http://"+addr+path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			if resp, err := client.Do(req); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode < 500 && !bytes.Contains(b, []byte(`"returnCode":"500"`)) {
					return b
				}
			}
		}
		if try > 3000 {
			c.t.Errorf("no node answered %s", path)
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// load subscribes n numbers and ingests their events, 8 clients at once;
// progress counts requests done.
func (c *cluster) load(n int, progress *atomic.Int64) {
	c.numbers = make([]string, n)
	for i := range c.numbers {
		c.numbers[i] = fmt.Sprintf("YT%013d", 5000000000000+i)
	}
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				nu := c.numbers[i]
				body, _ := json.Marshal(map[string]any{"company": "yuantong", "number": nu, "from": "广东省深圳市", "to": "北京市朝阳区",
					"key": "mn-key", "parameters": map[string]any{"callbackurl": c.recv.URL, "salt": "x", "resultv2": "5"}})
				b := c.post(i, "/trackpush/callback", "", body)
				if !bytes.Contains(b, []byte(`"returnCode":"200"`)) && !bytes.Contains(b, []byte(`"returnCode":"501"`)) {
					c.t.Errorf("subscribe %s: %s", nu, b)
				}
				progress.Add(1)
				for k := 0; k < mnEvents/2; k++ {
					evs := []trackpush.RawEvent{
						{Time: fmt.Sprintf("2025-06-%02d 08:00:00", 2+k), Context: fmt.Sprintf("【深圳转运中心】 已收入 %d", 2*k)},
						{Time: fmt.Sprintf("2025-06-%02d 09:00:00", 2+k), Context: fmt.Sprintf("【深圳转运中心】 已发出 %d", 2*k+1)},
					}
					eb, _ := json.Marshal(map[string]any{"com": "yuantong", "nu": nu, "events": evs})
					c.post(i+k+1, "/v1/events", "Bearer tok", eb)
					progress.Add(1)
				}
			}
		}()
	}
	for i := range c.numbers {
		work <- i
	}
	close(work)
	wg.Wait()
}

// waitDelivered waits until every number's final state was pushed.
func (c *cluster) waitDelivered(within time.Duration) time.Duration {
	start := time.Now()
	for c.log.complete(c.numbers, mnEvents) < len(c.numbers) {
		if time.Since(start) > within {
			c.t.Fatalf("only %d/%d final states delivered after %s", c.log.complete(c.numbers, mnEvents), len(c.numbers), within)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// checkStored checks that every accepted subscription and event is in the
// database.
func (c *cluster) checkStored() {
	store, err := postgres.Open(context.Background(), c.db)
	if err != nil {
		c.t.Fatal(err)
	}
	defer store.Close()
	for _, nu := range c.numbers {
		h, evs, err := store.Shipment(context.Background(), "yuantong", nu)
		if err != nil || h == nil || len(evs) != mnEvents {
			c.t.Fatalf("%s: shipment %v with %d events (%v)", nu, h != nil, len(evs), err)
		}
	}
	accts, _ := store.Accounts(context.Background())
	if accts[0].Used != len(c.numbers) {
		c.t.Errorf("quota used %d, want %d", accts[0].Used, len(c.numbers))
	}
}

// TestMultiNodePostgres runs two server processes on one PostgreSQL
// database under a load of subscriptions and events: each subscription's
// final state is delivered, never two pushes of one subscription at once,
// and no version by both nodes.
func TestMultiNodePostgres(t *testing.T) {
	db := pgtest.Schema(t)
	c := newCluster(t, db, 2)
	var progress atomic.Int64
	c.load(1500, &progress)
	c.waitDelivered(60 * time.Second)
	c.checkStored()
	if c.log.maxFlight > 1 {
		t.Errorf("%d pushes of one subscription were in flight at once", c.log.maxFlight)
	}
	if n := c.log.crossNode(); n > 0 {
		t.Errorf("%d versions were delivered by both nodes", n)
	}
	t.Logf("pushes by node: %v", c.log.byNode)
	if c.log.byNode["node1"] == 0 || c.log.byNode["node2"] == 0 {
		t.Errorf("one node did all the pushing: %v", c.log.byNode)
	}
}

// TestMultiNodeKill kills one of two nodes with SIGKILL in the middle of
// the load, while pushes it holds are in flight (the receiver does not
// answer them): the other node takes those over when their leases end —
// not before — and finishes the work within the lease time; the versions
// both delivered are bounded by what was in flight.
func TestMultiNodeKill(t *testing.T) {
	db := pgtest.Schema(t)
	c := newCluster(t, db, 2)
	var progress atomic.Int64
	var killedAt time.Time
	done := make(chan struct{})
	go func() {
		defer close(done)
		for progress.Load() < 1200*4/3 {
			time.Sleep(time.Millisecond)
		}
		c.log.mu.Lock()
		c.log.hold = "node1"
		c.log.mu.Unlock()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			c.log.mu.Lock()
			n := len(c.log.heldAt)
			c.log.mu.Unlock()
			if n >= 3 {
				break
			}
		}
		killedAt = time.Now()
		c.kill("node1")
	}()
	c.load(1200, &progress)
	<-done
	took := time.Since(killedAt) + c.waitDelivered(mnLease+15*time.Second)
	t.Logf("all final states delivered %s after the kill (lease %s); pushes by node %v", took.Round(time.Millisecond), mnLease, c.log.byNode)
	c.checkStored()
	if c.log.maxFlight > 1 {
		t.Errorf("%d pushes of one subscription were in flight at once", c.log.maxFlight)
	}
	if n := c.log.crossNode(); n > mnWorkers {
		t.Errorf("%d versions delivered by both nodes, more than the %d node1 had in flight", n, mnWorkers)
	}
	c.log.mu.Lock()
	defer c.log.mu.Unlock()
	if len(c.log.heldAt) == 0 {
		t.Fatal("node1 had no push in flight at the kill: the takeover was not exercised")
	}
	for nu, at := range c.log.heldAt {
		over, ok := c.log.takenOver[nu]
		switch {
		case !ok:
			t.Errorf("%s: node1's push in flight was never taken over", nu)
		case over.Sub(at) < mnLease-2*time.Second:
			t.Errorf("%s: taken over %s after node1 claimed it, before its %s lease ended", nu, over.Sub(at).Round(time.Millisecond), mnLease)
		}
	}
	t.Logf("%d pushes in flight on node1 at the kill, all taken over by node2 after their leases", len(c.log.heldAt))
}

// TestListenWakesOtherNode: work one node makes due wakes another at once
// (NOTIFY/LISTEN), also after PostgreSQL restarts, rather than when that
// node next looks on its own (a minute later).
func TestListenWakesOtherNode(t *testing.T) {
	pg := pgtest.StartCluster(t)
	log := newPushLog()
	recv := httptest.NewServer(log)
	defer recv.Close()
	secret := filepath.Join(t.TempDir(), "secret")
	open := func(name string, hold bool) *Main {
		m := NewMain()
		m.Config.Addr = "127.0.0.1:0"
		m.Config.DB = pg.DSN
		m.Config.AllowPrivateCallbacks = true
		m.Config.IngestToken = "tok"
		m.Config.SecretFile = secret
		m.Config.NodeName = name
		m.Config.PushLease = 30 * time.Second
		m.holdPushes = hold
		if err := m.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	open("pusher", false)    // pushes, and is woken by the other node's work
	b := open("front", true) // takes requests, never pushes
	acct := &trackpush.Account{Name: "l", AppCode: "l-app", Key: "l-key", Quota: 10}
	if err := b.Store.CreateAccount(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	for i, nu := range []string{"YT6000000000001", "YT6000000000002"} {
		body, _ := json.Marshal(map[string]any{"company": "yuantong", "number": nu, "from": "广东省深圳市", "to": "北京市朝阳区",
			"key": "l-key", "parameters": map[string]any{"callbackurl": recv.URL}})
		resp, err := http.Post(b.URL()+"/trackpush/callback", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if i == 1 {
			pg.Restart() // a's listening connection is cut; it must come back
		}
		start := time.Now()
		for { // through b; retried while b reconnects after the restart
			_, _, err := b.Ingester.Ingest(context.Background(), "yuantong", nu, []trackpush.RawEvent{{Time: "2025-06-16 10:00:00", Context: "【深圳转运中心】 已收入"}})
			if err == nil {
				break
			}
			if time.Since(start) > 20*time.Second {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		for log.complete([]string{nu}, 1) == 0 {
			if time.Since(start) > 15*time.Second {
				t.Fatalf("%s: node a was not woken (restart: %v)", nu, i == 1)
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("%s pushed by %v %s after the ingest on the other node", nu, log.byNode, time.Since(start).Round(time.Millisecond))
	}
}

// TestMultiNodePostgresRestart restarts PostgreSQL (a private cluster) in
// the middle of the load: the nodes reconnect and carry on, nothing
// accepted is lost, every final state is delivered.
func TestMultiNodePostgresRestart(t *testing.T) {
	pg := pgtest.StartCluster(t)
	c := newCluster(t, pg.DSN, 2)
	var progress atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for progress.Load() < 800*4/2 {
			time.Sleep(time.Millisecond)
		}
		pg.Restart()
	}()
	c.load(800, &progress)
	<-done
	c.waitDelivered(90 * time.Second)
	c.checkStored()
	if c.log.maxFlight > 1 {
		t.Errorf("%d pushes of one subscription were in flight at once", c.log.maxFlight)
	}
	t.Logf("pushes by node: %v", c.log.byNode)
}
