package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// flagsListDoc is the CLI contract's `--output json flags list`.
type flagsListDoc struct {
	Flags []struct {
		ID       string `json:"id"`
		Kind     string `json:"kind"`
		State    string `json:"state"`
		Subjects []struct {
			Chain   string `json:"chain"`
			Address string `json:"address"`
			TxID    string `json:"tx"`
		} `json:"subjects"`
		Reason     string     `json:"reason"`
		Incident   string     `json:"incident"`
		Actor      string     `json:"actor"`
		Confidence int        `json:"confidence"`
		TLP        string     `json:"tlp"`
		Issuer     string     `json:"issuer"`
		IssuedAt   time.Time  `json:"issued_at"`
		ExpiresAt  *time.Time `json:"expires_at"`
		Verified   bool       `json:"verified"`
	} `json:"flags"`
}

type identityOut struct {
	Member    string `json:"member"`
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"`
	Previous  string `json:"previous_key_id"`
}

type issued struct {
	ID       string          `json:"id"`
	Envelope json.RawMessage `json:"envelope"`
}

// wantCode runs a command that must fail with code, its stderr naming want.
func (c cli) wantCode(code int, want string, args ...string) {
	c.t.Helper()
	_, errOut, got := c.run(args...)
	if got != code || !strings.Contains(errOut, want) {
		c.t.Fatalf("interdict %s: exit %d, stderr %q; want exit %d naming %q", strings.Join(args, " "), got, errOut, code, want)
	}
}

// line compacts a JSON document (the CLI prints indented JSON) to one line.
func line(t *testing.T, raw json.RawMessage) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return append(b.Bytes(), '\n')
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCLIFlagsBetweenAnAuthorityAndAnExchange runs the flag workflow between
// instances with their own stores, embedded and on PostgreSQL.
func TestCLIFlagsBetweenAnAuthorityAndAnExchange(t *testing.T) {
	for _, st := range []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"SQLite", func(t *testing.T) []string { return []string{"--data-dir", t.TempDir()} }},
		{"PostgreSQL", func(t *testing.T) []string {
			return []string{"--data-dir", t.TempDir(), "--db", freshPostgresSchema(t)}
		}},
	} {
		t.Run(st.name, func(t *testing.T) { flagsScenario(t, st.args) })
	}
}

