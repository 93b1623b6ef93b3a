package stix

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSCOIDsAreDeterministic(t *testing.T) {
	// Expected ids computed independently (Python uuid5 over json.dumps with
	// sorted keys, no spaces, ensure_ascii=False: the reference library's rule).
	file := &File{Name: "a.exe", Hashes: map[string]string{"SHA-256": strings.Repeat("aa", 32), "MD5": strings.Repeat("bb", 16)}}
	file.Type = "file"
	ua := &UserAccount{AccountType: "unix", UserID: "1001", AccountLogin: "jdoe"}
	ua.Type = "user-account"
	ip := &IPv4Addr{Value: "198.51.100.3"}
	ip.Type = "ipv4-addr"
	dn := &DomainName{Value: "example.com"}
	dn.Type = "domain-name"
	u := &URL{Value: "https://example.com/a?b=<c>&d=é"}
	u.Type = "url"
	for _, c := range []struct {
		name string
		obj  Object
		want string
	}{
		{"an ipv4 address hashes its value", ip, "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"},
		{"a domain hashes its value", dn, "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7"},
		{"a file uses its name and only its MD5 of several hashes", file, "file--e1b5a944-94ee-544e-9acf-7c35a855ac95"},
		{"a user account uses type, user id and login", ua, "user-account--f94d689e-707d-58c3-b803-c720bb6ed096"},
		{"a url keeps <, & and non-ASCII unescaped", u, "url--c9e6eaf2-088f-50a0-acdd-a84700a30130"},
		{"a wallet hashes its address", NewCryptocurrencyWallet("bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6"), "cryptocurrency-wallet--35d412d1-4f25-5267-b422-73beba257a87"},
		{"a transaction hashes symbol and hash", NewCryptocurrencyTransaction("BTC", "d63a3757a2a7b4c58e49f5a2e4236b1d4cbc2e4ffc9aa04c636707cb0bbbee7b"), "cryptocurrency-transaction--f23737bd-5c77-5b1a-8657-1086af743719"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := SCOID(c.obj)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("SCOID = %s, want %s", got, c.want)
			}
		})
	}
	t.Run("an SCO without contributing properties gets a random id", func(t *testing.T) {
		a, _ := SCOID(&Generic{Common{Type: "process"}})
		b, _ := SCOID(&Generic{Common{Type: "process"}})
		if a == b || !strings.HasPrefix(a, "process--") {
			t.Errorf("process ids %s, %s: want two random ones", a, b)
		}
	})
}

func TestTimestamps(t *testing.T) {
	for _, c := range []struct{ in, err string }{
		{"2016-04-06T20:03:00.000Z", ""},
		{"2015-05-15T09:12:16.432678Z", ""},
		{"2017-01-01T00:00:00Z", ""},
		{"2017-01-01T00:00:00.1Z", ""},
		{"2017-01-01T00:00:00+01:00", "does not end in Z"},
		{"2017-01-01 00:00:00Z", "is not YYYY"},
		{"2017-13-01T00:00:00Z", "month out of range"},
		{"2017-01-01T00:00:00.Z", "timestamp"},
	} {
		ts, err := ParseTimestamp(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseTimestamp(%q) = %v, want an ErrInvalid containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTimestamp(%q): %v", c.in, err)
			continue
		}
		if ts.String() != c.in {
			t.Errorf("ParseTimestamp(%q).String() = %q: precision not kept", c.in, ts.String())
		}
	}
	now := NewTimestamp(time.Date(2026, 11, 25, 12, 0, 1, 123456789, time.FixedZone("x", 3600)))
	if got := now.String(); got != "2026-11-25T11:00:01.123Z" {
		t.Errorf("NewTimestamp = %s, want milliseconds in UTC", got)
	}
}

func TestParseRejectsBadObjects(t *testing.T) {
	for _, c := range []struct{ name, in, err string }{
		{"not JSON", `{`, "not a JSON object"},
		{"an array", `[]`, "not a JSON object"},
		{"no type", `{"id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`, `no string "type"`},
		{"no id", `{"type":"indicator"}`, `no string "id"`},
		{"id of another type", `{"type":"indicator","id":"malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`, "does not start with its type"},
		{"id without a UUID", `{"type":"indicator","id":"indicator--1234"}`, "is not a UUID"},
		{"a property of the wrong type", `{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","pattern":5}`, "property pattern"},
		{"a bad timestamp", `{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"yesterday"}`, "does not end in Z"},
		{"a property name in another case", `{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","pattern":"[a:b = 1]","Pattern":"x"}`, "only in case"},
		{"a bundle", `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`, "use ParseBundle"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Parse = %v, want ErrInvalid containing %q", err, c.err)
			}
		})
	}
}

