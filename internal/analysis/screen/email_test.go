package screen

import (
	"testing"
	"time"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

func TestScreenEmail(t *testing.T) {
	v := VersionRef{ID: "ofac-x", Source: sanctions.SourceOFAC, Published: time.Date(2025, 11, 19, 0, 0, 0, 0, time.UTC)}
	ix := NewIndex(Dataset{Version: v, Entities: []sanctions.Entity{
		{ID: "1", Type: sanctions.TypeOrganization, Programs: []string{"DPRK3"}, Names: []sanctions.Name{{Full: "EXAMPLE FRONT CO", Primary: true}},
			Emails: []string{" Recruit@Front-Example.com ", "recruit@front-example.com", "not an email"}},
		{ID: "2", Type: sanctions.TypeIndividual, Programs: []string{"CYBER2"}, Names: []sanctions.Name{{Full: "EXAMPLE, Person", Primary: true}},
			Emails: []string{"recruit@front-example.com"}},
	}})
	for _, tc := range []struct {
		query string
		ids   []string
	}{
		{"recruit@front-example.com", []string{"1", "2"}},
		{"RECRUIT@FRONT-EXAMPLE.COM", []string{"1", "2"}},
		{"other@front-example.com", nil},
		{"not an email", nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := ix.ScreenEmail(tc.query)
			var ids []string
			for _, m := range r.Matches {
				ids = append(ids, m.EntityID)
				if m.Email == "" || m.Score != 1 {
					t.Errorf("match %+v: want the published email and score 1", m)
				}
			}
			if r.Kind != "email" || r.Hit != (len(tc.ids) > 0) || len(ids) != len(tc.ids) || (len(ids) > 0 && (ids[0] != tc.ids[0] || ids[len(ids)-1] != tc.ids[len(tc.ids)-1])) {
				t.Fatalf("ScreenEmail(%q) = %+v, want entities %v", tc.query, r, tc.ids)
			}
		})
	}
}
