package deliver

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// sealedPrefix marks a secret encrypted by a Sealer.
const sealedPrefix = "sealed:v1:"

// ErrSealed: a secret cannot be opened (another key, or damaged).
var ErrSealed = errors.New("webhook secret cannot be decrypted with this key")

// Sealer encrypts endpoint secrets at rest with AES-256-GCM, so that a copy
// of the database alone does not let anyone sign webhooks. The key lives
// outside the database (a file next to it); every process serving the same
// database needs the same key.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("webhook key: %d bytes, want 32: %w", len(key), ErrInvalid)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("webhook key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("webhook key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// seal encrypts secret, bound to the endpoint id (a sealed secret copied to
// another endpoint's row does not open).
func (s *Sealer) seal(id, secret string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal webhook secret: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(secret), []byte(id))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

func (s *Sealer) open(id, stored string) (string, error) {
	enc, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return "", fmt.Errorf("endpoint %s: secret is stored in clear: %w", id, ErrSealed)
	}
	b, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", fmt.Errorf("endpoint %s: %w", id, ErrSealed)
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(id))
	if err != nil {
		return "", fmt.Errorf("endpoint %s: %w", id, ErrSealed)
	}
	return string(plain), nil
}

// Wrap returns st with secrets sealed on AddEndpoint and opened on
// Endpoints.
func (s *Sealer) Wrap(st Store) Store { return sealedStore{Store: st, s: s} }

type sealedStore struct {
	Store
	s *Sealer
}

func (ss sealedStore) AddEndpoint(ctx context.Context, e Endpoint) error {
	sealed, err := ss.s.seal(e.ID, e.Secret)
	if err != nil {
		return err
	}
	e.Secret = sealed
	return ss.Store.AddEndpoint(ctx, e)
}

func (ss sealedStore) Endpoints(ctx context.Context) ([]Endpoint, error) {
	eps, err := ss.Store.Endpoints(ctx)
	if err != nil {
		return nil, err
	}
	for i := range eps {
		if eps[i].Secret, err = ss.s.open(eps[i].ID, eps[i].Secret); err != nil {
			return nil, err
		}
	}
	return eps, nil
}
