package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Outcome is what Accept did with a record.
type Outcome string

// Outcomes of Accept.
const (
	// Accepted: the record was new and is stored.
	Accepted Outcome = "accepted"
	// Duplicate: the same bytes were accepted before; nothing changed.
	Duplicate Outcome = "duplicate"
)

// ParsePayload decodes a stored payload strictly (backends use it to read
// records back).
func ParsePayload(payload []byte) (Record, error) { return decodeCanonical(payload) }

// Service accepts records into a store and answers what is flagged. It is
// safe for concurrent use.
type Service struct {
	store  Store
	policy Policy
	log    *slog.Logger
	id     *Identity // this instance's identity; nil: it issues nothing
	now    func() time.Time
}

// NewService returns a service over st. A nil logger discards logs.
func NewService(st Store, p Policy, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, policy: p, log: log.With("component", "notify"), now: func() time.Time { return time.Now().UTC() }}
}

// WithIdentity returns a copy of s that issues and revokes as id.
func (s *Service) WithIdentity(id Identity) *Service {
	c := *s
	c.id = &id
	return &c
}

// WithClock returns a copy of s reading time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// Identity returns the service's identity, if it has one.
func (s *Service) Identity() (Identity, bool) {
	if s.id == nil {
		return Identity{}, false
	}
	return *s.id, true
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// Policy returns the service's policy.
func (s *Service) Policy() Policy { return s.policy }

// rejection reports whether err refuses the record (rather than failing to
// store it).
func rejection(err error) bool {
	for _, e := range []error{ErrMalformed, ErrBadSignature, ErrUnknownIssuer, ErrNotAuthorised, ErrExpired, ErrTooLarge, ErrConflict, ErrNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Accept verifies an envelope and stores it, in one transaction with the
// checks against earlier records: the same id with the same bytes is a
// Duplicate; the same id with other bytes is ErrConflict (a replay or a
// tamper); a revocation is final; a revocation or amendment comes only from
// the flag's issuer. A refused record is logged to the rejection log with its
// reason and the error returned wraps the reason's sentinel.
func (s *Service) Accept(ctx context.Context, env Envelope, src Source) (Outcome, Record, error) {
	now := s.now()
	var (
		out Outcome
		rec Record
	)
	err := s.store.UpdateFlags(ctx, func(tx FlagTx) error {
		r, err := Verify(ctx, tx, s.policy, env, now)
		if err != nil {
			return err
		}
		rec = r
		prev, err := tx.StoredRecord(ctx, r.ID)
		switch {
		case err == nil && bytes.Equal(prev.Envelope.Payload, env.Payload):
			out = Duplicate
			return nil
		case err == nil:
			return fmt.Errorf("%w: record %s was accepted before with other content (replay or tamper)", ErrConflict, r.ID)
		case !errors.Is(err, ErrNotFound):
			return err
		}
		st := Stored{Envelope: env, Record: r, Source: src, ReceivedAt: now}
		if err := apply(ctx, tx, st); err != nil {
			return err
		}
		out = Accepted
		return tx.InsertRecord(ctx, st)
	})
	if err != nil {
		if rejection(err) {
			s.reject(ctx, env, rec, src, now, err)
		}
		return "", Record{}, err
	}
	s.log.Info("record accepted", "outcome", out, "id", rec.ID, "kind", rec.Kind, "issuer", rec.Issuer, "source", src)
	return out, rec, nil
}

// reject logs a refused envelope: to slog and to the rejection log.
func (s *Service) reject(ctx context.Context, env Envelope, rec Record, src Source, now time.Time, cause error) {
	sum := sha256.Sum256(env.Payload)
	rj := Rejection{At: now, Source: src, RecordID: rec.ID, Issuer: rec.Issuer, KeyID: env.KeyID,
		Size: len(env.Payload), SHA256: hex.EncodeToString(sum[:]), Reason: cause.Error()}
	if len(rj.KeyID) > 200 {
		rj.KeyID = rj.KeyID[:200]
	}
	s.log.Warn("record rejected", "source", src, "key_id", rj.KeyID, "record", rj.RecordID, "sha256", rj.SHA256, "reason", rj.Reason)
	if err := s.store.AddRejection(context.WithoutCancel(ctx), rj); err != nil {
		s.log.Error("rejection not logged", "sha256", rj.SHA256, "err", err)
	}
}

// apply changes the flag a new record is about.
func apply(ctx context.Context, tx FlagTx, st Stored) error {
	r := st.Record
	switch r.Kind {
	case KindFlag:
		f, err := tx.Flag(ctx, r.ID)
		switch {
		case errors.Is(err, ErrNotFound):
			return tx.PutFlag(ctx, Flag{Record: r, State: StateActive, KeyID: st.Envelope.KeyID, Source: st.Source, ReceivedAt: st.ReceivedAt, UpdatedAt: st.ReceivedAt})
		case err != nil:
			return err
		case !f.Pending || f.Issuer != r.Issuer:
			return fmt.Errorf("%w: flag %s exists with another issuer", ErrConflict, r.ID)
		}
		// Revoked before it arrived: keep it revoked, now with its content.
		f.Record, f.KeyID, f.Source, f.ReceivedAt, f.UpdatedAt, f.Pending = r, st.Envelope.KeyID, st.Source, st.ReceivedAt, st.ReceivedAt, false
		return tx.PutFlag(ctx, f)
	case KindRevocation:
		f, err := tx.Flag(ctx, r.Ref)
		switch {
		case errors.Is(err, ErrNotFound):
			return tx.PutFlag(ctx, Flag{Record: Record{ID: r.Ref, Kind: KindFlag, Issuer: r.Issuer, IssuedAt: r.IssuedAt},
				State: StateRevoked, Source: st.Source, ReceivedAt: st.ReceivedAt, UpdatedAt: st.ReceivedAt, RevokedBy: r.ID, Pending: true})
		case err != nil:
			return err
		case f.Issuer != r.Issuer:
			return fmt.Errorf("%w: %s may not revoke flag %s of %s", ErrNotAuthorised, r.Issuer, f.ID, f.Issuer)
		case f.State == StateRevoked:
			return nil // revoked already; the first revocation stands
		}
		f.State, f.RevokedBy, f.UpdatedAt = StateRevoked, r.ID, st.ReceivedAt
		return tx.PutFlag(ctx, f)
	case KindAmendment:
		f, err := tx.Flag(ctx, r.Ref)
		switch {
		case errors.Is(err, ErrNotFound):
			return fmt.Errorf("%w: amendment %s refers to flag %s, which is not known here", ErrNotFound, r.ID, r.Ref)
		case err != nil:
			return err
		case f.Issuer != r.Issuer:
			return fmt.Errorf("%w: %s may not amend flag %s of %s", ErrNotAuthorised, r.Issuer, f.ID, f.Issuer)
		case f.State == StateRevoked:
			return fmt.Errorf("%w: flag %s is revoked; a revocation is final", ErrConflict, f.ID)
		}
		amend(&f, r)
		if len(f.Subjects) > MaxSubjects {
			return fmt.Errorf("%w: amendment %s would give flag %s %d subjects, at most %d", ErrMalformed, r.ID, f.ID, len(f.Subjects), MaxSubjects)
		}
		f.State, f.UpdatedAt = StateAmended, st.ReceivedAt
		return tx.PutFlag(ctx, f)
	}
	return fmt.Errorf("%w: kind %q", ErrMalformed, r.Kind)
}

// amend overlays an amendment on a flag. Subjects are added always; the
// other fields only when the amendment is newer than the last one applied
// (amendments may arrive out of order).
func amend(f *Flag, a Record) {
	if len(a.Subjects) > 0 {
		f.Subjects = append(slices.Clone(f.Subjects), a.Subjects...)
		slices.SortFunc(f.Subjects, func(x, y Subject) int { return strings.Compare(x.key(), y.key()) })
		f.Subjects = slices.CompactFunc(f.Subjects, func(x, y Subject) bool { return x.key() == y.key() })
	}
	if a.IssuedAt.Before(f.AmendedAt) {
		return
	}
	f.AmendedAt = a.IssuedAt
	if !a.ExpiresAt.IsZero() {
		f.ExpiresAt = a.ExpiresAt
	}
	if a.Confidence != 0 {
		f.Confidence = a.Confidence
	}
	for _, p := range []struct {
		dst *string
		v   string
	}{{&f.Reason, a.Reason}, {&f.Incident, a.Incident}, {&f.Actor, a.Actor}, {&f.TLP, a.TLP}} {
		if p.v != "" {
			*p.dst = p.v
		}
	}
}

// trusted reports whether the flag's issuing key is still registered to its
// issuer and was not revoked before the flag was issued.
func trusted(ctx context.Context, kr Keyring, f Flag, cache map[string]SigningKey) (bool, error) {
	if f.KeyID == "" {
		return false, nil
	}
	k, ok := cache[f.KeyID]
	if !ok {
		var err error
		k, err = kr.SigningKey(ctx, f.KeyID)
		if errors.Is(err, ErrNotFound) {
			cache[f.KeyID] = SigningKey{}
			return false, nil
		}
		if err != nil {
			return false, err
		}
		cache[f.KeyID] = k
	}
	return k.Member == f.Issuer && (k.RevokedAt.IsZero() || f.IssuedAt.Before(k.RevokedAt)), nil
}

// Active lists the flags valid at t on chain (all chains if chain is
// empty): not revoked, not expired, their issuing key still trusted. Each
// flag's Subjects are cut to that chain; a flag with none is left out. The
// alert engine consumes this.
func (s *Service) Active(ctx context.Context, chain string, at time.Time) ([]Flag, error) {
	live, err := s.store.LiveFlags(ctx, at)
	if err != nil {
		return nil, err
	}
	cache := map[string]SigningKey{}
	out := live[:0]
	for _, f := range live {
		ok, err := trusted(ctx, s.store, f, cache)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if chain != "" {
			f.Subjects = slices.DeleteFunc(slices.Clone(f.Subjects), func(x Subject) bool { return x.Chain != chain })
			if len(f.Subjects) == 0 {
				continue
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// View is a flag as listed: its state now and whether its stored envelope
// still verifies against the registry.
type View struct {
	Flag
	Verified bool `json:"verified"`
}

// view re-verifies a flag's stored envelope (at its own issue time, so only
// the signature, the key and the issuer's role are checked) and sets its
// state at now.
func (s *Service) view(ctx context.Context, f Flag, now time.Time) (View, error) {
	v := View{Flag: f}
	v.State = f.StateAt(now)
	if f.Pending {
		return v, nil
	}
	st, err := s.store.StoredRecord(ctx, f.ID)
	if errors.Is(err, ErrNotFound) {
		return v, nil
	}
	if err != nil {
		return View{}, err
	}
	_, err = Verify(ctx, s.store, s.policy, st.Envelope, st.Record.IssuedAt)
	v.Verified = err == nil
	return v, nil
}

// List returns every flag with its state now and its verification.
func (s *Service) List(ctx context.Context) ([]View, error) {
	fs, err := s.store.Flags(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]View, 0, len(fs))
	for _, f := range fs {
		v, err := s.view(ctx, f, now)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Show returns one flag and its history.
func (s *Service) Show(ctx context.Context, id string) (View, []Stored, error) {
	f, err := s.store.Flag(ctx, id)
	if err != nil {
		return View{}, nil, err
	}
	v, err := s.view(ctx, f, s.now())
	if err != nil {
		return View{}, nil, err
	}
	h, err := s.store.FlagHistory(ctx, id)
	if err != nil {
		return View{}, nil, err
	}
	return v, h, nil
}

// errNoIdentity: the service was built without an identity.
var errNoIdentity = errors.New("notify: this instance has no identity; run interdict keys init")

// Issue signs r as this instance (issued now unless set) and accepts it as
// a local record.
func (s *Service) Issue(ctx context.Context, r Record) (Envelope, Record, error) {
	if s.id == nil {
		return Envelope{}, Record{}, errNoIdentity
	}
	if r.IssuedAt.IsZero() {
		r.IssuedAt = s.now()
	}
	env, rec, err := s.id.Sign(r)
	if err != nil {
		return Envelope{}, Record{}, err
	}
	if _, _, err := s.Accept(ctx, env, SourceLocal); err != nil {
		return Envelope{}, Record{}, err
	}
	return env, rec, nil
}

// Revoke issues a revocation of flag id, which must be this instance's.
func (s *Service) Revoke(ctx context.Context, flagID, reason string) (Envelope, Record, error) {
	if s.id == nil {
		return Envelope{}, Record{}, errNoIdentity
	}
	f, err := s.store.Flag(ctx, flagID)
	if err != nil {
		return Envelope{}, Record{}, err
	}
	if f.Issuer != s.id.Member {
		return Envelope{}, Record{}, fmt.Errorf("%w: flag %s was issued by %s; only its issuer revokes it", ErrNotAuthorised, flagID, f.Issuer)
	}
	return s.Issue(ctx, Record{ID: NewRecordID(KindRevocation), Kind: KindRevocation, Ref: flagID, Reason: reason})
}

// Amend issues an amendment of flag id, which must be this instance's: a
// is the amendment's content (expiry, confidence, reason, incident, actor,
// TLP, subjects to add); its id, kind and ref are set here.
func (s *Service) Amend(ctx context.Context, flagID string, a Record) (Envelope, Record, error) {
	if s.id == nil {
		return Envelope{}, Record{}, errNoIdentity
	}
	f, err := s.store.Flag(ctx, flagID)
	if err != nil {
		return Envelope{}, Record{}, err
	}
	if f.Issuer != s.id.Member {
		return Envelope{}, Record{}, fmt.Errorf("%w: flag %s was issued by %s; only its issuer amends it", ErrNotAuthorised, flagID, f.Issuer)
	}
	a.ID, a.Kind, a.Ref = NewRecordID(KindAmendment), KindAmendment, flagID
	return s.Issue(ctx, a)
}

// LogRejection records input refused before it could be read as an
// envelope (oversized, not JSON): its size, SHA-256 and the reason.
func (s *Service) LogRejection(ctx context.Context, src Source, raw []byte, cause error) {
	s.reject(ctx, Envelope{Payload: raw}, Record{}, src, s.now(), cause)
}

// NewRecordID returns a fresh record id: the kind and a random UUID.
func NewRecordID(k Kind) string { return string(k) + "--" + uuid.NewString() }

// Viewer is who reads flags, for the TLP rule of Visible.
type Viewer struct {
	Member     string // the caller's member id
	Admin      bool   // an administrator of this instance
	Registered bool   // the caller's member is in the registry
}

// Visible applies TLP to a flag, as the TAXII server does to objects: RED
// only to the issuer and this instance's administrators; AMBER and
// AMBER+STRICT also to registered members; GREEN, CLEAR and unmarked to
// every authenticated caller.
func Visible(v Viewer, f Flag) bool {
	own := v.Admin || (v.Member != "" && v.Member == f.Issuer)
	switch f.TLP {
	case "red":
		return own
	case "amber", "amber+strict":
		return own || v.Registered
	}
	return true
}

// Registered reports whether member is in the registry.
func (s *Service) Registered(ctx context.Context, member string) (bool, error) {
	if member == "" {
		return false, nil
	}
	_, err := s.store.Member(ctx, member)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
