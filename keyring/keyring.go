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

// LoadOrCreate reads the secret in the file at path, creating the file
// with a random secret (mode 0600) when it does not exist.
func LoadOrCreate(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		raw := make([]byte, 32)
		rand.Read(raw)
		b = []byte(hex.EncodeToString(raw) + "\n")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) { // created meanwhile by another process
			return LoadOrCreate(path)
		}
		if err != nil {
			return nil, fmt.Errorf("keyring: create %s: %w", path, err)
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return nil, fmt.Errorf("keyring: write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("keyring: read %s: %w", path, err)
	}
	return New([]byte(strings.TrimSpace(string(b))))
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
