package notify

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// signingContext separates record signatures from any other use of the key.
const signingContext = "interdict-notify-record-v1\x00"

// KeyID names a public key: "ed25519:" and the unpadded base64url of the
// first 16 bytes of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + base64.RawURLEncoding.EncodeToString(sum[:16])
}

// Identity is this instance's signing identity: the member id it issues
// records as, and its private key.
type Identity struct {
	Member string
	Key    ed25519.PrivateKey
}

// NewIdentity makes a fresh key pair for member.
func NewIdentity(member string) (Identity, error) {
	if member == "" {
		return Identity{}, errors.New("notify: identity needs a member id")
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Identity{}, fmt.Errorf("notify: generate key: %w", err)
	}
	return Identity{Member: member, Key: priv}, nil
}

// Public returns the identity's public key.
func (id Identity) Public() ed25519.PublicKey { return id.Key.Public().(ed25519.PublicKey) }

// KeyID returns the id of the identity's public key.
func (id Identity) KeyID() string { return KeyID(id.Public()) }

// Envelope is a signed record as it travels: the canonical payload, the
// signing key's id and the signature. encoding/json writes the byte fields
// as standard base64.
type Envelope struct {
	Payload   []byte `json:"payload"`
	KeyID     string `json:"key_id"`
	Signature []byte `json:"signature"`
}

// Sign normalises r, sets its issuer to the identity's member, and signs it.
func (id Identity) Sign(r Record) (Envelope, Record, error) {
	r.Issuer = id.Member
	r.Subjects = append([]Subject(nil), r.Subjects...)
	if err := r.Normalize(); err != nil {
		return Envelope{}, Record{}, err
	}
	payload, err := Canonical(r)
	if err != nil {
		return Envelope{}, Record{}, err
	}
	sig := ed25519.Sign(id.Key, signedMessage(payload))
	return Envelope{Payload: payload, KeyID: id.KeyID(), Signature: sig}, r, nil
}

func signedMessage(payload []byte) []byte {
	return append([]byte(signingContext), payload...)
}

// MarshalKey writes the identity as a PEM block ("PRIVATE KEY", PKCS #8)
// with the member id in a header.
func (id Identity) MarshalKey() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		return nil, fmt.Errorf("notify: encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"Member": id.Member}, Bytes: der}), nil
}

// ParseIdentity reads what MarshalKey writes.
func ParseIdentity(b []byte) (Identity, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return Identity{}, errors.New("notify: identity file holds no PEM PRIVATE KEY block")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return Identity{}, fmt.Errorf("notify: identity key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return Identity{}, fmt.Errorf("notify: identity key is %T, not Ed25519", k)
	}
	if blk.Headers["Member"] == "" {
		return Identity{}, errors.New("notify: identity file names no member")
	}
	return Identity{Member: blk.Headers["Member"], Key: priv}, nil
}

// LoadIdentity reads an identity file.
func LoadIdentity(path string) (Identity, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Identity{}, fmt.Errorf("notify: read identity: %w", err)
	}
	return ParseIdentity(b)
}

// signRaw signs payload bytes as they are (tests use it to build envelopes
// whose payload is not canonical).
func signRaw(id Identity, payload []byte) []byte { return ed25519.Sign(id.Key, signedMessage(payload)) }
