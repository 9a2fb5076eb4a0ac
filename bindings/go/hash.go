package archase

import "archase/internal/capi"

// SHA256 returns the SHA-256 digest of data, computed by the library
// (through OpenSSL) as its audit log and policy hashes are. It fails only
// when memory runs out, and then panics with the *Error, as the runtime
// would.
func SHA256(data []byte) [32]byte {
	var sum [32]byte
	if err := check(capi.Archase_sha256(data, sum[:]), "archase_sha256"); err != nil {
		panic(err)
	}
	return sum
}
