package watch

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/interdict/interdict/internal/index/people"
)

// Hasher keys the hashes of hashed watch entries. The key lives in a file in
// the data dir (watch.key), never in the state store, so the store alone
// does not say which addresses are watched.
type Hasher struct{ key []byte }

// LoadHasher reads the hex key at path, creating it with a new random key
// (mode 0600) if it does not exist.
func LoadHasher(path string) (*Hasher, error) {
	master, err := people.LoadKey(path)
	if err != nil {
		return nil, fmt.Errorf("watch key: %w", err)
	}
	return NewHasher(master), nil
}

// NewHasher derives the address-hashing key from a master key.
func NewHasher(master []byte) *Hasher {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("interdict/watch/address/v1"))
	return &Hasher{key: m.Sum(nil)}
}

// Hash returns the hex HMAC of a chain's normalised address.
func (h *Hasher) Hash(chain, normalized string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(chain))
	m.Write([]byte{0})
	m.Write([]byte(normalized))
	return hex.EncodeToString(m.Sum(nil))
}

// keyHash is the first 16 bytes of SHA-256 of s, as hex.
func keyHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
