package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
)

// RunNotify is the contract suite of notify.Store, run through
// notify.Service (which holds the accept rules) so every backend is held to
// the same behaviour: the member registry as a Keyring, idempotent and
// replay-safe acceptance in one transaction, the rejection log, and the
// flags Active returns. open must return a fresh, empty store and arrange
// its closing with t.Cleanup.
func RunNotify(t *testing.T, open func(t *testing.T) notify.Store) {
	for _, c := range notifyCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newNet(t, open(t)))
		})
	}
}

// notifyAt is the suite's clock: records are issued at notifyAt and read an
// hour later.
var notifyAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// net is a store with three registered members (an authority, a second
// authority and an exchange) and a service reading a fixed clock.
type net struct {
	st           notify.Store
	svc          *notify.Service
	auth, auth2  notify.Identity
	exch, strang notify.Identity
}

func newNet(t *testing.T, st notify.Store) *net {
	t.Helper()
	n := &net{st: st}
	for _, p := range []struct {
		dst  *notify.Identity
		id   string
		role notify.Role
		reg  bool
	}{
		{&n.auth, "npa-jp", notify.RoleAuthority, true},
		{&n.auth2, "fbi-us", notify.RoleAuthority, true},
		{&n.exch, "exchange-b", notify.RoleExchange, true},
		{&n.strang, "stranger", notify.RoleAuthority, false},
	} {
		id, err := notify.NewIdentity(p.id)
		must(t, "NewIdentity", err)
		*p.dst = id
		if !p.reg {
			continue
		}
		k, err := notify.NewMemberKey(id.Public(), notifyAt.Add(-24*time.Hour))
		must(t, "NewMemberKey", err)
		must(t, "AddMember "+p.id, st.AddMember(ctx(t), notify.Member{ID: p.id, Org: "Org " + p.id, Role: p.role, Keys: []notify.MemberKey{k}}))
	}
	n.svc = notify.NewService(st, notify.Policy{}, nil).WithClock(func() time.Time { return notifyAt.Add(time.Hour) })
	return n
}

