// Package github collects inspection evidence from a GitHub organisation's
// settings exported as JSON (the REST API's own objects, gathered into one
// file): whether two-factor authentication is required, whether every
// active repository's default branch is protected, and whether an outside
// collaborator holds admin on a repository. DPRK groups reach exchanges
// through developers (the Radiant, Bybit and DMM/Ginco intrusions began on a
// developer's machine); an organisation where a stolen session or a
// contractor can push to a default branch turns one infected laptop into
// signed code.
//
// The export (see docs/inspection.md for how to make it):
//
//	{
//	  "exported_at": "2026-11-25T12:00:00Z",
//	  "org": <GET /orgs/{org}>,                          // two_factor_requirement_enabled
//	  "members_2fa_disabled": [<GET /orgs/{org}/members?filter=2fa_disabled>],
//	  "outside_collaborators": [<GET /orgs/{org}/outside_collaborators>],
//	  "repos": [<GET /orgs/{org}/repos item> + {
//	      "branch_protection": <GET /repos/{o}/{r}/branches/{default_branch}/protection> or null,
//	      "collaborators": [<GET /repos/{o}/{r}/collaborators?affiliation=outside>]}]
//	}
package github

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/interdict/interdict/internal/action/inspect"
)

// ErrExport: the file is not an organisation export of the documented shape.
var ErrExport = errors.New("github: invalid export")

// User is a member or collaborator object; Permissions and RoleName are set
// on repository collaborators.
type User struct {
	Login       string          `json:"login"`
	Permissions map[string]bool `json:"permissions,omitempty"`
	RoleName    string          `json:"role_name,omitempty"`
}

// Protection is the part of a branch-protection object read.
type Protection struct {
	RequiredPullRequestReviews *struct {
		RequiredApprovingReviewCount int `json:"required_approving_review_count"`
	} `json:"required_pull_request_reviews"`
	EnforceAdmins *struct {
		Enabled bool `json:"enabled"`
	} `json:"enforce_admins"`
	AllowForcePushes *struct {
		Enabled bool `json:"enabled"`
	} `json:"allow_force_pushes"`
}

// Repo is a repository object with its default branch's protection (nil:
// none; GitHub answers 404 "Branch not protected") and its outside
// collaborators.
type Repo struct {
	FullName         string      `json:"full_name"`
	DefaultBranch    string      `json:"default_branch"`
	Archived         bool        `json:"archived"`
	BranchProtection *Protection `json:"branch_protection"`
	Collaborators    []User      `json:"collaborators"`
}

// Export is an organisation export.
type Export struct {
	ExportedAt time.Time `json:"exported_at"`
	Org        struct {
		Login                       string `json:"login"`
		TwoFactorRequirementEnabled *bool  `json:"two_factor_requirement_enabled"`
	} `json:"org"`
	Members2FADisabled   []User `json:"members_2fa_disabled"`
	OutsideCollaborators []User `json:"outside_collaborators"`
	Repos                []Repo `json:"repos"`
}

// Decode reads an export. Fields the API adds that are not read are
// ignored (the objects carry dozens); the ones read must have their type.
func Decode(b []byte) (*Export, error) {
	var e Export
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrExport, err)
	}
	if e.Org.Login == "" {
		return nil, fmt.Errorf("%w: no org.login (is this GET /orgs/{org} with the lists beside it?)", ErrExport)
	}
	if e.Org.TwoFactorRequirementEnabled == nil {
		return nil, fmt.Errorf("%w: org.two_factor_requirement_enabled missing: export with an owner's token (the API hides it from others)", ErrExport)
	}
	for i, r := range e.Repos {
		if r.FullName == "" || r.DefaultBranch == "" {
			return nil, fmt.Errorf("%w: repos[%d] needs full_name and default_branch", ErrExport, i)
		}
	}
	return &e, nil
}

// Collect decides code.two_factor_required, code.branch_protection and
// code.no_outside_admins from an export's bytes.
func Collect(b []byte, uri string, now time.Time) (inspect.Reading, error) {
	e, err := Decode(b)
	if err != nil {
		return inspect.Reading{}, err
	}
	sum := sha256.Sum256(b)
	r := inspect.Reading{Collector: "github", Label: "GitHub organisation " + e.Org.Login + " settings export", URI: uri, ReadAt: now.UTC()}
	r.Read = append(r.Read, fmt.Sprintf("export of %s taken %s, sha256 %s: org object, %d members without 2FA, %d outside collaborators, %d repositories",
		e.Org.Login, e.ExportedAt.UTC().Format(time.RFC3339), hex.EncodeToString(sum[:]), len(e.Members2FADisabled), len(e.OutsideCollaborators), len(e.Repos)))

	twoFA := *e.Org.TwoFactorRequirementEnabled && len(e.Members2FADisabled) == 0
	if !*e.Org.TwoFactorRequirementEnabled {
		r.Findings = append(r.Findings, "organisation "+e.Org.Login+": two_factor_requirement_enabled is false")
	}
	for _, u := range e.Members2FADisabled {
		r.Findings = append(r.Findings, "member "+u.Login+" has two-factor authentication disabled")
	}
	protected := true
	outsideAdmin := false
	outside := map[string]bool{}
	for _, u := range e.OutsideCollaborators {
		outside[u.Login] = true
	}
	for _, repo := range e.Repos {
		if repo.Archived {
			continue
		}
		if why := weakProtection(repo.BranchProtection); why != "" {
			protected = false
			r.Findings = append(r.Findings, fmt.Sprintf("%s: default branch %s %s", repo.FullName, repo.DefaultBranch, why))
		}
		for _, c := range repo.Collaborators {
			if (c.Permissions["admin"] || c.RoleName == "admin") && (len(outside) == 0 || outside[c.Login]) {
				outsideAdmin = true
				r.Findings = append(r.Findings, fmt.Sprintf("%s: outside collaborator %s has admin", repo.FullName, c.Login))
			}
		}
	}
	r.Facts.Code.TwoFactorRequired = inspect.Bool(twoFA)
	r.Facts.Code.BranchProtection = inspect.Bool(protected)
	r.Facts.Code.NoOutsideAdmins = inspect.Bool(!outsideAdmin)
	slices.Sort(r.Findings)
	return r, nil
}

// weakProtection says what is missing from a default branch's protection:
// none at all, no required review, or force pushes allowed.
func weakProtection(p *Protection) string {
	switch {
	case p == nil:
		return "is not protected"
	case p.RequiredPullRequestReviews == nil || p.RequiredPullRequestReviews.RequiredApprovingReviewCount < 1:
		return "is protected without a required approving review"
	case p.AllowForcePushes != nil && p.AllowForcePushes.Enabled:
		return "allows force pushes"
	}
	return ""
}
