package archase

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestSHA256FIPSVectors(t *testing.T) {
	for in, want := range map[string]string{
		"abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq": "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	} {
		sum := SHA256([]byte(in))
		if hex.EncodeToString(sum[:]) != want {
			t.Errorf("SHA256(%q) = %x", in, sum)
		}
	}
}

func TestSHA256AgreesWithTheStandardLibrary(t *testing.T) {
	data := bytes.Repeat([]byte{0, 1, 2, 3, 250, 251, 252, 253}, 100000)
	if SHA256(data) != sha256.Sum256(data) {
		t.Fatal("digests differ")
	}
	if SHA256(nil) != sha256.Sum256(nil) {
		t.Fatal("nil differs")
	}
}
