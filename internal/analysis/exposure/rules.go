package exposure

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"unicode"
)

// Severity grades an exposure.
type Severity int

// Severities, weakest first.
const (
	Low Severity = iota
	Medium
	High
	Severe
)

var severityNames = []string{"Low", "Medium", "High", "Severe"}

func (s Severity) String() string {
	if s < Low || s > Severe {
		return fmt.Sprintf("Severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name (any case).
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return Low, fmt.Errorf("severity %q: want Low, Medium, High or Severe", s)
}

// MarshalText writes the name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Rule is one row of the severity table: findings matching it (a concept
// or an actor; for indirect rules, a share of the traced funds at least
// MinShare within MaxHops hops) raise the severity to Severity, for Reason.
type Rule struct {
	Severity Severity `json:"severity"`
	// Direct rules look at the address's own tags; the others at what the
	// traces reached.
	Direct   bool     `json:"direct"`
	Concepts []string `json:"concepts,omitempty"`
	// Actors match a tag's actor by name, ignoring case, spaces and
	// punctuation ("Lazarus Group" = "lazarusgroup").
	Actors []string `json:"actors,omitempty"`
	// MinShare is a decimal fraction ("0.1" for 10%); "" or "0": any amount.
	MinShare string `json:"min_share,omitempty"`
	// MaxHops: 0 means any distance.
	MaxHops int    `json:"max_hops,omitempty"`
	Reason  string `json:"reason"`

	minShare *big.Rat
	actors   map[string]bool
}

// DPRKActors are the names of Lazarus Group and the clusters attributed to
// it, as tags and the curated actor pack (internal/index/tags) write them.
var DPRKActors = []string{
	"lazarusgroup", "Lazarus Group", "HIDDEN COBRA", "Diamond Sleet", "ZINC", "Labyrinth Chollima",
	"Guardians of Peace", "NICKEL ACADEMY", "apt38", "BlueNoroff", "Stardust Chollima",
	"tradertraitor", "Jade Sleet", "UNC4899", "Pukchong", "applejeus", "Citrine Sleet",
}

// theft are the GraphSense concepts of stolen funds.
var theft = []string{"service_hack", "account_hack", "hacking", "exploit", "theft"}

// DefaultRules is the severity table. The highest severity any rule
// matches wins; every matching rule adds its reason. No match is Low.
//
//	Severity  Kind      Concepts / actors                               Share   Hops
//	Severe    direct    sanction                                        -       -
//	Severe    direct    a DPRK actor (Lazarus Group and its clusters)   -       -
//	Severe    indirect  sanction or a DPRK actor                        >= 50%  1
//	High      direct    theft (service/account hack, exploit), ransomware, terrorism(_financing), child_sexual_abuse
//	High      indirect  sanction, a DPRK actor or theft                 >= 10%  3
//	Medium    direct    mixing_service, scam, phishing, dark_web, money_laundering, extortion, malware
//	Medium    indirect  sanction, a DPRK actor or theft                 >= 1%   6
//	Medium    indirect  mixing_service, ransomware, scam, phishing, dark_web, money_laundering  >= 10%  3
func DefaultRules() []Rule {
	sanctionedOrTheft := append([]string{"sanction"}, theft...)
	return []Rule{
		{Severity: Severe, Direct: true, Concepts: []string{"sanction"}, Reason: "the address is tagged as sanctioned"},
		{Severity: Severe, Direct: true, Actors: DPRKActors, Reason: "the address is attributed to a DPRK actor"},
		{Severity: Severe, Concepts: []string{"sanction"}, Actors: DPRKActors, MinShare: "0.5", MaxHops: 1,
			Reason: "at least half of the traced funds are one hop from a sanctioned or DPRK address"},
		{Severity: High, Direct: true, Concepts: append([]string{"ransomware", "terrorism", "terrorism_financing", "child_sexual_abuse"}, theft...),
			Reason: "the address is tagged with a serious abuse"},
		{Severity: High, Concepts: sanctionedOrTheft, Actors: DPRKActors, MinShare: "0.1", MaxHops: 3,
			Reason: "at least 10% of the traced funds within 3 hops are sanctioned, DPRK or stolen"},
		{Severity: Medium, Direct: true, Concepts: []string{"mixing_service", "scam", "phishing", "dark_web", "money_laundering", "extortion", "malware"},
			Reason: "the address is tagged with a high-risk service or abuse"},
		{Severity: Medium, Concepts: sanctionedOrTheft, Actors: DPRKActors, MinShare: "0.01", MaxHops: 6,
			Reason: "at least 1% of the traced funds within 6 hops are sanctioned, DPRK or stolen"},
		{Severity: Medium, Concepts: []string{"mixing_service", "ransomware", "scam", "phishing", "dark_web", "money_laundering"}, MinShare: "0.1", MaxHops: 3,
			Reason: "at least 10% of the traced funds within 3 hops are from or to mixers or abuse"},
	}
}

// ParseRules reads a JSON array of rules and checks them.
func ParseRules(b []byte) ([]Rule, error) {
	var rs []Rule
	if err := json.Unmarshal(b, &rs); err != nil {
		return nil, fmt.Errorf("exposure rules: %w", err)
	}
	if err := compile(rs); err != nil {
		return nil, err
	}
	return rs, nil
}

// compile checks the rules and fills their parsed fields.
func compile(rs []Rule) error {
	for i := range rs {
		r := &rs[i]
		if r.Severity < Low || r.Severity > Severe {
			return fmt.Errorf("exposure rule %d: bad severity %d", i, r.Severity)
		}
		if len(r.Concepts) == 0 && len(r.Actors) == 0 {
			return fmt.Errorf("exposure rule %d: give concepts or actors", i)
		}
		r.minShare = new(big.Rat)
		if r.MinShare != "" {
			if _, ok := r.minShare.SetString(r.MinShare); !ok || r.minShare.Sign() < 0 || r.minShare.Cmp(big.NewRat(1, 1)) > 0 {
				return fmt.Errorf("exposure rule %d: min_share %q: want a decimal in [0, 1]", i, r.MinShare)
			}
		}
		if r.MaxHops < 0 {
			return fmt.Errorf("exposure rule %d: max_hops %d is negative", i, r.MaxHops)
		}
		r.actors = map[string]bool{}
		for _, a := range r.Actors {
			r.actors[actorKey(a)] = true
		}
	}
	return nil
}

// actorKey folds an actor name for matching.
func actorKey(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// matchesTag reports whether a finding's concept or actor is the rule's.
func (r *Rule) matches(concept, actor string) bool {
	for _, c := range r.Concepts {
		if strings.EqualFold(c, concept) {
			return true
		}
	}
	return actor != "" && r.actors[actorKey(actor)]
}
