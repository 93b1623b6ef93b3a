package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/chain"
)

// Errors a record or envelope is refused with; callers branch on them with
// errors.Is (the API maps them to 4xx, the CLI to exit codes).
var (
	// ErrMalformed: the payload is not a well-formed record in canonical form.
	ErrMalformed = errors.New("notify: malformed record")
	// ErrBadSignature: the signature does not verify under the named key.
	ErrBadSignature = errors.New("notify: bad signature")
	// ErrUnknownIssuer: no registered member holds the signing key, or the key
	// is revoked, or the record's issuer is not the key's member.
	ErrUnknownIssuer = errors.New("notify: unknown issuer")
	// ErrNotAuthorised: the issuer's role may not issue this kind of record.
	ErrNotAuthorised = errors.New("notify: issuer not authorised")
	// ErrExpired: the record expired (or was issued implausibly far in the
	// future).
	ErrExpired = errors.New("notify: expired")
	// ErrTooLarge: the envelope is larger than MaxEnvelopeBytes.
	ErrTooLarge = errors.New("notify: record too large")
	// ErrConflict: another record with the same id and different content
	// exists, or the record would undo a revocation (a replay).
	ErrConflict = errors.New("notify: conflicting record")
	// ErrNotFound: no such record or member.
	ErrNotFound = errors.New("notify: not found")
)

// MaxEnvelopeBytes bounds an envelope as received; a flag with thousands of
// subjects fits well inside.
const MaxEnvelopeBytes = 1 << 20

// MaxSubjects bounds the subjects of one flag.
const MaxSubjects = 10000

// Kind is what a record does.
type Kind string

// Kinds of record.
const (
	// KindFlag flags subjects as tied to illicit funds.
	KindFlag Kind = "flag"
	// KindRevocation withdraws the flag named by Ref, for good.
	KindRevocation Kind = "revocation"
	// KindAmendment changes the expiry, confidence, reason, incident, actor or
	// TLP of the flag named by Ref; its subjects, if any, are added.
	KindAmendment Kind = "amendment"
)

// Subject is what a flag names: an address, a transaction, or one output of
// a transaction (TxID and Vout), on a chain ("btc", "eth").
type Subject struct {
	Address string  `json:"address,omitempty"`
	Chain   string  `json:"chain"`
	TxID    string  `json:"tx,omitempty"`
	Vout    *uint32 `json:"vout,omitempty"`
}

// String renders a subject as chain:address, chain:tx or chain:tx:vout.
func (s Subject) String() string {
	switch {
	case s.Address != "":
		return s.Chain + ":" + s.Address
	case s.Vout != nil:
		return fmt.Sprintf("%s:%s:%d", s.Chain, s.TxID, *s.Vout)
	}
	return s.Chain + ":" + s.TxID
}

// Record is a flag, revocation or amendment as signed. Fields are declared in
// the lexicographic order of their JSON names, so encoding/json writes the
// canonical form (see Canonical).
type Record struct {
	Actor      string    `json:"actor,omitempty"`
	Confidence int       `json:"confidence,omitempty"` // 0–100
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	ID         string    `json:"id"`
	Incident   string    `json:"incident,omitempty"`
	IssuedAt   time.Time `json:"issued_at"`
	Issuer     string    `json:"issuer"` // member id of the issuer
	Kind       Kind      `json:"kind"`
	Reason     string    `json:"reason,omitempty"`
	Ref        string    `json:"ref,omitempty"` // flag a revocation or amendment refers to
	Subjects   []Subject `json:"subjects,omitempty"`
	TLP        string    `json:"tlp,omitempty"` // clear, green, amber, amber+strict, red
}

// tlps are the TLP 2.0 labels a record may carry.
var tlps = []string{"clear", "green", "amber", "amber+strict", "red"}

