package inspect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// Config is what an organisation declares (or a collector reads) about its
// custody set-up: the facts the checks of checks.json evaluate. A field left
// out is unknown, and a check that needs it comes out Unknown, neither passed
// nor failed.
type Config struct {
	Signing struct {
		// ClearSigning: signers see the decoded target, value, calldata and
		// operation on the signing device itself.
		ClearSigning *bool `json:"clear_signing,omitempty"`
		// IndependentVerification: each signer re-derives the payload or
		// transaction hash with a tool or channel other than the proposer's.
		IndependentVerification *bool `json:"independent_verification,omitempty"`
		// FingerprintStable: the declared signer keys' outgoing transactions
		// keep their habits (type, fee style, nonce, scripts); a change means
		// another device or software signs (collector drift).
		FingerprintStable *bool `json:"fingerprint_stable,omitempty"`
	} `json:"signing"`
	Multisig struct {
		Signers   *int `json:"signers,omitempty"`
		Threshold *int `json:"threshold,omitempty"`
		// DistinctDevices: no two keys of one wallet on one device.
		DistinctDevices *bool `json:"distinct_devices,omitempty"`
		// Guard: delegatecall, upgrades and owner changes blocked by a guard.
		Guard         *bool `json:"guard,omitempty"`
		TimelockHours *int  `json:"timelock_hours,omitempty"`
	} `json:"multisig"`
	Hosts struct {
		DedicatedSigningDevices *bool `json:"dedicated_signing_devices,omitempty"`
		DevIsolated             *bool `json:"dev_isolated,omitempty"`
	} `json:"hosts"`
	People struct {
		SocialEngineeringTraining *bool `json:"social_engineering_training,omitempty"`
		NoUntrustedCode           *bool `json:"no_untrusted_code_on_work_devices,omitempty"`
		// PrivilegedVerified: everyone holding a signer, publisher or admin
		// role was verified in person (collector privilege).
		PrivilegedVerified *bool `json:"privileged_verified_in_person,omitempty"`
	} `json:"people"`
	Code struct {
		// From the code host's organisation settings (collector github).
		TwoFactorRequired *bool `json:"two_factor_required,omitempty"`
		BranchProtection  *bool `json:"branch_protection,omitempty"`
		NoOutsideAdmins   *bool `json:"no_outside_admins,omitempty"`
		// From lockfiles (collector deps).
		DependenciesPinned      *bool `json:"dependencies_pinned,omitempty"`
		NoMaliciousDependencies *bool `json:"no_malicious_dependencies,omitempty"`
	} `json:"code"`
	Vendors struct {
		// Provider names the external wallet or signing provider, if any.
		Provider             string `json:"provider,omitempty"`
		Assessed             *bool  `json:"assessed,omitempty"`
		CompromiseDetectable *bool  `json:"compromise_detectable,omitempty"`
		SigningUIPinned      *bool  `json:"signing_ui_pinned,omitempty"`
	} `json:"vendors"`
	Wallets struct {
		// HotShareBps is the share of assets under custody in hot wallets,
		// HotCapBps the declared cap, both in basis points.
		HotShareBps           *int  `json:"hot_share_bps,omitempty"`
		HotCapBps             *int  `json:"hot_cap_bps,omitempty"`
		ColdSeparated         *bool `json:"cold_separated,omitempty"`
		ColdMultiPerson       *bool `json:"cold_multi_person,omitempty"`
		WithdrawalAllowlist   *bool `json:"withdrawal_allowlist,omitempty"`
		RequestsAuthenticated *bool `json:"requests_authenticated,omitempty"`
		HotKeysInHSM          *bool `json:"hot_keys_in_hsm,omitempty"`
		// HotWithinCaps: every declared hot wallet holds no more than its
		// own cap at the index's tip (collector hotwallet).
		HotWithinCaps *bool `json:"hot_within_caps,omitempty"`
	} `json:"wallets"`
}

