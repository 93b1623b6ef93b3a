package people

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/interdict/interdict/internal/index/people"
)

// SignalSource adds signals the rules do not compute from the store alone:
// shared indicators received from other members (share.go), tracing
// results. Rescreener asks every source about every person it re-assesses.
type SignalSource interface {
	Signals(ctx context.Context, p *people.Person) ([]Signal, error)
}

// Rescreener re-assesses persons when something they are judged against
// changes, records only the signals not seen before, and opens a case (or
// adds the signals to the open case) for each person with a new flagging
// signal. It never decides a case.
type Rescreener struct {
	svc     *Service
	vault   *people.Vault
	cases   *Cases
	store   CaseStore
	sources []SignalSource
	log     *slog.Logger
}

// NewRescreener returns a re-screener over the service's persons, keeping
// cases and seen signals in store. The vault keys the signal fingerprints,
// so the store never holds an evidence value. logger may be nil.
func NewRescreener(svc *Service, vault *people.Vault, store CaseStore, logger *slog.Logger, sources ...SignalSource) *Rescreener {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Rescreener{svc: svc, vault: vault, cases: NewCases(store), store: store, sources: sources, log: logger}
}

// Cases returns the case workflow the re-screener opens cases with (its
// clock can be set for tests).
func (r *Rescreener) Cases() *Cases { return r.cases }

// Trigger says why persons are re-screened and which.
type Trigger struct {
	// Reason is written to the cases: "list ofac:2025-11-19 loaded".
	Reason string
	// PersonIDs are the persons to re-assess; empty means every person.
	PersonIDs []string
}

// RescreenReport says what one re-screening found.
type RescreenReport struct {
	Reason   string `json:"reason"`
	Assessed int    `json:"assessed"`
	// NewSignals counts the signals not seen before, flagging or not.
	NewSignals int `json:"new_signals"`
	// Opened and Updated list the cases opened and those new signals were
	// added to.
	Opened  []string `json:"opened,omitempty"`
	Updated []string `json:"updated,omitempty"`
	// Persons lists each person with new signals and those signals.
	Persons []Rescreened `json:"persons,omitempty"`
}

// Rescreened is one person's new signals.
type Rescreened struct {
	PersonID string   `json:"person_id"`
	CaseID   string   `json:"case_id,omitempty"`
	Signals  []Signal `json:"signals"`
}

// rescreenActor is the actor of the events re-screening records.
const rescreenActor = SystemActor + "rescreen"

// ListLoaded re-screens every person after a sanctions list version loads.
func (r *Rescreener) ListLoaded(ctx context.Context, version string) (RescreenReport, error) {
	return r.Rescreen(ctx, Trigger{Reason: "list " + version + " loaded"})
}

// IndicatorsChanged re-screens every person after shared indicators,
// intelligence or tracing results changed (source names what changed).
func (r *Rescreener) IndicatorsChanged(ctx context.Context, source string) (RescreenReport, error) {
	return r.Rescreen(ctx, Trigger{Reason: "indicators changed: " + source})
}

// PersonChanged re-screens a person whose identifiers changed (call it
// after Service.Add) and every person sharing an identifier with it or in
// its cluster: their findings name it.
func (r *Rescreener) PersonChanged(ctx context.Context, id string) (RescreenReport, error) {
	ids := []string{id}
	if c, ok := r.svc.Graph().ClusterOf(id); ok {
		ids = append(ids, c.Members...)
	}
	for _, sh := range r.svc.Graph().SharedBy(id) {
		ids = append(ids, sh.Others...)
	}
	slices.Sort(ids)
	return r.Rescreen(ctx, Trigger{Reason: "identifiers of " + id + " changed", PersonIDs: slices.Compact(ids)})
}

// Rescreen re-assesses the trigger's persons (all when it names none).
func (r *Rescreener) Rescreen(ctx context.Context, t Trigger) (RescreenReport, error) {
	if strings.TrimSpace(t.Reason) == "" {
		return RescreenReport{}, fmt.Errorf("%w: a re-screening needs a reason", ErrCaseInvalid)
	}
	ids := t.PersonIDs
	if len(ids) == 0 {
		ids = r.svc.Graph().Persons()
	}
	rep := RescreenReport{Reason: t.Reason}
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if err := r.one(ctx, id, t.Reason, &rep); err != nil {
			return rep, fmt.Errorf("rescreen %s: %w", id, err)
		}
	}
	r.log.Info("people rescreened", "reason", t.Reason, "assessed", rep.Assessed, "new_signals", rep.NewSignals,
		"opened", len(rep.Opened), "updated", len(rep.Updated))
	return rep, nil
}