// Normalize puts a record into the form it is signed in: times in UTC
// truncated to the second, addresses normalised per chain, subjects sorted
// and deduplicated, TLP in lower case. It checks what must hold for every
// record and returns an ErrMalformed error otherwise.
func (r *Record) Normalize() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, a...))
	}
	r.IssuedAt = r.IssuedAt.UTC().Truncate(time.Second)
	if !r.ExpiresAt.IsZero() {
		r.ExpiresAt = r.ExpiresAt.UTC().Truncate(time.Second)
	}
	r.TLP = strings.ToLower(strings.TrimSpace(r.TLP))
	switch {
	case r.ID == "" || len(r.ID) > 200:
		return bad("id must be 1–200 characters")
	case r.Issuer == "":
		return bad("issuer is empty")
	case r.IssuedAt.IsZero():
		return bad("issued_at is missing")
	case r.Confidence < 0 || r.Confidence > 100:
		return bad("confidence %d is outside 0–100", r.Confidence)
	case r.TLP != "" && !slices.Contains(tlps, r.TLP):
		return bad("tlp %q: want one of %s", r.TLP, strings.Join(tlps, ", "))
	case !r.ExpiresAt.IsZero() && !r.ExpiresAt.After(r.IssuedAt):
		return bad("expires_at is not after issued_at")
	case len(r.Subjects) > MaxSubjects:
		return bad("%d subjects: at most %d", len(r.Subjects), MaxSubjects)
	}
	switch r.Kind {
	case KindFlag:
		if len(r.Subjects) == 0 {
			return bad("a flag needs at least one subject")
		}
		if r.Ref != "" {
			return bad("a flag has no ref")
		}
		if strings.TrimSpace(r.Reason) == "" {
			return bad("a flag needs a reason")
		}
	case KindRevocation:
		if r.Ref == "" {
			return bad("a revocation needs the ref of the flag it revokes")
		}
		if len(r.Subjects) > 0 {
			return bad("a revocation has no subjects")
		}
	case KindAmendment:
		if r.Ref == "" {
			return bad("an amendment needs the ref of the flag it amends")
		}
	default:
		return bad("kind %q: want flag, revocation or amendment", r.Kind)
	}
	for i := range r.Subjects {
		if err := r.Subjects[i].normalize(); err != nil {
			return bad("subject %d: %v", i, err)
		}
	}
	slices.SortFunc(r.Subjects, func(a, b Subject) int { return strings.Compare(a.key(), b.key()) })
	r.Subjects = slices.CompactFunc(r.Subjects, func(a, b Subject) bool { return a.key() == b.key() })
	return nil
}

func (s *Subject) normalize() error {
	s.Chain = strings.ToLower(strings.TrimSpace(s.Chain))
	if s.Chain != "btc" && s.Chain != "eth" {
		return fmt.Errorf("chain %q: want btc or eth", s.Chain)
	}
	switch {
	case s.Address != "" && (s.TxID != "" || s.Vout != nil):
		return errors.New("an address subject has no tx or vout")
	case s.Address != "":
		a := chain.ParseAddress(s.Address)
		switch {
		case s.Chain == "eth" && a.Format != chain.FormatEVM:
			return fmt.Errorf("address %q is not an Ethereum address", s.Address)
		case s.Chain == "btc" && a.Format != chain.FormatBech32 && a.Format != chain.FormatBase58:
			return fmt.Errorf("address %q is not a Bitcoin address", s.Address)
		}
		s.Address = a.Normalized
	case s.TxID != "":
		t := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(s.TxID, "0x"), "0X"))
		if len(t) != 64 || strings.Trim(t, "0123456789abcdef") != "" {
			return fmt.Errorf("tx %q is not 32 bytes of hex", s.TxID)
		}
		if s.Chain == "eth" {
			t = "0x" + t
			if s.Vout != nil {
				return errors.New("an Ethereum tx has no outputs to name")
			}
		}
		s.TxID = t
	default:
		return errors.New("needs an address or a tx")
	}
	return nil
}

func (s Subject) key() string { return s.String() }

// Canonical returns the canonical JSON of a normalised record: encoding/json
// of the struct (keys in lexicographic order, no insignificant space, no
// HTML escaping, times as RFC 3339 in UTC to the second).
func Canonical(r Record) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("notify: encode record: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// decodeCanonical parses a payload strictly and checks it is the canonical
// form of the record it holds.
func decodeCanonical(payload []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return Record{}, fmt.Errorf("%w: data after the record", ErrMalformed)
	}
	n := r
	n.Subjects = slices.Clone(r.Subjects)
	if err := n.Normalize(); err != nil {
		return Record{}, err
	}
	c, err := Canonical(n)
	if err != nil {
		return Record{}, err
	}
	if !bytes.Equal(c, payload) {
		return Record{}, fmt.Errorf("%w: payload is not in canonical form", ErrMalformed)
	}
	return n, nil
}
