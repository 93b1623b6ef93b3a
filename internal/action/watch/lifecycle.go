package watch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/interdict/interdict/internal/serve/auth"
)

// Auditor appends to the audit log; the state stores satisfy it.
type Auditor interface {
	AppendAudit(ctx context.Context, e auth.AuditEntry) error
}

// ParseStatus checks a target status of a transition.
func ParseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case Open, Acknowledged, Frozen, Dismissed:
		return st, nil
	}
	return "", fmt.Errorf("%w: status %q: want open, acknowledged, frozen or dismissed", ErrInvalid, s)
}

// Move takes an alert to status to, recording who did it with a note, and
// appends the transition to the audit log (action "alert.<status>", target
// the alert id; the key id when an API key did it).
func Move(ctx context.Context, st Store, au Auditor, id string, to Status, by, keyID, note string, at time.Time) (Alert, error) {
	a, err := st.ChainAlert(ctx, id)
	if err != nil {
		return Alert{}, err
	}
	if !CanMove(a.Status, to) {
		return a, fmt.Errorf("%w: alert %s is %s, cannot become %s", ErrTransition, id, a.Status, to)
	}
	if at.IsZero() {
		at = time.Now().UTC()
	}
	t := Transition{From: a.Status, To: to, By: by, At: at, Note: note}
	if err := st.MoveChainAlert(ctx, id, t); err != nil {
		return a, err
	}
	status := 200
	if au != nil {
		if err := au.AppendAudit(ctx, auth.AuditEntry{At: at, KeyID: keyID, Member: by, Action: "alert." + string(to), Target: id, Status: status}); err != nil {
			return a, fmt.Errorf("audit alert %s: %w", id, err)
		}
	}
	return st.ChainAlert(ctx, id)
}

// IsNotFound reports whether err is a missing alert or entry.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
