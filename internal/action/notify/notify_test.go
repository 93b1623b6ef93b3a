package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

type ring map[string]SigningKey

func (r ring) SigningKey(_ context.Context, id string) (SigningKey, error) {
	k, ok := r[id]
	if !ok {
		return SigningKey{}, fmt.Errorf("key %s: %w", id, ErrNotFound)
	}
	return k, nil
}

func mustIdentity(t *testing.T, member string) Identity {
	t.Helper()
	id, err := NewIdentity(member)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func flag(id string) Record {
	return Record{
		ID: id, Kind: KindFlag, IssuedAt: t0, ExpiresAt: t0.Add(90 * 24 * time.Hour),
		Reason: "DMM Bitcoin theft proceeds", Incident: "DMM Bitcoin 2024-05-31", Actor: "TraderTraitor",
		Confidence: 90, TLP: "AMBER",
		Subjects: []Subject{
			{Chain: "eth", Address: "0x5A3DC2A4D5AE6B4E1A2B1F6F9B1B8C7E4C3D2E1F"},
			{Chain: "btc", Address: "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"},
			{Chain: "btc", TxID: "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", Vout: new(uint32)},
		},
	}
}

func TestSignVerify(t *testing.T) {
	ctx := context.Background()
	auth := mustIdentity(t, "npa-jp")
	exch := mustIdentity(t, "exchange-b")
	kr := ring{
		auth.KeyID(): {Member: "npa-jp", Role: RoleAuthority, Public: auth.Public()},
		exch.KeyID(): {Member: "exchange-b", Role: RoleExchange, Public: exch.Public()},
	}
	env, rec, err := auth.Sign(flag("flag-1"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.TLP != "amber" || rec.Subjects[1].Address != "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq" || rec.Subjects[2].Address != "0x5a3dc2a4d5ae6b4e1a2b1f6f9b1b8c7e4c3d2e1f" {
		t.Fatalf("not normalised: %+v", rec)
	}
	got, err := Verify(ctx, kr, Policy{}, env, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "flag-1" || got.Issuer != "npa-jp" || len(got.Subjects) != 3 {
		t.Fatalf("verified record %+v", got)
	}

	forged := env
	forged.Payload = append([]byte(nil), env.Payload...)
	forged.Payload[len(forged.Payload)-3] ^= 1
	other, _, _ := exch.Sign(flag("flag-2"))
	strange := mustIdentity(t, "stranger")
	unknown, _, _ := strange.Sign(flag("flag-3"))
	impostor := env
	impostor.KeyID, impostor.Signature = exch.KeyID(), other.Signature
	revoked := ring{auth.KeyID(): {Member: "npa-jp", Role: RoleAuthority, Public: auth.Public(), RevokedAt: t0.Add(-time.Minute)}}
	for _, c := range []struct {
		name string
		kr   Keyring
		env  Envelope
		now  time.Time
		want error
	}{
		{"forged payload", kr, forged, t0, ErrBadSignature},
		{"unsigned", kr, Envelope{Payload: env.Payload}, t0, ErrBadSignature},
		{"signature of another key", kr, impostor, t0, ErrBadSignature},
		{"unknown issuer", kr, unknown, t0, ErrUnknownIssuer},
		{"issuer without the authority role", kr, other, t0, ErrNotAuthorised},
		{"expired", kr, env, t0.Add(91 * 24 * time.Hour), ErrExpired},
		{"issued in the future", kr, env, t0.Add(-time.Hour), ErrExpired},
		{"key revoked before issue", revoked, env, t0, ErrUnknownIssuer},
		{"oversized", kr, Envelope{Payload: make([]byte, MaxEnvelopeBytes+1), KeyID: env.KeyID, Signature: env.Signature}, t0, ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Verify(ctx, c.kr, Policy{}, c.env, c.now)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			t.Log(err)
		})
	}
}

func TestNonCanonicalPayloadRefused(t *testing.T) {
	auth := mustIdentity(t, "npa-jp")
	kr := ring{auth.KeyID(): {Member: "npa-jp", Role: RoleAuthority, Public: auth.Public()}}
	_, rec, err := auth.Sign(flag("flag-1"))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := Canonical(rec)
	spaced := append([]byte(" "), c...)
	env := Envelope{Payload: spaced, KeyID: auth.KeyID(), Signature: signWith(auth, spaced)}
	if _, err := Verify(context.Background(), kr, Policy{}, env, t0); !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v, want ErrMalformed", err)
	}
}

func signWith(id Identity, payload []byte) []byte {
	return signRaw(id, payload)
}

func TestNormalizeRejects(t *testing.T) {
	for name, mod := range map[string]func(*Record){
		"no subjects":            func(r *Record) { r.Subjects = nil },
		"no reason":              func(r *Record) { r.Reason = " " },
		"bad tlp":                func(r *Record) { r.TLP = "purple" },
		"bad chain":              func(r *Record) { r.Subjects[0].Chain = "doge" },
		"eth address on btc":     func(r *Record) { r.Subjects[1].Chain = "btc" },
		"short tx":               func(r *Record) { r.Subjects[2].TxID = "abcd" },
		"expiry before issue":    func(r *Record) { r.ExpiresAt = t0.Add(-time.Hour) },
		"confidence":             func(r *Record) { r.Confidence = 101 },
		"revocation without ref": func(r *Record) { r.Kind, r.Subjects = KindRevocation, nil },
	} {
		r := flag("f")
		mod(&r)
		if err := r.Normalize(); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

func TestIdentityFileRoundTrip(t *testing.T) {
	id := mustIdentity(t, "npa-jp")
	b, err := id.MarshalKey()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseIdentity(b)
	if err != nil || back.Member != "npa-jp" || back.KeyID() != id.KeyID() {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	if _, err := ParseIdentity([]byte("nonsense")); err == nil {
		t.Fatal("nonsense parsed")
	}
}

func FuzzVerifyPayload(f *testing.F) {
	auth, _ := NewIdentity("npa-jp")
	kr := ring{auth.KeyID(): {Member: "npa-jp", Role: RoleAuthority, Public: auth.Public()}}
	env, _, _ := auth.Sign(flag("seed"))
	f.Add(env.Payload)
	f.Add([]byte(`{"id":"x"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		e := Envelope{Payload: payload, KeyID: auth.KeyID(), Signature: signRaw(auth, payload)}
		r, err := Verify(context.Background(), kr, Policy{}, e, t0)
		if err != nil {
			return
		}
		c, err := Canonical(r)
		if err != nil || string(c) != string(payload) {
			t.Fatalf("accepted a payload that is not the canonical form of its record")
		}
	})
}

func FuzzDecodeEnvelope(f *testing.F) {
	auth, _ := NewIdentity("npa-jp")
	env, _, _ := auth.Sign(flag("seed"))
	b, _ := json.Marshal(env)
	f.Add(b)
	f.Add([]byte(`{"payload":"e30=","key_id":"x","signature":""}`))
	f.Add([]byte(`{"payload":"e30="} {}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		e, err := DecodeEnvelope(in)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v wraps neither ErrMalformed nor ErrTooLarge", err)
			}
			return
		}
		if len(e.Payload) == 0 {
			t.Fatal("decoded an envelope without payload")
		}
	})
}

func TestVisible(t *testing.T) {
	f := Flag{Record: Record{Issuer: "npa-jp"}}
	for _, c := range []struct {
		tlp  string
		v    Viewer
		want bool
	}{
		{"red", Viewer{Member: "npa-jp"}, true},
		{"red", Viewer{Admin: true}, true},
		{"red", Viewer{Member: "exchange-b", Registered: true}, false},
		{"amber", Viewer{Member: "exchange-b", Registered: true}, true},
		{"amber+strict", Viewer{Member: "someone"}, false},
		{"green", Viewer{Member: "someone"}, true},
		{"", Viewer{}, true},
	} {
		f.TLP = c.tlp
		if got := Visible(c.v, f); got != c.want {
			t.Errorf("Visible(%+v, %q) = %v, want %v", c.v, c.tlp, got, c.want)
		}
	}
}
