package people

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/action/share/stix"
	"github.com/interdict/interdict/internal/index/people"
)

// ErrShare marks a sharing request that must not go out (a person no
// reviewer has rejected or escalated, nothing to share) or a bad ISAC key.
var ErrShare = errors.New("people sharing")

// ISACKey is the key members of one ISAC agree on to hash identifiers they
// share: HMAC-SHA256 over an identifier's class and canonical value. It is
// not an instance's people key (each member keeps its own): two members'
// stores hash the same email differently, but the same email under the ISAC
// key gives the same hash at both, so they can match without showing it.
type ISACKey struct {
	mac []byte
	id  string
}

// NewISACKey returns the ISAC key of a secret of people.KeySize bytes.
func NewISACKey(secret []byte) (*ISACKey, error) {
	if len(secret) != people.KeySize {
		return nil, fmt.Errorf("%w: ISAC key: want %d bytes, got %d", ErrShare, people.KeySize, len(secret))
	}
	id := isacDerive(secret, "interdict/isac/key-id/v1")
	return &ISACKey{mac: isacDerive(secret, "interdict/isac/identifier/v1"), id: hex.EncodeToString(id[:8])}, nil
}

func isacDerive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// LoadISACKey reads a hex ISAC key from path. Unlike the instance key it is
// never created here: every member must load the same one (GenerateISACKey
// makes it once, for the ISAC to distribute).
func LoadISACKey(path string) (*ISACKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: ISAC key: %w", ErrShare, err)
	}
	secret, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(secret) != people.KeySize {
		return nil, fmt.Errorf("%w: ISAC key %s: want %d bytes as hex", ErrShare, path, people.KeySize)
	}
	return NewISACKey(secret)
}

// GenerateISACKey writes a new random ISAC key to path (mode 0600); an
// existing file is left alone and is an error.
func GenerateISACKey(path string) (*ISACKey, error) {
	secret := make([]byte, people.KeySize)
	_, _ = rand.Read(secret) // never fails since Go 1.24
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%w: ISAC key %s exists: not overwritten", ErrShare, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: ISAC key: %w", ErrShare, err)
	}
	_, werr := f.WriteString(hex.EncodeToString(secret) + "\n")
	if err := errors.Join(werr, f.Close()); err != nil {
		return nil, fmt.Errorf("%w: ISAC key %s: %w", ErrShare, path, err)
	}
	return NewISACKey(secret)
}

// ID names the key without revealing it; shared indicators carry it so a
// member skips those hashed under another key (another ISAC, a rotation).
func (k *ISACKey) ID() string { return k.id }

// Hash returns the ISAC hash of a canonical value of type t.
func (k *ISACKey) Hash(t people.Type, canonical string) [32]byte {
	m := hmac.New(sha256.New, k.mac)
	m.Write([]byte(t.Class()))
	m.Write([]byte{0})
	m.Write([]byte(canonical))
	var h [32]byte
	m.Sum(h[:0])
	return h
}

// HashedIdentifier is one shared identifier: its class and ISAC hash, never
// its value.
type HashedIdentifier struct {
	Class string `json:"class"`
	HMAC  string `json:"hmac_sha256"`
}

// Shareable reports whether identifiers of type t are shared as hashes: the
// strong linking types, which belong to one person (an address or an IP,
// which a household or an office shares, is not).
func Shareable(t people.Type) bool { return StrengthOf(t) == Strong && t.Valid() }

// PersonHashes returns the ISAC hashes of p's shareable identifiers,
// deduplicated, sorted.
func (k *ISACKey) PersonHashes(p *people.Person) ([]HashedIdentifier, error) {
	var out []HashedIdentifier
	for i, id := range p.Identifiers {
		if !Shareable(id.Type) || id.Value == "" {
			continue
		}
		c, err := people.Canonical(id.Type, id.Value, id.Extra)
		if err != nil {
			return nil, fmt.Errorf("person %s: identifier %d: %w", p.ID, i, err)
		}
		h := k.Hash(id.Type, c)
		out = append(out, HashedIdentifier{Class: id.Type.Class(), HMAC: hex.EncodeToString(h[:])})
	}
	slices.SortFunc(out, func(a, b HashedIdentifier) int { return strings.Compare(a.Class+a.HMAC, b.Class+b.HMAC) })
	return slices.Compact(out), nil
}

// ShareableStatus refuses to share a person no reviewer rejected or
// escalated: sharing is a human decision, like every disposition.
func ShareableStatus(st PersonStatus) error {
	if st.Disposition == Rejected || st.Disposition == Escalated {
		return nil
	}
	d := string(st.Disposition)
	if d == "" {
		d = "undecided"
	}
	return fmt.Errorf("%w: person %s is %s: only persons a reviewer rejected or escalated are shared", ErrShare, st.PersonID, d)
}

// Custom STIX names of hashed-identifier indicators.
const (
	hashedObject   = "x-interdict-hashed-identifier"
	propKeyID      = "x_interdict_isac_key"
	propHashes     = "x_interdict_hashed_identifiers"
	hashedLabel    = "interdict-hashed-persona"
	maxHashedIdent = 64
)

