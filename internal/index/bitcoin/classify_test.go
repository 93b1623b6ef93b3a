package bitcoin_test

import (
	"encoding/hex"
	"reflect"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// The scriptPubKey/address pairs are BIP173's and BIP350's test vectors, and
// well-known mainnet addresses for the base58 types.
func TestClassify(t *testing.T) {
	genesisKey, _ := hex.DecodeString("04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f")
	multisig, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_1).AddData(genesisKey).AddData(genesisKey).
		AddOp(txscript.OP_2).AddOp(txscript.OP_CHECKMULTISIG).Script()
	for _, tc := range []struct {
		name    string
		script  string
		params  *chaincfg.Params
		class   bitcoin.ScriptClass
		addrs   []string
		reqSigs int
	}{
		{"a P2PK output is addressed by its key's P2PKH address", "41" + hex.EncodeToString(genesisKey) + "ac", &chaincfg.MainNetParams, bitcoin.P2PK, []string{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"}, 1},
		{"a P2PKH output keeps its base58 address exact", "76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac", &chaincfg.MainNetParams, bitcoin.P2PKH, []string{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"}, 1},
		{"a P2SH output", "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87", &chaincfg.MainNetParams, bitcoin.P2SH, []string{"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"}, 1},
		{"a P2WPKH output (BIP173) is lower case", "0014751e76e8199196d454941c45d1b3a323f1433bd6", &chaincfg.MainNetParams, bitcoin.P2WPKH, []string{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}, 1},
		{"a testnet P2WSH output (BIP173)", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", &chaincfg.TestNet3Params, bitcoin.P2WSH, []string{"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"}, 1},
		{"a P2TR output (BIP350, bech32m)", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", &chaincfg.MainNetParams, bitcoin.P2TR, []string{"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"}, 1},
		{"a testnet P2TR output (BIP350)", "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433", &chaincfg.TestNet3Params, bitcoin.P2TR, []string{"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c"}, 1},
		{"a bare multisig yields each key's address once", hex.EncodeToString(multisig), &chaincfg.MainNetParams, bitcoin.Multisig, []string{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"}, 1},
		{"an OP_RETURN output is nulldata with no address", "6a04deadbeef", &chaincfg.MainNetParams, bitcoin.NullData, nil, 0},
		{"OP_TRUE is non-standard", "51", &chaincfg.MainNetParams, bitcoin.NonStandard, nil, 0},
		{"an empty script is non-standard", "", &chaincfg.MainNetParams, bitcoin.NonStandard, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			script, err := hex.DecodeString(tc.script)
			if err != nil {
				t.Fatal(err)
			}
			cls, addrs, req := bitcoin.Classify(script, tc.params)
			if cls != tc.class || !slices.Equal(addrs, tc.addrs) || req != tc.reqSigs {
				t.Fatalf("Classify = %s %v %d, want %s %v %d", cls, addrs, req, tc.class, tc.addrs, tc.reqSigs)
			}
		})
	}
}

// FuzzDecodeRecords: stored values that do not decode give an error, never a
// panic, and what decodes survives a re-encoding unchanged.
func FuzzDecodeRecords(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x01, 0x02, 0x03})
	c := sampleRecords()
	f.Add(bitcoin.EncodeBlock(c.block))
	f.Add(bitcoin.EncodeTx(c.tx))
	f.Add(bitcoin.EncodeOutput(c.output))
	f.Add(bitcoin.EncodeSpend(c.spend))
	genesis := chaincfg.RegressionNetParams.GenesisBlock
	f.Add(bitcoin.EncodeSideBlock(&bitcoin.SideBlock{Hash: genesis.BlockHash(), Height: 3, Msg: genesis}))
	f.Fuzz(func(t *testing.T, v []byte) {
		if b, err := bitcoin.DecodeBlock(v); err == nil {
			if again, err := bitcoin.DecodeBlock(bitcoin.EncodeBlock(b)); err != nil || !reflect.DeepEqual(again, b) {
				t.Fatalf("block %x does not survive a re-encoding: %+v, %v", v, again, err)
			}
		}
		_, _ = bitcoin.DecodeTx(c.tx.Txid, v)
		if o, err := bitcoin.DecodeOutput(c.output.OutPoint, v); err == nil {
			if again, err := bitcoin.DecodeOutput(o.OutPoint, bitcoin.EncodeOutput(o)); err != nil || !reflect.DeepEqual(again, o) {
				t.Fatalf("output %x does not survive a re-encoding: %+v, %v", v, again, err)
			}
		}
		_, _ = bitcoin.DecodeSpend(c.spend.OutPoint, v)
		_, _ = bitcoin.DecodeAddressKey(v)
		_, _ = bitcoin.DecodeTip(v)
		if sb, err := bitcoin.DecodeSideBlock(genesis.BlockHash(), v); err == nil {
			again, err := bitcoin.DecodeSideBlock(sb.Hash, bitcoin.EncodeSideBlock(sb))
			if err != nil || !reflect.DeepEqual(again, sb) {
				t.Fatalf("side block %x does not survive a re-encoding: %+v, %v", v, again, err)
			}
		}
	})
}
