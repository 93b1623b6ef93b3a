package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/action/deliver"
)

// The notification network end to end, as issue 8 asks: three interdict
// processes on loopback (an authority and two exchanges), each with its own
// stores, federating over their TAXII servers. The authority flags an
// address; both exchanges receive and verify the flag; a block moves the
// flagged funds through two hops into exchange B's watched deposit address:
// B alerts in that block (and its webhook receives the alert), A does not;
// the revocation propagates and the next block's movement raises nothing.

// netParty is a regtest P2WPKH payee.
type netParty struct {
	script []byte
	addr   string
}

func newNetParty(t *testing.T, n byte) netParty {
	t.Helper()
	a, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{n}, 20), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		t.Fatal(err)
	}
	return netParty{script: s, addr: a.EncodeAddress()}
}

// netChain writes hand-built regtest blocks, one hex file each.
type netChain struct {
	t      *testing.T
	dir    string
	prev   chainhash.Hash
	height int64
	time   time.Time
	files  []string
}

func newNetChain(t *testing.T) *netChain {
	c := &netChain{t: t, dir: t.TempDir(), time: time.Unix(1_760_000_000, 0)}
	g := chaincfg.RegressionNetParams.GenesisBlock
	c.write(g)
	c.prev = g.BlockHash()
	return c
}

func (c *netChain) write(b *wire.MsgBlock) string {
	c.t.Helper()
	var buf bytes.Buffer
	if err := b.Serialize(&buf); err != nil {
		c.t.Fatal(err)
	}
	p := filepath.Join(c.dir, fmt.Sprintf("block%03d.hex", len(c.files)))
	if err := os.WriteFile(p, []byte(hex.EncodeToString(buf.Bytes())), 0o600); err != nil {
		c.t.Fatal(err)
	}
	c.files = append(c.files, p)
	return p
}

type netPay struct {
	to    netParty
	value int64
}

// block adds a block paying coinbase outputs and holding txs; it returns the
// block's file.
func (c *netChain) block(coinbase []netPay, txs ...*wire.MsgTx) string {
	c.t.Helper()
	c.height++
	c.time = c.time.Add(10 * time.Minute)
	b := wire.NewMsgBlock(wire.NewBlockHeader(4, &c.prev, &chainhash.Hash{}, 0x207fffff, uint32(c.height)))
	b.Header.Timestamp = c.time
	sig, _ := txscript.NewScriptBuilder().AddInt64(c.height).AddInt64(7).Script()
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: wire.MaxPrevOutIndex}, sig, nil))
	for _, o := range coinbase {
		cb.AddTxOut(wire.NewTxOut(o.value, o.to.script))
	}
	b.AddTransaction(cb)
	for _, tx := range txs {
		b.AddTransaction(tx)
	}
	all := make([]*btcutil.Tx, len(b.Transactions))
	for i, tx := range b.Transactions {
		all[i] = btcutil.NewTx(tx)
	}
	b.Header.MerkleRoot = blockchain.CalcMerkleRoot(all, false)
	c.prev = b.BlockHash()
	return c.write(b)
}

func netSpend(ins []wire.OutPoint, outs ...netPay) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	for _, op := range ins {
		in := wire.NewTxIn(&op, nil, nil)
		in.Witness = wire.TxWitness{bytes.Repeat([]byte{1}, 71), bytes.Repeat([]byte{2}, 33)}
		tx.AddTxIn(in)
	}
	for _, o := range outs {
		tx.AddTxOut(wire.NewTxOut(o.value, o.to.script))
	}
	return tx
}

// netInstance is one interdict process of the network and its CLI.
type netInstance struct {
	name string
	cli  cli
	srv  *server
	// chain is the --chain flag of its ingests (empty: Pebble in the data dir).
	chain []string
}

func (n *netInstance) flagsURL() string {
	return n.srv.url + "/taxii2/federation/collections/flags/"
}

func (n *netInstance) publicKey(t *testing.T) string {
	var id identityOut
	n.cli.json(&id, "keys", "show")
	if id.PublicKey == "" {
		t.Fatalf("%s: keys show gave no public key", n.name)
	}
	return id.PublicKey
}

// apiKeyFor creates on n an API key for member m and returns the secret.
func (n *netInstance) apiKeyFor(t *testing.T, m string) string {
	var k struct {
		Key string `json:"key"`
	}
	n.cli.json(&k, "keys", "create", "--name", "peer-"+m, "--member", m, "--role", "analyst")
	if k.Key == "" {
		t.Fatalf("%s: no key created for %s", n.name, m)
	}
	return k.Key
}

