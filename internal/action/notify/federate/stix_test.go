package federate_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/notify/federate"
	"github.com/interdict/interdict/internal/action/share/stix"
	"github.com/interdict/interdict/internal/sharedtest"
)

var issued = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

func vout(n uint32) *uint32 { return &n }

// sign signs r as id, failing the test on error.
func sign(t testing.TB, id notify.Identity, r notify.Record) (notify.Envelope, notify.Record) {
	t.Helper()
	env, rec, err := id.Sign(r)
	if err != nil {
		t.Fatal(err)
	}
	return env, rec
}

func encode(t testing.TB, env notify.Envelope, rec notify.Record, prev *federate.Previous) []byte {
	t.Helper()
	raw, err := federate.Encode(env, rec, prev)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func dmmFlag(id string, subjects ...notify.Subject) notify.Record {
	return notify.Record{Kind: notify.KindFlag, ID: id, IssuedAt: issued, ExpiresAt: issued.Add(90 * 24 * time.Hour),
		Reason: "proceeds of the DMM Bitcoin theft", Incident: "DMM Bitcoin 2024-05-31", Actor: "Lazarus Group", Confidence: 90, TLP: "amber",
		Subjects: subjects}
}

func TestEncodeDecode(t *testing.T) {
	auth, err := notify.NewIdentity("npa-jp")
	if err != nil {
		t.Fatal(err)
	}
	addr := notify.Subject{Chain: "btc", Address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}
	eth := notify.Subject{Chain: "eth", Address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"}
	tx := notify.Subject{Chain: "btc", TxID: strings.Repeat("ab", 32)}
	out := notify.Subject{Chain: "btc", TxID: strings.Repeat("cd", 32), Vout: vout(1)}
	flagEnv, flag := sign(t, auth, dmmFlag("f-1", addr, eth, tx, out))
	flagInd, err := federate.Indicator(flagEnv, flag, nil)
	if err != nil {
		t.Fatal(err)
	}
	prev := &federate.Previous{Created: flagInd.Created.Time(), Pattern: flagInd.Pattern}
	revEnv, rev := sign(t, auth, notify.Record{Kind: notify.KindRevocation, ID: "r-1", Ref: "f-1", IssuedAt: issued, Reason: "mistaken", TLP: "amber"})
	amEnv, am := sign(t, auth, notify.Record{Kind: notify.KindAmendment, ID: "a-1", Ref: "f-1", IssuedAt: issued, Confidence: 60, TLP: "green"})

	cases := []struct {
		name        string
		env         notify.Envelope
		rec         notify.Record
		prev        *federate.Previous
		pattern     string
		revoked     bool
		created     time.Time
		modifiedMS  int
		labels      string
		marking     string
		validUntil  bool
		confidence  int
		nameContain string
	}{
		{"a flag names every subject in its pattern and is valid from issue to expiry", flagEnv, flag, nil,
			"[cryptocurrency-wallet:address = 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4' OR cryptocurrency-wallet:address = '0x098b716b8aaf21512996dc57eb0615e2383e2f96'] OR " +
				"[cryptocurrency-transaction:symbol = 'BTC' AND cryptocurrency-transaction:hash = '" + strings.Repeat("ab", 32) + "'] OR " +
				"[cryptocurrency-transaction:symbol = 'BTC' AND cryptocurrency-transaction:hash = '" + strings.Repeat("cd", 32) + "' AND EXISTS cryptocurrency-transaction:output[1].address_ref]",
			false, issued, 0, "chain:btc,chain:eth", stix.TLP20Amber, true, 90, "Interdict flag f-1"},
		{"a revocation is the flag's indicator, revoked, with its pattern and created time", revEnv, rev, prev,
			flagInd.Pattern, true, issued, 999, "", stix.TLP20Amber, false, 0, "(revoked)"},
		{"a revocation without the earlier version still has a pattern", revEnv, rev, nil,
			"[x-interdict-flag:id = 'f-1']", true, issued.Add(999 * time.Millisecond), 999, "", stix.TLP20Amber, false, 0, "(revoked)"},
		{"an amendment is a newer version of the flag's indicator", amEnv, am, prev,
			flagInd.Pattern, false, issued, -1, "", stix.TLP20Green, false, 60, "(amended)"},
	}
	schemas := oasisValidator(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := encode(t, c.env, c.rec, c.prev)
			if err := schemas.ValidateJSON(raw); err != nil {
				t.Errorf("the OASIS schemas refuse the indicator: %v", err)
			}
			env, rec, ind, err := federate.Decode(raw)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if err := stix.Check(ind); err != nil {
				t.Errorf("stix.Check: %v", err)
			}
			if string(env.Payload) != string(c.env.Payload) || string(env.Signature) != string(c.env.Signature) || env.KeyID != c.env.KeyID {
				t.Error("the envelope does not come back byte for byte")
			}
			if rec.ID != c.rec.ID {
				t.Errorf("record id = %q", rec.ID)
			}
			if want := federate.IndicatorID("npa-jp", "f-1"); ind.ID != want {
				t.Errorf("id = %s, want %s (every version of flag f-1)", ind.ID, want)
			}
			if ind.Pattern != c.pattern {
				t.Errorf("pattern = %s\nwant %s", ind.Pattern, c.pattern)
			}
			if _, err := ind.CompiledPattern(); err != nil {
				t.Errorf("pattern does not parse: %v", err)
			}
			if got := ind.Revoked != nil && *ind.Revoked; got != c.revoked {
				t.Errorf("revoked = %v", got)
			}
			if !ind.Created.Time().Equal(c.created) {
				t.Errorf("created = %v, want %v", ind.Created, c.created)
			}
			if ms := ind.Modified.Time().Sub(issued).Milliseconds(); c.modifiedMS >= 0 && ms != int64(c.modifiedMS) || c.modifiedMS < 0 && (ms < 1 || ms > 997) {
				t.Errorf("modified = %v", ind.Modified)
			}
			if got := strings.Join(ind.Labels, ","); got != c.labels {
				t.Errorf("labels = %s, want %s", got, c.labels)
			}
			if len(ind.ObjectMarkingRefs) != 1 || ind.ObjectMarkingRefs[0] != c.marking {
				t.Errorf("markings = %v", ind.ObjectMarkingRefs)
			}
			if ind.ValidUntil.IsZero() == c.validUntil || !ind.ValidFrom.Time().Equal(issued) {
				t.Errorf("valid %v – %v", ind.ValidFrom, ind.ValidUntil)
			}
			if got := 0; ind.Confidence != nil && *ind.Confidence != c.confidence || ind.Confidence == nil && c.confidence != got {
				t.Errorf("confidence = %v", ind.Confidence)
			}
			if ind.CreatedByRef != federate.MemberIdentityID("npa-jp") || !strings.Contains(ind.Name, c.nameContain) {
				t.Errorf("created_by_ref %s, name %q", ind.CreatedByRef, ind.Name)
			}
			if again := encode(t, c.env, c.rec, c.prev); string(again) != string(raw) {
				t.Error("encoding is not deterministic")
			}
		})
	}
	t.Run("the extension definition is a valid property-extension definition", func(t *testing.T) {
		raw, err := stix.Marshal(federate.ExtensionDefinition())
		if err != nil {
			t.Fatal(err)
		}
		if err := schemas.ValidateJSON(raw); err != nil {
			t.Errorf("the OASIS schemas refuse the definition: %v", err)
		}
		if _, _, _, err := federate.Decode(raw); !errors.Is(err, federate.ErrNotFlag) {
			t.Errorf("Decode of the definition = %v, want ErrNotFlag", err)
		}
		if err := stix.CheckID(federate.ExtensionID, "extension-definition"); err != nil {
			t.Error(err)
		}
	})
}

