package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// flagNet is the harness's store as a notify network: this instance is
// "acme" (the harness keys' member), an authority; "npa-jp" is another
// authority, "exchange-b" an exchange.
type flagNet struct {
	acme, npa, exch, stranger notify.Identity
}

func withFlags(t *testing.T, n *flagNet) harnessOption {
	return func(_ *Config, d *Deps) {
		st := d.Auth.(*sqlite.Store)
		for _, p := range []struct {
			dst  *notify.Identity
			id   string
			role notify.Role
		}{{&n.acme, "acme", notify.RoleAuthority}, {&n.npa, "npa-jp", notify.RoleAuthority}, {&n.exch, "exchange-b", notify.RoleExchange}, {&n.stranger, "stranger", ""}} {
			id, err := notify.NewIdentity(p.id)
			if err != nil {
				t.Fatal(err)
			}
			*p.dst = id
			if p.role == "" {
				continue
			}
			k, _ := notify.NewMemberKey(id.Public(), time.Now().Add(-time.Hour))
			if err := st.AddMember(context.Background(), notify.Member{ID: p.id, Role: p.role, Keys: []notify.MemberKey{k}}); err != nil {
				t.Fatal(err)
			}
		}
		d.Flags = notify.NewService(st, notify.Policy{}, d.Logger).WithIdentity(n.acme)
	}
}

func envJSON(t *testing.T, id notify.Identity, r notify.Record) string {
	t.Helper()
	env, _, err := id.Sign(r)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(env)
	return string(b)
}

