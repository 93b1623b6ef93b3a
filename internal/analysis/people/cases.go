package people

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Case errors; backends return ErrCaseNotFound wrapped.
var (
	ErrCaseNotFound = errors.New("case not found")
	// ErrCaseInvalid marks a bad case request: no person, no actor, an
	// unknown disposition, a decision without a reason, a note on nothing.
	ErrCaseInvalid = errors.New("invalid case request")
)

// Disposition is a reviewer's decision on a case. Only a human records one:
// the system opens cases and adds signals to them, never decides (see Decide).
type Disposition string

// The dispositions.
const (
	// Cleared: reviewed, nothing wrong (a household, a shared office VPN).
	Cleared Disposition = "cleared"
	// Escalated: handed to security or legal; the case stays open.
	Escalated Disposition = "escalated"
	// Rejected: the person is not hired, paid or onboarded.
	Rejected Disposition = "rejected"
	// VerifiedInPerson: identity checked face to face against the documents,
	// the status privileged roles need (gating.go).
	VerifiedInPerson Disposition = "verified_in_person"
)

// Dispositions lists every disposition.
var Dispositions = []Disposition{Cleared, Escalated, Rejected, VerifiedInPerson}

// Valid reports whether d is a known disposition.
func (d Disposition) Valid() bool { return slices.Contains(Dispositions, d) }

// CaseStatus says whether a case waits for a reviewer.
type CaseStatus string

// Case statuses.
const (
	CaseOpen   CaseStatus = "open"
	CaseClosed CaseStatus = "closed"
)

// Action is what a case event did.
type Action string

// Case event actions.
const (
	ActionOpen    Action = "open"    // the case was opened (by a signal or by hand)
	ActionNote    Action = "note"    // a reviewer wrote a note
	ActionDecide  Action = "decide"  // a reviewer recorded a disposition
	ActionSignals Action = "signals" // re-screening found new signals
)

// Case is a review of one person or one persona cluster. Its history is
// its events, oldest first; the fields beside them are its current state.
type Case struct {
	ID          string      `json:"id"`
	Persons     []string    `json:"persons"`
	Status      CaseStatus  `json:"status"`
	Disposition Disposition `json:"disposition,omitempty"`
	// Decided is when Disposition was recorded (zero: never decided).
	Decided  time.Time `json:"decided,omitzero"`
	Opened   time.Time `json:"opened"`
	OpenedBy string    `json:"opened_by"`
	Reason   string    `json:"reason"`
	Updated  time.Time `json:"updated"`
	// Events is the audit trail; Case fills it, Cases leaves it empty.
	Events []CaseEvent `json:"events,omitempty"`
}

// CaseEvent is one entry of a case's audit trail: who did what, when and why.
type CaseEvent struct {
	Seq         int         `json:"seq"`
	At          time.Time   `json:"at"`
	Actor       string      `json:"actor"`
	Action      Action      `json:"action"`
	Disposition Disposition `json:"disposition,omitempty"`
	// Text is the note, the reason of a decision, or what triggered a signal.
	Text string `json:"text,omitempty"`
	// Signals names the signals behind an open or signals event as
	// "RULE:person:fingerprint": rule ids and keyed references only, so the
	// trail holds no identifier value.
	Signals []string `json:"signals,omitempty"`
}

// CaseState is a case's state after an event.
type CaseState struct {
	Status      CaseStatus
	Disposition Disposition
	Decided     time.Time
	// AddPersons join the case (a new member of the cluster it reviews);
	// persons already on it are left alone.
	AddPersons []string
}

// CaseFilter selects cases. Zero fields select all.
type CaseFilter struct {
	PersonID string
	Status   CaseStatus
	// Limit caps the result (0 or less: 100). Cases come newest first.
	Limit int
}

// SignalKey identifies a signal about a person across assessments: its
// rule and a keyed fingerprint of its evidence (SignalFingerprint).
type SignalKey struct {
	Rule        string
	Fingerprint [32]byte
}

// CaseStore keeps cases, their audit trails and the signals already seen.
// Backends: internal/store/sqlite and internal/store/postgres; the contract
// is storetest.RunPeopleCases.
type CaseStore interface {
	// CreateCase stores c (its ID set, Status open) with first as event 1.
	CreateCase(ctx context.Context, c Case, first CaseEvent) error
	// AppendCaseEvent adds e to case id's trail (assigning its Seq, returned)
	// and sets the case's state to next (nil: unchanged) and its Updated to
	// e.At, in one transaction; ErrCaseNotFound for an unknown id.
	AppendCaseEvent(ctx context.Context, id string, e CaseEvent, next *CaseState) (CaseEvent, error)
	// Case returns case id with its events, or ErrCaseNotFound.
	Case(ctx context.Context, id string) (Case, error)
	// Cases returns the cases f selects, newest opened first, without events.
	Cases(ctx context.Context, f CaseFilter) ([]Case, error)
	// RecordSignals remembers keys for person and reports which were not
	// seen before, in the order given.
	RecordSignals(ctx context.Context, personID string, keys []SignalKey, at time.Time) ([]bool, error)
}

// Cases opens, annotates and decides cases, keeping every change in the
// case's audit trail.
type Cases struct {
	store CaseStore
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// NewCases returns the case workflow over store.
func NewCases(store CaseStore) *Cases { return &Cases{store: store} }

func (c *Cases) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// maxText bounds notes and reasons.
const maxText = 8000

func checkText(field, s string, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return fmt.Errorf("%w: %s is required", ErrCaseInvalid, field)
	case len(s) > maxText:
		return fmt.Errorf("%w: %s longer than %d bytes", ErrCaseInvalid, field, maxText)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s is not UTF-8", ErrCaseInvalid, field)
	}
	return nil
}

