package federate

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/share/stix"
)

// Errors an object is turned away with before its envelope is verified.
var (
	// ErrNotFlag: the object is not an indicator carrying a signed record
	// (e.g. the extension definition itself); it is skipped, not rejected.
	ErrNotFlag = errors.New("federate: not a flag indicator")
	// ErrInvalid: the indicator carries the extension but it is unusable.
	ErrInvalid = errors.New("federate: invalid flag indicator")
	// ErrMismatch: the indicator says something its signed record does not.
	ErrMismatch = errors.New("federate: indicator disagrees with its signed record")
)

// maxObjectBytes bounds an object as received: the envelope plus its
// base64 and the pattern fit well inside four envelopes.
const maxObjectBytes = 4 * notify.MaxEnvelopeBytes

// Decode reads the signed envelope an indicator carries and checks that the
// indicator agrees with the record in it. The record returned is only
// decoded, not verified: the Acceptor verifies the envelope. An object
// that is not a flag indicator gives ErrNotFlag.
func Decode(raw []byte) (notify.Envelope, notify.Record, *stix.Indicator, error) {
	if len(raw) > maxObjectBytes {
		return notify.Envelope{}, notify.Record{}, nil, fmt.Errorf("%w: %d bytes, at most %d", ErrInvalid, len(raw), maxObjectBytes)
	}
	o, err := stix.Parse(raw)
	if err != nil {
		return notify.Envelope{}, notify.Record{}, nil, fmt.Errorf("%w: %w", ErrNotFlag, err)
	}
	ind, ok := o.(*stix.Indicator)
	if !ok {
		return notify.Envelope{}, notify.Record{}, nil, fmt.Errorf("%w: %s", ErrNotFlag, o.Core().ID)
	}
	ext, ok := ind.Extensions[ExtensionID]
	if !ok {
		return notify.Envelope{}, notify.Record{}, nil, fmt.Errorf("%w: %s has no signed-record extension", ErrNotFlag, ind.ID)
	}
	env, err := envelope(ext)
	if err != nil {
		return notify.Envelope{}, notify.Record{}, ind, fmt.Errorf("%w: %s: %w", ErrInvalid, ind.ID, err)
	}
	var rec notify.Record
	if err := json.Unmarshal(env.Payload, &rec); err != nil {
		return env, notify.Record{}, ind, fmt.Errorf("%w: %s: payload: %v", notify.ErrMalformed, ind.ID, err)
	}
	if err := Agree(ind, rec); err != nil {
		return env, rec, ind, err
	}
	return env, rec, ind, nil
}

func envelope(ext json.RawMessage) (notify.Envelope, error) {
	var s Signed
	dec := json.NewDecoder(bytes.NewReader(ext))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return notify.Envelope{}, fmt.Errorf("extension: %v", err)
	}
	if s.ExtensionType != "property-extension" {
		return notify.Envelope{}, fmt.Errorf("extension_type %q, want property-extension", s.ExtensionType)
	}
	payload, err := base64.StdEncoding.DecodeString(s.Payload)
	if err != nil {
		return notify.Envelope{}, fmt.Errorf("payload is not base64: %v", err)
	}
	sig, err := base64.StdEncoding.DecodeString(s.Signature)
	if err != nil {
		return notify.Envelope{}, fmt.Errorf("signature is not base64: %v", err)
	}
	return notify.Envelope{Payload: payload, KeyID: s.KeyID, Signature: sig}, nil
}

// Agree checks that an indicator says what its record says: id, creator,
// version, revoked, validity, confidence, TLP marking and, when the record
// names subjects, the pattern.
func Agree(ind *stix.Indicator, rec notify.Record) error {
	bad := func(what string, got, want any) error {
		return fmt.Errorf("%w: %s: %s is %v, the signed record says %v", ErrMismatch, ind.ID, what, got, want)
	}
	if want := IndicatorID(rec.Issuer, flagID(rec)); ind.ID != want {
		return bad("id", ind.ID, want+" (issuer "+rec.Issuer+", flag "+flagID(rec)+")")
	}
	if want := MemberIdentityID(rec.Issuer); ind.CreatedByRef != want {
		return bad("created_by_ref", ind.CreatedByRef, want)
	}
	if want := versionTime(rec); !ind.Modified.Time().Equal(want) {
		return bad("modified", ind.Modified, stix.NewTimestamp(want))
	}
	if revoked := ind.Revoked != nil && *ind.Revoked; revoked != (rec.Kind == notify.KindRevocation) {
		return bad("revoked", revoked, rec.Kind)
	}
	if !ind.ValidFrom.Time().Equal(rec.IssuedAt) {
		return bad("valid_from", ind.ValidFrom, rec.IssuedAt.UTC().Format(time.RFC3339))
	}
	if !ind.ValidUntil.Time().Equal(rec.ExpiresAt) && !(ind.ValidUntil.IsZero() && rec.ExpiresAt.IsZero()) {
		return bad("valid_until", ind.ValidUntil, rec.ExpiresAt.UTC().Format(time.RFC3339))
	}
	conf := 0
	if ind.Confidence != nil {
		conf = *ind.Confidence
	}
	if conf != rec.Confidence {
		return bad("confidence", conf, rec.Confidence)
	}
	var marks []string
	if rec.TLP != "" {
		t, err := stix.ParseTLP(rec.TLP)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", notify.ErrMalformed, ind.ID, err)
		}
		marks = []string{stix.TLP20ID(t)}
	}
	if !slices.Equal(ind.ObjectMarkingRefs, marks) {
		return bad("object_marking_refs", ind.ObjectMarkingRefs, marks)
	}
	if len(rec.Subjects) > 0 {
		if want := Pattern(rec.Subjects); ind.Pattern != want {
			return bad("pattern", ind.Pattern, want)
		}
	}
	return nil
}
