package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGenerate regenerates the basemap from the shared GeoJSON and checks
// that the committed web/basemap.txt is what the generator writes (skipped
// where the shared directory is not beside the project).
func TestGenerate(t *testing.T) {
	dir := "../../../../shared/data/regions/geojson"
	if _, err := os.Stat(dir + "/china_provinces.geojson"); err != nil {
		t.Skip("shared/data/regions/geojson not beside the project")
	}
	out := filepath.Join(t.TempDir(), "basemap.txt")
	if err := generate(dir, out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want, err := os.ReadFile("../../basemap.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("web/basemap.txt is not what go generate ./web writes (%d bytes, generated %d): regenerate it", len(want), len(got))
	}
}

func TestSimplifyKeepsSharedBorders(t *testing.T) {
	// Two squares sharing the edge x=10, with a wiggle on it that a coarse
	// tolerance removes: both must drop or keep the same points there.
	left := shape{rings: [][]pt{{{0, 0}, {10, 0}, {10.2, 3}, {10, 5}, {9.8, 7}, {10, 10}, {0, 10}}}}
	right := shape{rings: [][]pt{{{10, 0}, {20, 0}, {20, 10}, {10, 10}, {9.8, 7}, {10, 5}, {10.2, 3}}}}
	out := simplify([]shape{left, right}, 1)
	shared := func(r []pt) map[pt]bool {
		m := map[pt]bool{}
		for _, p := range r {
			if p.x > 9 && p.x < 11 {
				m[p] = true
			}
		}
		return m
	}
	a, b := shared(out[0][0]), shared(out[1][0])
	if len(a) != len(b) {
		t.Fatalf("the shared border differs: %v and %v", a, b)
	}
	for p := range a {
		if !b[p] {
			t.Fatalf("the shared border differs: %v and %v", a, b)
		}
	}
	if a[pt{10.2, 3}] || a[pt{9.8, 7}] {
		t.Fatalf("the wiggle was kept at tolerance 1: %v", a)
	}
}