func TestCustomPropertiesSurvive(t *testing.T) {
	in := `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern":"[url:value = 'http://x.test/']","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z","x_interdict_score":{"a":[1,2.5,"<b>"]},"revoked":false,"labels":[]}`
	o, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	ind := o.(*Indicator)
	var score map[string]any
	if ok, err := ind.Prop("x_interdict_score", &score); !ok || err != nil {
		t.Fatalf("custom property: ok=%v err=%v", ok, err)
	}
	out, err := Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(t, []byte(in), out) {
		t.Errorf("round trip:\n in: %s\nout: %s", in, out)
	}
	if !strings.HasPrefix(string(out), `{"type":"indicator","spec_version":"2.1","id":`) {
		t.Errorf("type, spec_version and id are not written first: %s", out)
	}
}

func TestMarkings(t *testing.T) {
	amberDef := &MarkingDefinition{DefinitionType: "tlp", Definition: json.RawMessage(`{"tlp":"amber"}`)}
	amberDef.ID = "marking-definition--11111111-2222-4333-8444-555555555555"
	custom := Markings{}
	custom.Add(amberDef)
	mk := func(refs []string, granular ...GranularMarking) Object {
		ind := &Indicator{}
		ind.ObjectMarkingRefs, ind.GranularMarkings = refs, granular
		return ind
	}
	for _, c := range []struct {
		name string
		obj  Object
		m    Markings
		want TLP
	}{
		{"no marking is no TLP", mk(nil), nil, TLPNone},
		{"TLP 2.0 clear", mk([]string{TLP20Clear}), nil, TLPClear},
		{"TLP 2.0 amber+strict", mk([]string{TLP20AmberStrict}), nil, TLPAmberStrict},
		{"TLP 1 white is clear", mk([]string{TLP1White}), nil, TLPClear},
		{"TLP 1 red", mk([]string{TLP1Red}), nil, TLPRed},
		{"the most restrictive of several wins", mk([]string{TLP20Green, TLP1Amber, "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"}), nil, TLPAmber},
		{"a granular red marking makes the object red", mk([]string{TLP20Green}, GranularMarking{MarkingRef: TLP20Red, Selectors: []string{"description"}}), nil, TLPRed},
		{"an unknown statement marking is no TLP", mk([]string{"marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"}), nil, TLPNone},
		{"a custom TLP definition resolves through Markings", mk([]string{amberDef.ID}), custom, TLPAmber},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.m.Of(c.obj); got != c.want {
				t.Errorf("TLP = %v, want %v", got, c.want)
			}
		})
	}
	t.Run("markings read from JSON", func(t *testing.T) {
		got, err := Markings(nil).OfJSON([]byte(`{"type":"indicator","object_marking_refs":["` + TLP20Green + `"],"granular_markings":[{"marking_ref":"` + TLP1Amber + `","selectors":["pattern"]}]}`))
		if err != nil || got != TLPAmber || got.Level() != "amber" {
			t.Errorf("OfJSON = %v (%q), %v", got, got.Level(), err)
		}
		if _, err := Markings(nil).OfJSON([]byte(`{"object_marking_refs":"x"}`)); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad markings: %v", err)
		}
		if TLPAmberStrict.Level() != "amber+strict" || TLPNone.Level() != "" {
			t.Error("Level names")
		}
	})
	t.Run("granular markings apply to the selected property and its children", func(t *testing.T) {
		o := mk([]string{TLP20Green}, GranularMarking{MarkingRef: TLP20Red, Selectors: []string{"external_references.[0]"}})
		if got := Markings(nil).OfProperty(o, "external_references.[0].url"); got != TLPRed {
			t.Errorf("child of a red selector: %v", got)
		}
		if got := Markings(nil).OfProperty(o, "description"); got != TLPGreen {
			t.Errorf("unselected property: %v", got)
		}
	})
	t.Run("the TLP 1 definitions state their level; TLP 1 has no AMBER+STRICT", func(t *testing.T) {
		for _, l := range []TLP{TLPClear, TLPGreen, TLPAmber, TLPRed} {
			d := TLP1Definition(l)
			if d.TLP() != l {
				t.Errorf("%v definition reads as %v", l, d.TLP())
			}
			d.ID = "marking-definition--11111111-2222-4333-8444-555555555555" // not the fixed id: read the definition
			if d.TLP() != l {
				t.Errorf("%v definition without its fixed id reads as %v", l, d.TLP())
			}
		}
		if TLP1Definition(TLPAmberStrict) != nil {
			t.Error("TLP 1 AMBER+STRICT")
		}
		if TLP1Definition(TLPClear).Name != "TLP:WHITE" {
			t.Errorf("TLP 1 clear is named %s", TLP1Definition(TLPClear).Name)
		}
	})
	t.Run("the TLP 2.0 definitions state their own level", func(t *testing.T) {
		for _, l := range []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed} {
			d := TLP20Definition(l)
			d.ID = "marking-definition--11111111-2222-4333-8444-555555555555" // not the fixed id: read the extension
			if d.TLP() != l {
				t.Errorf("%v definition reads as %v", l, d.TLP())
			}
		}
	})
}

