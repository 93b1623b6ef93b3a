package inspect

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Sentinels callers branch on.
var (
	// ErrNotFound: no inspection with that id.
	ErrNotFound = errors.New("inspect: not found")
	// ErrInvalid: an answer or evidence item that cannot be stored as given.
	ErrInvalid = errors.New("inspect: invalid")
	// ErrExists: an inspection with that id already exists.
	ErrExists = errors.New("inspect: already exists")
)

// Status is the answer to one control, in SEAL's scoring vocabulary plus
// Unknown. Unknown is never counted as passed or failed: it is reported as
// not yet answered.
type Status string

// The statuses.
const (
	Implemented    Status = "implemented"
	Partial        Status = "partial"
	NotImplemented Status = "not_implemented"
	NotApplicable  Status = "na"
	Unknown        Status = "unknown"
)

// ParseStatus accepts the status names and a few spellings people type.
func ParseStatus(s string) (Status, error) {
	switch s {
	case "implemented", "yes":
		return Implemented, nil
	case "partial", "partially_implemented", "partially-implemented":
		return Partial, nil
	case "not_implemented", "not-implemented", "no":
		return NotImplemented, nil
	case "na", "n/a", "not_applicable", "not-applicable":
		return NotApplicable, nil
	case "unknown", "":
		return Unknown, nil
	}
	return "", fmt.Errorf("%w: status %q (implemented, partial, not_implemented, na, unknown)", ErrInvalid, s)
}

// Passed says whether s counts as meeting a control.
func (s Status) Passed() bool { return s == Implemented || s == NotApplicable }

// Failed says whether s counts as not meeting a control. Unknown is neither
// passed nor failed.
func (s Status) Failed() bool { return s == Partial || s == NotImplemented }

// EvidenceKind is the type of an evidence item, after SEAL's evidence list.
type EvidenceKind string

// The evidence kinds.
const (
	Procedure    EvidenceKind = "procedure"
	Log          EvidenceKind = "log"
	TestResult   EvidenceKind = "test_result"
	ConfigExport EvidenceKind = "config_export"
	Screenshot   EvidenceKind = "screenshot"
)

var evidenceKinds = map[EvidenceKind]bool{Procedure: true, Log: true, TestResult: true, ConfigExport: true, Screenshot: true}

// Inspection is one self-inspection of an organisation at a time. Previous
// names the inspection it is compared with (empty for the first).
type Inspection struct {
	ID       string    `json:"id"`
	Org      string    `json:"org"`
	Title    string    `json:"title"`
	Created  time.Time `json:"created"`
	Previous string    `json:"previous,omitempty"`
}

// Answer is one answer to a control. Every change is kept: the store returns
// the latest per control and the history on request.
type Answer struct {
	Control       string    `json:"control"` // framework:id
	Status        Status    `json:"status"`
	Justification string    `json:"justification,omitempty"` // required for N/A
	Note          string    `json:"note,omitempty"`
	By            string    `json:"by"`
	At            time.Time `json:"at"`
}

// Evidence is one item backing an answer: who owns it, when it was taken,
// when it stops counting, and the SHA-256 of its content so a reviewer can
// check the file they are shown is the one recorded.
type Evidence struct {
	ID        string       `json:"id"`
	Control   string       `json:"control"`
	Kind      EvidenceKind `json:"kind"`
	Title     string       `json:"title"`
	Owner     string       `json:"owner"`
	Date      time.Time    `json:"date"`
	Expires   time.Time    `json:"expires,omitzero"`
	SHA256    string       `json:"sha256"`
	URI       string       `json:"uri,omitempty"`
	Collector string       `json:"collector,omitempty"` // set when a machine collected it
}