func newCaseID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return "case-" + hex.EncodeToString(b)
}

// Open opens a case on persons (one person, or the members of a cluster),
// by actor for reason; signals are the references of the signals that
// opened it (none when opened by hand).
func (c *Cases) Open(ctx context.Context, persons []string, actor, reason string, signals []string) (Case, error) {
	if err := checkText("actor", actor, true); err != nil {
		return Case{}, err
	}
	if err := checkText("reason", reason, true); err != nil {
		return Case{}, err
	}
	ps := slices.Compact(slices.Sorted(slices.Values(persons)))
	if len(ps) == 0 || ps[0] == "" {
		return Case{}, fmt.Errorf("%w: a case needs at least one person", ErrCaseInvalid)
	}
	at := c.now()
	cs := Case{
		ID: newCaseID(), Persons: ps, Status: CaseOpen, Opened: at, OpenedBy: actor, Reason: reason, Updated: at,
	}
	ev := CaseEvent{Seq: 1, At: at, Actor: actor, Action: ActionOpen, Text: reason, Signals: signals}
	if err := c.store.CreateCase(ctx, cs, ev); err != nil {
		return Case{}, fmt.Errorf("open case: %w", err)
	}
	cs.Events = []CaseEvent{ev}
	return cs, nil
}

// Note adds a reviewer's note; the case's state does not change.
func (c *Cases) Note(ctx context.Context, id, actor, text string) (CaseEvent, error) {
	if err := checkText("actor", actor, true); err != nil {
		return CaseEvent{}, err
	}
	if err := checkText("note", text, true); err != nil {
		return CaseEvent{}, err
	}
	return c.store.AppendCaseEvent(ctx, id, CaseEvent{At: c.now(), Actor: actor, Action: ActionNote, Text: text}, nil)
}

// AddSignals records new signals on a case, and adds persons to it (the
// new members of its cluster the signals are about); an undecided or
// escalated case stays open, and a decided one is reopened for review: the
// new finding came after the decision.
func (c *Cases) AddSignals(ctx context.Context, id, actor, text string, signals, persons []string) (CaseEvent, error) {
	cs, err := c.store.Case(ctx, id)
	if err != nil {
		return CaseEvent{}, err
	}
	next := CaseState{Status: CaseOpen, Disposition: cs.Disposition, Decided: cs.Decided, AddPersons: persons}
	return c.store.AppendCaseEvent(ctx, id, CaseEvent{At: c.now(), Actor: actor, Action: ActionSignals, Text: text, Signals: signals}, &next)
}

// Decide records a reviewer's disposition with the reason for it. Actor
// names the human (a system actor, "system:...", is refused: the system
// never decides). Escalated leaves the case open; the others close it.
func (c *Cases) Decide(ctx context.Context, id, actor string, d Disposition, reason string) (CaseEvent, error) {
	if err := checkText("actor", actor, true); err != nil {
		return CaseEvent{}, err
	}
	if strings.HasPrefix(actor, SystemActor) {
		return CaseEvent{}, fmt.Errorf("%w: dispositions are recorded by a person, not %q", ErrCaseInvalid, actor)
	}
	if !d.Valid() {
		return CaseEvent{}, fmt.Errorf("%w: unknown disposition %q (want one of %v)", ErrCaseInvalid, d, Dispositions)
	}
	if err := checkText("reason", reason, true); err != nil {
		return CaseEvent{}, err
	}
	at := c.now()
	next := CaseState{Status: CaseClosed, Disposition: d, Decided: at}
	if d == Escalated {
		next.Status = CaseOpen
	}
	return c.store.AppendCaseEvent(ctx, id, CaseEvent{At: at, Actor: actor, Action: ActionDecide, Disposition: d, Text: reason}, &next)
}

// Case returns a case with its audit trail.
func (c *Cases) Case(ctx context.Context, id string) (Case, error) { return c.store.Case(ctx, id) }

// List returns the cases f selects.
func (c *Cases) List(ctx context.Context, f CaseFilter) ([]Case, error) { return c.store.Cases(ctx, f) }

// SystemActor prefixes the actor of events the system records.
const SystemActor = "system:"

// PersonStatus is where the reviews of one person stand.
type PersonStatus struct {
	PersonID string `json:"person_id"`
	// Disposition is the latest decision on any case naming the person
	// ("" if none), with its case and time.
	Disposition Disposition `json:"disposition,omitempty"`
	CaseID      string      `json:"case_id,omitempty"`
	Decided     time.Time   `json:"decided,omitzero"`
	// Open lists the person's open cases.
	Open []string `json:"open,omitempty"`
}

// Verified reports whether the person's latest decision is "verified in
// person" and no case has been opened or reopened on them since.
func (s PersonStatus) Verified() bool { return s.Disposition == VerifiedInPerson && len(s.Open) == 0 }

// maxCasesPerPerson bounds the cases read for one person's status.
const maxCasesPerPerson = 1000

// Status returns where the reviews of person id stand.
func (c *Cases) Status(ctx context.Context, id string) (PersonStatus, error) {
	cs, err := c.store.Cases(ctx, CaseFilter{PersonID: id, Limit: maxCasesPerPerson})
	if err != nil {
		return PersonStatus{}, err
	}
	st := PersonStatus{PersonID: id}
	for _, x := range cs {
		if x.Status == CaseOpen {
			st.Open = append(st.Open, x.ID)
		}
		if x.Disposition != "" && x.Decided.After(st.Decided) {
			st.Disposition, st.CaseID, st.Decided = x.Disposition, x.ID, x.Decided
		}
	}
	slices.Sort(st.Open)
	return st, nil
}
