package chain

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// The segwit address vectors of BIP173 and BIP350 (bitcoin/bips). BIP350 made
// BIP173's three v1+ "valid" addresses invalid (they carry a bech32 checksum
// where bech32m is now required), so they are listed with the invalid ones.
var (
	bip173ValidSegwit = []string{
		"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
		"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
		"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
	}
	bip173SupersededV1 = []string{
		"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
		"BC1SW50QA3JX3S",
		"bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj",
	}
	bip173InvalidSegwit = []string{
		"tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", // invalid human-readable part
		"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", // invalid checksum
		"BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", // invalid witness version
		"bc1rw5uspcuh", // invalid program length
		"bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", // invalid program length
		"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",                                         // invalid program length for v0
		"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",               // mixed case
		"bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",                                        // zero padding of more than 4 bits
		"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",               // non-zero padding in 8-to-5 conversion
		"bc1gmk9yu", // empty data section
	}
	bip350ValidSegwit = []string{
		"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
		"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
		"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
		"BC1SW50QGDZ25J",
		"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
		"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
		"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
		"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
	}
	bip350InvalidSegwit = []string{
		"tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", // invalid human-readable part
		"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", // bech32 instead of bech32m
		"tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", // bech32 instead of bech32m
		"BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", // bech32 instead of bech32m
		"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",                     // bech32m instead of bech32
		"tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", // bech32m instead of bech32
		"bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", // invalid character in checksum
		"BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", // invalid witness version
		"bc1pw5dgrnzv", // invalid program length (1 byte)
		"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", // 41 bytes
		"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",                                         // invalid program length for v0
		"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",               // mixed case
		"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",             // zero padding of more than 4 bits
		"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",               // non-zero padding in 8-to-5 conversion
		"bc1gmk9yu", // empty data section
	}
	// Valid bech32 strings that are not addresses (BIP173 and BIP350 generic
	// vectors): they must not be taken for segwit addresses either.
	bech32NonAddresses = []string{
		"A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl",
		"A1LQFN3A", "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
		"split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
	}
)

func TestParseAddressAcceptsValidSegwitVectors(t *testing.T) {
	for _, set := range []struct {
		name  string
		addrs []string
	}{{"BIP173", bip173ValidSegwit}, {"BIP350", bip350ValidSegwit}} {
		for _, s := range set.addrs {
			t.Run(set.name+" valid "+s+" is bech32 in lower case", func(t *testing.T) {
				a := ParseAddress(s)
				want := strings.ToLower(s)
				if a.Format != FormatBech32 || a.Normalized != want || a.Display != want {
					t.Fatalf("ParseAddress(%q) = %+v, want bech32 %q", s, a, want)
				}
			})
		}
	}
}

func TestParseAddressRejectsInvalidSegwitVectors(t *testing.T) {
	for _, set := range []struct {
		name  string
		addrs []string
	}{
		{"BIP173 invalid", bip173InvalidSegwit},
		{"BIP173 v1+ superseded by BIP350", bip173SupersededV1},
		{"BIP350 invalid", bip350InvalidSegwit},
		{"generic bech32 string", bech32NonAddresses},
	} {
		for _, s := range set.addrs {
			t.Run(set.name+" "+s+" is not bech32 and stays exact", func(t *testing.T) {
				a := ParseAddress(s)
				if a.Format == FormatBech32 {
					t.Fatalf("ParseAddress(%q) detected bech32", s)
				}
				if a.Normalized != s {
					t.Fatalf("ParseAddress(%q).Normalized = %q, want it kept exact", s, a.Normalized)
				}
			})
		}
	}
}

