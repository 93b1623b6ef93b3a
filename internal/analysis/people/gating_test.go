package people

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/index/people"
)

func TestParseRoles(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []RoleAssignment
		err      string
	}{
		{"a CSV file gives one seat per record with its line", "privilege,resource,account,person_id\n" +
			"signer_seat,safe:eth:0x00000000000000000000000000000000000000a1,0x00000000000000000000000000000000000000b2,p1\n" +
			"# a comment\nrepo_admin, github:acme/wallet ,octo,\n",
			[]RoleAssignment{
				{Privilege: people.SignerSeat, Resource: "safe:eth:0x00000000000000000000000000000000000000a1", Account: "0x00000000000000000000000000000000000000b2", PersonID: "p1", Line: 2},
				{Privilege: people.RepoAdmin, Resource: "github:acme/wallet", Account: "octo", Line: 4},
			}, ""},
		{"a JSON array gives the same seats", `[{"privilege":"package_publisher","resource":"npm:@acme/sdk","account":"acme-bot","person_id":"p2"}]`,
			[]RoleAssignment{{Privilege: people.PackagePublisher, Resource: "npm:@acme/sdk", Account: "acme-bot", PersonID: "p2", Line: 1}}, ""},
		{"a header in capitals with a BOM is accepted", "\uFEFFPrivilege,Resource,Account,Person_ID\ncloud_admin,aws:123456789012,root,p3\n",
			[]RoleAssignment{{Privilege: people.CloudAdmin, Resource: "aws:123456789012", Account: "root", PersonID: "p3", Line: 2}}, ""},
		{"an empty file is refused", "", nil, "empty file"},
		{"another header is refused", "role,resource,account,person\n", nil, "CSV header"},
		{"an unknown privilege names its record", "privilege,resource,account,person_id\nroot,x,y,z\n", nil, "record 2: unknown privilege"},
		{"a seat without a resource is refused", `[{"privilege":"repo_admin","resource":" "}]`, nil, "record 1: no resource"},
		{"a short CSV record is refused", "privilege,resource,account,person_id\nrepo_admin,x\n", nil, "wrong number of fields"},
		{"an unknown JSON field is refused", `[{"privilege":"repo_admin","resource":"x","role":"y"}]`, nil, "unknown field"},
		{"data after the JSON array is refused", `[] []`, nil, "after the array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRoles(strings.NewReader(tc.in))
			if tc.err != "" {
				if !errors.Is(err, ErrRoles) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want ErrRoles with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("record %d: %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func FuzzParseRoles(f *testing.F) {
	f.Add([]byte("privilege,resource,account,person_id\nsigner_seat,safe:eth:0x1,0x2,p1\n"))
	f.Add([]byte(`[{"privilege":"repo_admin","resource":"github:a/b","account":"x","person_id":"p"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		roles, err := ParseRoles(strings.NewReader(string(data)))
		if err != nil {
			if !errors.Is(err, ErrRoles) {
				t.Fatalf("error %v does not wrap ErrRoles", err)
			}
			return
		}
		for _, r := range roles {
			if !slices.Contains(people.Privileges, r.Privilege) || strings.TrimSpace(r.Resource) == "" {
				t.Fatalf("unknown privilege %q accepted", r.Privilege)
			}
		}
	})
}