func apiFlag(id, tlp string, expires time.Duration) notify.Record {
	now := time.Now().UTC()
	return notify.Record{ID: id, Kind: notify.KindFlag, IssuedAt: now.Add(-time.Minute), ExpiresAt: now.Add(expires), Reason: "DMM Bitcoin theft proceeds",
		TLP: tlp, Subjects: []notify.Subject{{Chain: "btc", Address: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"}}}
}

func TestFlagsAPI(t *testing.T) {
	n := &flagNet{}
	h := newHarness(t, withFlags(t, n))
	amber := envJSON(t, n.npa, apiFlag("f-amber", "amber", 24*time.Hour))
	forged := strings.Replace(amber, `"signature":"`, `"signature":"AAAA`, 1)
	var e notify.Envelope
	_ = json.Unmarshal([]byte(amber), &e)
	e.Payload = []byte(strings.Replace(string(e.Payload), "theft", "thef7", 1))
	tampered, _ := json.Marshal(e)
	replay := apiFlag("f-amber", "amber", 24*time.Hour)
	replay.Reason = "other"
	huge := `{"payload":"` + base64.StdEncoding.EncodeToString(make([]byte, 1<<20)) + `","key_id":"x","signature":"AA=="}`

	for _, tc := range []struct {
		name, method, path, key, body string
		status                        int
		want                          string
	}{
		{"no key is 401", "GET", "/v1/flags", "", "", http.StatusUnauthorized, "unauthenticated"},
		{"a screener may not post", "POST", "/v1/flags", "$SCREENER", amber, http.StatusForbidden, "forbidden"},
		{"a signed flag of a registered authority is accepted", "POST", "/v1/flags", "$ANALYST", amber, http.StatusCreated, `"outcome":"accepted","id":"f-amber"`},
		{"the same bytes again are a duplicate", "POST", "/v1/flags", "$ANALYST", amber, http.StatusOK, `"outcome":"duplicate"`},
		{"a red flag of another member", "POST", "/v1/flags", "$ANALYST", envJSON(t, n.npa, apiFlag("f-red", "red", 24*time.Hour)), http.StatusCreated, `"f-red"`},
		{"a forged signature is 422", "POST", "/v1/flags", "$ANALYST", forged, http.StatusUnprocessableEntity, "bad_signature"},
		{"a tampered payload is 422", "POST", "/v1/flags", "$ANALYST", string(tampered), http.StatusUnprocessableEntity, "bad_signature"},
		{"a replay with other content is 409", "POST", "/v1/flags", "$ANALYST", envJSON(t, n.npa, replay), http.StatusConflict, "replay or tamper"},
		{"an expired flag is 422", "POST", "/v1/flags", "$ANALYST", envJSON(t, n.npa, notify.Record{ID: "old", Kind: notify.KindFlag, IssuedAt: time.Now().Add(-48 * time.Hour), ExpiresAt: time.Now().Add(-time.Hour), Reason: "x", Subjects: apiFlag("", "", 0).Subjects}), http.StatusUnprocessableEntity, `"code":"expired"`},
		{"an unknown issuer is 422", "POST", "/v1/flags", "$ANALYST", envJSON(t, n.stranger, apiFlag("s1", "", time.Hour)), http.StatusUnprocessableEntity, "unknown_issuer"},
		{"an issuer without the authority role is 403", "POST", "/v1/flags", "$ANALYST", envJSON(t, n.exch, apiFlag("x1", "", time.Hour)), http.StatusForbidden, "issuer_not_authorised"},
		{"an oversized payload is 413", "POST", "/v1/flags", "$ANALYST", huge, http.StatusRequestEntityTooLarge, "body_too_large"},
		{"a malformed envelope is 400", "POST", "/v1/flags", "$ANALYST", `{"payload":"!!"}`, http.StatusBadRequest, "invalid_request"},
		{"the red flag is hidden from a member that did not issue it", "GET", "/v1/flags/f-red", "$ANALYST", "", http.StatusNotFound, "not_found"},
		{"an admin sees the red flag", "GET", "/v1/flags/f-red", "$ADMIN", "", http.StatusOK, `"tlp":"red"`},
		{"the amber flag is shown to a registered member with its envelope", "GET", "/v1/flags/f-amber", "$SCREENER", "", http.StatusOK, `"history":[{"id":"f-amber","kind":"flag"`},
		{"the list holds only what the caller may see", "GET", "/v1/flags", "$SCREENER", "", http.StatusOK, `{"flags":[{"id":"f-amber"`},
		{"only the issuing instance revokes", "POST", "/v1/flags/f-amber/revoke", "$ADMIN", "", http.StatusForbidden, "issuer_not_authorised"},
		{"an analyst may not revoke", "POST", "/v1/flags/f-amber/revoke", "$ANALYST", "", http.StatusForbidden, "forbidden"},
		{"an unknown flag is 404", "GET", "/v1/flags/nope", "$ADMIN", "", http.StatusNotFound, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, got := h.do(tc.method, tc.path, tc.key, nil, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(string(got), tc.want) {
				t.Fatalf("%d %.300s; want %d containing %s", resp.StatusCode, got, tc.status, tc.want)
			}
			h.checkDocumented(tc.method, tc.path, resp, got)
		})
	}

	t.Run("refused records are in the rejection log and not stored", func(t *testing.T) {
		rs, err := h.store.Rejections(context.Background(), 0)
		// Six refused by Verify and the store, and the oversized and the
		// malformed body.
		if err != nil || len(rs) != 8 {
			t.Fatalf("Rejections = %d, %v", len(rs), err)
		}
		for _, id := range []string{"old", "s1", "x1"} {
			if _, err := h.store.Flag(context.Background(), id); err == nil {
				t.Errorf("refused flag %s stored", id)
			}
		}
	})
	t.Run("this instance issues and revokes its own flag", func(t *testing.T) {
		svc := h.handler.deps.Flags.(*notify.Service)
		_, rec, err := svc.Issue(context.Background(), apiFlag("own", "green", time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		resp, got := h.do("POST", "/v1/flags/"+rec.ID+"/revoke", "$ADMIN", nil, `{"reason":"withdrawn"}`)
		if resp.StatusCode != http.StatusCreated || !strings.Contains(string(got), `"kind":"revocation"`) {
			t.Fatalf("%d %s", resp.StatusCode, got)
		}
		h.checkDocumented("POST", "/v1/flags/own/revoke", resp, got)
		_, got = h.do("GET", "/v1/flags/own", "$SCREENER", nil, "")
		if !strings.Contains(string(got), `"state":"revoked"`) {
			t.Fatalf("after revocation: %s", got)
		}
	})
}