func TestEmittedObjectsValidate(t *testing.T) {
	v := sharedValidator(t)
	now := NewTimestamp(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	common := func(typ string) Common {
		return Common{Type: typ, SpecVersion: "2.1", ID: NewID(typ), Created: now, Modified: now,
			CreatedByRef: "identity--f690c992-8e7d-4b9a-9303-3312616c0220", ObjectMarkingRefs: []string{TLP20Amber}}
	}
	sco := func(typ string) Common { return Common{Type: typ, SpecVersion: "2.1"} }
	yes := true
	wallet := NewCryptocurrencyWallet("0x098b716b8aaf21512996dc57eb0615e2383e2f96")
	tx := NewCryptocurrencyTransaction("ETH", "0xc28fad5e8d5e0ce6a2eaf67b6687be5d58113e16be590824d6cfa1a94467d0b7")
	tx.Input = []CryptoTxTransfer{{AddressRef: wallet.ID, Amount: "173600"}}
	objs := []Object{
		&Identity{Common: common("identity"), Name: "Example ISAC member", IdentityClass: "organization"},
		&Indicator{Common: common("indicator"), Name: "Lazarus Group address", Pattern: "[cryptocurrency-wallet:address = '0x098b716b8aaf21512996dc57eb0615e2383e2f96']",
			PatternType: "stix", ValidFrom: now, IndicatorTypes: []string{"malicious-activity"}},
		&Malware{Common: common("malware"), Name: "AppleJeus", IsFamily: &yes, MalwareTypes: []string{"trojan"}},
		&ThreatActor{Common: common("threat-actor"), Name: "TraderTraitor", Aliases: []string{"Jade Sleet"}},
		&IntrusionSet{Common: common("intrusion-set"), Name: "Lazarus Group"},
		&AttackPattern{Common: common("attack-pattern"), Name: "Supply Chain Compromise"},
		&Campaign{Common: common("campaign"), Name: "Operation Dream Job"},
		&CourseOfAction{Common: common("course-of-action"), Name: "Freeze"},
		&Tool{Common: common("tool"), Name: "ngrok"},
		&Vulnerability{Common: common("vulnerability"), Name: "CVE-2023-29059"},
		&Location{Common: common("location"), Country: "KP"},
		&Report{Common: common("report"), Name: "Bybit", Published: now, ObjectRefs: []string{wallet.ID}},
		&Note{Common: common("note"), Content: "seen at our desk", ObjectRefs: []string{wallet.ID}},
		&Relationship{Common: common("relationship"), RelationshipType: "uses", SourceRef: "threat-actor--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", TargetRef: "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"},
		&Sighting{Common: common("sighting"), SightingOfRef: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"},
		&ExtensionDefinition{Common: common("extension-definition"), Name: "x", Schema: "https://example.com/s.json", Version: "1.0", ExtensionTypes: []string{"new-sco"}},
		NewStatementMarking("Copyright 2026 Example ISAC", now),
		&File{Common: sco("file"), Name: "JMTTrading.dmg", Hashes: map[string]string{"SHA-256": strings.Repeat("ab", 32)}},
		&DomainName{Common: sco("domain-name"), Value: "celasllc.com"},
		&URL{Common: sco("url"), Value: "https://celasllc.com/download"},
		&IPv4Addr{Common: sco("ipv4-addr"), Value: "198.51.100.3"},
		&IPv6Addr{Common: sco("ipv6-addr"), Value: "2001:db8::1"},
		&EmailAddr{Common: sco("email-addr"), Value: "recruiter@example.com"},
		&UserAccount{Common: sco("user-account"), AccountLogin: "it-worker-17", AccountType: "github"},
		wallet, tx,
	}
	for _, l := range []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed} {
		objs = append(objs, TLP20Definition(l))
		if d := TLP1Definition(l); d != nil {
			objs = append(objs, d)
		}
	}
	for _, o := range objs {
		c := o.Core()
		if c.ID == "" {
			id, err := SCOID(o)
			if err != nil {
				t.Fatal(err)
			}
			c.ID = id
		}
		if err := v.Validate(o); err != nil {
			t.Errorf("%s: %v", c.Type, err)
		}
	}
	b := NewBundle(objs...)
	if err := v.ValidateBundle(b); err != nil {
		t.Error(err)
	}
	t.Logf("%d emitted objects validate (schemas for %d types)", len(objs), v.Types())

	t.Run("the validator rejects a confidence above 100", func(t *testing.T) {
		conf := 150
		bad := &Indicator{Common: common("indicator"), Pattern: "[url:value = 'x']", PatternType: "stix", ValidFrom: now}
		bad.Confidence = &conf
		if err := v.Validate(bad); !errors.Is(err, ErrSchema) {
			t.Errorf("Validate = %v, want ErrSchema", err)
		}
	})
	t.Run("the validator rejects a TLP marking with a bad definition", func(t *testing.T) {
		bad := `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--11111111-2222-4333-8444-555555555555","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","definition":{"tlp":"purple"}}`
		if err := v.ValidateJSON([]byte(bad)); !errors.Is(err, ErrSchema) {
			t.Errorf("Validate = %v, want ErrSchema", err)
		}
	})
}
