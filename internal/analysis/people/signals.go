package people

import (
	"fmt"
	"slices"
	"strings"

	"github.com/adrg/strutil"
	"github.com/adrg/strutil/metrics"

	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// Severity orders signals; Flags says which ones a reviewer must look at.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota
	Low
	Medium
	High
)

var severityNames = []string{"info", "low", "medium", "high"}

func (s Severity) String() string {
	if s < Info || s > High {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity by its name, so API clients decode what
// MarshalText wrote.
func (s *Severity) UnmarshalText(b []byte) error {
	if i := slices.Index(severityNames, string(b)); i >= 0 {
		*s = Severity(i)
		return nil
	}
	return fmt.Errorf("unknown severity %q (want %s)", b, strings.Join(severityNames, ", "))
}

// Flags reports whether a signal of this severity flags the person for review.
func (s Severity) Flags() bool { return s >= Medium }

// Advisory sources the rules follow.
const (
	// AdvisoryUS2022 is the US State/Treasury/FBI guidance on DPRK IT workers of 2022-05-16.
	AdvisoryUS2022 = "us-2022-05-16"
	// AdvisoryUSROK2023 is the US–ROK public service announcement of 2023-10-18.
	AdvisoryUSROK2023 = "us-rok-2023-10-18"
	// AdvisoryFBI2025 is the FBI public service announcement of 2025-01-23.
	AdvisoryFBI2025 = "fbi-psa-2025-01-23"
	// AdvisoryJP2024 is Japan's four-ministry warning of 2024-03-26.
	AdvisoryJP2024 = "jp-2024-03-26"
)

// Signal is one rule's finding about a person.
type Signal struct {
	Rule     string     `json:"rule"`
	Advisory string     `json:"advisory"` // the advisory or list the rule follows
	Severity Severity   `json:"severity"`
	PersonID string     `json:"person_id"`
	Summary  string     `json:"summary"`
	Evidence []Evidence `json:"evidence"`
}

// Evidence is one fact behind a signal.
type Evidence struct {
	Kind  string `json:"kind"`  // "shared_identifier", "name", "list_match", "trace_path", "log"
	Field string `json:"field"` // the identifier type or field read
	Value string `json:"value"` // the value or hash reference
	// Persons are the other persons involved (for shared identifiers).
	Persons []string      `json:"persons,omitempty"`
	Match   *screen.Match `json:"match,omitempty"`
	// Wallet is the exposure and trace path of a payout wallet (PPL-WALLET-EXPOSED).
	Wallet *WalletEvidence `json:"wallet,omitempty"`
}

// Subject is everything a rule may read about a person. It deliberately has
// no protected attribute, birth date or nationality: see the package comment.
type Subject struct {
	PersonID    string
	Kind        people.Kind
	LegalNames  []string
	PayoutNames []string
	Emails      []string
	Employers   []string
	Wallets     []string
	// Shared lists the person's identifiers other persons hold too (Graph.SharedBy).
	Shared []Shared
}

// SubjectOf builds the rule input from an opened person and its shared
// identifiers.
func SubjectOf(p *people.Person, shared []Shared) Subject {
	return Subject{
		PersonID: p.ID, Kind: p.Kind,
		LegalNames: p.Values(people.LegalName), PayoutNames: p.Values(people.PayoutName),
		Emails: p.Values(people.Email), Employers: p.Values(people.Employer), Wallets: p.Values(people.Wallet),
		Shared: shared,
	}
}

// Lists is the sanctions screening the rules need; *screen.Index has it.
type Lists interface {
	ScreenName(q screen.NameQuery) screen.Result
	ScreenAddress(addr string) screen.Result
	ScreenEmail(email string) screen.Result
}

// Config tunes the rules.
type Config struct {
	// NameThreshold is the minimum sanctions name score; 0 means screen.DefaultThreshold.
	NameThreshold float64
	// PayoutSimilarity is the Jaro-Winkler similarity at or above which a
	// payout name counts as the legal name spelled differently.
	PayoutSimilarity float64
	// HubSize: a weak identifier held by this many persons or more is shared
	// infrastructure (a corporate VPN egress, an office address) and gives
	// only an info signal.
	HubSize int
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{PayoutSimilarity: 0.92, HubSize: 10}
}

// Rules evaluates the signals.
type Rules struct {
	cfg   Config
	lists Lists
}

// NewRules returns the rules with cfg over lists (nil: no list rules).
func NewRules(cfg Config, lists Lists) *Rules {
	if cfg.HubSize <= 0 {
		cfg.HubSize = DefaultConfig().HubSize
	}
	if cfg.PayoutSimilarity <= 0 {
		cfg.PayoutSimilarity = DefaultConfig().PayoutSimilarity
	}
	return &Rules{cfg: cfg, lists: lists}
}

// Evaluate runs every rule on s, signals ordered by severity (highest first)
// then rule id.
func (r *Rules) Evaluate(s Subject) []Signal {
	var out []Signal
	out = append(out, r.reuse(s)...)
	out = append(out, r.payoutName(s)...)
	if r.lists != nil {
		out = append(out, r.sanctionedNames(s)...)
		out = append(out, r.sanctionedWallets(s)...)
		out = append(out, r.sanctionedEmails(s)...)
	}
	slices.SortStableFunc(out, func(a, b Signal) int {
		if a.Severity != b.Severity {
			return int(b.Severity - a.Severity)
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	return out
}

// Flagged reports whether any signal flags the person.
func Flagged(signals []Signal) bool {
	return slices.ContainsFunc(signals, func(s Signal) bool { return s.Severity.Flags() })
}

// reuseSeverity: identifiers that only one person can have (a document, an
// account, a wallet, a face) are high; contact points and handles, which a
// household or a recruiter may share, medium; weak ones low.
var reuseSeverity = map[people.Type]Severity{
	people.IDDocument: High, people.BankAccount: High, people.Wallet: High, people.PhotoHash: High,
	people.Phone: Medium, people.Email: Medium, people.EmailNear: Medium, people.GitHub: Medium, people.Telegram: Medium, people.ProfileURL: Medium,
	people.PostalAddress: Low, people.ShippingAddress: Low, people.IP: Low,
}

// reuse: rule PPL-REUSE-<TYPE>, one signal per shared identifier.
func (r *Rules) reuse(s Subject) []Signal {
	var out []Signal
	for _, sh := range s.Shared {
		sev, ok := reuseSeverity[sh.Type]
		if !ok {
			continue
		}
		summary := fmt.Sprintf("%s also held by %d other person(s)", sh.Type, len(sh.Others))
		if StrengthOf(sh.Type) == Weak && len(sh.Others)+1 >= r.cfg.HubSize {
			sev, summary = Info, fmt.Sprintf("%s shared by %d persons: shared infrastructure, not evidence", sh.Type, len(sh.Others)+1)
		}
		if sh.Type == people.EmailNear {
			summary = fmt.Sprintf("email differs by one swapped pair of characters from the email of %d other person(s): the same address mistyped", len(sh.Others))
		}
		out = append(out, Signal{
			Rule: "PPL-REUSE-" + strings.ToUpper(string(sh.Type)), Advisory: AdvisoryUSROK2023, Severity: sev,
			PersonID: s.PersonID, Summary: summary,
			Evidence: []Evidence{{Kind: "shared_identifier", Field: string(sh.Type), Value: sh.Ref, Persons: sh.Others}},
		})
	}
	return out
}

// payoutName: rule PPL-PAYOUT-NAME, a payout account in a name that is not
// the legal name (spelling and order differences and a left-out middle name
// aside).
func (r *Rules) payoutName(s Subject) []Signal {
	if len(s.LegalNames) == 0 {
		return nil
	}
	var out []Signal
	for _, pn := range s.PayoutNames {
		if slices.ContainsFunc(s.LegalNames, func(ln string) bool { return r.sameName(ln, pn) }) {
			continue
		}
		out = append(out, Signal{
			Rule: "PPL-PAYOUT-NAME", Advisory: AdvisoryUS2022, Severity: Medium, PersonID: s.PersonID,
			Summary: "payout account name differs from the legal name",
			Evidence: []Evidence{
				{Kind: "name", Field: string(people.PayoutName), Value: pn},
				{Kind: "name", Field: string(people.LegalName), Value: strings.Join(s.LegalNames, "; ")},
			},
		})
	}
	return out
}

func (r *Rules) sameName(a, b string) bool {
	ta, tb := nameTokens(a), nameTokens(b)
	if len(ta) == 0 || len(tb) == 0 {
		return false
	}
	if len(ta) > len(tb) {
		ta, tb = tb, ta
	}
	// Every word of the shorter name in the longer one: a left-out middle
	// name, another order.
	if len(ta) >= 2 && !slices.ContainsFunc(ta, func(w string) bool { return !slices.Contains(tb, w) }) {
		return true
	}
	slices.Sort(ta)
	slices.Sort(tb)
	return strutil.Similarity(strings.Join(ta, " "), strings.Join(tb, " "), metrics.NewJaroWinkler()) >= r.cfg.PayoutSimilarity
}

func nameTokens(s string) []string {
	c, err := people.Canonical(people.LegalName, s, "")
	if err != nil {
		return nil
	}
	return strings.Fields(c)
}

// sanctionedNames: rules PPL-SDN-NAME (legal and payout names against listed
// individuals) and PPL-SDN-EMPLOYER (employers against listed entities, where
// the DPRK IT-worker front companies are).
func (r *Rules) sanctionedNames(s Subject) []Signal {
	var out []Signal
	check := func(rule, field string, names []string, types []sanctions.EntityType) {
		for _, n := range names {
			res := r.lists.ScreenName(screen.NameQuery{Name: n, Types: types, Threshold: r.cfg.NameThreshold, Limit: 3})
			seen := map[string]bool{}
			for i := range res.Matches {
				m := res.Matches[i]
				if key := m.ListVersion + "/" + m.EntityID; seen[key] {
					continue // another alias of an entity already reported
				} else {
					seen[key] = true
				}
				out = append(out, Signal{
					Rule: rule, Advisory: m.List + ":" + m.ListVersion, Severity: High, PersonID: s.PersonID,
					Summary:  fmt.Sprintf("%s %q matches listed %q (%s, score %.2f)", field, n, m.Name, strings.Join(m.Programs, ","), m.Score),
					Evidence: []Evidence{{Kind: "list_match", Field: field, Value: n, Match: &m}},
				})
			}
		}
	}
	check("PPL-SDN-NAME", string(people.LegalName), s.LegalNames, []sanctions.EntityType{sanctions.TypeIndividual})
	check("PPL-SDN-NAME", string(people.PayoutName), s.PayoutNames, []sanctions.EntityType{sanctions.TypeIndividual})
	check("PPL-SDN-EMPLOYER", string(people.Employer), s.Employers, []sanctions.EntityType{sanctions.TypeOrganization})
	return out
}

// sanctionedEmails: rule PPL-SDN-EMAIL, an email address the lists give for
// a listed party (DPRK IT-worker front companies and facilitators).
func (r *Rules) sanctionedEmails(s Subject) []Signal {
	var out []Signal
	for _, e := range s.Emails {
		res := r.lists.ScreenEmail(e)
		for i := range res.Matches {
			m := res.Matches[i]
			out = append(out, Signal{
				Rule: "PPL-SDN-EMAIL", Advisory: m.List + ":" + m.ListVersion, Severity: High, PersonID: s.PersonID,
				Summary:  fmt.Sprintf("email address is listed for %q (%s)", m.Name, strings.Join(m.Programs, ",")),
				Evidence: []Evidence{{Kind: "list_match", Field: string(people.Email), Value: e, Match: &m}},
			})
		}
	}
	return out
}

// sanctionedWallets: rule PPL-SDN-WALLET, a payout wallet on a list.
func (r *Rules) sanctionedWallets(s Subject) []Signal {
	var out []Signal
	for _, w := range s.Wallets {
		res := r.lists.ScreenAddress(w)
		for i := range res.Matches {
			m := res.Matches[i]
			out = append(out, Signal{
				Rule: "PPL-SDN-WALLET", Advisory: m.List + ":" + m.ListVersion, Severity: High, PersonID: s.PersonID,
				Summary:  fmt.Sprintf("payout wallet is listed for %q (%s)", m.Name, strings.Join(m.Programs, ",")),
				Evidence: []Evidence{{Kind: "list_match", Field: string(people.Wallet), Value: w, Match: &m}},
			})
		}
	}
	return out
}
