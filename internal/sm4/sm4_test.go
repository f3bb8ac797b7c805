package sm4

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os/exec"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStandardExample is the example of GB/T 32907-2016 (Appendix A): one
// block, and the same block encrypted 1,000,000 times.
func TestStandardExample(t *testing.T) {
	key := unhex(t, "0123456789abcdeffedcba9876543210")
	c, err := NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	buf := append([]byte(nil), key...)
	c.Encrypt(buf, buf)
	if got := hex.EncodeToString(buf); got != "681edf34d206965e86b3e94f536e4246" {
		t.Fatalf("one block: %s", got)
	}
	c.Decrypt(buf, buf)
	if !bytes.Equal(buf, key) {
		t.Fatalf("decrypt: %x", buf)
	}
	if testing.Short() {
		return
	}
	buf = append(buf[:0], key...)
	for i := 0; i < 1000000; i++ {
		c.Encrypt(buf, buf)
	}
	if got := hex.EncodeToString(buf); got != "595298c7c6fd271f0402f804c33d3f66" {
		t.Fatalf("a million times: %s", got)
	}
}

// TestEMSVector is carriers.md §12.B's EMS envelope: the plaintext is the
// business JSON followed by the signKey, the key the signKey decoded.
func TestEMSVector(t *testing.T) {
	signKey := "MDEyMzQ1Njc4OWFiY2RlZg=="
	key, _ := base64.StdEncoding.DecodeString(signKey)
	plain := []byte(`{"waybillNo":"1100000000001","direction":"0"}` + signKey)
	ct, err := EncryptECB(key, plain)
	if err != nil {
		t.Fatal(err)
	}
	want := "ImkUJUd6SVUDz3sP0NMBljx+6qIPo7fM6/2QexmF7/bBEAzgMwF29by1oQ0/LbI3/vkPai/Ngto8XCYTZqKy1DJdUB/WoUhfa6ykyLZ7yWA="
	if got := base64.StdEncoding.EncodeToString(ct); got != want {
		t.Fatalf("got %s", got)
	}
	back, err := DecryptECB(key, ct)
	if err != nil || !bytes.Equal(back, plain) {
		t.Fatalf("decrypt: %q %v", back, err)
	}
}

// TestAgainstOpenSSL compares lengths 0–40 with OpenSSL's sm4-ecb, when
// the machine's openssl has it.
func TestAgainstOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl")
	}
	key := unhex(t, "00112233445566778899aabbccddeeff")
	for n := 0; n <= 40; n++ {
		plain := bytes.Repeat([]byte{byte('a' + n%26)}, n)
		cmd := exec.Command("openssl", "enc", "-sm4-ecb", "-K", hex.EncodeToString(key), "-nosalt")
		cmd.Stdin = bytes.NewReader(plain)
		want, err := cmd.Output()
		if err != nil {
			t.Skipf("openssl without sm4-ecb: %v", err)
		}
		got, err := EncryptECB(key, plain)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("length %d: got %x, openssl %x (%v)", n, got, want, err)
		}
	}
}

func TestBadInput(t *testing.T) {
	if _, err := NewCipher(make([]byte, 15)); err == nil {
		t.Error("a 15-byte key was accepted")
	}
	key := make([]byte, 16)
	if _, err := DecryptECB(key, make([]byte, 17)); err == nil {
		t.Error("a partial block was accepted")
	}
	ct, _ := EncryptECB(key, []byte("x"))
	ct[len(ct)-1] ^= 0xff
	if _, err := DecryptECB(key, ct); err == nil {
		t.Error("bad padding was accepted")
	}
}
