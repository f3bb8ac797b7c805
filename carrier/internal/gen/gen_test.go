package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate regenerates the table from the shared data, when the
// checkout has it beside the project root, and compares it with the committed
// file. The build itself never needs the shared data.
func TestGeneratedUpToDate(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "shared", "data", "carriers")
	if _, err := os.Stat(filepath.Join(dir, "companies.csv")); err != nil {
		t.Skipf("shared data not present: %v", err)
	}
	got, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "companies_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("companies_gen.go is stale: run go generate ./carrier/")
	}
}
