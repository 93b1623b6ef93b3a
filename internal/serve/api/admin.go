package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/interdict/interdict/internal/serve/auth"
)

// CreateKeyRequest is the body of POST /v1/keys. Member defaults to the
// caller's member.
type CreateKeyRequest struct {
	Name   string    `json:"name"`
	Role   auth.Role `json:"role"`
	Member string    `json:"member,omitempty"`
}

// CreateKeyResponse is the answer to POST /v1/keys: the only time the
// secret is ever shown.
type CreateKeyResponse struct {
	Key    auth.Key `json:"key"`
	Secret string   `json:"secret"`
}

const maxKeyNameLen = 128

func (s *server) listKeys(w http.ResponseWriter, r *http.Request) error {
	if err := queryParams(r.URL.Query()); err != nil {
		return err
	}
	ks, err := s.deps.Auth.Keys(r.Context())
	if err != nil {
		return fmt.Errorf("list keys: %w", err)
	}
	if ks == nil {
		ks = []auth.Key{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": ks})
	return nil
}

func (s *server) createKey(w http.ResponseWriter, r *http.Request) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	var req CreateKeyRequest
	if err := decodeStrict(r.Body, &req); err != nil {
		return err
	}
	name, err := checkText(req.Name, maxKeyNameLen)
	if err != nil {
		return fmt.Errorf("%w: name: %v", ErrInvalidRequest, err)
	}
	role, err := auth.ParseRole(string(req.Role))
	if err != nil {
		return err
	}
	st := stateOf(r)
	member := st.key.Member
	if req.Member != "" {
		if member, err = checkText(req.Member, maxKeyNameLen); err != nil {
			return fmt.Errorf("%w: member: %v", ErrInvalidRequest, err)
		}
	}
	secret, k, err := auth.NewKey(member, name, role)
	if err != nil {
		return fmt.Errorf("make key: %w", err)
	}
	if err := s.deps.Auth.CreateKey(r.Context(), k); err != nil {
		return fmt.Errorf("store key: %w", err)
	}
	st.target = k.ID
	writeJSON(w, http.StatusCreated, CreateKeyResponse{Key: k, Secret: secret})
	return nil
}

func (s *server) revokeKey(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	stateOf(r).target = truncate(id, maxIDLen)
	if err := checkID(id); err != nil {
		return err
	}
	if err := s.deps.Auth.RevokeKey(r.Context(), id, time.Now().UTC()); err != nil {
		return fmt.Errorf("revoke key %s: %w", id, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) auditLog(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := queryParams(q, "limit"); err != nil {
		return err
	}
	limit, err := intParam(q, "limit", 100, 1, int64(s.cfg.MaxPageSize))
	if err != nil {
		return err
	}
	es, err := s.deps.Auth.Audit(r.Context(), int(limit))
	if err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	if es == nil {
		es = []auth.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es})
	return nil
}
