package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
)

// PeopleCaseStore is a backend keeping both persons and their cases.
type PeopleCaseStore interface {
	people.Store
	vet.CaseStore
}

// RunPeopleCases runs the vet.CaseStore contract, and the re-screening and
// role gating workflows over it. open must return a fresh, empty store and
// arrange its closing with t.Cleanup.
func RunPeopleCases(t *testing.T, open func(t *testing.T) PeopleCaseStore) {
	cases := slices.Concat(caseStoreCases(), workflowCases())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, open(t))
		})
	}
}

type caseCase struct {
	name string
	run  func(t *testing.T, s PeopleCaseStore)
}

// fixedClock returns a clock starting at base, one minute later per call.
func fixedClock() func() time.Time {
	var mu sync.Mutex
	t := base
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Minute)
		return t
	}
}

func caseStoreCases() []caseCase {
	return []caseCase{
		{"a case keeps who did what, when and why, in order, and its state follows the decisions", func(t *testing.T, s PeopleCaseStore) {
			cs := vet.NewCases(s)
			cs.Now = fixedClock()
			c, err := cs.Open(t.Context(), []string{"p2", "p1", "p2"}, "alice", "persona cluster of 2 found in review", []string{"PPL-REUSE-WALLET:p1:ab"})
			must(t, "open", err)
			if !slices.Equal(c.Persons, []string{"p1", "p2"}) || c.Status != vet.CaseOpen {
				t.Fatalf("opened %+v", c)
			}
			_, err = cs.Note(t.Context(), c.ID, "alice", "asked p1 for a video call")
			must(t, "note", err)
			ev, err := cs.Decide(t.Context(), c.ID, "bob", vet.Escalated, "call refused; to security")
			must(t, "escalate", err)
			if ev.Seq != 3 {
				t.Errorf("escalation seq %d, want 3", ev.Seq)
			}
			got, err := s.Case(t.Context(), c.ID)
			must(t, "case", err)
			if got.Status != vet.CaseOpen || got.Disposition != vet.Escalated || got.Decided.IsZero() {
				t.Errorf("after escalation: %+v", got)
			}
			_, err = cs.Decide(t.Context(), c.ID, "carol", vet.Rejected, "same wallet as a known persona")
			must(t, "reject", err)
			got, err = s.Case(t.Context(), c.ID)
			must(t, "case", err)
			if got.Status != vet.CaseClosed || got.Disposition != vet.Rejected {
				t.Errorf("after rejection: %+v", got)
			}
			want := []struct {
				actor  string
				action vet.Action
				disp   vet.Disposition
			}{{"alice", vet.ActionOpen, ""}, {"alice", vet.ActionNote, ""}, {"bob", vet.ActionDecide, vet.Escalated}, {"carol", vet.ActionDecide, vet.Rejected}}
			if len(got.Events) != len(want) {
				t.Fatalf("%d events, want %d: %+v", len(got.Events), len(want), got.Events)
			}
			for i, w := range want {
				e := got.Events[i]
				if e.Seq != i+1 || e.Actor != w.actor || e.Action != w.action || e.Disposition != w.disp || e.Text == "" {
					t.Errorf("event %d: %+v, want %+v", i, e, w)
				}
				if e.At.Location() != time.UTC || !e.At.Equal(base.Add(time.Duration(i+1)*time.Minute).Truncate(time.Microsecond)) {
					t.Errorf("event %d at %v", i, e.At)
				}
			}
			if !slices.Equal(got.Events[0].Signals, []string{"PPL-REUSE-WALLET:p1:ab"}) || got.Events[1].Signals != nil {
				t.Errorf("signals: %q, %q", got.Events[0].Signals, got.Events[1].Signals)
			}
			if !got.Updated.Equal(got.Events[3].At) {
				t.Errorf("updated %v, last event %v", got.Updated, got.Events[3].At)
			}
		}},
		{"an unknown case is ErrCaseNotFound and nothing is written", func(t *testing.T, s PeopleCaseStore) {
			cs := vet.NewCases(s)
			_, err := s.Case(t.Context(), "case-none")
			wantErr(t, "case", err, vet.ErrCaseNotFound)
			_, err = s.AppendCaseEvent(t.Context(), "case-none", vet.CaseEvent{At: base, Actor: "a", Action: vet.ActionNote, Text: "x"}, &vet.CaseState{Status: vet.CaseOpen})
			wantErr(t, "append", err, vet.ErrCaseNotFound)
			_, err = cs.Note(t.Context(), "case-none", "a", "x")
			wantErr(t, "note", err, vet.ErrCaseNotFound)
			_, err = cs.Decide(t.Context(), "case-none", "a", vet.Cleared, "x")
			wantErr(t, "decide", err, vet.ErrCaseNotFound)
			all, err := s.Cases(t.Context(), vet.CaseFilter{})
			must(t, "cases", err)
			if len(all) != 0 {
				t.Errorf("cases: %+v", all)
			}
		}},
		{"only a person decides: system actors, unknown dispositions and missing reasons are refused", func(t *testing.T, s PeopleCaseStore) {
			cs := vet.NewCases(s)
			c, err := cs.Open(t.Context(), []string{"p1"}, vet.SystemActor+"rescreen", "new signals", nil)
			must(t, "open", err)
			for _, bad := range []struct {
				actor, reason string
				d             vet.Disposition
			}{
				{vet.SystemActor + "rescreen", "auto", vet.Rejected},
				{"", "why", vet.Rejected},
				{"alice", "why", "fired"},
				{"alice", "  ", vet.Cleared},
			} {
				_, err := cs.Decide(t.Context(), c.ID, bad.actor, bad.d, bad.reason)
				wantErr(t, fmt.Sprintf("decide %+v", bad), err, vet.ErrCaseInvalid)
			}
			_, err = cs.Open(t.Context(), nil, "alice", "why", nil)
			wantErr(t, "open on nobody", err, vet.ErrCaseInvalid)
			_, err = cs.Note(t.Context(), c.ID, "alice", "")
			wantErr(t, "empty note", err, vet.ErrCaseInvalid)
			got, err := s.Case(t.Context(), c.ID)
			must(t, "case", err)
			if len(got.Events) != 1 || got.Disposition != "" || got.Status != vet.CaseOpen {
				t.Errorf("refused requests changed the case: %+v", got)
			}
		}},
		{"cases list newest first, by person and status, with their persons", func(t *testing.T, s PeopleCaseStore) {
			cs := vet.NewCases(s)
			cs.Now = fixedClock()
			var ids []string
			for _, ps := range [][]string{{"a"}, {"a", "b"}, {"c"}} {
				c, err := cs.Open(t.Context(), ps, "alice", "review", nil)
				must(t, "open", err)
				ids = append(ids, c.ID)
			}
			_, err := cs.Decide(t.Context(), ids[0], "bob", vet.Cleared, "a household")
			must(t, "decide", err)
			for _, tc := range []struct {
				f    vet.CaseFilter
				want []string
			}{
				{vet.CaseFilter{}, []string{ids[2], ids[1], ids[0]}},
				{vet.CaseFilter{PersonID: "a"}, []string{ids[1], ids[0]}},
				{vet.CaseFilter{PersonID: "a", Status: vet.CaseOpen}, []string{ids[1]}},
				{vet.CaseFilter{Status: vet.CaseClosed}, []string{ids[0]}},
				{vet.CaseFilter{Limit: 1}, []string{ids[2]}},
				{vet.CaseFilter{PersonID: "nobody"}, nil},
			} {
				got, err := s.Cases(t.Context(), tc.f)
				must(t, "cases", err)
				var gotIDs []string
				for _, c := range got {
					gotIDs = append(gotIDs, c.ID)
					if c.Events != nil {
						t.Errorf("Cases returned events")
					}
					if c.ID == ids[1] && !slices.Equal(c.Persons, []string{"a", "b"}) {
						t.Errorf("persons of %s: %v", c.ID, c.Persons)
					}
				}
				if !slices.Equal(gotIDs, tc.want) {
					t.Errorf("%+v: %v, want %v", tc.f, gotIDs, tc.want)
				}
			}
		}},
		{"a person is verified only by a verified-in-person decision with no case open since", func(t *testing.T, s PeopleCaseStore) {
			cs := vet.NewCases(s)
			cs.Now = fixedClock()
			st, err := cs.Status(t.Context(), "p1")
			must(t, "status", err)
			if st.Verified() || st.Disposition != "" {
				t.Errorf("no case: %+v", st)
			}
			c, err := cs.Open(t.Context(), []string{"p1"}, "alice", "signer seat onboarding", nil)
			must(t, "open", err)
			_, err = cs.Decide(t.Context(), c.ID, "alice", vet.VerifiedInPerson, "passport checked at the office")
			must(t, "decide", err)
			st, err = cs.Status(t.Context(), "p1")
			must(t, "status", err)
			if !st.Verified() || st.CaseID != c.ID {
				t.Errorf("after verification: %+v", st)
			}
			_, err = cs.AddSignals(t.Context(), c.ID, vet.SystemActor+"rescreen", "list 2025-11-19 loaded", []string{"PPL-SDN-NAME:p1:cd"}, nil)
			must(t, "signals", err)
			st, err = cs.Status(t.Context(), "p1")
			must(t, "status", err)
			if st.Verified() || len(st.Open) != 1 || st.Disposition != vet.VerifiedInPerson {
				t.Errorf("reopened by a signal: %+v", st)
			}
		}},
		{"signals seen are remembered per person", func(t *testing.T, s PeopleCaseStore) {
			k := func(b byte) vet.SignalKey { return vet.SignalKey{Rule: "R", Fingerprint: [32]byte{b}} }
			fresh, err := s.RecordSignals(t.Context(), "p1", []vet.SignalKey{k(1), k(2)}, base)
			must(t, "record", err)
			if !slices.Equal(fresh, []bool{true, true}) {
				t.Errorf("first: %v", fresh)
			}
			fresh, err = s.RecordSignals(t.Context(), "p1", []vet.SignalKey{k(2), k(3)}, base)
			must(t, "record", err)
			if !slices.Equal(fresh, []bool{false, true}) {
				t.Errorf("second: %v", fresh)
			}
			fresh, err = s.RecordSignals(t.Context(), "p2", []vet.SignalKey{k(1)}, base)
			must(t, "record", err)
			if !slices.Equal(fresh, []bool{true}) {
				t.Errorf("other person: %v", fresh)
			}
		}},
		{"concurrent notes on one case get distinct consecutive numbers", func(t *testing.T, s PeopleCaseStore) {
			cs := vet.NewCases(s)
			c, err := cs.Open(t.Context(), []string{"p1"}, "alice", "review", nil)
			must(t, "open", err)
			const n = 12
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Go(func() {
					_, err := cs.Note(t.Context(), c.ID, fmt.Sprintf("r%d", i), "note")
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				must(t, "note", err)
			}
			got, err := s.Case(t.Context(), c.ID)
			must(t, "case", err)
			for i, e := range got.Events {
				if e.Seq != i+1 {
					t.Fatalf("seqs %+v", got.Events)
				}
			}
			if len(got.Events) != n+1 {
				t.Errorf("%d events, want %d", len(got.Events), n+1)
			}
		}},
	}
}

func workflowCases() []caseCase {
	return []caseCase{
		{"re-screening records new signals only, opens one case per cluster and never decides", func(t *testing.T, s PeopleCaseStore) {
			v := PeopleVault(t)
			svc, err := vet.NewService(t.Context(), s, v, vet.NewRules(vet.DefaultConfig(), nil))
			must(t, "service", err)
			const shared = "0x00000000000000000000000000000000000000A1"
			add := func(id string, n byte, wallet string) {
				p := SamplePerson(id, n)
				if wallet != "" {
					p.Identifiers = append(p.Identifiers, people.Identifier{Type: people.Wallet, Value: wallet})
				}
				_, err := svc.Add(t.Context(), p)
				must(t, "add "+id, err)
			}
			add("a", 1, "")
			add("b", 2, shared)
			add("z", 3, "")
			rs := vet.NewRescreener(svc, v, s, nil)
			rs.Cases().Now = fixedClock()
			rep, err := rs.ListLoaded(t.Context(), "ofac:2025-11-19")
			must(t, "rescreen", err)
			if rep.Assessed != 3 || len(rep.Opened) != 1 || len(rep.Updated) != 0 || len(rep.Persons) != 2 {
				t.Fatalf("first rescreen: %+v", rep)
			}
			first, err := s.Case(t.Context(), rep.Opened[0])
			must(t, "case", err)
			if !slices.Equal(first.Persons, []string{"a", "b"}) || len(first.Events) != 2 ||
				first.Events[0].Action != vet.ActionOpen || first.Events[1].Action != vet.ActionSignals {
				t.Errorf("case: %+v", first)
			}
			again, err := rs.ListLoaded(t.Context(), "ofac:2025-11-20")
			must(t, "rescreen again", err)
			if again.NewSignals != 0 || len(again.Opened)+len(again.Updated) != 0 {
				t.Errorf("nothing changed, yet: %+v", again)
			}
			add("c", 4, shared)
			third, err := rs.PersonChanged(t.Context(), "c")
			must(t, "person changed", err)
			if third.Assessed != 3 || len(third.Opened) != 0 || !slices.Equal(third.Updated, []string{first.ID}) {
				t.Errorf("after c joined: %+v", third)
			}
			joined, err := s.Case(t.Context(), first.ID)
			must(t, "case", err)
			if !slices.Equal(joined.Persons, []string{"a", "b", "c"}) || len(joined.Events) != 5 {
				t.Errorf("c did not join the cluster's case: %+v", joined)
			}
			all, err := s.Cases(t.Context(), vet.CaseFilter{})
			must(t, "cases", err)
			for _, c := range all {
				got, err := s.Case(t.Context(), c.ID)
				must(t, "case", err)
				if got.Disposition != "" || got.Status != vet.CaseOpen {
					t.Errorf("case %s decided by the system: %+v", c.ID, got)
				}
				for _, e := range got.Events {
					if e.Action == vet.ActionDecide || e.Actor != vet.SystemActor+"rescreen" || len(e.Signals) == 0 {
						t.Errorf("event %+v", e)
					}
					for _, ref := range e.Signals {
						if strings.Contains(strings.ToLower(ref), "0x0000") {
							t.Errorf("signal reference %q holds an identifier value", ref)
						}
					}
				}
			}
			_, err = rs.Rescreen(t.Context(), vet.Trigger{})
			wantErr(t, "no reason", err, vet.ErrCaseInvalid)
		}},
		{"role gating lists every privileged seat whose holder is not verified in person", func(t *testing.T, s PeopleCaseStore) {
			v := PeopleVault(t)
			for i, id := range []string{"p1", "p2", "p3"} {
				must(t, "put", s.PutPerson(t.Context(), sealPerson(t, v, SamplePerson(id, byte(i+1)))))
			}
			cs := vet.NewCases(s)
			cs.Now = fixedClock()
			for _, id := range []string{"p1", "p3"} {
				c, err := cs.Open(t.Context(), []string{id}, "alice", "privileged onboarding", nil)
				must(t, "open", err)
				_, err = cs.Decide(t.Context(), c.ID, "alice", vet.VerifiedInPerson, "documents checked in person")
				must(t, "decide", err)
				if id == "p3" {
					_, err = cs.AddSignals(t.Context(), c.ID, vet.SystemActor+"rescreen", "new list", []string{"PPL-SDN-NAME:p3:00"}, nil)
					must(t, "signals", err)
				}
			}
			roles := []vet.RoleAssignment{
				{Privilege: people.SignerSeat, Resource: "safe:eth:1", Account: "0x1", PersonID: "p1", Line: 2},
				{Privilege: people.RepoAdmin, Resource: "github:acme/wallet", Account: "octo", Line: 3},
				{Privilege: people.PackagePublisher, Resource: "npm:@acme/sdk", Account: "bot", PersonID: "ghost", Line: 4},
				{Privilege: people.CloudAdmin, Resource: "aws:1", Account: "root", PersonID: "p3", Line: 5},
			}
			got, err := vet.NewGate(s, s).Check(t.Context(), roles)
			must(t, "gate", err)
			want := []struct{ person, reason string }{
				{"", vet.ReasonUnmapped}, {"ghost", vet.ReasonNoPerson}, {"p3", vet.ReasonOpenCase},
				{"p2", vet.ReasonNotVerified}, {"p3", vet.ReasonOpenCase},
			}
			if len(got) != len(want) {
				t.Fatalf("violations %+v", got)
			}
			for i, w := range want {
				if got[i].PersonID != w.person || got[i].Reason != w.reason {
					t.Errorf("violation %d: %+v, want %+v", i, got[i], w)
				}
			}
			if got[3].Privilege != people.RepoAdmin || got[3].Status == nil || got[3].Status.Disposition != "" {
				t.Errorf("stored person's violation: %+v", got[3])
			}
		}},
	}
}
