// Package sm4 is the SM4 block cipher (GB/T 32907-2016; ISO/IEC
// 18033-3:2010/Amd 1:2021): 128-bit blocks, 128-bit keys, 32 rounds. EMS's
// open platform encrypts its request envelope with SM4 in ECB mode, and
// nothing else in trackpush needs it, so the cipher is implemented here
// (about a hundred lines) rather than taken with a national-crypto library
// of dependencies. It is checked against the standard's example, against
// OpenSSL's sm4-ecb and against EMS's published envelope.
//
// The implementation is table-driven and not constant-time; the key it
// protects is a shared envelope key sent in every request, not a secret
// that timing could leak to an attacker who cannot already read it.
package sm4

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// BlockSize is SM4's block size in bytes.
const BlockSize = 16

// sbox is the standard's S-box τ.
var sbox = [256]byte{
	0xd6, 0x90, 0xe9, 0xfe, 0xcc, 0xe1, 0x3d, 0xb7, 0x16, 0xb6, 0x14, 0xc2, 0x28, 0xfb, 0x2c, 0x05,
	0x2b, 0x67, 0x9a, 0x76, 0x2a, 0xbe, 0x04, 0xc3, 0xaa, 0x44, 0x13, 0x26, 0x49, 0x86, 0x06, 0x99,
	0x9c, 0x42, 0x50, 0xf4, 0x91, 0xef, 0x98, 0x7a, 0x33, 0x54, 0x0b, 0x43, 0xed, 0xcf, 0xac, 0x62,
	0xe4, 0xb3, 0x1c, 0xa9, 0xc9, 0x08, 0xe8, 0x95, 0x80, 0xdf, 0x94, 0xfa, 0x75, 0x8f, 0x3f, 0xa6,
	0x47, 0x07, 0xa7, 0xfc, 0xf3, 0x73, 0x17, 0xba, 0x83, 0x59, 0x3c, 0x19, 0xe6, 0x85, 0x4f, 0xa8,
	0x68, 0x6b, 0x81, 0xb2, 0x71, 0x64, 0xda, 0x8b, 0xf8, 0xeb, 0x0f, 0x4b, 0x70, 0x56, 0x9d, 0x35,
	0x1e, 0x24, 0x0e, 0x5e, 0x63, 0x58, 0xd1, 0xa2, 0x25, 0x22, 0x7c, 0x3b, 0x01, 0x21, 0x78, 0x87,
	0xd4, 0x00, 0x46, 0x57, 0x9f, 0xd3, 0x27, 0x52, 0x4c, 0x36, 0x02, 0xe7, 0xa0, 0xc4, 0xc8, 0x9e,
	0xea, 0xbf, 0x8a, 0xd2, 0x40, 0xc7, 0x38, 0xb5, 0xa3, 0xf7, 0xf2, 0xce, 0xf9, 0x61, 0x15, 0xa1,
	0xe0, 0xae, 0x5d, 0xa4, 0x9b, 0x34, 0x1a, 0x55, 0xad, 0x93, 0x32, 0x30, 0xf5, 0x8c, 0xb1, 0xe3,
	0x1d, 0xf6, 0xe2, 0x2e, 0x82, 0x66, 0xca, 0x60, 0xc0, 0x29, 0x23, 0xab, 0x0d, 0x53, 0x4e, 0x6f,
	0xd5, 0xdb, 0x37, 0x45, 0xde, 0xfd, 0x8e, 0x2f, 0x03, 0xff, 0x6a, 0x72, 0x6d, 0x6c, 0x5b, 0x51,
	0x8d, 0x1b, 0xaf, 0x92, 0xbb, 0xdd, 0xbc, 0x7f, 0x11, 0xd9, 0x5c, 0x41, 0x1f, 0x10, 0x5a, 0xd8,
	0x0a, 0xc1, 0x31, 0x88, 0xa5, 0xcd, 0x7b, 0xbd, 0x2d, 0x74, 0xd0, 0x12, 0xb8, 0xe5, 0xb4, 0xb0,
	0x89, 0x69, 0x97, 0x4a, 0x0c, 0x96, 0x77, 0x7e, 0x65, 0xb9, 0xf1, 0x09, 0xc5, 0x6e, 0xc6, 0x84,
	0x18, 0xf0, 0x7d, 0xec, 0x3a, 0xdc, 0x4d, 0x20, 0x79, 0xee, 0x5f, 0x3e, 0xd7, 0xcb, 0x39, 0x48,
}

// fk is the standard's system parameter FK.
var fk = [4]uint32{0xa3b1bac6, 0x56aa3350, 0x677d9197, 0xb27022dc}

