package people_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

func ruleIDs(ss []vet.Signal) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Rule+"/"+s.Severity.String())
	}
	return out
}

// syntheticLists is a list version with one made-up individual, one made-up
// front company and one wallet: no real person.
func syntheticLists() *screen.Index {
	return screen.NewIndex(screen.Dataset{
		Version: screen.VersionRef{ID: "ofac-test", Source: sanctions.SourceOFAC},
		Entities: []sanctions.Entity{
			{ID: "1", Type: sanctions.TypeIndividual, Names: []sanctions.Name{{Full: "Zorblat Quenthorpe", Primary: true}}, Programs: []string{"DPRK3"}},
			{ID: "2", Type: sanctions.TypeOrganization, Names: []sanctions.Name{{Full: "Frobnicant Widget Export Corporation", Primary: true}}, Programs: []string{"DPRK4"},
				Addresses: []sanctions.DigitalAddress{{Currency: "ETH", Address: "0x00000000000000000000000000000000000000e7"}}},
		},
	})
}

func TestRules(t *testing.T) {
	shared := func(typ people.Type, n int) vet.Shared {
		others := make([]string, n)
		for i := range others {
			others[i] = "o" + string(rune('a'+i))
		}
		return vet.Shared{Type: typ, Ref: "0123456789ab", Others: others}
	}
	tests := []struct {
		name    string
		subject vet.Subject
		want    []string
		flagged bool
	}{
		{"nothing shared, names agree: no signal", vet.Subject{LegalNames: []string{"Alex Example"}, PayoutNames: []string{"EXAMPLE, Alex"}}, nil, false},
		{"a shared wallet is high", vet.Subject{Shared: []vet.Shared{shared(people.Wallet, 1)}}, []string{"PPL-REUSE-WALLET/high"}, true},
		{"a shared phone is medium", vet.Subject{Shared: []vet.Shared{shared(people.Phone, 2)}}, []string{"PPL-REUSE-PHONE/medium"}, true},
		{"a shared address is low and does not flag", vet.Subject{Shared: []vet.Shared{shared(people.ShippingAddress, 2)}}, []string{"PPL-REUSE-SHIPPING_ADDRESS/low"}, false},
		{"an IP shared by a whole office is info", vet.Subject{Shared: []vet.Shared{shared(people.IP, 12)}}, []string{"PPL-REUSE-IP/info"}, false},
		{"a payout name with a typo is the legal name", vet.Subject{LegalNames: []string{"Alexandra Examplova"}, PayoutNames: []string{"Alexandra Exmplova"}}, nil, false},
		{"a payout name without the middle name is the legal name", vet.Subject{LegalNames: []string{"Alex Jordan Example"}, PayoutNames: []string{"Alex Example"}}, nil, false},
		{"a payout name of someone else is medium", vet.Subject{LegalNames: []string{"Alex Example"}, PayoutNames: []string{"Robin Sample"}}, []string{"PPL-PAYOUT-NAME/medium"}, true},
		{"a listed individual's name is high", vet.Subject{LegalNames: []string{"Quenthorpe Zorblat"}}, []string{"PPL-SDN-NAME/high"}, true},
		{"a listed front company as employer is high", vet.Subject{Employers: []string{"Frobnicant Widget Export Corp"}}, []string{"PPL-SDN-EMPLOYER/high"}, true},
		{"a person is not screened as a company", vet.Subject{Employers: []string{"Zorblat Quenthorpe"}}, nil, false},
		{"a listed payout wallet is high", vet.Subject{Wallets: []string{"0x00000000000000000000000000000000000000E7"}}, []string{"PPL-SDN-WALLET/high"}, true},
		{"signals come highest first", vet.Subject{
			Shared: []vet.Shared{shared(people.PostalAddress, 1), shared(people.Email, 1), shared(people.IDDocument, 1)},
		}, []string{"PPL-REUSE-ID_DOCUMENT/high", "PPL-REUSE-EMAIL/medium", "PPL-REUSE-POSTAL_ADDRESS/low"}, true},
	}
	r := vet.NewRules(vet.DefaultConfig(), syntheticLists())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.subject.PersonID = "p"
			got := r.Evaluate(tt.subject)
			if ids := ruleIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("signals = %v, want %v", ids, tt.want)
			}
			if vet.Flagged(got) != tt.flagged {
				t.Errorf("flagged = %v, want %v", !tt.flagged, tt.flagged)
			}
			for _, s := range got {
				if s.Advisory == "" || s.PersonID != "p" || len(s.Evidence) == 0 || s.Summary == "" {
					t.Errorf("signal %+v lacks advisory, person, summary or evidence", s)
				}
			}
		})
	}
}

