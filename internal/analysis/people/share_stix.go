package people

import (
	"fmt"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/action/share/stix"
	"github.com/interdict/interdict/internal/index/people"
)

// PersonaBundle returns the STIX 2.1 bundle of a persona's indicators, for
// members to block a known persona: an identity named by the member's
// reference (never the person's name), its email-addr, user-account
// (GitHub, Telegram), url and cryptocurrency-wallet objects, one indicator
// per object, and a report tying them together, all marked tlp. Values are
// the canonical ones. Only identifiers of those types are exported: no
// name, document, phone, address, IP, photo or bank account.
func PersonaBundle(p *people.Person, ref string, tlp stix.TLP, now time.Time) (*stix.Bundle, error) {
	ts := stix.NewTimestamp(now)
	var marking []string
	var objs []stix.Object
	if def := stix.TLP20Definition(tlp); def != nil {
		objs = append(objs, def)
		marking = []string{def.ID}
	}
	ident := &stix.Identity{
		Name: "Persona " + ref, IdentityClass: "individual",
		Description: "A persona a member's reviewer rejected or escalated as a suspected DPRK IT worker; " +
			"the name is the member's reference, not the person's.",
	}
	ident.Type, ident.SpecVersion, ident.ID, ident.Created, ident.Modified = "identity", "2.1", stix.NewID("identity"), ts, ts
	ident.ObjectMarkingRefs = marking
	objs = append(objs, ident)
	refs := []string{ident.ID}
	seen := map[string]bool{}
	for i, id := range p.Identifiers {
		if id.Value == "" {
			continue
		}
		sco, pat, err := personaObservable(id)
		if err != nil {
			return nil, fmt.Errorf("%w: person %s: identifier %d: %w", ErrShare, p.ID, i, err)
		}
		if sco == nil || seen[sco.Core().ID] {
			continue
		}
		seen[sco.Core().ID] = true
		sco.Core().ObjectMarkingRefs = marking
		ind, err := stix.NewIndicator(fmt.Sprintf("Persona %s: %s", ref, id.Type), pat, now, tlp)
		if err != nil {
			return nil, fmt.Errorf("%w: person %s: identifier %d: %w", ErrShare, p.ID, i, err)
		}
		ind.IndicatorTypes = []string{"malicious-activity"}
		ind.Created, ind.Modified = ts, ts
		objs = append(objs, sco, ind)
		refs = append(refs, sco.Core().ID, ind.ID)
	}
	if len(refs) == 1 {
		return nil, fmt.Errorf("%w: person %s has no email, account, URL or wallet to share", ErrShare, p.ID)
	}
	rep := &stix.Report{
		Name: "DPRK IT-worker persona " + ref, ReportTypes: []string{"threat-actor", "indicator"},
		Published: ts, ObjectRefs: refs,
	}
	rep.Type, rep.SpecVersion, rep.ID, rep.Created, rep.Modified = "report", "2.1", stix.NewID("report"), ts, ts
	rep.ObjectMarkingRefs = marking
	objs = append(objs, rep)
	return stix.NewBundle(objs...), nil
}

// personaObservable returns the SCO and the indicator pattern of an
// exported identifier type, or nil for a type that is not exported.
func personaObservable(id people.Identifier) (stix.Object, string, error) {
	if !personaTypes[id.Type] {
		return nil, "", nil
	}
	c, err := people.Canonical(id.Type, id.Value, id.Extra)
	if err != nil {
		return nil, "", err
	}
	var (
		o   stix.Object
		pat string
	)
	switch id.Type {
	case people.Email:
		e := &stix.EmailAddr{Value: c}
		e.Type = "email-addr"
		o, pat = e, "[email-addr:value = "+patternQuote(c)+"]"
	case people.ProfileURL:
		u := &stix.URL{Value: c}
		u.Type = "url"
		o, pat = u, "[url:value = "+patternQuote(c)+"]"
	case people.Wallet:
		w := stix.NewCryptocurrencyWallet(c)
		return w, "[cryptocurrency-wallet:address = " + patternQuote(c) + "]", nil
	case people.GitHub, people.Telegram:
		platform := string(id.Type)
		ua := &stix.UserAccount{UserID: c, AccountType: platform, AccountLogin: strings.TrimPrefix(strings.TrimSpace(id.Extra), "@")}
		ua.Type = "user-account"
		o = ua
		pat = "[user-account:account_type = " + patternQuote(platform) + " AND user-account:user_id = " + patternQuote(c) + "]"
	}
	o.Core().SpecVersion = "2.1"
	sid, err := stix.SCOID(o)
	if err != nil {
		return nil, "", err
	}
	o.Core().ID = sid
	return o, pat, nil
}

var personaTypes = map[people.Type]bool{people.Email: true, people.ProfileURL: true, people.Wallet: true, people.GitHub: true, people.Telegram: true}

// patternQuote writes s as a STIX pattern string literal.
func patternQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
