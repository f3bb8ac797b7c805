package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/sqlite"
)

// buildBinary builds trackpush into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "trackpush")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer starts the binary and waits until it answers.
func startServer(t *testing.T, bin, addr, db string, extra ...string) *exec.Cmd {
	t.Helper()
	args := append([]string{"serve", "--addr", addr, "--db", db, "--allow-private-callbacks",
		"--ingest-token", "tok", "--admin-token", "adm", "--log-level", "warn"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCrashDuringPushStorm kills the real binary with SIGKILL while
// subscriptions, events and pushes are in flight, restarts it on the same
// database, and checks that nothing accepted was lost, every
// subscription's final state was delivered, and duplicate deliveries are
// bounded by the pushes that were in flight.
func TestCrashDuringPushStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	db := filepath.Join(dir, "crash.db")
	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	acct := &trackpush.Account{Name: "crash", AppCode: "crash-app", Key: "crash-key", KeyPrefix: "crash-", Quota: 10000}
	if err := store.CreateAccount(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	store.Close()

	// The receiver acknowledges everything and counts identical pushes.
	var mu sync.Mutex
	seen := map[string]int{}       // param → deliveries
	lastEvents := map[string]int{} // number → most events seen in a push
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		param := r.PostForm.Get("param")
		var p trackpush.PushParam
		json.Unmarshal([]byte(param), &p)
		mu.Lock()
		seen[param]++
		if n := len(p.LastResult.Data); n > lastEvents[p.LastResult.Nu] {
			lastEvents[p.LastResult.Nu] = n
		}
		mu.Unlock()
		io.WriteString(w, `{"result":true,"returnCode":"200","message":"成功"}`)
	}))
	defer recv.Close()

	addr := freePort(t)
	srv := startServer(t, bin, addr, db, "--workers", "16")
	defer func() { srv.Process.Kill(); srv.Wait() }()

	const subs, batches, perBatch = 120, 4, 3
	numbers := make([]string, subs)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("YT%013d", 7000000000000+i)
	}
	// Every request is retried until it gets an answer: that is what a
	// client does when the server is down, and the protocol's dedupe makes
	// a repeat harmless (a repeated subscription answers 501).
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(path, ctype, auth string, body []byte) (int, []byte) {
		for {
			req, _ := http.NewRequest("POST", "http://"+addr+path, bytes.NewReader(body))
			req.Header.Set("Content-Type", ctype)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := client.Do(req)
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode < 500 {
					return resp.StatusCode, b
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	var accepted atomic.Int64
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				nu := numbers[i]
				body, _ := json.Marshal(map[string]any{"company": "yuantong", "number": nu, "from": "广东省深圳市", "to": "北京市朝阳区",
					"key": "crash-key", "parameters": map[string]any{"callbackurl": recv.URL, "salt": "x", "resultv2": "5"}})
				_, b := post("/trackpush/callback", "application/json", "", body)
				var a trackpush.Answer
				json.Unmarshal(b, &a)
				if a.ReturnCode != "200" && a.ReturnCode != "501" {
					t.Errorf("subscribe %s: %s", nu, b)
					continue
				}
				for k := 0; k < batches; k++ {
					var evs []trackpush.RawEvent
					for e := 0; e < perBatch; e++ {
						n := k*perBatch + e
						evs = append(evs, trackpush.RawEvent{Time: fmt.Sprintf("2025-06-%02d 10:%02d:00", 1+n/10, n%60), Context: fmt.Sprintf("【深圳转运中心】 已收入 %d", n)})
					}
					eb, _ := json.Marshal(map[string]any{"com": "yuantong", "nu": nu, "events": evs})
					if code, b := post("/v1/events", "application/json", "Bearer tok", eb); code != 200 {
						t.Errorf("ingest %s: %d %s", nu, code, b)
					}
					accepted.Add(1)
				}
			}
		}()
	}
	// Kill the server in the middle of the storm, then restart it.
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		for accepted.Load() < subs*batches/3 {
			time.Sleep(time.Millisecond)
		}
		srv.Process.Signal(syscall.SIGKILL)
		srv.Wait()
		srv = startServer(t, bin, addr, db, "--workers", "16")
	}()
	for i := range numbers {
		work <- i
	}
	close(work)
	wg.Wait()
	<-killed

	// Every subscription's final state (all events) is delivered.
	want := batches * perBatch
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		done := 0
		for _, nu := range numbers {
			if lastEvents[nu] == want {
				done++
			}
		}
		mu.Unlock()
		if done == subs {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d/%d subscriptions got their final state", done, subs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()

	// Nothing accepted was lost.
	store, err = sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, nu := range numbers {
		h, evs, err := store.Shipment(context.Background(), "yuantong", nu)
		if err != nil || h == nil || len(evs) != want {
			t.Fatalf("%s: shipment %v with %d events (%v)", nu, h != nil, len(evs), err)
		}
	}
	accts, _ := store.Accounts(context.Background())
	if accts[0].Used != subs {
		t.Errorf("quota used %d, want %d (one per accepted subscription)", accts[0].Used, subs)
	}
	// Duplicates are bounded by what was in flight at the kill (16 workers,
	// plus the completions not yet recorded).
	mu.Lock()
	dups := 0
	for _, n := range seen {
		dups += n - 1
	}
	mu.Unlock()
	t.Logf("%d pushes delivered, %d duplicate deliveries after the crash", len(seen), dups)
	if dups > 2*16 {
		t.Errorf("%d duplicate deliveries, more than the pushes in flight", dups)
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
