package people

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// KeySize is the size of a vault's master key in bytes.
const KeySize = 32

// Vault turns persons into records and back with one instance's key: an
// identifier's hash is HMAC-SHA256 over its class and canonical value under a
// key derived from the master key, and its canonical value is sealed with
// AES-256-GCM under a second derived key, bound to the person and type. The
// key lives outside the database (a file, see LoadKey), so a copy of the
// database alone reveals neither the values nor, by guessing, which values.
type Vault struct {
	fingerprint []byte
	macKey      []byte
	aead        cipher.AEAD
	// HashOnly types are stored as hashes alone, without a sealed value.
	HashOnly map[Type]bool
}

// NewVault returns a vault for a master key of KeySize bytes.
func NewVault(master []byte) (*Vault, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("%w: want %d bytes, got %d", ErrKey, KeySize, len(master))
	}
	block, err := aes.NewCipher(derive(master, "interdict/people/seal/v1"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	return &Vault{
		macKey: derive(master, "interdict/people/hash/v1"), aead: aead,
		fingerprint: derive(master, "interdict/people/fingerprint/v1")[:16],
	}, nil
}

// Fingerprint identifies the key without revealing it: stores keep it to
// refuse a process that opens them with another key (Store.CheckKey).
func (v *Vault) Fingerprint() []byte { return v.fingerprint }

func derive(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// LoadKey reads a hex master key from path, creating the file with a new
// random key (mode 0600) if it does not exist.
func LoadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, KeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("%w: generate: %v", ErrKey, err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("%w: create %s: %v", ErrKey, path, err)
		}
		_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
		if cerr := f.Close(); werr != nil || cerr != nil {
			return nil, fmt.Errorf("%w: write %s: %v", ErrKey, path, errors.Join(werr, cerr))
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %v", ErrKey, path, err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("%w: %s: want %d bytes as hex", ErrKey, path, KeySize)
	}
	return key, nil
}

// HashCanonical returns the keyed hash of a canonical value of type t.
func (v *Vault) HashCanonical(t Type, canonical string) Hash {
	m := hmac.New(sha256.New, v.macKey)
	m.Write([]byte(t.Class()))
	m.Write([]byte{0})
	m.Write([]byte(canonical))
	var h Hash
	m.Sum(h[:0])
	return h
}

// Hash canonicalises an identifier and returns its keyed hash.
func (v *Vault) Hash(id Identifier) (Hash, error) {
	c, err := Canonical(id.Type, id.Value, id.Extra)
	if err != nil {
		return Hash{}, err
	}
	return v.HashCanonical(id.Type, c), nil
}

// Seal validates p and returns its record: every identifier canonicalised,
// hashed and, unless its type is HashOnly, its canonical value and Extra
// sealed.
func (v *Vault) Seal(p *Person) (Record, error) {
	if err := p.Validate(); err != nil {
		return Record{}, err
	}
	r := Record{
		ID: p.ID, Kind: p.Kind, Role: p.Role, Privileges: p.Privileges, Consent: p.Consent,
		RetainUntil: p.RetainUntil, Created: p.Created,
		Identifiers: make([]StoredIdentifier, 0, len(p.Identifiers)),
	}
	for i, id := range p.Identifiers {
		c, err := Canonical(id.Type, id.Value, id.Extra)
		if err != nil {
			return Record{}, fmt.Errorf("person %s: identifier %d: %w", p.ID, i, err)
		}
		si := StoredIdentifier{Type: id.Type, Hash: v.HashCanonical(id.Type, c), RetainUntil: id.RetainUntil}
		extra := id.Extra
		if id.Type == IP {
			// An ASN names a network, not a person: rules read it in clear.
			si.Hint, extra = strings.ToUpper(strings.TrimSpace(id.Extra)), ""
		}
		if !v.HashOnly[id.Type] {
			si.Sealed = v.seal(p.ID, id.Type, c+"\x00"+extra)
		}
		r.Identifiers = append(r.Identifiers, si)
	}
	return r, nil
}

// Open decrypts a record. Identifiers stored as hashes alone come back with
// an empty Value; derived ones (EmailNear), which a record never holds at
// rest, are left out.
func (v *Vault) Open(r Record) (Person, error) {
	p := Person{
		ID: r.ID, Kind: r.Kind, Role: r.Role, Privileges: r.Privileges, Consent: r.Consent,
		RetainUntil: r.RetainUntil, Created: r.Created,
		Identifiers: make([]Identifier, 0, len(r.Identifiers)),
	}
	for _, si := range r.Identifiers {
		if si.Type.Derived() {
			continue
		}
		id := Identifier{Type: si.Type, RetainUntil: si.RetainUntil}
		if si.Sealed != nil {
			plain, err := v.open(r.ID, si.Type, si.Sealed)
			if err != nil {
				return Person{}, fmt.Errorf("person %s: %s: %w", r.ID, si.Type, err)
			}
			id.Value, id.Extra, _ = strings.Cut(plain, "\x00")
		}
		if si.Type == IP {
			id.Extra = si.Hint
		}
		p.Identifiers = append(p.Identifiers, id)
	}
	return p, nil
}

func aad(personID string, t Type) []byte { return []byte(personID + "\x00" + string(t)) }

func (v *Vault) seal(personID string, t Type, plain string) []byte {
	nonce := make([]byte, v.aead.NonceSize(), v.aead.NonceSize()+len(plain)+v.aead.Overhead())
	_, _ = rand.Read(nonce) // never returns an error since Go 1.24
	return v.aead.Seal(nonce, nonce, []byte(plain), aad(personID, t))
}

func (v *Vault) open(personID string, t Type, sealed []byte) (string, error) {
	ns := v.aead.NonceSize()
	if len(sealed) < ns+v.aead.Overhead() {
		return "", fmt.Errorf("%w: sealed value too short", ErrKey)
	}
	plain, err := v.aead.Open(nil, sealed[:ns], sealed[ns:], aad(personID, t))
	if err != nil {
		return "", fmt.Errorf("%w: cannot open sealed value (another instance's key?)", ErrKey)
	}
	return string(plain), nil
}

// Derived returns the derived identifiers of p: for each email that
// canonicalises, the keyed hashes of its NearVariants (type EmailNear). They
// are never stored: the identifier graph computes them from the opened
// person when it adds it, so they need no row, no retention of their own, and
// vanish with the email.
func (v *Vault) Derived(p *Person) []StoredIdentifier {
	var out []StoredIdentifier
	for _, id := range p.Identifiers {
		if id.Type != Email {
			continue
		}
		c, err := Canonical(Email, id.Value, id.Extra)
		if err != nil {
			continue
		}
		for _, nv := range NearVariants(NearEmail(c)) {
			out = append(out, StoredIdentifier{Type: EmailNear, Hash: v.HashCanonical(EmailNear, nv), RetainUntil: id.RetainUntil})
		}
	}
	return out
}
