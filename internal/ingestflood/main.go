// Command ingestflood posts N ingest requests of about 8 MiB each (the
// largest body POST /v1/events takes) to a trackpush server at once, and
// prints the HTTP status of each answer. With the server's peak RSS
// (VmHWM in /proc/PID/status) it measures what --ingest-memory bounds;
// the README's Security section shows the commands.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/v1/events", "the ingest endpoint")
	token := flag.String("token", "", "the ingest token")
	n := flag.Int("n", 16, "requests at once")
	flag.Parse()
	bodies := make([][]byte, *n)
	for i := range bodies {
		evs := make([]map[string]string, 0, 1000)
		for j := 0; j < 1000; j++ {
			evs = append(evs, map[string]string{
				"time":    fmt.Sprintf("2025-01-01 %02d:%02d:%02d", j/3600, j/60%60, j%60),
				"context": fmt.Sprintf("%d 【广东省深圳市】", j) + strings.Repeat("快件已到达深圳转运中心", 180),
			})
		}
		b, _ := json.Marshal(map[string]any{"com": "yuantong", "nu": fmt.Sprintf("YT%010d", i), "events": evs})
		if pad := 8<<20 - 1 - len(b); pad > 0 {
			b = append(b, bytes.Repeat([]byte(" "), pad)...)
		}
		bodies[i] = b
	}
	codes := make([]int, *n)
	var wg sync.WaitGroup
	for i, b := range bodies {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", *url, bytes.NewReader(b))
			req.Header.Set("Authorization", "Bearer "+*token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	fmt.Println(codes)
}