func flagsScenario(t *testing.T, instance func(t *testing.T) []string) {
	a := cli{t: t, args: instance(t)}
	b := cli{t: t, args: instance(t)}

	var aid, bid identityOut
	a.json(&aid, "keys", "init", "--member", "npa-jp", "--org", "National Police Agency", "--role", "authority")
	if aid.Member != "npa-jp" || !strings.HasPrefix(aid.KeyID, "ed25519:") {
		t.Fatalf("keys init: %+v", aid)
	}
	var shown identityOut
	a.json(&shown, "keys", "show")
	if shown.KeyID != aid.KeyID || shown.PublicKey != aid.PublicKey {
		t.Fatalf("keys show %+v, init %+v", shown, aid)
	}
	a.wantCode(exitExists, "--force", "keys", "init", "--member", "npa-jp")
	if fi, err := os.Stat(filepath.Join(a.args[1], "identity.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("identity.pem: %v, mode %v; want 0600", err, fi.Mode())
	}
	b.json(&bid, "keys", "init", "--member", "exchange-b", "--role", "exchange")

	secret := "taxii-key-never-shown"
	cred := writeFile(t, "cred", []byte(secret+"\n"))
	out := b.ok("--output", "json", "members", "add", "npa-jp", "--org", "NPA", "--role", "authority", "--key", aid.PublicKey,
		"--endpoint", "https://npa.example/taxii2/api/collections/flags/", "--endpoint-key-file", cred)
	out += b.ok("--output", "json", "members", "list") + b.ok("members", "list")
	if strings.Contains(out, secret) || !strings.Contains(out, `"endpoint_credential_set": true`) {
		t.Fatalf("members output shows the credential or not that it is set:\n%s", out)
	}
	b.wantCode(exitExists, "already exists", "members", "add", "npa-jp", "--role", "authority", "--key", aid.PublicKey)

	// The authority issues a flag; the exchange verifies and imports it.
	id := strings.TrimSpace(a.ok("flags", "issue", "--chain", "btc", "--address", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
		"--address", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "--reason", "DMM Bitcoin theft proceeds", "--incident", "DMM Bitcoin 2024-05-31",
		"--actor", "TraderTraitor", "--tlp", "amber", "--expires", "90d", "--confidence", "90"))
	if !strings.HasPrefix(id, "flag--") {
		t.Fatalf("flags issue printed %q, want the flag id", id)
	}
	var list flagsListDoc
	a.json(&list, "flags", "list")
	if len(list.Flags) != 1 {
		t.Fatalf("flags list: %+v", list)
	}
	f := list.Flags[0]
	if f.ID != id || f.Kind != "flag" || f.State != "active" || !f.Verified || f.Issuer != "npa-jp" || f.TLP != "amber" || f.Confidence != 90 ||
		f.Incident != "DMM Bitcoin 2024-05-31" || f.Actor != "TraderTraitor" || len(f.Subjects) != 2 || f.ExpiresAt == nil ||
		f.ExpiresAt.Sub(f.IssuedAt) != 90*24*time.Hour {
		t.Fatalf("flags list: %+v", f)
	}
	var show struct {
		History []struct {
			ID       string          `json:"id"`
			Envelope json.RawMessage `json:"envelope"`
		} `json:"history"`
	}
	a.json(&show, "flags", "show", id)
	if len(show.History) != 1 || show.History[0].ID != id {
		t.Fatalf("flags show: %+v", show)
	}
	env := line(t, show.History[0].Envelope)
	envFile := writeFile(t, "flag.json", env)
	if out := b.ok("flags", "verify", envFile); !strings.Contains(out, "valid") || !strings.Contains(out, id) {
		t.Fatalf("flags verify: %s", out)
	}
	lines := writeFile(t, "flags.jsonl", env)
	if out := b.ok("flags", "import", lines); !strings.Contains(out, "accepted") {
		t.Fatalf("flags import: %s", out)
	}
	if out := b.ok("flags", "import", lines); !strings.Contains(out, "duplicate") {
		t.Fatalf("flags import again: %s", out)
	}

	// Security: each refused with its reason, none stored as valid.
	var e struct {
		Payload   []byte `json:"payload"`
		KeyID     string `json:"key_id"`
		Signature []byte `json:"signature"`
	}
	if err := json.Unmarshal(env, &e); err != nil {
		t.Fatal(err)
	}
	e.Payload = []byte(strings.Replace(string(e.Payload), "DMM Bitcoin theft", "DMM Bitcoin theff", 1))
	forged, _ := json.Marshal(e)
	forgedFile := writeFile(t, "forged.json", forged)
	b.wantCode(exitRefused, "bad signature", "flags", "verify", forgedFile)
	b.wantCode(exitRefused, "bad signature", "flags", "import", forgedFile)

	c := cli{t: t, args: instance(t)}
	c.ok("keys", "init", "--member", "stranger")
	var stranger issued
	c.json(&stranger, "flags", "issue", "--chain", "eth", "--address", "0x5a3dc2a4d5ae6b4e1a2b1f6f9b1b8c7e4c3d2e1f", "--reason", "x")
	b.wantCode(exitRefused, "unknown issuer", "flags", "import", writeFile(t, "stranger.json", line(t, stranger.Envelope)))

	b.wantCode(exitRefused, "not authorised", "flags", "issue", "--chain", "btc", "--address", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "--reason", "x")

	var short issued
	a.json(&short, "flags", "issue", "--chain", "btc", "--address", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "--reason", "x", "--expires", "1s")
	time.Sleep(1100 * time.Millisecond)
	b.wantCode(exitRefused, "expired", "flags", "import", writeFile(t, "short.json", line(t, short.Envelope)))

	huge := `{"payload":"` + base64.StdEncoding.EncodeToString(make([]byte, 1<<20+1)) + `","key_id":"` + aid.KeyID + `","signature":"AA=="}`
	b.wantCode(exitMalformed, "too large", "flags", "verify", writeFile(t, "huge.json", []byte(huge)))

	var rej struct {
		Rejected []struct {
			Reason string `json:"reason"`
			Source string `json:"source"`
		} `json:"rejected"`
	}
	b.wantCode(exitMalformed, "malformed", "flags", "import", writeFile(t, "junk.jsonl", []byte("not json\n")))
	b.json(&rej, "flags", "rejected")
	if len(rej.Rejected) != 5 || !strings.Contains(rej.Rejected[0].Reason, "malformed") {
		t.Fatalf("flags rejected: %+v", rej)
	}
	rej.Rejected = rej.Rejected[1:]
	if len(rej.Rejected) != 4 || !strings.Contains(rej.Rejected[0].Reason, "expired") || rej.Rejected[0].Source != "import" {
		t.Fatalf("flags rejected: %+v", rej)
	}
	b.json(&list, "flags", "list")
	if len(list.Flags) != 1 || list.Flags[0].ID != id || list.Flags[0].State != "active" {
		t.Fatalf("exchange's flags after the refused ones: %+v", list)
	}

	// An amendment from the issuer travels like the flag.
	var am issued
	a.json(&am, "flags", "amend", id, "--confidence", "60", "--tlp", "red", "--chain", "btc", "--tx", "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b:0")
	b.ok("flags", "import", writeFile(t, "amend.json", line(t, am.Envelope)))
	b.json(&list, "flags", "list")
	if f := list.Flags[0]; f.State != "amended" || f.Confidence != 60 || f.TLP != "red" || len(f.Subjects) != 3 {
		t.Fatalf("after amendment: %+v", f)
	}
	b.wantCode(exitRefused, "only its issuer", "flags", "amend", id, "--confidence", "1")

	// Revocation travels too and is final.
	b.wantCode(exitRefused, "only its issuer", "flags", "revoke", id)
	var rev issued
	a.json(&rev, "flags", "revoke", id, "--reason", "attribution withdrawn")
	b.ok("flags", "import", writeFile(t, "rev.json", line(t, rev.Envelope)))
	if out := b.ok("flags", "import", lines); !strings.Contains(out, "duplicate") {
		t.Fatalf("replayed flag: %s", out)
	}
	b.json(&list, "flags", "list")
	if len(list.Flags) != 1 || list.Flags[0].State != "revoked" {
		t.Fatalf("after revocation: %+v", list)
	}

	// Rotation keeps old flags verifying; removal of the issuer does not.
	var rot identityOut
	a.json(&rot, "keys", "rotate")
	if rot.Previous != aid.KeyID || rot.KeyID == aid.KeyID {
		t.Fatalf("keys rotate: %+v", rot)
	}
	a.json(&list, "flags", "list")
	for _, f := range list.Flags {
		if !f.Verified {
			t.Fatalf("after rotation %s no longer verifies", f.ID)
		}
	}
	b.ok("members", "remove", "npa-jp")
	b.json(&list, "flags", "list")
	if list.Flags[0].Verified {
		t.Fatal("a flag of a removed member still verifies")
	}
	b.wantCode(exitNotFound, "not found", "members", "remove", "npa-jp")

	// keys init --force replaces the identity and revokes the replaced key.
	var again identityOut
	a.json(&again, "keys", "init", "--member", "npa-jp", "--force")
	var members struct {
		Members []struct {
			ID   string `json:"id"`
			Keys []struct {
				ID        string `json:"key_id"`
				RevokedAt string `json:"revoked_at"`
			} `json:"keys"`
		} `json:"members"`
	}
	a.json(&members, "members", "list")
	if len(members.Members) != 1 || len(members.Members[0].Keys) != 3 {
		t.Fatalf("members after keys init --force: %+v", members)
	}
	for _, k := range members.Members[0].Keys {
		if (k.RevokedAt == "") != (k.ID == again.KeyID) {
			t.Errorf("key %s revoked_at %q (new key %s)", k.ID, k.RevokedAt, again.KeyID)
		}
	}
}
