package people

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/share/stix"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/sharedtest"
)

var shareNow = time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)

// persona is a synthetic person (documentation values only).
func persona(id, email string) people.Person {
	return people.Person{ID: id, Kind: people.Contractor, Identifiers: []people.Identifier{
		{Type: people.LegalName, Value: "Jordan Sample"},
		{Type: people.Email, Value: email},
		{Type: people.Phone, Value: "+1 202 555 0147"},
		{Type: people.GitHub, Value: "58391027", Extra: "jsample-dev"},
		{Type: people.Wallet, Value: "0x00000000000000000000000000000000000000C3", Extra: "eth"},
		{Type: people.IDDocument, Value: "X99887766", Extra: "passport:US"},
		{Type: people.ShippingAddress, Value: "12 Example Road, Springfield"},
	}}
}

func isacKey(t *testing.T, b byte) *ISACKey {
	t.Helper()
	k, err := NewISACKey(bytes.Repeat([]byte{b}, people.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestISACHashesMatchAcrossFormats(t *testing.T) {
	k := isacKey(t, 9)
	a, err := k.PersonHashes(new(persona("a", "Jordan.Sample@Example.ORG")))
	if err != nil {
		t.Fatal(err)
	}
	b, err := k.PersonHashes(new(persona("b", " jordan.sample@example.org")))
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 5 || len(a) != len(b) {
		t.Fatalf("hashes %d and %d, want 5 each (email, phone, github, wallet, document; no name, no address)", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("hash %d differs: %v vs %v", i, a[i], b[i])
		}
	}
	other, _ := isacKey(t, 10).PersonHashes(new(persona("a", "jordan.sample@example.org")))
	if other[0] == a[0] || isacKey(t, 10).ID() == k.ID() {
		t.Error("another ISAC key gives the same hash or id")
	}
}

// TestHashedIndicatorCarriesNoValue: the shared object holds hashes only;
// the receiving member matches its own person with them; another key
// matches nothing.
func TestHashedIndicatorCarriesNoValue(t *testing.T) {
	k := isacKey(t, 9)
	p := persona("p1", "jordan.sample@example.org")
	hs, err := k.PersonHashes(&p)
	if err != nil {
		t.Fatal(err)
	}
	ind, err := HashedIndicator(k, "case-1", hs, stix.TLPAmber, shareNow)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := stix.Marshal(ind)
	if err != nil {
		t.Fatal(err)
	}
	if err := stix.Check(ind); err != nil {
		t.Errorf("STIX check: %v", err)
	}
	lower := strings.ToLower(string(raw))
	for _, id := range p.Identifiers {
		c, _ := people.Canonical(id.Type, id.Value, id.Extra)
		for _, v := range []string{id.Value, c, id.Extra} {
			if len(v) >= 4 && strings.Contains(lower, strings.ToLower(v)) {
				t.Errorf("value %q of %s in the shared indicator", v, id.Type)
			}
		}
	}
	got, skipped, err := ParseHashedIndicators([]json.RawMessage{raw, json.RawMessage(`{"type":"identity","spec_version":"2.1","id":"identity--0b0d7cc3-2d6e-4f5e-9d3a-6a4d3f3b6a10","created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z","name":"x"}`)})
	if err != nil || skipped != 1 || len(got) != 1 || got[0].KeyID != k.ID() || len(got[0].Hashes) != len(hs) {
		t.Fatalf("parsed %+v, skipped %d, %v", got, skipped, err)
	}
	mine := persona("applicant-7", "JORDAN.SAMPLE@example.org")
	mine.Identifiers = mine.Identifiers[:2] // only the email in common
	sig, err := NewHashMatcher(k, got).Signals(t.Context(), &mine)
	if err != nil || len(sig) != 1 || sig[0].Rule != "PPL-SHARED-HASH" || !sig[0].Severity.Flags() ||
		len(sig[0].Evidence) != 1 || sig[0].Evidence[0].Field != "email" || sig[0].Evidence[0].Value != ind.ID {
		t.Errorf("signals %+v, %v", sig, err)
	}
	none, _ := NewHashMatcher(isacKey(t, 10), got).Signals(t.Context(), &mine)
	if len(none) != 0 {
		t.Errorf("another key matched: %+v", none)
	}
}

func TestParseHashedIndicatorsRefusesTampering(t *testing.T) {
	k := isacKey(t, 9)
	hs, _ := k.PersonHashes(new(persona("p1", "a@example.org")))
	ind, _ := HashedIndicator(k, "case-1", hs, stix.TLPGreen, shareNow)
	for _, tc := range []struct {
		name string
		edit func(ind *stix.Indicator)
	}{
		{"a hash not in the pattern", func(ind *stix.Indicator) {
			_ = ind.SetProp(propHashes, []HashedIdentifier{{Class: "email", HMAC: strings.Repeat("ab", 32)}})
		}},
		{"a hash that is not 32 bytes of hex", func(ind *stix.Indicator) {
			_ = ind.SetProp(propHashes, []HashedIdentifier{{Class: "email", HMAC: "zz"}})
		}},
		{"no key id", func(ind *stix.Indicator) { delete(ind.Extra, propKeyID) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := *ind
			c.Extra = map[string]json.RawMessage{}
			for k, v := range ind.Extra {
				c.Extra[k] = v
			}
			tc.edit(&c)
			raw, _ := stix.Marshal(&c)
			if _, _, err := ParseHashedIndicators([]json.RawMessage{raw}); !errors.Is(err, ErrShare) {
				t.Errorf("err %v, want ErrShare", err)
			}
		})
	}
}

func TestPersonaBundle(t *testing.T) {
	p := persona("p1", "Jordan.Sample@example.org")
	p.Identifiers = append(p.Identifiers, people.Identifier{Type: people.ProfileURL, Value: "https://example.com/in/jsample"})
	b, err := PersonaBundle(&p, "case-1", stix.TLPAmber, shareNow)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	for _, want := range []string{`"email-addr"`, `jordan.sample@example.org`, `"user-account"`, `"58391027"`, `jsample-dev`,
		`"cryptocurrency-wallet"`, `"url"`, `"report"`, `"identity"`, `Persona case-1`, stix.TLP20ID(stix.TLPAmber)} {
		if !strings.Contains(s, want) {
			t.Errorf("bundle lacks %s", want)
		}
	}
	for _, never := range []string{"Jordan Sample", "202 555", "X99887766", "Example Road"} {
		if strings.Contains(s, never) {
			t.Errorf("bundle exports %q", never)
		}
	}
	for _, o := range b.Objects {
		if err := stix.Check(o); err != nil {
			t.Errorf("%s: %v", o.Core().ID, err)
		}
		if o.Core().Type != "marking-definition" && (len(o.Core().ObjectMarkingRefs) != 1) {
			t.Errorf("%s not marked TLP:AMBER", o.Core().ID)
		}
	}
	if _, err := PersonaBundle(&people.Person{ID: "x", Identifiers: []people.Identifier{{Type: people.LegalName, Value: "A"}}}, "c", stix.TLPGreen, shareNow); !errors.Is(err, ErrShare) {
		t.Errorf("nothing to share: %v", err)
	}
}

func TestShareableStatus(t *testing.T) {
	for _, tc := range []struct {
		d  Disposition
		ok bool
	}{{Rejected, true}, {Escalated, true}, {Cleared, false}, {VerifiedInPerson, false}, {"", false}} {
		if err := ShareableStatus(PersonStatus{PersonID: "p", Disposition: tc.d}); (err == nil) != tc.ok {
			t.Errorf("%q: %v", tc.d, err)
		}
	}
}

func TestISACKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "isac.key")
	if _, err := LoadISACKey(path); !errors.Is(err, ErrShare) {
		t.Errorf("missing key file: %v", err)
	}
	k, err := GenerateISACKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	again, err := LoadISACKey(path)
	if err != nil || again.ID() != k.ID() {
		t.Errorf("reload: %v", err)
	}
	if _, err := GenerateISACKey(path); !errors.Is(err, ErrShare) {
		t.Errorf("overwrite: %v", err)
	}
	bad := filepath.Join(dir, "bad.key")
	_ = os.WriteFile(bad, []byte("not hex\n"), 0o600)
	if _, err := LoadISACKey(bad); !errors.Is(err, ErrShare) {
		t.Errorf("bad key: %v", err)
	}
}

func FuzzParseHashedIndicators(f *testing.F) {
	k, _ := NewISACKey(bytes.Repeat([]byte{9}, people.KeySize))
	hs, _ := k.PersonHashes(&people.Person{ID: "p", Identifiers: []people.Identifier{{Type: people.Email, Value: "a@example.org"}}})
	ind, _ := HashedIndicator(k, "case-1", hs, stix.TLPGreen, shareNow)
	raw, _ := stix.Marshal(ind)
	f.Add(raw)
	f.Add([]byte(`{"type":"indicator","labels":["interdict-hashed-persona"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, _, err := ParseHashedIndicators([]json.RawMessage{data})
		if err != nil {
			if !errors.Is(err, ErrShare) {
				t.Fatalf("error %v does not wrap ErrShare", err)
			}
			return
		}
		_ = NewHashMatcher(k, ps)
	})
}

func TestPersonaMatcher(t *testing.T) {
	p := persona("p1", "Jordan.Sample@example.org")
	b, err := PersonaBundle(&p, "case-1", stix.TLPGreen, shareNow)
	if err != nil {
		t.Fatal(err)
	}
	var objs []json.RawMessage
	for _, o := range b.Objects {
		raw, err := stix.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, raw)
	}
	m, n := NewPersonaMatcher(objs)
	if n != 3 { // email, GitHub account, wallet
		t.Fatalf("%d observables indexed, want 3", n)
	}
	mine := people.Person{ID: "applicant-9", Identifiers: []people.Identifier{
		{Type: people.Email, Value: "JORDAN.SAMPLE@example.org"},
		{Type: people.GitHub, Value: "58391027", Extra: "renamed-login"},
		{Type: people.Wallet, Value: "0x00000000000000000000000000000000000000c4"},
	}}
	sig, err := m.Signals(t.Context(), &mine)
	if err != nil || len(sig) != 2 || sig[0].Rule != "PPL-SHARED-PERSONA" || sig[0].Evidence[0].Field != "email" || sig[1].Evidence[0].Field != "github" {
		t.Errorf("signals %+v, %v", sig, err)
	}
}

func FuzzPersonaMatcher(f *testing.F) {
	f.Add([]byte(`{"type":"email-addr","spec_version":"2.1","id":"email-addr--2d77a846-6264-5d51-b586-e43822ea1ea3","value":"Jordan.Sample@example.org"}`))
	f.Add([]byte(`{"type":"user-account","spec_version":"2.1","id":"user-account--0d5b424b-93b8-5cd8-ac36-306e1789d63c","user_id":"58391027","account_type":"github"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _ := NewPersonaMatcher([]json.RawMessage{data})
		p := persona("p", "jordan.sample@example.org")
		if _, err := m.Signals(t.Context(), &p); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSharedObjectsValidate checks the persona bundle and a hashed
// indicator against the OASIS STIX 2.1 JSON schemas.
func TestSharedObjectsValidate(t *testing.T) {
	v, err := stix.NewValidator(os.DirFS(sharedtest.Path(t, "stix", "oasis-stix21-json-schemas")))
	if err != nil {
		t.Fatal(err)
	}
	p := persona("p1", "jordan.sample@example.org")
	p.Identifiers = append(p.Identifiers, people.Identifier{Type: people.ProfileURL, Value: "https://example.com/in/jsample"},
		people.Identifier{Type: people.Telegram, Value: "123456789", Extra: "@jsample"})
	b, err := PersonaBundle(&p, "case-1", stix.TLPAmberStrict, shareNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.ValidateBundle(b); err != nil {
		t.Errorf("persona bundle: %v", err)
	}
	k := isacKey(t, 9)
	hs, _ := k.PersonHashes(&p)
	ind, err := HashedIndicator(k, "case-1", hs, stix.TLPRed, shareNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Validate(ind); err != nil {
		t.Errorf("hashed indicator: %v", err)
	}
}
