package keyring

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	k, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v", fi.Mode().Perm())
	}
	sealed := k.Seal("78847211ace9453310e4a7357e1f1de5")
	if string(sealed) == "78847211ace9453310e4a7357e1f1de5" {
		t.Fatal("not sealed")
	}
	k2, _ := LoadOrCreate(path) // the same file: the same secret
	if got, err := k2.Open(sealed); err != nil || got != "78847211ace9453310e4a7357e1f1de5" {
		t.Fatalf("open: %q %v", got, err)
	}
	other, _ := New([]byte("another secret of enough length"))
	if _, err := other.Open(sealed); err == nil {
		t.Fatal("opened with another secret")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := k.Open(sealed); err == nil {
		t.Fatal("opened a damaged value")
	}
	if string(k.Fingerprint()) != string(k2.Fingerprint()) || string(k.Fingerprint()) == string(other.Fingerprint()) {
		t.Fatal("fingerprints must tell secrets apart")
	}
	if _, err := New([]byte("short")); err == nil {
		t.Fatal("a short secret must be refused")
	}
}
