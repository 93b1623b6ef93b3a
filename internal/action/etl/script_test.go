package etl

import (
	"encoding/hex"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestScriptAsm(t *testing.T) {
	// Expected strings are Bitcoin Core's ScriptToAsmStr output.
	const sig = "3046022100e0bc99e312e428ea1559b5bc2e3210f3a7202a7f8b2ee124c6ea9aeda497ecac022100ccda2dc6aac965b4ba3116bc529838538ac0c99fe1a295941d00b5e351f86f0f"
	tests := []struct {
		name, script string
		sighash      bool
		want         string
	}{
		{"a P2PKH output names its opcodes and shows the hash in hex", "76a914b5cd7aaed869cd5ccb45868e8666e7e934a2373688ac", false,
			"OP_DUP OP_HASH160 b5cd7aaed869cd5ccb45868e8666e7e934a23736 OP_EQUALVERIFY OP_CHECKSIG"},
		{"pushes of up to four bytes are script numbers", "04ffff001d0104", false, "486604799 4"},
		{"a pushed 0x81 is minus one", "0181", false, "-1"},
		{"OP_0, OP_1NEGATE, OP_1 and OP_16 are numbers", "004f5160", false, "0 -1 1 16"},
		{"a signature in a scriptSig shows its sighash type", "49" + sig + "01", true, sig + "[ALL]"},
		{"ANYONECANPAY is decoded too", "49" + sig + "81", true, sig + "[ALL|ANYONECANPAY]"},
		{"an undefined sighash byte is left as hex", "49" + sig + "05", true, sig + "05"},
		{"outputs never decode sighash types", "49" + sig + "01", false, sig + "01"},
		{"an OP_RETURN script never decodes sighash types", "6a49" + sig + "01", true, "OP_RETURN " + sig + "01"},
		{"locktime opcodes use their BIP65 and BIP112 names", "b1b2b0", false, "OP_CHECKLOCKTIMEVERIFY OP_CHECKSEQUENCEVERIFY OP_NOP1"},
		{"opcodes Core does not know are OP_UNKNOWN", "babbfaff", false, "OP_CHECKSIGADD OP_UNKNOWN OP_UNKNOWN OP_INVALIDOPCODE"},
		{"a truncated push ends in [error]", "764c", false, "OP_DUP [error]"},
		{"a push longer than the script is an error", "05aabb", false, "[error]"},
		{"an empty script is empty", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scriptAsm(mustHex(t, tt.script), tt.sighash); got != tt.want {
				t.Errorf("scriptAsm(%s) = %q, want %q", tt.script, got, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	one := 1
	tests := []struct {
		name, script string
		want         scriptClass
	}{
		{"P2PK shows the key's P2PKH address, as Core before v22",
			"4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac",
			scriptClass{TypePubKey, []string{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"}, &one}},
		{"P2PKH", "76a914b5cd7aaed869cd5ccb45868e8666e7e934a2373688ac",
			scriptClass{TypePubKeyHash, []string{"1HaHTfmvoUW6i6nhJf8jJs6tU4cHNmBQHQ"}, &one}},
		{"P2SH", "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87",
			scriptClass{TypeScriptHash, []string{"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"}, &one}},
		{"P2WPKH is bech32 (BIP173 vector)", "0014751e76e8199196d454941c45d1b3a323f1433bd6",
			scriptClass{TypeWitnessV0Key, []string{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}, &one}},
		{"P2WSH is bech32 (BIP173 vector)", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
			scriptClass{TypeWitnessV0Script, []string{"bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"}, &one}},
		{"P2TR is bech32m (BIP350 vector)", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
			scriptClass{TypeWitnessV1Taproot, []string{"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"}, &one}},
		{"bare 1-of-2 multisig lists each key's address and needs one signature",
			"5121" + "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" +
				"21" + "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5" + "52ae",
			scriptClass{TypeMultisig, []string{"1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "1cMh228HTCiwS8ZsaakH8A8wze1JR5ZsP"}, &one}},
		{"OP_RETURN data is nulldata with bitcoin-etl's synthetic address", "6a0568656c6c6f",
			scriptClass{TypeNullData, nonstandardAddress(mustHex(t, "6a0568656c6c6f")), nil}},
		{"a witness program of a future version is witness_unknown", "5210751e76e8199196d454941c45d1b3a323",
			scriptClass{TypeWitnessUnknown, nonstandardAddress(mustHex(t, "5210751e76e8199196d454941c45d1b3a323")), nil}},
		{"anything else is nonstandard", "51",
			scriptClass{TypeNonStandard, nonstandardAddress([]byte{0x51}), nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(mustHex(t, tt.script), &chaincfg.MainNetParams)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("classify(%s) = %+v (reqSigs %v), want %+v", tt.script, got, deref(got.requiredSigs), tt.want)
			}
		})
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestNonstandardAddressIsSHA256Prefix(t *testing.T) {
	// bitcoin-etl: "nonstandard" + sha256(script).hexdigest()[:40].
	got := nonstandardAddress(nil)[0]
	const want = "nonstandard" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
	if got != want {
		t.Errorf("empty script: %s, want %s", got, want)
	}
}
