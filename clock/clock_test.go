package clock

import (
	"testing"
	"time"
)

func TestFake(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(t0)
	past := f.At(t0)
	select {
	case <-past:
	default:
		t.Fatal("a timer at now must fire at once")
	}
	a := f.At(t0.Add(30 * time.Minute))
	b := f.At(t0.Add(time.Hour))
	f.Advance(29 * time.Minute)
	select {
	case <-a:
		t.Fatal("fired early")
	default:
	}
	f.Advance(time.Minute)
	if got := <-a; !got.Equal(t0.Add(30 * time.Minute)) {
		t.Fatalf("fired with %v", got)
	}
	if f.Waiting() != 1 {
		t.Fatalf("waiting %d", f.Waiting())
	}
	f.Set(t0) // never backwards
	if !f.Now().Equal(t0.Add(30 * time.Minute)) {
		t.Fatal("moved backwards")
	}
	f.Advance(time.Hour)
	<-b
}

func TestScaled(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewScaled(t0, 3600)                 // an hour per second
	ch := c.At(t0.Add(36 * time.Second * 2)) // 72 s of clock time: 20 ms real
	select {
	case got := <-ch:
		if got.Before(t0.Add(72 * time.Second)) {
			t.Fatalf("fired at %v", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("scaled timer did not fire")
	}
	if c.Now().Before(t0) {
		t.Fatal("now before start")
	}
}
