package autocheck

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/carrier"
	"github.com/trackpush/trackpush/sqlite"
)

// upstreams stands in for the carriers' upstreams, which tests cannot
// reach: which carriers are polled, which numbers each knows, and the
// probes made.
type upstreams struct {
	polled map[string]bool
	known  map[string]bool // com/nu
	fail   map[string]bool // com: the upstream errs
	mu     sync.Mutex
	asked  []string
}

func (u *upstreams) Polls(com string) bool { return u.polled[com] }

func (u *upstreams) Knows(ctx context.Context, com, nu, phone string) (bool, error) {
	u.mu.Lock()
	u.asked = append(u.asked, com)
	u.mu.Unlock()
	if u.fail[com] {
		return false, errors.New("upstream unavailable")
	}
	return u.known[com+"/"+nu], nil
}

func sub(com, nu string) *trackpush.Subscription {
	return &trackpush.Subscription{ID: 1, Com: com, Nu: nu}
}

func TestCorrect(t *testing.T) {
	all := map[string]bool{"yuantong": true, "zhongtong": true, "ems": true, "youzhengguonei": true, "yunda": true, "shentong": true}
	cases := []struct {
		name      string
		s         *trackpush.Subscription
		up        *upstreams
		want      string
		polled    bool
		ok        bool
		maxAsked  int
		wantAsked []string
	}{
		{name: "the code does not fit, another carrier's format claims it",
			s: sub("zhongtong", "YT6247854916511"), up: &upstreams{polled: all}, want: "yuantong", polled: true, ok: true},
		{name: "the same, the right carrier not polled",
			s: sub("zhongtong", "YT6247854916511"), up: &upstreams{polled: map[string]bool{"zhongtong": true}}, want: "yuantong", polled: false, ok: true},
		{name: "the code fits and only its own carrier's format claims it: nobody is asked",
			s: sub("yuantong", "YT6247854916511"), up: &upstreams{polled: all}, ok: false, wantAsked: nil},
		{name: "the code fits, another plausible carrier's upstream knows the number",
			s:  sub("ems", "9861182861343"),
			up: &upstreams{polled: all, known: map[string]bool{"youzhengguonei/9861182861343": true}}, want: "youzhengguonei", polled: true, ok: true},
		{name: "the code fits, nobody else knows it: at most two probes",
			s: sub("ems", "1123456789012"), up: &upstreams{polled: all}, ok: false, maxAsked: MaxProbes},
		{name: "a failing upstream is skipped, the next one asked",
			s:  sub("ems", "9861182861343"),
			up: &upstreams{polled: all, fail: map[string]bool{"youzhengguonei": true}, known: map[string]bool{"yunda/9861182861343": true}}, want: "yunda", polled: true, ok: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := &Checker{Detector: carrier.NewDetector(), Prober: c.up}
			com, polled, ok := ch.Correct(context.Background(), c.s)
			if com != c.want || polled != c.polled || ok != c.ok {
				t.Fatalf("Correct = %q, %v, %v; want %q, %v, %v (ranking %v)", com, polled, ok, c.want, c.polled, c.ok, ch.Detector.Rank(c.s.Nu))
			}
			if slices.Contains(c.up.asked, c.s.Com) {
				t.Errorf("asked the given carrier's own upstream: %v", c.up.asked)
			}
			if c.maxAsked > 0 && len(c.up.asked) > c.maxAsked {
				t.Errorf("asked %d upstreams, at most %d: %v", len(c.up.asked), c.maxAsked, c.up.asked)
			}
			if c.wantAsked == nil && !c.ok && c.maxAsked == 0 && len(c.up.asked) > 0 {
				t.Errorf("asked %v", c.up.asked)
			}
		})
	}
	// Without a prober the auto-check still corrects what the formats
	// decide, and asks nobody.
	ch := &Checker{Detector: carrier.NewDetector()}
	if com, polled, ok := ch.Correct(context.Background(), sub("zhongtong", "YT6247854916511")); com != "yuantong" || polled || !ok {
		t.Errorf("no prober: %q %v %v", com, polled, ok)
	}
	if _, _, ok := ch.Correct(context.Background(), sub("ems", "9861182861343")); ok {
		t.Error("no prober: a fitting code was changed")
	}
}

func TestLearnSaveLoad(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ch := &Checker{Detector: carrier.NewDetector(), Blobs: st, SaveEvery: 3}
	if err := ch.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// "QX" + 12 digits is nobody's documented format: a2u's, once learned.
	for i, nu := range []string{"QX100000000001", "QX100000000002", "QX100000000003"} {
		ch.Learn("a2u", nu)
		b, _ := st.LoadBlob(ctx, BlobName)
		if saved := b != nil; saved != (i == 2) {
			t.Fatalf("after %d lessons saved = %v, want a save every 3", i+1, saved)
		}
	}
	ch.Learn("a2u", "QX100000000004")
	if err := ch.Save(ctx); err != nil {
		t.Fatal(err)
	}
	fresh := &Checker{Detector: carrier.NewDetector(), Blobs: st}
	if err := fresh.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if c, ok := fresh.Detector.Best("QX123456789012"); !ok || c.Code != "a2u" {
		t.Fatalf("after restoring four lessons: %v", fresh.Detector.Rank("QX123456789012"))
	}
	// Unreadable statistics are discarded: the detector starts afresh.
	if err := st.SaveBlob(ctx, BlobName, []byte("not json")); err != nil {
		t.Fatal(err)
	}
	again := &Checker{Detector: carrier.NewDetector(), Blobs: st}
	if err := again.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if c, _ := again.Detector.Best("QX123456789012"); c.Code == "a2u" {
		t.Error("unreadable statistics were used")
	}
}