func testFlag(id string, subjects ...notify.Subject) notify.Record {
	if len(subjects) == 0 {
		subjects = []notify.Subject{
			{Chain: "btc", Address: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"},
			{Chain: "eth", Address: "0x5a3dc2a4d5ae6b4e1a2b1f6f9b1b8c7e4c3d2e1f"},
		}
	}
	return notify.Record{ID: id, Kind: notify.KindFlag, IssuedAt: notifyAt, ExpiresAt: notifyAt.Add(90 * 24 * time.Hour),
		Reason: "DMM Bitcoin theft proceeds", Incident: "DMM Bitcoin 2024-05-31", Actor: "TraderTraitor", Confidence: 90, TLP: "amber", Subjects: subjects}
}

func sign(t *testing.T, id notify.Identity, r notify.Record) notify.Envelope {
	t.Helper()
	env, _, err := id.Sign(r)
	must(t, "Sign", err)
	return env
}

func (n *net) accept(t *testing.T, env notify.Envelope) notify.Outcome {
	t.Helper()
	out, _, err := n.svc.Accept(ctx(t), env, notify.SourceLocal)
	must(t, "Accept", err)
	return out
}

func (n *net) flag(t *testing.T, id string) notify.Flag {
	t.Helper()
	f, err := n.st.Flag(ctx(t), id)
	must(t, "Flag "+id, err)
	return f
}

func activeIDs(t *testing.T, n *net, chain string) string {
	t.Helper()
	fs, err := n.svc.Active(ctx(t), chain, notifyAt.Add(time.Hour))
	must(t, "Active", err)
	var ids []string
	for _, f := range fs {
		ids = append(ids, fmt.Sprintf("%s%d", f.ID, len(f.Subjects)))
	}
	return strings.Join(ids, ",")
}

type notifyCase struct {
	name string
	run  func(t *testing.T, n *net)
}

func notifyCases() []notifyCase {
	return append(memberCases(), flagCases()...)
}

func memberCases() []notifyCase {
	return []notifyCase{
		{"members come back with their keys, role and endpoint; the credential never shows in JSON", func(t *testing.T, n *net) {
			must(t, "SetMemberEndpoint", n.st.SetMemberEndpoint(ctx(t), "exchange-b", notify.Endpoint{URL: "https://b.example/taxii2/api/collections/flags/", Credential: "s3cret-token"}))
			m, err := n.st.Member(ctx(t), "exchange-b")
			must(t, "Member", err)
			if m.Role != notify.RoleExchange || m.Org != "Org exchange-b" || len(m.Keys) != 1 || m.Keys[0].ID != n.exch.KeyID() ||
				!bytes.Equal(m.Keys[0].Public, n.exch.Public()) || m.Endpoint.Credential.Reveal() != "s3cret-token" {
				t.Fatalf("Member = %+v", m)
			}
			checkTime(t, "key added", m.Keys[0].Added, notifyAt.Add(-24*time.Hour))
			b, _ := json.Marshal(m)
			if s := fmt.Sprintf("%s %v %+v", b, m, m); strings.Contains(s, "s3cret") {
				t.Fatalf("the credential shows: %s", s)
			}
			all, err := n.st.Members(ctx(t))
			must(t, "Members", err)
			if len(all) != 3 || all[0].ID != "exchange-b" || all[1].ID != "fbi-us" || all[2].ID != "npa-jp" || len(all[2].Keys) != 1 {
				t.Fatalf("Members = %+v", all)
			}
		}},
		{"a member or key registered twice is ErrExists; unknown members are ErrNotFound", func(t *testing.T, n *net) {
			wantErr(t, "AddMember again", n.st.AddMember(ctx(t), notify.Member{ID: "npa-jp", Role: notify.RoleAuthority}), notify.ErrExists)
			k, _ := notify.NewMemberKey(n.auth.Public(), notifyAt)
			wantErr(t, "key of another member", n.st.AddMember(ctx(t), notify.Member{ID: "thief", Role: notify.RoleAuthority, Keys: []notify.MemberKey{k}}), notify.ErrExists)
			if _, err := n.st.Member(ctx(t), "thief"); !errors.Is(err, notify.ErrNotFound) {
				t.Fatalf("a failed AddMember left the member: %v", err)
			}
			wantErr(t, "Member", func() error { _, err := n.st.Member(ctx(t), "nope"); return err }(), notify.ErrNotFound)
			wantErr(t, "RemoveMember", n.st.RemoveMember(ctx(t), "nope"), notify.ErrNotFound)
			wantErr(t, "AddMemberKey", n.st.AddMemberKey(ctx(t), "nope", k), notify.ErrNotFound)
			wantErr(t, "RevokeMemberKey", n.st.RevokeMemberKey(ctx(t), "npa-jp", "ed25519:nope", notifyAt), notify.ErrNotFound)
			wantErr(t, "SigningKey", func() error { _, err := n.st.SigningKey(ctx(t), "ed25519:nope"); return err }(), notify.ErrNotFound)
			wantErr(t, "bad role", n.st.AddMember(ctx(t), notify.Member{ID: "x", Role: "king"}), notify.ErrMalformed)
		}},
		{"a signing key carries its member's role; removing the member drops its keys", func(t *testing.T, n *net) {
			k, err := n.st.SigningKey(ctx(t), n.exch.KeyID())
			must(t, "SigningKey", err)
			if k.Member != "exchange-b" || k.Role != notify.RoleExchange || !bytes.Equal(k.Public, n.exch.Public()) || !k.RevokedAt.IsZero() {
				t.Fatalf("SigningKey = %+v", k)
			}
			must(t, "RemoveMember", n.st.RemoveMember(ctx(t), "exchange-b"))
			wantErr(t, "SigningKey after removal", func() error { _, err := n.st.SigningKey(ctx(t), n.exch.KeyID()); return err }(), notify.ErrNotFound)
		}},
		{"key rotation: the old key verifies what it signed before, and the earlier revocation time stands", func(t *testing.T, n *net) {
			next, _ := notify.NewIdentity("npa-jp")
			k, _ := notify.NewMemberKey(next.Public(), notifyAt)
			must(t, "AddMemberKey", n.st.AddMemberKey(ctx(t), "npa-jp", k))
			must(t, "RevokeMemberKey", n.st.RevokeMemberKey(ctx(t), "npa-jp", n.auth.KeyID(), notifyAt.Add(time.Minute)))
			must(t, "RevokeMemberKey later", n.st.RevokeMemberKey(ctx(t), "npa-jp", n.auth.KeyID(), notifyAt.Add(time.Hour)))
			old, err := n.st.SigningKey(ctx(t), n.auth.KeyID())
			must(t, "SigningKey", err)
			checkTime(t, "revoked_at", old.RevokedAt, notifyAt.Add(time.Minute))
			n.accept(t, sign(t, n.auth, testFlag("before-rotation")))
			late := testFlag("after-rotation")
			late.IssuedAt = notifyAt.Add(2 * time.Minute)
			_, _, err = n.svc.Accept(ctx(t), sign(t, n.auth, late), notify.SourceLocal)
			wantErr(t, "old key after rotation", err, notify.ErrUnknownIssuer)
			n.accept(t, sign(t, next, late))
			if got := activeIDs(t, n, ""); got != "before-rotation2,after-rotation2" {
				t.Fatalf("Active = %s", got)
			}
			// Compromise: the old key revoked back to before it signed.
			must(t, "RevokeMemberKey earlier", n.st.RevokeMemberKey(ctx(t), "npa-jp", n.auth.KeyID(), notifyAt.Add(-time.Hour)))
			if got := activeIDs(t, n, ""); got != "after-rotation2" {
				t.Fatalf("Active after compromise = %s", got)
			}
		}},
	}
}
