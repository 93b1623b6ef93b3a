package screen

import (
	"strings"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// emailIndex finds listed email addresses exactly, compared in lower case
// (OFAC lists the email addresses of DPRK IT-worker front companies and
// facilitators). byKey's slices are shared by every lookup.
type emailIndex struct {
	byKey map[string][]Match
}

func newEmailIndex(datasets []Dataset) *emailIndex {
	byKey := map[string][]Match{}
	for _, d := range datasets {
		for i := range d.Entities {
			e := &d.Entities[i]
			seen := map[string]bool{}
			for _, m := range e.Emails {
				key := emailKey(m)
				if key == "" || seen[key] {
					continue
				}
				seen[key] = true
				byKey[key] = append(byKey[key], emailMatch(d.Version, e, m))
			}
		}
	}
	for k, ms := range byKey {
		byKey[k] = ms[:len(ms):len(ms)]
	}
	return &emailIndex{byKey: byKey}
}

func emailKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.Contains(s, "@") {
		return ""
	}
	return s
}

func emailMatch(v VersionRef, e *sanctions.Entity, email string) Match {
	return Match{List: string(v.Source), ListVersion: v.ID, EntityID: e.ID, Name: e.PrimaryName(),
		Type: e.Type, Programs: e.Programs, Score: 1, Email: strings.TrimSpace(email)}
}

// ScreenEmail looks an email address up exactly, ignoring case.
func (ix *Index) ScreenEmail(email string) Result {
	m := ix.emails.byKey[emailKey(email)]
	return Result{Query: email, Kind: "email", Hit: len(m) > 0, Matches: nonNil(m)}
}