// protected names the attributes no rule may read, as words that may appear
// in a Go field or identifier type name.
var protected = []string{"ethnic", "race", "sex", "gender", "age", "birth", "accent", "language", "lang", "religion", "nationality", "origin"}

func isProtected(name string) (string, bool) {
	n := strings.ToLower(name)
	for _, w := range protected {
		// "age" must not match "Messages": look for whole words of a
		// snake_case or camelCase name.
		for _, part := range splitWords(n, name) {
			if part == w {
				return w, true
			}
		}
	}
	return "", false
}

func splitWords(lower, orig string) []string {
	var words []string
	start := 0
	for i := 1; i <= len(orig); i++ {
		if i == len(orig) || orig[i] == '_' || (orig[i] >= 'A' && orig[i] <= 'Z') {
			if w := strings.Trim(lower[start:i], "_"); w != "" {
				words = append(words, w)
			}
			start = i
		}
	}
	return words
}

// TestNoRuleReadsProtectedAttributes walks, by reflection, every type a rule
// can read (the Subject and everything reachable from it) and fails on a
// field that names a protected attribute. It also checks that the person
// model has no such field or identifier type, except birth date and
// nationality, which are stored as identifiers and must not reach a rule.
func TestNoRuleReadsProtectedAttributes(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for f := range typ.Fields() {
			if w, bad := isProtected(f.Name); bad {
				t.Errorf("rule input %s.%s reads %q", path, f.Name, w)
			}
			walk(path+"."+f.Name, f.Type)
		}
	}
	walk("Subject", reflect.TypeFor[vet.Subject]())
	// The log rules read a LogSubject (events, claimed time zone, other users
	// of an IP) and nothing else.
	walk("LogSubject", reflect.TypeFor[vet.LogSubject]())
	if m, _ := reflect.TypeFor[*vet.LogRules]().MethodByName("Evaluate"); m.Type.NumIn() != 2 || m.Type.In(1) != reflect.TypeFor[vet.LogSubject]() {
		t.Errorf("LogRules.Evaluate takes %v, want (LogSubject)", m.Type)
	}
	// The wallet rule reads the person's wallets only, through WalletChain.
	walk("WalletRef", reflect.TypeFor[vet.WalletRef]())
	if m, _ := reflect.TypeFor[*vet.WalletScreen]().MethodByName("Screen"); m.Type.NumIn() != 4 || m.Type.In(3) != reflect.TypeFor[[]vet.WalletRef]() {
		t.Errorf("WalletScreen.Screen takes %v, want (ctx, person id, []WalletRef)", m.Type)
	}
	if len(seen) < 2 {
		t.Fatal("the walk saw too few types")
	}
	// The Evaluate signature: the rules take a Subject and nothing else.
	m, _ := reflect.TypeFor[*vet.Rules]().MethodByName("Evaluate")
	if m.Type.NumIn() != 2 || m.Type.In(1) != reflect.TypeFor[vet.Subject]() {
		t.Errorf("Evaluate takes %v, want (Subject)", m.Type)
	}
	// What SubjectOf copies: a person with a birth date and nationality gives
	// a Subject in which neither value appears.
	p := people.Person{ID: "p", Kind: people.Applicant, Identifiers: []people.Identifier{
		{Type: people.BirthDate, Value: "1991-02-03"}, {Type: people.Nationality, Value: "ZZ"}, {Type: people.LegalName, Value: "Alex Example"},
	}}
	if s := vet.SubjectOf(&p, nil); strings.Contains(fmtAll(s), "1991") || strings.Contains(fmtAll(s), "ZZ") {
		t.Errorf("SubjectOf copied a birth date or nationality: %+v", s)
	}
	for f := range reflect.TypeFor[people.Person]().Fields() {
		if w, bad := isProtected(f.Name); bad {
			t.Errorf("people.Person.%s carries %q", f.Name, w)
		}
	}
	for _, typ := range people.Types() {
		if typ == people.BirthDate || typ == people.Nationality {
			continue
		}
		if w, bad := isProtected(string(typ)); bad {
			t.Errorf("identifier type %s carries %q", typ, w)
		}
	}
	if _, bad := isProtected("Messages"); bad {
		t.Error("the word check matches inside words")
	}
	if _, bad := isProtected("BirthDate"); !bad {
		t.Error("the word check misses BirthDate")
	}
}

func fmtAll(s vet.Subject) string {
	return strings.Join(slices.Concat(s.LegalNames, s.PayoutNames, s.Emails, s.Employers, s.Wallets), "|") + s.PersonID + string(s.Kind)
}