// DecodeConfig reads a configuration, refusing unknown fields so a typo is
// not silently an unknown answer.
func DecodeConfig(b []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("%w: config: %v", ErrInvalid, err)
	}
	if dec.More() {
		return Config{}, fmt.Errorf("%w: config: trailing data", ErrInvalid)
	}
	for name, p := range map[string]*int{"multisig.signers": c.Multisig.Signers, "multisig.threshold": c.Multisig.Threshold,
		"multisig.timelock_hours": c.Multisig.TimelockHours, "wallets.hot_share_bps": c.Wallets.HotShareBps, "wallets.hot_cap_bps": c.Wallets.HotCapBps} {
		if p != nil && *p < 0 {
			return Config{}, fmt.Errorf("%w: config: %s is negative", ErrInvalid, name)
		}
	}
	return c, nil
}

// Outcome is a check's result on a configuration.
type Outcome struct {
	Check  string `json:"check"`
	Status Status `json:"status"` // Implemented, NotImplemented or Unknown
	Reason string `json:"reason"`
}

// tri folds facts into an outcome: any false fails, else any unknown is
// Unknown, else it passes.
func tri(reason string, facts ...*bool) (Status, string) {
	unknown := false
	for _, f := range facts {
		switch {
		case f == nil:
			unknown = true
		case !*f:
			return NotImplemented, reason
		}
	}
	if unknown {
		return Unknown, "not declared: " + reason
	}
	return Implemented, ""
}

func yes(b bool) *bool { return &b }

// rules evaluates each check of checks.json; a test keeps the two in step.
var rules = map[string]func(c Config) (Status, string){
	"sign-clear": func(c Config) (Status, string) {
		return tri("signers do not see the decoded transaction on the signing device (blind signing)", c.Signing.ClearSigning)
	},
	"sign-independent": func(c Config) (Status, string) {
		return tri("signers rely on the proposing interface; no independent check of the payload or hash", c.Signing.IndependentVerification)
	},
	"multisig-guard": func(c Config) (Status, string) {
		var timelock *bool
		if c.Multisig.TimelockHours != nil {
			timelock = yes(*c.Multisig.TimelockHours > 0)
		}
		return tri("delegatecall, upgrades or owner changes are neither guarded nor timelocked", c.Multisig.Guard, timelock)
	},
	"multisig-quorum": func(c Config) (Status, string) {
		n, m := c.Multisig.Signers, c.Multisig.Threshold
		var quorum *bool
		if n != nil && m != nil {
			quorum = yes(*n >= 3 && 2**m >= *n && *m < *n)
		}
		why := "fewer than 3 signers, a threshold under half, N-of-N, or keys sharing a device"
		if n != nil && m != nil {
			why = fmt.Sprintf("%d-of-%d: %s", *m, *n, why)
		}
		return tri(why, quorum, c.Multisig.DistinctDevices)
	},
	"signing-environment": func(c Config) (Status, string) {
		return tri("wallet operations run on devices also used for daily work or development", c.Hosts.DedicatedSigningDevices, c.Hosts.DevIsolated)
	},
	"social-engineering": func(c Config) (Status, string) {
		return tri("staff may run files or code from recruiters and contacts on work devices", c.People.SocialEngineeringTraining, c.People.NoUntrustedCode)
	},
	"vendor-risk": func(c Config) (Status, string) {
		if c.Vendors.Provider == "" && c.Vendors.Assessed == nil {
			return Unknown, "not declared: whether an external wallet provider is used"
		}
		return tri("external provider "+c.Vendors.Provider+" not assessed or its compromise not detectable", c.Vendors.Assessed, c.Vendors.CompromiseDetectable)
	},
	"frontend-integrity": func(c Config) (Status, string) {
		return tri("the signing interface is whatever a third party serves, not a pinned build", c.Vendors.SigningUIPinned)
	},
	"hot-cap": func(c Config) (Status, string) {
		share, limit := c.Wallets.HotShareBps, c.Wallets.HotCapBps
		if limit != nil && *limit == 0 {
			return NotImplemented, "no hot-wallet cap is declared"
		}
		if w := c.Wallets.HotWithinCaps; w != nil && !*w {
			return NotImplemented, "a hot wallet holds more than its declared cap on chain"
		}
		if share == nil || limit == nil {
			if c.Wallets.HotWithinCaps != nil {
				return Implemented, ""
			}
			return Unknown, "not declared: hot-wallet share or cap"
		}
		if *share > *limit {
			return NotImplemented, fmt.Sprintf("hot wallets hold %d bps of assets against a cap of %d bps", *share, *limit)
		}
		return Implemented, ""
	},
	"cold-separation": func(c Config) (Status, string) {
		return tri("cold wallets not separated from online systems or operable by one person", c.Wallets.ColdSeparated, c.Wallets.ColdMultiPerson)
	},
	"withdrawal-allowlist": func(c Config) (Status, string) {
		return tri("transfers out of custody are not limited to allowlisted destinations", c.Wallets.WithdrawalAllowlist)
	},
	"request-integrity": func(c Config) (Status, string) {
		return tri("withdrawal and signing requests are not authenticated from their origin", c.Wallets.RequestsAuthenticated)
	},
	"signer-drift": func(c Config) (Status, string) {
		return tri("a signer key's outgoing transactions changed habits (another device or software signs)", c.Signing.FingerprintStable)
	},
	"source-control": func(c Config) (Status, string) {
		return tri("the code host does not require 2FA, leaves default branches unprotected, or gives outside collaborators admin", c.Code.TwoFactorRequired, c.Code.BranchProtection, c.Code.NoOutsideAdmins)
	},
	"dependency-integrity": func(c Config) (Status, string) {
		return tri("dependencies are not pinned by hash, or a known malicious or look-alike package is used", c.Code.DependenciesPinned, c.Code.NoMaliciousDependencies)
	},
	"privileged-people-verified": func(c Config) (Status, string) {
		return tri("someone holds a signer, publisher or admin role without being verified in person", c.People.PrivilegedVerified)
	},
	"hot-key-protection": func(c Config) (Status, string) {
		return tri("hot-wallet keys are readable on servers (no HSM or MPC policy engine)", c.Wallets.HotKeysInHSM)
	},
}

