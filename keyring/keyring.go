// Package keyring seals account keys with the server's secret.
//
// The subscription API only needs to recognise a key (a hash would do),
// but the real-time query API's signature is MD5(param + key + customer):
// the server must recover the key to check it. Keys are therefore kept
// twice: hashed, to find the account, and sealed (AES-256-GCM under a key
// derived from the server's secret), to sign. A copy of the database alone
// reveals neither.
package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Keyring seals and opens secrets.
type Keyring struct{ aead cipher.AEAD }

// New returns a keyring for a secret (any length; it is hashed to the key).
func New(secret []byte) (*Keyring, error) {
	if len(secret) < 16 {
		return nil, errors.New("keyring: secret shorter than 16 bytes")
	}
	k := sha256.Sum256(append([]byte("trackpush keyring v1\x00"), secret...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keyring{aead: aead}, nil
}

// Load reads the secret in the file at path. A missing file is an error
// that wraps fs.ErrNotExist.
func Load(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("keyring: read %s: %w", path, err)
	}
	k, err := New([]byte(strings.TrimSpace(string(b))))
	if err != nil {
		return nil, fmt.Errorf("keyring: %s: %w", path, err)
	}
	return k, nil
}

// CheckCreatable reports why a secret file could not be created at path:
// its directory is missing or not a directory. It creates nothing.
func CheckCreatable(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("keyring: cannot create %s: %w", path, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("keyring: cannot create %s: %s is not a directory", path, dir)
	}
	return nil
}

// LoadOrCreate reads the secret in the file at path, creating the file
// with a random secret (mode 0600) when it does not exist. The new file
// appears complete or not at all (written aside, then linked into place),
// so a process starting at the same moment never reads half of it.
func LoadOrCreate(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		raw := make([]byte, 32)
		rand.Read(raw)
		tmp, err := os.CreateTemp(filepath.Dir(path), ".secret-*")
		if err != nil {
			return nil, fmt.Errorf("keyring: create %s: %w", path, err)
		}
		defer os.Remove(tmp.Name())
		if err := tmp.Chmod(0o600); err == nil {
			_, err = tmp.WriteString(hex.EncodeToString(raw) + "\n")
		}
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("keyring: write %s: %w", path, err)
		}
		if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("keyring: create %s: %w", path, err)
		}
		return LoadOrCreate(path) // ours, or one made meanwhile by another process
	} else if err != nil {
		return nil, fmt.Errorf("keyring: read %s: %w", path, err)
	}
	k, err := New([]byte(strings.TrimSpace(string(b))))
	if err != nil {
		return nil, fmt.Errorf("keyring: %s: %w", path, err)
	}
	return k, nil
}

// Fingerprint identifies the secret without revealing it: servers sharing a
// database check that they share the secret too.
func (k *Keyring) Fingerprint() []byte {
	return k.aead.Seal(nil, make([]byte, k.aead.NonceSize()), []byte("trackpush keyring fingerprint"), nil)
}

// Seal encrypts a secret.
func (k *Keyring) Seal(plain string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, []byte(plain), nil)
}

// Open decrypts what Seal made (with the same server secret).
func (k *Keyring) Open(sealed []byte) (string, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("keyring: sealed value too short")
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return "", errors.New("keyring: cannot open: another server secret, or damaged")
	}
	return string(plain), nil
}