func TestParseAddressFormats(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Address
	}{
		{"a mixed-case EVM address is lower-cased and displayed EIP-55",
			"0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
			Address{FormatEVM, "0x098b716b8aaf21512996dc57eb0615e2383e2f96", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"}},
		{"a lower-case EVM address gets its EIP-55 display",
			"0x098b716b8aaf21512996dc57eb0615e2383e2f96",
			Address{FormatEVM, "0x098b716b8aaf21512996dc57eb0615e2383e2f96", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"}},
		{"an upper-case EVM address with a 0X prefix is normalised",
			"0X098B716B8AAF21512996DC57EB0615E2383E2F96",
			Address{FormatEVM, "0x098b716b8aaf21512996dc57eb0615e2383e2f96", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"}},
		{"an EVM address one hex digit short is not EVM",
			"0x098b716b8aaf21512996dc57eb0615e2383e2f9",
			Address{FormatOther, "0x098b716b8aaf21512996dc57eb0615e2383e2f9", "0x098b716b8aaf21512996dc57eb0615e2383e2f9"}},
		{"surrounding white space is trimmed",
			"  0x098b716b8aaf21512996dc57eb0615e2383e2f96\n",
			Address{FormatEVM, "0x098b716b8aaf21512996dc57eb0615e2383e2f96", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"}},
		{"a TRON address is kept exact",
			"TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq",
			Address{FormatTron, "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq", "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"}},
		{"a TRON-shaped string with a bad checksum is plain base58",
			"TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzr",
			Address{FormatBase58, "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzr", "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzr"}},
		{"a base58 BTC address is kept exact",
			"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
			Address{FormatBase58, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"}},
		{"a lower-cased base58 address is a different string, not folded back",
			"1a1zp1ep5qgefi2dmptftl5slmv7divfna",
			Address{FormatOther, "1a1zp1ep5qgefi2dmptftl5slmv7divfna", "1a1zp1ep5qgefi2dmptftl5slmv7divfna"}},
		{"a bare cashaddr gets its bitcoincash prefix",
			"qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx3",
			Address{FormatCashAddr, "bitcoincash:qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx3", "bitcoincash:qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx3"}},
		{"an upper-case cashaddr with its prefix is lower-cased",
			"BITCOINCASH:QPUSMP64RAJSES77X95G9AH825MTYYV74SMWWKXHX3",
			Address{FormatCashAddr, "bitcoincash:qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx3", "bitcoincash:qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx3"}},
		{"a cashaddr with a bad checksum is not cashaddr",
			"qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx4",
			Address{FormatBase58, "qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx4", "qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx4"}},
		{"a mixed-case cashaddr is not cashaddr",
			"qpusmp64rajses77x95g9ah825mtyyv74smwwkxhX3",
			Address{FormatBase58, "qpusmp64rajses77x95g9ah825mtyyv74smwwkxhX3", "qpusmp64rajses77x95g9ah825mtyyv74smwwkxhX3"}},
		{"a Monero address is kept exact",
			"49HqitRzdnhYjgTEAhgGpCfsjdTeMbUTU6cyR4JV1R7k2Eej9rGT8JpFiYDa4tZM6RZiFrHmMzgSrhHEqpDYKBe5B2ufNsL",
			Address{FormatBase58, "49HqitRzdnhYjgTEAhgGpCfsjdTeMbUTU6cyR4JV1R7k2Eej9rGT8JpFiYDa4tZM6RZiFrHmMzgSrhHEqpDYKBe5B2ufNsL", "49HqitRzdnhYjgTEAhgGpCfsjdTeMbUTU6cyR4JV1R7k2Eej9rGT8JpFiYDa4tZM6RZiFrHmMzgSrhHEqpDYKBe5B2ufNsL"}},
		{"a BNB Beacon Chain bech32 account is case-insensitive",
			"BNB136NS6LFW4ZS5HG4N85VDTHAAD7HQ5M4GTKGF23",
			Address{FormatBech32, "bnb136ns6lfw4zs5hg4n85vdthaad7hq5m4gtkgf23", "bnb136ns6lfw4zs5hg4n85vdthaad7hq5m4gtkgf23"}},
		{"an XRP address is kept exact",
			"rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66",
			Address{FormatBase58, "rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66", "rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66"}},
		{"a 64-hex string published under XMR is kept exact as other",
			"5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320",
			Address{FormatOther, "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320", "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"}},
		{"empty text stays empty",
			"  ",
			Address{FormatOther, "", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseAddress(tc.in); got != tc.want {
				t.Fatalf("ParseAddress(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if got := NormalizeAddress(tc.in); got != tc.want.Normalized {
				t.Fatalf("NormalizeAddress(%q) = %q, want %q", tc.in, got, tc.want.Normalized)
			}
		})
	}
}

// TestParseAddressOnOFACAddressLists detects the format of every address in
// the community per-asset lists from the address itself, whatever file (OFAC
// currency label) it sits in. Counts measured on ofac/lists_2025-12-04.
func TestParseAddressOnOFACAddressLists(t *testing.T) {
	dir := sharedtest.Path(t, "ofac", "lists_2025-12-04")
	want := map[string]map[Format]int{
		"XBT":  {FormatBase58: 378, FormatBech32: 138, FormatTron: 1},
		"USDT": {FormatTron: 78, FormatEVM: 8, FormatBase58: 7},
		"ETH":  {FormatEVM: 77},
		"TRX":  {FormatTron: 29},
		"BCH":  {FormatCashAddr: 6, FormatBase58: 1},
		"XMR":  {FormatBase58: 7, FormatOther: 1},
		"BNB":  {FormatBech32: 1},
		"LTC":  {FormatBase58: 10},
		"SOL":  {FormatBase58: 1},
	}
	for asset, formats := range want {
		t.Run("the "+asset+" list has the measured formats", func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, "sanctioned_addresses_"+asset+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got := map[Format]int{}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				a := ParseAddress(sc.Text())
				got[a.Format]++
				if again := ParseAddress(a.Normalized); again.Normalized != a.Normalized {
					t.Errorf("%q: normalisation not idempotent: %q then %q", sc.Text(), a.Normalized, again.Normalized)
				}
			}
			if len(got) != len(formats) {
				t.Errorf("formats = %v, want %v", got, formats)
			}
			for f, n := range formats {
				if got[f] != n {
					t.Errorf("%s: %d addresses, want %d (all: %v)", f, got[f], n, got)
				}
			}
		})
	}
	t.Run("the TRON address OFAC publishes under XBT is detected as TRON", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dir, "sanctioned_addresses_XBT.txt"))
		if err != nil {
			t.Fatal(err)
		}
		var tron []string
		for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if ParseAddress(l).Format == FormatTron {
				tron = append(tron, l)
			}
		}
		if len(tron) != 1 || tron[0] != "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq" {
			t.Fatalf("TRON addresses in the XBT list = %v", tron)
		}
	})
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range append(append(append([]string{}, bip350ValidSegwit...), bip350InvalidSegwit...), bip173InvalidSegwit...) {
		f.Add(s)
	}
	for _, s := range []string{
		"0x098B716B8Aaf21512996dC57EB0615e2383E2f96", "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq",
		"bitcoincash:qpusmp64rajses77x95g9ah825mtyyv74smwwkxhx3", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
		" \t", "\u00a0bc1\u0085",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := ParseAddress(s)
		if n := NormalizeAddress(s); n != a.Normalized {
			t.Fatalf("NormalizeAddress(%q) = %q, ParseAddress gives %q", s, n, a.Normalized)
		}
		b := ParseAddress(a.Normalized)
		if b != a {
			t.Fatalf("not idempotent: ParseAddress(%q) = %+v, then %+v", s, a, b)
		}
		if a.Format == FormatEVM || a.Format == FormatBech32 || a.Format == FormatCashAddr {
			if a.Normalized != strings.ToLower(a.Normalized) {
				t.Fatalf("case-insensitive format %s kept upper case: %q", a.Format, a.Normalized)
			}
		}
	})
}

func BenchmarkNormalizeAddress(b *testing.B) {
	for _, tc := range []struct{ name, addr string }{
		{"EVM mixed case", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"},
		{"EVM lower case", "0x098b716b8aaf21512996dc57eb0615e2383e2f96"},
		{"base58", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
		{"TRON", "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"},
		{"bech32", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				NormalizeAddress(tc.addr)
			}
		})
	}
}