// Finding is a control failed by an evaluation, with the checks that failed
// it and the heists those checks are tested against.
type Finding struct {
	Control string   `json:"control"`
	Checks  []string `json:"checks"`
	Heists  []string `json:"heists"`
	Reasons []string `json:"reasons"`
}

// Evaluation is the result of the checks on one configuration.
type Evaluation struct {
	Outcomes []Outcome `json:"outcomes"`
	Failed   []Finding `json:"failed"`
	Unknown  []string  `json:"unknown,omitempty"` // checks not decidable
}

// FailedChecks returns the ids of the checks that failed, sorted.
func (e Evaluation) FailedChecks() []string {
	var out []string
	for _, o := range e.Outcomes {
		if o.Status == NotImplemented {
			out = append(out, o.Check)
		}
	}
	sort.Strings(out)
	return out
}

// Evaluate runs every check on cfg and marks the controls of each failed
// check as failing, naming the heists that check is tested against.
func (c *Catalogue) Evaluate(cfg Config) (Evaluation, error) {
	var ev Evaluation
	failed := map[string]*Finding{}
	for _, ch := range c.Checks {
		rule, ok := rules[ch.ID]
		if !ok {
			return Evaluation{}, fmt.Errorf("%w: check %s has no rule", ErrCatalogue, ch.ID)
		}
		st, why := rule(cfg)
		ev.Outcomes = append(ev.Outcomes, Outcome{Check: ch.ID, Status: st, Reason: why})
		switch st {
		case Unknown:
			ev.Unknown = append(ev.Unknown, ch.ID)
		case NotImplemented:
			for _, key := range ch.Controls {
				f := failed[key]
				if f == nil {
					f = &Finding{Control: key}
					failed[key] = f
				}
				f.Checks = addSorted(f.Checks, ch.ID)
				f.Reasons = append(f.Reasons, why)
				for _, h := range ch.Heists {
					f.Heists = addSorted(f.Heists, h)
				}
			}
		}
	}
	for _, f := range failed {
		ev.Failed = append(ev.Failed, *f)
	}
	sort.Slice(ev.Failed, func(i, j int) bool { return ev.Failed[i].Control < ev.Failed[j].Control })
	return ev, nil
}

// FailedControls returns the keys of the failing controls, sorted.
func (e Evaluation) FailedControls() []string {
	out := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		out[i] = f.Control
	}
	return slices.Clip(out)
}