func (r *Rescreener) one(ctx context.Context, id, reason string, rep *RescreenReport) error {
	a, p, err := r.svc.Assess(ctx, id)
	if err != nil {
		return err
	}
	rep.Assessed++
	signals := a.Signals
	for _, src := range r.sources {
		more, err := src.Signals(ctx, &p)
		if err != nil {
			return err
		}
		signals = append(signals, more...)
	}
	if len(signals) == 0 {
		return nil
	}
	keys := make([]SignalKey, len(signals))
	for i, s := range signals {
		keys[i] = SignalKey{Rule: s.Rule, Fingerprint: SignalFingerprint(r.vault, s)}
	}
	fresh, err := r.store.RecordSignals(ctx, id, keys, r.cases.now())
	if err != nil {
		return err
	}
	var news []Signal
	var refs []string
	for i, s := range signals {
		if !fresh[i] {
			continue
		}
		news = append(news, s)
		if s.Severity.Flags() {
			refs = append(refs, SignalRef(s, keys[i]))
		}
	}
	if len(news) == 0 {
		return nil
	}
	rep.NewSignals += len(news)
	out := Rescreened{PersonID: id, Signals: news}
	if len(refs) > 0 {
		caseID, opened, err := r.caseFor(ctx, id, a.Cluster.Members, reason, refs)
		if err != nil {
			return err
		}
		out.CaseID = caseID
		if opened {
			rep.Opened = append(rep.Opened, caseID)
		} else if !slices.Contains(rep.Updated, caseID) && !slices.Contains(rep.Opened, caseID) {
			rep.Updated = append(rep.Updated, caseID)
		}
	}
	rep.Persons = append(rep.Persons, out)
	return nil
}

// caseFor puts refs on a case: the person's open case; else an open case
// of another member of its cluster, which the person joins; else the
// person's latest case, reopened; else a new case on the cluster.
func (r *Rescreener) caseFor(ctx context.Context, id string, cluster []string, reason string, refs []string) (string, bool, error) {
	add := func(caseID string, join []string) (string, bool, error) {
		_, err := r.cases.AddSignals(ctx, caseID, rescreenActor, reason, refs, join)
		return caseID, false, err
	}
	open := func(person string) (string, error) {
		cs, err := r.store.Cases(ctx, CaseFilter{PersonID: person, Status: CaseOpen, Limit: 1})
		if err != nil || len(cs) == 0 {
			return "", err
		}
		return cs[0].ID, nil
	}
	if c, err := open(id); err != nil || c != "" {
		if err != nil {
			return "", false, err
		}
		return add(c, nil)
	}
	for _, m := range cluster {
		if m == id {
			continue
		}
		if c, err := open(m); err != nil || c != "" {
			if err != nil {
				return "", false, err
			}
			return add(c, []string{id})
		}
	}
	cs, err := r.store.Cases(ctx, CaseFilter{PersonID: id, Limit: 1})
	if err != nil {
		return "", false, err
	}
	if len(cs) > 0 {
		return add(cs[0].ID, nil)
	}
	persons := cluster
	if len(persons) == 0 {
		persons = []string{id}
	}
	c, err := r.cases.Open(ctx, persons, rescreenActor, reason, refs)
	if err != nil {
		return "", false, err
	}
	return c.ID, true, nil
}

// SignalFingerprint is a keyed hash of a signal's rule, person and evidence:
// the same finding gives the same fingerprint, a new one (another person
// sharing the wallet, another list entry) a different one. It is keyed by
// the people vault, so the stored fingerprints reveal no evidence value.
func SignalFingerprint(v *people.Vault, s Signal) [32]byte {
	var b strings.Builder
	b.WriteString(s.Rule)
	b.WriteByte(0)
	b.WriteString(s.PersonID)
	for _, e := range s.Evidence {
		others := slices.Sorted(slices.Values(e.Persons))
		fmt.Fprintf(&b, "\x00%s\x01%s\x01%s\x01%s", e.Kind, e.Field, e.Value, strings.Join(others, ","))
		if e.Match != nil {
			// The list and entity, not the version: an entry carried into
			// the next version of a list is not a new finding.
			fmt.Fprintf(&b, "\x01%s/%s", e.Match.List, e.Match.EntityID)
		}
	}
	return v.HashCanonical(signalType, b.String())
}

// signalType hashes in the empty class, which no identifier type has, so a
// fingerprint never equals an identifier's hash.
const signalType people.Type = "x_signal"

// SignalRef is how a case's trail names a signal: rule, person and the
// start of its fingerprint.
func SignalRef(s Signal, k SignalKey) string {
	return s.Rule + ":" + s.PersonID + ":" + hex.EncodeToString(k.Fingerprint[:6])
}