// HashedIndicator returns a STIX indicator of one persona carrying only the
// ISAC hashes of its identifiers: a pattern over them and the same list as
// a custom property, with the key id. ref is the member's own reference
// (a case id), never a name.
func HashedIndicator(k *ISACKey, ref string, hs []HashedIdentifier, tlp stix.TLP, validFrom time.Time) (*stix.Indicator, error) {
	if len(hs) == 0 {
		return nil, fmt.Errorf("%w: persona %s has no shareable identifier", ErrShare, ref)
	}
	if len(hs) > maxHashedIdent {
		return nil, fmt.Errorf("%w: persona %s: more than %d identifiers", ErrShare, ref, maxHashedIdent)
	}
	terms := make([]string, len(hs))
	for i, h := range hs {
		terms[i] = fmt.Sprintf("[%s:hmac_sha256 = '%s']", hashedObject, h.HMAC)
	}
	ind, err := stix.NewIndicator("Hashed identifiers of persona "+ref, strings.Join(terms, " OR "), validFrom, tlp)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrShare, err)
	}
	ind.Description = "Keyed hashes (HMAC-SHA256 under ISAC key " + k.ID() + ") of identifiers of a persona a member's reviewer " +
		"rejected or escalated as a suspected DPRK IT worker. Match them with the same key against your own persons; no value is shared."
	ind.IndicatorTypes = []string{"malicious-activity"}
	ind.Labels = []string{hashedLabel}
	if err := ind.SetProp(propKeyID, k.ID()); err != nil {
		return nil, err
	}
	if err := ind.SetProp(propHashes, hs); err != nil {
		return nil, err
	}
	return ind, nil
}

// SharedPersona is a hashed persona received from another member.
type SharedPersona struct {
	IndicatorID string
	CreatedBy   string
	KeyID       string
	Hashes      []HashedIdentifier
}

// ParseHashedIndicators picks the hashed-persona indicators out of STIX
// objects (others are skipped and counted). A hashed-persona indicator whose
// hashes do not parse, or that the pattern does not match, is an error.
func ParseHashedIndicators(objs []json.RawMessage) ([]SharedPersona, int, error) {
	var out []SharedPersona
	skipped := 0
	for i, raw := range objs {
		o, err := stix.Parse(raw)
		if err != nil {
			skipped++
			continue
		}
		ind, ok := o.(*stix.Indicator)
		if !ok || !slices.Contains(ind.Labels, hashedLabel) {
			skipped++
			continue
		}
		sp := SharedPersona{IndicatorID: ind.ID, CreatedBy: ind.CreatedByRef}
		if _, err := ind.Prop(propKeyID, &sp.KeyID); err != nil || sp.KeyID == "" {
			return nil, skipped, fmt.Errorf("%w: object %d (%s): no %s", ErrShare, i, ind.ID, propKeyID)
		}
		if _, err := ind.Prop(propHashes, &sp.Hashes); err != nil || len(sp.Hashes) == 0 || len(sp.Hashes) > maxHashedIdent {
			return nil, skipped, fmt.Errorf("%w: object %d (%s): %s missing or malformed", ErrShare, i, ind.ID, propHashes)
		}
		for _, h := range sp.Hashes {
			if b, err := hex.DecodeString(h.HMAC); err != nil || len(b) != sha256.Size || h.Class == "" {
				return nil, skipped, fmt.Errorf("%w: object %d (%s): bad hashed identifier %q", ErrShare, i, ind.ID, h.HMAC)
			}
			if !strings.Contains(ind.Pattern, "'"+h.HMAC+"'") {
				return nil, skipped, fmt.Errorf("%w: object %d (%s): hash %s is not in the pattern", ErrShare, i, ind.ID, h.HMAC[:12])
			}
		}
		out = append(out, sp)
	}
	return out, skipped, nil
}

// HashMatcher matches persons against hashed personas from other members;
// it is a SignalSource for the re-screener.
type HashMatcher struct {
	key    *ISACKey
	byHash map[string][]*SharedPersona // class + "/" + hmac → personas
}

// NewHashMatcher indexes the personas hashed under k (others are ignored).
func NewHashMatcher(k *ISACKey, personas []SharedPersona) *HashMatcher {
	m := &HashMatcher{key: k, byHash: map[string][]*SharedPersona{}}
	for i := range personas {
		sp := &personas[i]
		if sp.KeyID != k.ID() {
			continue
		}
		for _, h := range sp.Hashes {
			m.byHash[h.Class+"/"+h.HMAC] = append(m.byHash[h.Class+"/"+h.HMAC], sp)
		}
	}
	return m
}

// Len is the number of distinct hashes indexed.
func (m *HashMatcher) Len() int { return len(m.byHash) }

// Signals implements SignalSource: rule PPL-SHARED-HASH, one signal per
// shared persona one of p's identifiers matches, naming the identifier
// types and the indicator, never a value.
func (m *HashMatcher) Signals(_ context.Context, p *people.Person) ([]Signal, error) {
	if len(m.byHash) == 0 {
		return nil, nil
	}
	hits := map[string]*Signal{}
	var order []string
	for _, id := range p.Identifiers {
		if !Shareable(id.Type) || id.Value == "" {
			continue
		}
		c, err := people.Canonical(id.Type, id.Value, id.Extra)
		if err != nil {
			continue // stored values were canonical once; a rule change is not a match
		}
		h := m.key.Hash(id.Type, c)
		for _, sp := range m.byHash[id.Type.Class()+"/"+hex.EncodeToString(h[:])] {
			s := hits[sp.IndicatorID]
			if s == nil {
				s = &Signal{
					Rule: "PPL-SHARED-HASH", Advisory: "isac:" + sp.IndicatorID, Severity: High, PersonID: p.ID,
					Summary: "identifiers match a persona another member shared (hashed under the ISAC key)",
				}
				hits[sp.IndicatorID] = s
				order = append(order, sp.IndicatorID)
			}
			s.Evidence = append(s.Evidence, Evidence{Kind: "shared_indicator", Field: string(id.Type), Value: sp.IndicatorID})
		}
	}
	out := make([]Signal, 0, len(order))
	for _, id := range order {
		out = append(out, *hits[id])
	}
	return out, nil
}
