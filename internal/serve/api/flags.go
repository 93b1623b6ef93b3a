package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/serve/auth"
)

// FlagService is the notification network's flag store as the API uses it
// (*notify.Service does).
type FlagService interface {
	List(ctx context.Context) ([]notify.View, error)
	Show(ctx context.Context, id string) (notify.View, []notify.Stored, error)
	Accept(ctx context.Context, env notify.Envelope, src notify.Source) (notify.Outcome, notify.Record, error)
	Revoke(ctx context.Context, flagID, reason string) (notify.Envelope, notify.Record, error)
	Registered(ctx context.Context, member string) (bool, error)
	// LogRejection logs a body refused before it was read as an envelope.
	LogRejection(ctx context.Context, src notify.Source, raw []byte, cause error)
}

// errFlagsOff: the server runs without a flag service.
var errFlagsOff = fmt.Errorf("%w: flags are not configured on this server", errNotReady)

// registerFlags serves /v1/flags. Reads apply TLP (notify.Visible): RED
// only to the issuer's own keys and admins, AMBER to keys of registered
// members too, GREEN and CLEAR to every key; a flag the caller may not see
// is answered 404. Posting a signed envelope needs an analyst key (the
// envelope's own signature is what is trusted); revoking needs an admin key
// of the issuing instance.
func (s *server) registerFlags() {
	s.handle("GET /v1/flags", auth.RoleScreener, s.listFlags)
	s.handle("POST /v1/flags", auth.RoleAnalyst, s.postFlag)
	s.handle("GET /v1/flags/{id}", auth.RoleScreener, s.getFlag)
	s.handle("POST /v1/flags/{id}/revoke", auth.RoleAdmin, s.revokeFlag)
}

// FlagsResponse is the answer to GET /v1/flags.
type FlagsResponse struct {
	Flags []notify.Doc `json:"flags"`
}

// FlagRecord is one signed record of a flag's history.
type FlagRecord struct {
	ID         string          `json:"id"`
	Kind       notify.Kind     `json:"kind"`
	Issuer     string          `json:"issuer"`
	IssuedAt   time.Time       `json:"issued_at"`
	Source     notify.Source   `json:"source"`
	ReceivedAt time.Time       `json:"received_at"`
	Envelope   notify.Envelope `json:"envelope"`
}

// FlagDetail is the answer to GET /v1/flags/{id}.
type FlagDetail struct {
	Flag    notify.Doc   `json:"flag"`
	History []FlagRecord `json:"history"`
}

// FlagAccepted is the answer to POST /v1/flags and to a revocation.
type FlagAccepted struct {
	Outcome notify.Outcome `json:"outcome"`
	ID      string         `json:"id"`
	Kind    notify.Kind    `json:"kind"`
	Issuer  string         `json:"issuer"`
	Ref     string         `json:"ref,omitempty"`
}

type revokeFlagRequest struct {
	Reason string `json:"reason"`
}

// viewer is the caller as TLP sees it.
func (s *server) viewer(r *http.Request) (notify.Viewer, error) {
	k := stateOf(r).key
	if k == nil {
		return notify.Viewer{}, nil
	}
	reg, err := s.deps.Flags.Registered(r.Context(), k.Member)
	if err != nil {
		return notify.Viewer{}, err
	}
	return notify.Viewer{Member: k.Member, Admin: k.Role == auth.RoleAdmin, Registered: reg}, nil
}

func (s *server) listFlags(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Flags == nil {
		return errFlagsOff
	}
	v, err := s.viewer(r)
	if err != nil {
		return err
	}
	all, err := s.deps.Flags.List(r.Context())
	if err != nil {
		return err
	}
	out := FlagsResponse{Flags: []notify.Doc{}}
	for _, f := range all {
		if notify.Visible(v, f.Flag) {
			out.Flags = append(out.Flags, f.Doc())
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *server) getFlag(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Flags == nil {
		return errFlagsOff
	}
	id := r.PathValue("id")
	v, err := s.viewer(r)
	if err != nil {
		return err
	}
	f, hist, err := s.deps.Flags.Show(r.Context(), id)
	if err != nil {
		return err
	}
	if !notify.Visible(v, f.Flag) {
		return fmt.Errorf("%w: flag %s", notify.ErrNotFound, id)
	}
	d := FlagDetail{Flag: f.Doc(), History: make([]FlagRecord, 0, len(hist))}
	for _, h := range hist {
		d.History = append(d.History, FlagRecord{ID: h.Record.ID, Kind: h.Record.Kind, Issuer: h.Record.Issuer,
			IssuedAt: h.Record.IssuedAt, Source: h.Source, ReceivedAt: h.ReceivedAt, Envelope: h.Envelope})
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// postFlag accepts one signed envelope: 201 when new, 200 when the same
// bytes were accepted before, 4xx with the reason otherwise.
func (s *server) postFlag(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Flags == nil {
		return errFlagsOff
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, notify.MaxEnvelopeJSON+1))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = fmt.Errorf("%w: at most %d bytes", ErrBodyTooLarge, mbe.Limit)
		s.deps.Flags.LogRejection(r.Context(), notify.SourceAPI, nil, err)
		return err
	}
	if err != nil {
		return err
	}
	env, err := notify.DecodeEnvelope(b)
	if err != nil {
		s.deps.Flags.LogRejection(r.Context(), notify.SourceAPI, b, err)
		return err
	}
	out, rec, err := s.deps.Flags.Accept(r.Context(), env, notify.SourceAPI)
	if err != nil {
		return err
	}
	stateOf(r).target = rec.ID
	status := http.StatusCreated
	if out == notify.Duplicate {
		status = http.StatusOK
	}
	writeJSON(w, status, FlagAccepted{Outcome: out, ID: rec.ID, Kind: rec.Kind, Issuer: rec.Issuer, Ref: rec.Ref})
	return nil
}

func (s *server) revokeFlag(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Flags == nil {
		return errFlagsOff
	}
	var req revokeFlagRequest
	if r.ContentLength != 0 {
		if err := requireJSON(r); err != nil {
			return err
		}
		if err := decodeStrict(r.Body, &req); err != nil {
			return err
		}
	}
	id := r.PathValue("id")
	_, rec, err := s.deps.Flags.Revoke(r.Context(), id, req.Reason)
	if err != nil {
		return err
	}
	stateOf(r).target = id
	writeJSON(w, http.StatusCreated, FlagAccepted{Outcome: notify.Accepted, ID: rec.ID, Kind: rec.Kind, Issuer: rec.Issuer, Ref: rec.Ref})
	return nil
}
