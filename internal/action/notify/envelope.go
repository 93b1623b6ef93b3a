package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// MaxEnvelopeJSON bounds an envelope's JSON form: the payload and signature
// are base64 (4 bytes per 3) inside a small object.
const MaxEnvelopeJSON = MaxEnvelopeBytes/3*4 + 4096

// DecodeEnvelope parses an envelope's JSON strictly: one object, no unknown
// fields, payload and signature present. Larger input than MaxEnvelopeJSON
// is ErrTooLarge; anything else wrong is ErrMalformed.
func DecodeEnvelope(b []byte) (Envelope, error) {
	if len(b) > MaxEnvelopeJSON {
		return Envelope{}, fmt.Errorf("%w: envelope JSON is %d bytes, at most %d", ErrTooLarge, len(b), MaxEnvelopeJSON)
	}
	var env Envelope
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return Envelope{}, fmt.Errorf("%w: envelope: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Envelope{}, fmt.Errorf("%w: data after the envelope", ErrMalformed)
	}
	if len(env.Payload) == 0 {
		return Envelope{}, fmt.Errorf("%w: envelope has no payload", ErrMalformed)
	}
	return env, nil
}

// Doc is a flag as the CLI and the API print it: every field present (no
// omitted zero values), expires_at null when the flag does not expire.
type Doc struct {
	ID         string     `json:"id"`
	Kind       Kind       `json:"kind"`
	State      State      `json:"state"`
	Subjects   []Subject  `json:"subjects"`
	Reason     string     `json:"reason"`
	Incident   string     `json:"incident"`
	Actor      string     `json:"actor"`
	Confidence int        `json:"confidence"`
	TLP        string     `json:"tlp"`
	Issuer     string     `json:"issuer"`
	IssuedAt   time.Time  `json:"issued_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	Verified   bool       `json:"verified"`
	KeyID      string     `json:"key_id"`
	Source     Source     `json:"source"`
	ReceivedAt time.Time  `json:"received_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	RevokedBy  string     `json:"revoked_by,omitempty"`
	Pending    bool       `json:"pending,omitempty"`
}

// Doc returns the view as printed.
func (v View) Doc() Doc {
	d := Doc{ID: v.ID, Kind: KindFlag, State: v.State, Subjects: v.Subjects, Reason: v.Reason, Incident: v.Incident,
		Actor: v.Actor, Confidence: v.Confidence, TLP: v.TLP, Issuer: v.Issuer, IssuedAt: v.IssuedAt, Verified: v.Verified,
		KeyID: v.KeyID, Source: v.Source, ReceivedAt: v.ReceivedAt, UpdatedAt: v.UpdatedAt, RevokedBy: v.RevokedBy, Pending: v.Pending}
	if d.Subjects == nil {
		d.Subjects = []Subject{}
	}
	if !v.ExpiresAt.IsZero() {
		e := v.ExpiresAt
		d.ExpiresAt = &e
	}
	return d
}
