package screen

import (
	"reflect"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// addressFixture is a handful of entries shaped like real OFAC ones (the
// addresses are from ofac/lists_2025-12-04; entity 99001 is made up to share
// an address with Lazarus Group).
func addressFixture() []Dataset {
	ofac := VersionRef{ID: "ofac-2025-11-19-36c517bd264d", Source: sanctions.SourceOFAC, Published: time.Date(2025, 11, 19, 0, 0, 0, 0, time.UTC)}
	return []Dataset{{
		Version: ofac,
		Entities: []sanctions.Entity{
			{
				ID: "27307", Type: sanctions.TypeOrganization, Programs: []string{"DPRK3"},
				Names: []sanctions.Name{{Full: "LAZARUS GROUP", Primary: true}},
				Addresses: []sanctions.DigitalAddress{
					{Currency: "ETH", Address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"},
					{Currency: "USDT", Address: "0x098b716b8aaf21512996dc57eb0615e2383e2f96"},
					{Currency: "ETH", Address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"},
				},
			},
			{
				ID: "99001", Type: sanctions.TypeIndividual, Programs: []string{"CYBER2"},
				Names: []sanctions.Name{{Full: "EXAMPLE, Person", Primary: true}},
				Addresses: []sanctions.DigitalAddress{
					{Currency: "ETH", Address: "0x098b716b8aaf21512996dc57eb0615e2383e2f96"},
					{Currency: "XBT", Address: "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"},
					{Currency: "XBT", Address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
					{Currency: "BCH", Address: "qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx3"},
					{Currency: "XBT", Address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
					{Currency: "XMR", Address: "  "},
				},
			},
		},
	}}
}

func TestScreenAddress(t *testing.T) {
	ix := NewIndex(addressFixture()...)
	lazarus := Match{
		List: "ofac", ListVersion: "ofac-2025-11-19-36c517bd264d", EntityID: "27307", Name: "LAZARUS GROUP",
		Type: sanctions.TypeOrganization, Programs: []string{"DPRK3"}, Score: 1,
		Currency: "ETH,USDT", Address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
	}
	example := func(currency, addr string) Match {
		return Match{
			List: "ofac", ListVersion: "ofac-2025-11-19-36c517bd264d", EntityID: "99001", Name: "EXAMPLE, Person",
			Type: sanctions.TypeIndividual, Programs: []string{"CYBER2"}, Score: 1, Currency: currency, Address: addr,
		}
	}
	tests := []struct {
		name  string
		query string
		want  []Match
	}{
		{"an EIP-55 address matches both entities that list it, one match each",
			"0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
			[]Match{lazarus, example("ETH", "0x098b716b8aaf21512996dc57eb0615e2383e2f96")}},
		{"the lower-case form of the address matches the same entities",
			"0x098b716b8aaf21512996dc57eb0615e2383e2f96",
			[]Match{lazarus, example("ETH", "0x098b716b8aaf21512996dc57eb0615e2383e2f96")}},
		{"an upper-case EVM address with white space around it matches",
			" 0X098B716B8AAF21512996DC57EB0615E2383E2F96\t",
			[]Match{lazarus, example("ETH", "0x098b716b8aaf21512996dc57eb0615e2383e2f96")}},
		{"a TRON address listed under XBT matches exactly",
			"TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq",
			[]Match{example("XBT", "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq")}},
		{"a TRON address in the wrong case does not match",
			"tucstq7toftcjrrohk6rvhmos2mjlm5yzq",
			nil},
		{"an upper-case bech32 address matches its lower-case listing",
			"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
			[]Match{example("XBT", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")}},
		{"a mixed-case bech32 address is invalid and does not match",
			"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3T4",
			nil},
		{"a cashaddr with its prefix matches the bare listing",
			"bitcoincash:qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx3",
			[]Match{example("BCH", "qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx3")}},
		{"an upper-case bare cashaddr matches",
			"QPUSMP64RAJSES77X95G9AH825MTYYV74SMWWKXHX3",
			[]Match{example("BCH", "qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx3")}},
		{"a base58 address matches exactly",
			"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
			[]Match{example("XBT", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")}},
		{"a base58 address in the wrong case does not match",
			"1a1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
			nil},
		{"a random EVM address is clean",
			"0x0000000000000000000000000000000000000001",
			nil},
		{"empty text is clean even though a blank address was published",
			"",
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ix.ScreenAddress(tc.query)
			if r.Query != tc.query || r.Kind != "address" {
				t.Fatalf("result header = %q %q", r.Query, r.Kind)
			}
			if r.Hit != (len(tc.want) > 0) {
				t.Fatalf("Hit = %v, want %v", r.Hit, len(tc.want) > 0)
			}
			want := tc.want
			if want == nil {
				want = []Match{}
			}
			if !reflect.DeepEqual(r.Matches, want) {
				t.Fatalf("matches =\n%+v\nwant\n%+v", r.Matches, want)
			}
		})
	}
}

func TestScreenAddressKeepsVersionsApart(t *testing.T) {
	ds := addressFixture()
	un := Dataset{
		Version:  VersionRef{ID: "other-version", Source: sanctions.SourceUN},
		Entities: []sanctions.Entity{{ID: "27307", Names: []sanctions.Name{{Full: "LAZARUS GROUP"}}, Addresses: ds[0].Entities[0].Addresses[:1]}},
	}
	ix := NewIndex(append(ds, un)...)
	r := ix.ScreenAddress("0x098b716b8aaf21512996dc57eb0615e2383e2f96")
	var lists []string
	for _, m := range r.Matches {
		lists = append(lists, m.ListVersion+"/"+m.EntityID)
	}
	want := []string{"ofac-2025-11-19-36c517bd264d/27307", "ofac-2025-11-19-36c517bd264d/99001", "other-version/27307"}
	if !reflect.DeepEqual(lists, want) {
		t.Fatalf("matches = %v, want %v", lists, want)
	}
}

func TestScreenAddressMissesDoNotAllocate(t *testing.T) {
	ix := NewIndex(addressFixture()...)
	for _, q := range []string{
		"0xdAC17F958D2ee523a2206206994597C13D831ec7",
		"0xdac17f958d2ee523a2206206994597c13d831ec7",
		"1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
		"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
		"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
	} {
		if n := testing.AllocsPerRun(100, func() { ix.ScreenAddress(q) }); n != 0 {
			t.Errorf("screening %s allocates %.0f times", q, n)
		}
	}
}
