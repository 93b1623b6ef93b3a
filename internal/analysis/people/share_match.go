package people

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/interdict/interdict/internal/action/share/stix"
	"github.com/interdict/interdict/internal/index/people"
)

// PersonaMatcher matches persons against persona observables other members
// shared in the clear (PersonaBundle's email-addr, user-account, url and
// cryptocurrency-wallet objects, or any member's); it is a SignalSource.
// Values are compared canonical, so a shared "Jordan.Sample@Example.org"
// matches a stored "jordan.sample@example.org".
type PersonaMatcher struct {
	byValue map[string][]string // type + "\x00" + canonical → SCO ids
}

// NewPersonaMatcher indexes the observables among objs and counts them;
// objects of other types, and observables whose value does not
// canonicalise, are skipped.
func NewPersonaMatcher(objs []json.RawMessage) (*PersonaMatcher, int) {
	m := &PersonaMatcher{byValue: map[string][]string{}}
	n := 0
	for _, raw := range objs {
		o, err := stix.Parse(raw)
		if err != nil {
			continue
		}
		t, v, extra := observable(o)
		if t == "" || v == "" {
			continue
		}
		c, err := people.Canonical(t, v, extra)
		if err != nil {
			continue
		}
		k := string(t) + "\x00" + c
		m.byValue[k] = append(m.byValue[k], o.Core().ID)
		n++
	}
	return m, n
}

// observable returns the identifier type and value of a persona SCO.
func observable(o stix.Object) (people.Type, string, string) {
	switch x := o.(type) {
	case *stix.EmailAddr:
		return people.Email, x.Value, ""
	case *stix.URL:
		return people.ProfileURL, x.Value, ""
	case *stix.CryptocurrencyWallet:
		return people.Wallet, x.Address, ""
	case *stix.UserAccount:
		switch x.AccountType {
		case "github":
			return people.GitHub, x.UserID, ""
		case "telegram":
			return people.Telegram, x.UserID, ""
		}
	}
	return "", "", ""
}

// Signals implements SignalSource: rule PPL-SHARED-PERSONA, one signal per
// matching identifier, naming the shared object.
func (m *PersonaMatcher) Signals(_ context.Context, p *people.Person) ([]Signal, error) {
	if len(m.byValue) == 0 {
		return nil, nil
	}
	var out []Signal
	for _, id := range p.Identifiers {
		if id.Value == "" || !personaTypes[id.Type] {
			continue
		}
		c, err := people.Canonical(id.Type, id.Value, id.Extra)
		if err != nil {
			continue
		}
		for _, sco := range m.byValue[string(id.Type)+"\x00"+c] {
			out = append(out, Signal{
				Rule: "PPL-SHARED-PERSONA", Advisory: "isac:" + sco, Severity: High, PersonID: p.ID,
				Summary:  fmt.Sprintf("%s is an observable of a persona another member shared", id.Type),
				Evidence: []Evidence{{Kind: "shared_indicator", Field: string(id.Type), Value: sco}},
			})
		}
	}
	return out, nil
}
