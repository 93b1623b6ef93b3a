package people_test

import (
	"errors"
	"testing"

	"github.com/interdict/interdict/internal/index/people"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name         string
		typ          people.Type
		value, extra string
		want         string
	}{
		{"gmail ignores dots, case and a plus tag", people.Email, " Alex.Example+jobs@GoogleMail.com ", "", "alexexample@gmail.com"},
		{"other domains keep dots", people.Email, "Alex.Example@Example.org", "", "alex.example@example.org"},
		{"other domains keep a plus", people.Email, "a+b@example.org", "", "a+b@example.org"},
		{"outlook drops a plus tag but keeps dots", people.Email, "a.b+x@outlook.com", "", "a.b@outlook.com"},
		{"a US number in local format becomes E.164", people.Phone, "(415) 555-0123", "", "+14155550123"},
		{"an international number ignores the region", people.Phone, "+44 20 7946 0958", "US", "+442079460958"},
		{"a national number uses the region given", people.Phone, "020 7946 0958", "gb", "+442079460958"},
		{"addresses fold case, punctuation and street words", people.ShippingAddress, "12 Main Street, Apt. #4", "", "12 main st unit unit 4"},
		{"addresses fold diacritics", people.PostalAddress, "Calle Peñón 3", "", "calle penon 3"},
		{"an IPv4-mapped IPv6 address is IPv4", people.IP, "::ffff:192.0.2.1", "", "192.0.2.1"},
		{"IPv6 is compressed lower case", people.IP, "2001:DB8:0:0::1", "", "2001:db8::1"},
		{"a numeric GitHub id drops leading zeros", people.GitHub, "00583231", "octocat", "583231"},
		{"a login without id is tagged", people.Telegram, "@Some_Handle", "", "login:some_handle"},
		{"profile URLs drop scheme, www and trailing slash", people.ProfileURL, "HTTPS://www.Example.com/in/alex/?x=1", "", "example.com/in/alex"},
		{"photo hashes are lower-case hex", people.PhotoHash, "0xA1B2C3D4E5F60718", "", "a1b2c3d4e5f60718"},
		{"bank accounts lose spaces", people.BankAccount, "de89 3704 0044 0532 0130 00", "", "DE89370400440532013000"},
		{"EVM wallets are lower case", people.Wallet, "0xAbCdEf0000000000000000000000000000000001", "", "0xabcdef0000000000000000000000000000000001"},
		{"ID documents carry type and country", people.IDDocument, "x12-3456", "passport:us", "PASSPORT:US:X123456"},
		{"names fold like addresses without abbreviations", people.LegalName, "José  O'Neil-Street", "", "jose o neil street"},
		{"birth dates are ISO", people.BirthDate, "1990-01-02", "", "1990-01-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := people.Canonical(tt.typ, tt.value, tt.extra)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Canonical(%s, %q) = %q, want %q", tt.typ, tt.value, got, tt.want)
			}
			again, err := people.Canonical(tt.typ, got, tt.extra)
			if tt.typ != people.IDDocument && (err != nil || again != got) {
				t.Errorf("not idempotent: %q -> %q, %v", got, again, err)
			}
		})
	}
}

func TestCanonicalRejects(t *testing.T) {
	tests := []struct {
		name  string
		typ   people.Type
		value string
	}{
		{"an email without @", people.Email, "alex.example.org"},
		{"an email without local part", people.Email, "@example.org"},
		{"a phone of letters", people.Phone, "call me"},
		{"a phone too short", people.Phone, "12"},
		{"an IP that is not one", people.IP, "300.1.1.1"},
		{"a photo hash of 15 digits", people.PhotoHash, "a1b2c3d4e5f6071"},
		{"a birth date in another format", people.BirthDate, "02/01/1990"},
		{"an empty value", people.Email, "  "},
		{"an unknown type", people.Type("ethnicity"), "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := people.Canonical(tt.typ, tt.value, ""); !errors.Is(err, people.ErrInvalid) {
				t.Errorf("error = %v, want ErrInvalid", err)
			}
		})
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"a.b+c@gmail.com", "(415) 555-0123", "12 Main St #4", "::ffff:1.2.3.4", "https://x.y/z/", "0xdeadbeef00000000"} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, value, extra string) {
		for _, typ := range people.Types() {
			c, err := people.Canonical(typ, value, extra)
			if err != nil {
				if !errors.Is(err, people.ErrInvalid) {
					t.Fatalf("%s: error %v does not wrap ErrInvalid", typ, err)
				}
				continue
			}
			if c == "" {
				t.Fatalf("%s(%q): empty canonical form", typ, value)
			}
		}
	})
}
