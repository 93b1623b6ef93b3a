package people_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/analysis/people/synth"
	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
	"github.com/interdict/interdict/internal/sources/sanctions/ofac"
)

// TestDPRKEntriesOfTheSDNList screens synthetic applicants whose names and
// employers are DPRK-program entries of the OFAC SDN list of 2025-11-19 (IT
// workers and their front companies) and a clean applicant.
func TestDPRKEntriesOfTheSDNList(t *testing.T) {
	if testing.Short() {
		t.Skip("parses the 121 MB SDN list")
	}
	list, ix := sdnIndex(t)
	r := vet.NewRules(vet.DefaultConfig(), ix)
	tests := []struct {
		name    string
		subject vet.Subject
		rule    string
	}{
		{"an IT worker's name, given name last", vet.Subject{LegalNames: []string{"Sang Man Kim"}}, "PPL-SDN-NAME"},
		{"an IT worker's name as payout name", vet.Subject{LegalNames: []string{"Alex Example"}, PayoutNames: []string{"KIM Sang-man"}}, "PPL-SDN-NAME"},
		{"a front company as employer", vet.Subject{Employers: []string{"Chinyong Information Technology Cooperation Co."}}, "PPL-SDN-EMPLOYER"},
		{"a front company's alias as employer", vet.Subject{Employers: []string{"Yanbian Silverstar Network Technology"}}, "PPL-SDN-EMPLOYER"},
		{"the Lazarus Group's wallet as payout wallet", vet.Subject{Wallets: []string{lazarusWallet(t, list)}}, "PPL-SDN-WALLET"},
		{"a DPRK-program party's listed email as the applicant's", vet.Subject{Emails: []string{dprkEmail(t, list)}}, "PPL-SDN-EMAIL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.subject.PersonID = "p"
			var hit bool
			for _, s := range r.Evaluate(tt.subject) {
				if s.Rule != tt.rule {
					continue
				}
				m := s.Evidence[0].Match
				for _, p := range m.Programs {
					if strings.HasPrefix(p, "DPRK") {
						hit = true
						t.Logf("%s: %s", s.Rule, s.Summary)
					}
				}
			}
			if !hit {
				t.Errorf("no %s signal for a DPRK-program entry: %+v", tt.rule, r.Evaluate(tt.subject))
			}
		})
	}
	t.Run("a clean applicant gets no list signal", func(t *testing.T) {
		s := r.Evaluate(vet.Subject{PersonID: "p", LegalNames: []string{"Alex Jordan Example"}, Employers: []string{"Example Widgets LLC"},
			Wallets: []string{"0x00000000000000000000000000000000000000a1"}})
		if len(s) != 0 {
			t.Errorf("signals = %+v", s)
		}
	})
}

func lazarusWallet(t *testing.T, list *sanctions.List) string {
	for _, e := range list.Entities {
		if e.ID == "27307" && len(e.Addresses) > 0 {
			return "0x" + strings.ToUpper(e.Addresses[0].Address[2:]) // another spelling of the same address
		}
	}
	t.Fatal("Lazarus Group (27307) has no address in the list")
	return ""
}

// dprkEmail returns, in upper case (lists are matched ignoring case), the
// first email address the list gives for a DPRK-program party.
func dprkEmail(t *testing.T, list *sanctions.List) string {
	for _, e := range list.Entities {
		if len(e.Emails) > 0 && slices.ContainsFunc(e.Programs, func(p string) bool { return strings.HasPrefix(p, "DPRK") }) {
			t.Logf("email of party %s (%s)", e.ID, e.PrimaryName())
			return strings.ToUpper(e.Emails[0])
		}
	}
	t.Fatal("no DPRK-program party with an email address in the list")
	return ""
}

// sdnIndex parses the OFAC SDN list of 2025-11-19 and indexes it.
func sdnIndex(tb testing.TB) (*sanctions.List, *screen.Index) {
	tb.Helper()
	f, err := os.Open(sharedtest.Decompressed(tb, "ofac", "sdn_advanced_2025-11-19.xml.bz2"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	list, err := ofac.Parse(context.Background(), f)
	if err != nil {
		tb.Fatal(err)
	}
	return list, screen.NewIndex(screen.Dataset{
		Version:  screen.VersionRef{ID: "ofac-2025-11-19", Source: sanctions.SourceOFAC, Published: list.Published},
		Entities: list.Entities,
	})
}

// BenchmarkBatchScreen screens the 1,000 synthetic applicants against the
// SDN list of 2025-11-19 as a batch does: each person's identifiers hashed
// into the graph, then every rule (name, employer and wallet screening
// included) on each. One op is the whole batch.
func BenchmarkBatchScreen(b *testing.B) {
	_, ix := sdnIndex(b)
	pop := synth.Generate(synth.DefaultConfig())
	v, err := people.NewVault(bytes.Repeat([]byte{3}, people.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	rules := vet.NewRules(vet.DefaultConfig(), ix)
	b.ReportAllocs()
	hits := 0
	for b.Loop() {
		hits = 0
		g := vet.NewGraph()
		for i := range pop.People {
			r, err := v.Seal(&pop.People[i])
			if err != nil {
				b.Fatal(err)
			}
			g.Add(vet.WithDerived(v, r, &pop.People[i]))
		}
		for i := range pop.People {
			p := &pop.People[i]
			for _, sig := range rules.Evaluate(vet.SubjectOf(p, g.SharedBy(p.ID))) {
				if strings.HasPrefix(sig.Rule, "PPL-SDN-") {
					hits++
				}
			}
		}
	}
	b.ReportMetric(float64(b.N*len(pop.People))/b.Elapsed().Seconds(), "persons/s")
	// The made-up names should hit no listed name: each hit is a false positive.
	b.ReportMetric(float64(hits), "list-hits")
}