// ck returns the standard's fixed parameter CK_i: byte j of it is
// (4i+j)·7 mod 256.
func ck(i int) uint32 {
	var v uint32
	for j := 0; j < 4; j++ {
		v = v<<8 | uint32(byte((4*i+j)*7))
	}
	return v
}

// tau applies the S-box to each byte of a word.
func tau(a uint32) uint32 {
	return uint32(sbox[a>>24])<<24 | uint32(sbox[a>>16&0xff])<<16 | uint32(sbox[a>>8&0xff])<<8 | uint32(sbox[a&0xff])
}

// t is the round's mixer T = L∘τ.
func t(a uint32) uint32 {
	b := tau(a)
	return b ^ bits.RotateLeft32(b, 2) ^ bits.RotateLeft32(b, 10) ^ bits.RotateLeft32(b, 18) ^ bits.RotateLeft32(b, 24)
}

// tKey is the key schedule's mixer T' = L'∘τ.
func tKey(a uint32) uint32 {
	b := tau(a)
	return b ^ bits.RotateLeft32(b, 13) ^ bits.RotateLeft32(b, 23)
}

// block is an SM4 cipher with its expanded round keys.
type block struct{ rk [32]uint32 }

// NewCipher returns SM4 with a 16-byte key as a cipher.Block.
func NewCipher(key []byte) (cipher.Block, error) {
	if len(key) != BlockSize {
		return nil, fmt.Errorf("sm4: key of %d bytes, want 16", len(key))
	}
	var k [4]uint32
	for i := range k {
		k[i] = binary.BigEndian.Uint32(key[4*i:]) ^ fk[i]
	}
	b := &block{}
	for i := 0; i < 32; i++ {
		k[i%4] ^= tKey(k[(i+1)%4] ^ k[(i+2)%4] ^ k[(i+3)%4] ^ ck(i))
		b.rk[i] = k[i%4]
	}
	return b, nil
}

// BlockSize returns 16.
func (b *block) BlockSize() int { return BlockSize }

// Encrypt encrypts the first block of src into dst.
func (b *block) Encrypt(dst, src []byte) { b.crypt(dst, src, false) }

// Decrypt decrypts the first block of src into dst (the round keys in
// reverse order).
func (b *block) Decrypt(dst, src []byte) { b.crypt(dst, src, true) }

func (b *block) crypt(dst, src []byte, decrypt bool) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("sm4: input not a full block")
	}
	var x [4]uint32
	for i := range x {
		x[i] = binary.BigEndian.Uint32(src[4*i:])
	}
	for i := 0; i < 32; i++ {
		rk := b.rk[i]
		if decrypt {
			rk = b.rk[31-i]
		}
		x[i%4] ^= t(x[(i+1)%4] ^ x[(i+2)%4] ^ x[(i+3)%4] ^ rk)
	}
	// The output is the last four words in reverse order: X35, X34, X33, X32.
	binary.BigEndian.PutUint32(dst[0:], x[3])
	binary.BigEndian.PutUint32(dst[4:], x[2])
	binary.BigEndian.PutUint32(dst[8:], x[1])
	binary.BigEndian.PutUint32(dst[12:], x[0])
}

// EncryptECB pads plaintext with PKCS#7 and encrypts it block by block
// (ECB), as EMS's envelope does.
func EncryptECB(key, plaintext []byte) ([]byte, error) {
	c, err := NewCipher(key)
	if err != nil {
		return nil, err
	}
	pad := BlockSize - len(plaintext)%BlockSize
	buf := make([]byte, len(plaintext)+pad)
	copy(buf, plaintext)
	for i := len(plaintext); i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	for i := 0; i < len(buf); i += BlockSize {
		c.Encrypt(buf[i:], buf[i:])
	}
	return buf, nil
}

// DecryptECB decrypts ECB ciphertext and removes its PKCS#7 padding.
func DecryptECB(key, ciphertext []byte) ([]byte, error) {
	c, err := NewCipher(key)
	if err != nil {
		return nil, err
	}
	if len(ciphertext) == 0 || len(ciphertext)%BlockSize != 0 {
		return nil, fmt.Errorf("sm4: ciphertext of %d bytes is not whole blocks", len(ciphertext))
	}
	buf := make([]byte, len(ciphertext))
	for i := 0; i < len(buf); i += BlockSize {
		c.Decrypt(buf[i:], ciphertext[i:])
	}
	pad := int(buf[len(buf)-1])
	if pad < 1 || pad > BlockSize {
		return nil, fmt.Errorf("sm4: bad padding")
	}
	for _, p := range buf[len(buf)-pad:] {
		if int(p) != pad {
			return nil, fmt.Errorf("sm4: bad padding")
		}
	}
	return buf[:len(buf)-pad], nil
}