// oasisValidator compiles the OASIS STIX 2.1 JSON schemas of the shared
// data folder.
func oasisValidator(t *testing.T) *stix.Validator {
	t.Helper()
	v, err := stix.NewValidator(os.DirFS(sharedtest.Path(t, "stix", "oasis-stix21-json-schemas")))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// tamper re-encodes an indicator after edit changes it.
func tamper(t *testing.T, raw []byte, edit func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeRefuses(t *testing.T) {
	auth, err := notify.NewIdentity("npa-jp")
	if err != nil {
		t.Fatal(err)
	}
	env, rec := sign(t, auth, dmmFlag("f-1", notify.Subject{Chain: "eth", Address: "0x098b716b8aaf21512996dc57eb0615e2383e2f96"}))
	raw := encode(t, env, rec, nil)
	ext := func(m map[string]any) map[string]any {
		return m["extensions"].(map[string]any)[federate.ExtensionID].(map[string]any)
	}
	cases := []struct {
		name string
		edit func(m map[string]any)
		want error
		says string
	}{
		{"a pattern naming another address", func(m map[string]any) {
			m["pattern"] = "[cryptocurrency-wallet:address = '0x0000000000000000000000000000000000000001']"
		}, federate.ErrMismatch, "pattern"},
		{"an id that is not the flag's", func(m map[string]any) { m["id"] = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f" }, federate.ErrMismatch, "id"},
		{"a revoked flag", func(m map[string]any) { m["revoked"] = true }, federate.ErrMismatch, "revoked"},
		{"a weaker TLP", func(m map[string]any) { m["object_marking_refs"] = []string{stix.TLP20Clear} }, federate.ErrMismatch, "object_marking_refs"},
		{"a later expiry", func(m map[string]any) { m["valid_until"] = "2099-01-01T00:00:00.000Z" }, federate.ErrMismatch, "valid_until"},
		{"another confidence", func(m map[string]any) { m["confidence"] = 100 }, federate.ErrMismatch, "confidence"},
		{"another creator", func(m map[string]any) { m["created_by_ref"] = federate.MemberIdentityID("mallory") }, federate.ErrMismatch, "created_by_ref"},
		{"another version", func(m map[string]any) { m["modified"] = "2026-11-25T09:31:00.000Z" }, federate.ErrMismatch, "modified"},
		{"a payload that is not base64", func(m map[string]any) { ext(m)["payload"] = "%%%" }, federate.ErrInvalid, "base64"},
		{"an unknown extension property", func(m map[string]any) { ext(m)["x"] = 1 }, federate.ErrInvalid, "unknown field"},
		{"a payload that is not a record", func(m map[string]any) { ext(m)["payload"] = "WzFd" }, notify.ErrMalformed, "payload"},
		{"no signed-record extension", func(m map[string]any) { delete(m, "extensions") }, federate.ErrNotFlag, "no signed-record"},
		{"an object that is not an indicator", func(m map[string]any) {
			m["type"], m["id"] = "malware", "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
		}, federate.ErrNotFlag, "malware"},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			_, _, _, err := federate.Decode(tamper(t, raw, c.edit))
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("Decode = %v, want %v saying %q", err, c.want, c.says)
			}
		})
	}
	t.Run("an oversized object is refused before parsing", func(t *testing.T) {
		big := append([]byte(`{"type":"indicator","x":"`), make([]byte, 5<<20)...)
		if _, _, _, err := federate.Decode(big); !errors.Is(err, federate.ErrInvalid) {
			t.Errorf("Decode = %v", err)
		}
	})
}