// Store keeps inspections, answers with their history, and evidence.
// Times come back in UTC, truncated to the microsecond.
type Store interface {
	CreateInspection(ctx context.Context, in Inspection) error
	Inspection(ctx context.Context, id string) (Inspection, error)
	// Inspections lists an organisation's inspections, oldest first; all
	// organisations' when org is empty.
	Inspections(ctx context.Context, org string) ([]Inspection, error)
	PutAnswer(ctx context.Context, inspection string, a Answer) error
	// Answers returns the latest answer per control, ordered by control.
	Answers(ctx context.Context, inspection string) ([]Answer, error)
	// AnswerHistory returns every answer given to a control, oldest first.
	AnswerHistory(ctx context.Context, inspection, control string) ([]Answer, error)
	AddEvidence(ctx context.Context, inspection string, e Evidence) error
	// Evidence lists the evidence of an inspection ordered by control, id.
	Evidence(ctx context.Context, inspection string) ([]Evidence, error)
}

// Validate checks an inspection before it is stored.
func (in Inspection) Validate() error {
	if in.ID == "" || in.Org == "" {
		return fmt.Errorf("%w: inspection needs an id and an organisation", ErrInvalid)
	}
	if in.Previous == in.ID {
		return fmt.Errorf("%w: inspection %s cannot follow itself", ErrInvalid, in.ID)
	}
	return nil
}

// Validate checks an answer against the catalogue (nil skips that).
func (a Answer) Validate(c *Catalogue) error {
	if a.Control == "" || a.By == "" || a.At.IsZero() {
		return fmt.Errorf("%w: answer needs a control, who answered and when", ErrInvalid)
	}
	if c != nil {
		if _, ok := c.Control(a.Control); !ok {
			return fmt.Errorf("%w: unknown control %q", ErrInvalid, a.Control)
		}
	}
	if _, err := ParseStatus(string(a.Status)); err != nil || a.Status == "" {
		return fmt.Errorf("%w: status %q", ErrInvalid, a.Status)
	}
	if a.Status == NotApplicable && a.Justification == "" {
		return fmt.Errorf("%w: %s answered N/A without a justification", ErrInvalid, a.Control)
	}
	return nil
}

// Validate checks an evidence item.
func (e Evidence) Validate() error {
	if e.ID == "" || e.Control == "" || e.Title == "" || e.Owner == "" || e.Date.IsZero() {
		return fmt.Errorf("%w: evidence needs an id, control, title, owner and date", ErrInvalid)
	}
	if !evidenceKinds[e.Kind] {
		return fmt.Errorf("%w: evidence kind %q (procedure, log, test_result, config_export, screenshot)", ErrInvalid, e.Kind)
	}
	if b, err := hex.DecodeString(e.SHA256); err != nil || len(b) != 32 {
		return fmt.Errorf("%w: evidence %s: sha256 must be 64 hex digits", ErrInvalid, e.ID)
	}
	if !e.Expires.IsZero() && !e.Expires.After(e.Date) {
		return fmt.Errorf("%w: evidence %s expires before it was taken", ErrInvalid, e.ID)
	}
	return nil
}

// Expired says whether the evidence no longer counts at t.
func (e Evidence) Expired(t time.Time) bool { return !e.Expires.IsZero() && !t.Before(e.Expires) }

// Change is one control whose answer differs between two inspections.
type Change struct {
	Control string `json:"control"`
	From    Status `json:"from"`
	To      Status `json:"to"`
}

// Diff compares the latest answers of two inspections. A control answered in
// only one of them counts as Unknown in the other.
func Diff(prev, cur []Answer) []Change {
	from := map[string]Status{}
	for _, a := range prev {
		from[a.Control] = a.Status
	}
	to := map[string]Status{}
	for _, a := range cur {
		to[a.Control] = a.Status
	}
	var out []Change
	for k, s := range to {
		f, ok := from[k]
		if !ok {
			f = Unknown
		}
		if f != s {
			out = append(out, Change{Control: k, From: f, To: s})
		}
	}
	for k, f := range from {
		if _, ok := to[k]; !ok && f != Unknown {
			out = append(out, Change{Control: k, From: f, To: Unknown})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Control < out[j].Control })
	return out
}