func (n *netInstance) ingest(t *testing.T, files ...string) {
	t.Helper()
	for _, f := range files {
		n.cli.ok(append([]string{"ingest", "btc", "--source", "file:" + f, "--network", "regtest"}, n.chain...)...)
	}
}

// netAlert is an element of `--output json alerts list` (a JSON array) as
// the test reads it.
type netAlert struct {
	ID      string   `json:"id"`
	Status  string   `json:"status"`
	Chain   string   `json:"chain"`
	Address string   `json:"address"`
	Amount  string   `json:"amount"`
	FlagID  string   `json:"flag_id"`
	Tx      string   `json:"tx"`
	Height  int64    `json:"height"`
	Hop     int      `json:"hop"`
	Path    []string `json:"path"`
}

func (n *netInstance) alerts(t *testing.T) []netAlert {
	var a []netAlert
	n.cli.json(&a, "alerts", "list")
	return a
}

// flagState polls n's flags until flag id is in one of the states wanted
// (and verified), for at most 60 s.
func (n *netInstance) waitFlag(t *testing.T, id string, state string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		var doc flagsListDoc
		n.cli.json(&doc, "flags", "list")
		for _, f := range doc.Flags {
			if f.ID == id {
				last = fmt.Sprintf("%s verified=%v", f.State, f.Verified)
				if f.State == state && f.Verified {
					return
				}
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	out, _, _ := n.cli.run("flags", "refused")
	t.Fatalf("%s: flag %s not %s within 60 s (last seen: %q); refused:\n%s", n.name, id, state, last, out)
}

// hookReceiver is a webhook receiver that checks signatures.
type hookReceiver struct {
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	bodies [][]byte
	keys   map[string]bool
	bad    int
}

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	h := &hookReceiver{secret: secret, keys: map[string]bool{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		if err := deliver.VerifyRequest(h.secret, r.Header, body, 5*time.Minute, time.Now()); err != nil {
			h.bad++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if k := r.Header.Get("Idempotency-Key"); !h.keys[k] {
			h.keys[k] = true
			h.bodies = append(h.bodies, body)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) received() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.bodies...)
}

func TestNotificationNetworkOnEmbeddedStores(t *testing.T) {
	networkScenario(t, false)
}

func TestNotificationNetworkOnPostgres(t *testing.T) {
	networkScenario(t, true)
}

func networkScenario(t *testing.T, pg bool) {
	newInstance := func(name, role string) *netInstance {
		global := []string{"--data-dir", t.TempDir(), "--log-level", "warn"}
		n := &netInstance{name: name}
		if pg {
			global = append(global, "--db", freshPostgresSchema(t))
			n.chain = []string{"--chain", freshPostgresSchema(t)}
		}
		n.cli = cli{t: t, args: global}
		n.cli.ok("keys", "init", "--member", name, "--org", name, "--role", role)
		n.srv, _ = startServer(t, global, "serve")
		return n
	}
	auth := newInstance("npa-jp", "authority")
	exA := newInstance("exchange-a", "exchange")
	exB := newInstance("exchange-b", "exchange")

	// Each exchange and the authority register each other: public keys, the
	// peer's flags collection, and the API key the peer issued to us.
	authPub := auth.publicKey(t)
	for _, ex := range []*netInstance{exA, exB} {
		fromAuth := auth.apiKeyFor(t, ex.name) // ex pulls from the authority with it
		fromEx := ex.apiKeyFor(t, auth.name)   // the authority pushes to ex with it
		auth.cli.ok("members", "add", ex.name, "--org", ex.name, "--role", "exchange", "--key", ex.publicKey(t),
			"--endpoint", ex.flagsURL(), "--endpoint-key-file", writeFile(t, "key", []byte(fromEx)))
		ex.cli.ok("members", "add", auth.name, "--org", "National Police Agency", "--role", "authority", "--key", authPub,
			"--endpoint", auth.flagsURL(), "--endpoint-key-file", writeFile(t, "key", []byte(fromAuth)))
	}

	// The chain up to the theft: the thief's address F holds two outputs.
	ch := newNetChain(t)
	thief, mule, mule2 := newNetParty(t, 0xf1), newNetParty(t, 0xa1), newNetParty(t, 0xa2)
	depositA, depositB, miner := newNetParty(t, 0xda), newNetParty(t, 0xdb), newNetParty(t, 0xcc)
	ch.block([]netPay{{miner, 50_0000_0000}})
	ch.block([]netPay{{thief, 30_0000_0000}, {thief, 20_0000_0000}})
	for _, ex := range []*netInstance{exA, exB} {
		ex.ingest(t, ch.files...)
	}
	exA.cli.ok("watch", "add", "--chain", "btc", "--kind", "deposit", depositA.addr)
	exB.cli.ok("watch", "add", "--chain", "btc", "--kind", "deposit", depositB.addr)

	secret := "whsec-network-test-0123456789"
	hook := newHookReceiver(t, secret)
	exB.cli.ok("webhooks", "add", "--url", hook.srv.URL, "--secret-file", writeFile(t, "secret", []byte(secret)))

	// The authority flags F; both exchanges receive and verify the flag.
	var iss issued
	auth.cli.json(&iss, "flags", "issue", "--chain", "btc", "--address", thief.addr, "--reason", "proceeds of the theft",
		"--incident", "DMM Bitcoin 2024-05-31", "--actor", "TraderTraitor", "--tlp", "amber", "--expires", "90d")
	if iss.ID == "" {
		t.Fatal("flags issue printed no id")
	}
	exA.waitFlag(t, iss.ID, "active")
	exB.waitFlag(t, iss.ID, "active")

	// One block moves F's first output through a mule into B's deposit address.
	cbid := coinbaseOf(t, ch.files[2])
	hop1 := netSpend([]wire.OutPoint{{Hash: cbid, Index: 0}}, netPay{mule, 29_9999_0000})
	hop2 := netSpend([]wire.OutPoint{{Hash: hop1.TxHash(), Index: 0}}, netPay{depositB, 29_9998_0000})
	blk := ch.block([]netPay{{miner, 50_0000_0000}}, hop1, hop2)
	for _, ex := range []*netInstance{exA, exB} {
		ex.ingest(t, blk)
	}
	gotB := exB.alerts(t)
	if len(gotB) != 1 {
		t.Fatalf("exchange B: %d alerts after the laundering block, want 1: %+v", len(gotB), gotB)
	}
	al := gotB[0]
	if al.Address != depositB.addr || al.FlagID != iss.ID || al.Height != ch.height || al.Amount != "2999980000" ||
		al.Tx != hop2.TxHash().String() || al.Hop != 2 || len(al.Path) < 2 || al.Path[len(al.Path)-1] != hop2.TxHash().String() {
		t.Fatalf("exchange B's alert: %+v", al)
	}
	if got := exA.alerts(t); len(got) != 0 {
		t.Fatalf("exchange A alerted on funds that never reached it: %+v", got)
	}
	// B's serve delivers the alert to its webhook, signed.
	deadline := time.Now().Add(30 * time.Second)
	for len(hook.received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if got := hook.received(); len(got) != 1 || !strings.Contains(string(got[0]), al.ID) {
		list, _, _ := exB.cli.run("webhooks", "list")
		dl, _, _ := exB.cli.run("webhooks", "deliveries")
		t.Fatalf("webhook received %d deliveries (bad signatures %d), want the alert %s: %q\nendpoints:\n%s\ndeliveries:\n%s",
			len(got), hook.bad, al.ID, got, list, dl)
	}

	// The authority revokes the flag; both exchanges learn it; the rest of
	// the loot moves to B's deposit address and nothing alerts.
	auth.cli.ok("flags", "revoke", iss.ID, "--reason", "funds returned")
	exA.waitFlag(t, iss.ID, "revoked")
	exB.waitFlag(t, iss.ID, "revoked")
	hop3 := netSpend([]wire.OutPoint{{Hash: cbid, Index: 1}}, netPay{mule2, 19_9999_0000})
	hop4 := netSpend([]wire.OutPoint{{Hash: hop3.TxHash(), Index: 0}}, netPay{depositB, 19_9998_0000})
	blk = ch.block([]netPay{{miner, 50_0000_0000}}, hop3, hop4)
	for _, ex := range []*netInstance{exA, exB} {
		ex.ingest(t, blk)
	}
	if got := exB.alerts(t); len(got) != 1 {
		t.Fatalf("exchange B: %d alerts after the revocation, want still 1: %+v", len(got), got)
	}
	if got := exA.alerts(t); len(got) != 0 {
		t.Fatalf("exchange A: %+v", got)
	}
	time.Sleep(500 * time.Millisecond)
	if got := hook.received(); len(got) != 1 {
		t.Fatalf("webhook received %d deliveries, want 1", len(got))
	}
}

// coinbaseOf reads the coinbase txid of a block file the chain wrote.
func coinbaseOf(t *testing.T, path string) chainhash.Hash {
	t.Helper()
	h, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(string(h))
	if err != nil {
		t.Fatal(err)
	}
	var b wire.MsgBlock
	if err := b.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	return b.Transactions[0].TxHash()
}
