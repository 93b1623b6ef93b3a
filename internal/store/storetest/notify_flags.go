package storetest

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
)

// wantRejected accepts env, expects an error wrapping want, and checks the
// rejection was logged and nothing under id became a record or a flag.
func (n *net) wantRejected(t *testing.T, env notify.Envelope, id string, want error) {
	t.Helper()
	before, err := n.st.Rejections(ctx(t), 1000)
	must(t, "Rejections", err)
	_, _, aerr := n.svc.Accept(ctx(t), env, notify.SourcePeer("exchange-b"))
	if !errors.Is(aerr, want) {
		t.Fatalf("Accept: error = %v, want one wrapping %q", aerr, want)
	}
	after, err := n.st.Rejections(ctx(t), 1000)
	must(t, "Rejections", err)
	if len(after) != len(before)+1 || after[0].Reason != aerr.Error() || after[0].Source != "peer:exchange-b" || len(after[0].SHA256) != 64 {
		t.Fatalf("rejection log after %v: %+v", aerr, after)
	}
	if id == "" {
		return
	}
	if _, err := n.st.StoredRecord(ctx(t), id); !errors.Is(err, notify.ErrNotFound) && want != notify.ErrConflict {
		t.Fatalf("a refused record was stored: %v", err)
	}
}

func flagCases() []notifyCase {
	return []notifyCase{
		{"a flag is accepted once; the same bytes again are a duplicate; its envelope is kept byte for byte", func(t *testing.T, n *net) {
			env := sign(t, n.auth, testFlag("f1"))
			if out := n.accept(t, env); out != notify.Accepted {
				t.Fatalf("first Accept = %s", out)
			}
			if out := n.accept(t, env); out != notify.Duplicate {
				t.Fatalf("second Accept = %s", out)
			}
			st, err := n.st.StoredRecord(ctx(t), "f1")
			must(t, "StoredRecord", err)
			if !bytes.Equal(st.Envelope.Payload, env.Payload) || !bytes.Equal(st.Envelope.Signature, env.Signature) || st.Envelope.KeyID != env.KeyID || st.Source != notify.SourceLocal {
				t.Fatalf("stored envelope differs: %+v", st)
			}
			checkTime(t, "received_at", st.ReceivedAt, notifyAt.Add(time.Hour))
			f := n.flag(t, "f1")
			if f.State != notify.StateActive || f.Issuer != "npa-jp" || f.KeyID != n.auth.KeyID() || len(f.Subjects) != 2 || f.TLP != "amber" || f.Confidence != 90 || f.Incident != "DMM Bitcoin 2024-05-31" {
				t.Fatalf("Flag = %+v", f)
			}
			checkTime(t, "expires_at", f.ExpiresAt, notifyAt.Add(90*24*time.Hour))
			vs, err := n.svc.List(ctx(t))
			must(t, "List", err)
			if len(vs) != 1 || !vs[0].Verified || vs[0].State != notify.StateActive {
				t.Fatalf("List = %+v", vs)
			}
		}},
		{"security: forged, unsigned, expired, unknown issuer, unauthorised, oversized and replayed records are refused, logged, and not stored", func(t *testing.T, n *net) {
			good := sign(t, n.auth, testFlag("f1"))
			n.accept(t, good)

			forged := sign(t, n.auth, testFlag("forged"))
			forged.Payload = bytes.Replace(forged.Payload, []byte("bc1qar0"), []byte("bc1qxr0"), 1)
			n.wantRejected(t, forged, "forged", notify.ErrBadSignature)
			n.wantRejected(t, notify.Envelope{Payload: sign(t, n.auth, testFlag("unsigned")).Payload}, "unsigned", notify.ErrBadSignature)
			old := testFlag("expired")
			old.IssuedAt, old.ExpiresAt = notifyAt.Add(-100*24*time.Hour), notifyAt.Add(-10*24*time.Hour)
			n.wantRejected(t, sign(t, n.auth, old), "expired", notify.ErrExpired)
			n.wantRejected(t, sign(t, n.strang, testFlag("unknown")), "unknown", notify.ErrUnknownIssuer)
			n.wantRejected(t, sign(t, n.exch, testFlag("by-exchange")), "by-exchange", notify.ErrNotAuthorised)
			huge := notify.Envelope{Payload: make([]byte, notify.MaxEnvelopeBytes+1), KeyID: good.KeyID, Signature: good.Signature}
			n.wantRejected(t, huge, "", notify.ErrTooLarge)
			// Replay: the same id signed again with other content.
			tampered := testFlag("f1")
			tampered.Reason = "something else"
			n.wantRejected(t, sign(t, n.auth, tampered), "f1", notify.ErrConflict)
			if f := n.flag(t, "f1"); f.Reason != "DMM Bitcoin theft proceeds" {
				t.Fatalf("a refused replay changed the flag: %+v", f)
			}
			// Another authority may not take over an id.
			n.wantRejected(t, sign(t, n.auth2, testFlag("f1")), "f1", notify.ErrConflict)
			fs, err := n.st.Flags(ctx(t))
			must(t, "Flags", err)
			if len(fs) != 1 || fs[0].ID != "f1" {
				t.Fatalf("Flags = %+v", fs)
			}
		}},
		{"a revocation is final: the flag replayed after it stays revoked and cannot be amended", func(t *testing.T, n *net) {
			env := sign(t, n.auth, testFlag("f1"))
			n.accept(t, env)
			rev := notify.Record{ID: "r1", Kind: notify.KindRevocation, Ref: "f1", Reason: "attribution withdrawn", IssuedAt: notifyAt.Add(time.Minute)}
			n.wantRejected(t, sign(t, n.auth2, rev), "r1", notify.ErrNotAuthorised)
			n.accept(t, sign(t, n.auth, rev))
			if out := n.accept(t, env); out != notify.Duplicate {
				t.Fatalf("replayed flag: %s", out)
			}
			if f := n.flag(t, "f1"); f.State != notify.StateRevoked || f.RevokedBy != "r1" {
				t.Fatalf("Flag = %+v", f)
			}
			am := notify.Record{ID: "a1", Kind: notify.KindAmendment, Ref: "f1", Confidence: 50, IssuedAt: notifyAt.Add(2 * time.Minute)}
			n.wantRejected(t, sign(t, n.auth, am), "a1", notify.ErrConflict)
			rev2 := rev
			rev2.ID = "r2"
			n.accept(t, sign(t, n.auth, rev2))
			if f := n.flag(t, "f1"); f.RevokedBy != "r1" {
				t.Fatalf("the second revocation replaced the first: %+v", f)
			}
			if got := activeIDs(t, n, ""); got != "" {
				t.Fatalf("Active = %s", got)
			}
			h, err := n.st.FlagHistory(ctx(t), "f1")
			must(t, "FlagHistory", err)
			if len(h) != 3 || h[0].Record.ID != "f1" || h[1].Record.ID != "r1" || h[2].Record.ID != "r2" || !bytes.Equal(h[0].Envelope.Payload, env.Payload) {
				t.Fatalf("FlagHistory = %+v", h)
			}
		}},
		{"a revocation that arrives before its flag holds: the flag then arrives revoked", func(t *testing.T, n *net) {
			rev := notify.Record{ID: "r1", Kind: notify.KindRevocation, Ref: "f1", IssuedAt: notifyAt.Add(time.Minute)}
			n.accept(t, sign(t, n.auth, rev))
			if f := n.flag(t, "f1"); !f.Pending || f.State != notify.StateRevoked {
				t.Fatalf("Flag = %+v", f)
			}
			n.accept(t, sign(t, n.auth, testFlag("f1")))
			f := n.flag(t, "f1")
			if f.Pending || f.State != notify.StateRevoked || len(f.Subjects) != 2 || f.KeyID != n.auth.KeyID() {
				t.Fatalf("Flag = %+v", f)
			}
		}},
		{"amendments come only from the issuer, apply newest-wins, and add subjects", func(t *testing.T, n *net) {
			n.accept(t, sign(t, n.auth, testFlag("f1")))
			tx := notify.Subject{Chain: "btc", TxID: strings.Repeat("ab", 32), Vout: new(uint32)}
			newer := notify.Record{ID: "a2", Kind: notify.KindAmendment, Ref: "f1", Confidence: 60, TLP: "red", IssuedAt: notifyAt.Add(2 * time.Minute)}
			older := notify.Record{ID: "a1", Kind: notify.KindAmendment, Ref: "f1", Confidence: 99, Subjects: []notify.Subject{tx}, IssuedAt: notifyAt.Add(time.Minute)}
			n.accept(t, sign(t, n.auth, newer))
			n.accept(t, sign(t, n.auth, older))
			f := n.flag(t, "f1")
			if f.State != notify.StateAmended || f.Confidence != 60 || f.TLP != "red" || len(f.Subjects) != 3 || f.Reason != "DMM Bitcoin theft proceeds" {
				t.Fatalf("Flag = %+v", f)
			}
			checkTime(t, "amended_at", f.AmendedAt, notifyAt.Add(2*time.Minute))
			n.wantRejected(t, sign(t, n.auth2, notify.Record{ID: "a3", Kind: notify.KindAmendment, Ref: "f1", Confidence: 1, IssuedAt: notifyAt}), "a3", notify.ErrNotAuthorised)
			n.wantRejected(t, sign(t, n.auth, notify.Record{ID: "a4", Kind: notify.KindAmendment, Ref: "nope", Confidence: 1, IssuedAt: notifyAt}), "a4", notify.ErrNotFound)
			if got := activeIDs(t, n, "btc"); got != "f12" {
				t.Fatalf("Active(btc) = %s", got)
			}
		}},
		{"Active lists unexpired, unrevoked flags of trusted keys, cut to the chain", func(t *testing.T, n *net) {
			n.accept(t, sign(t, n.auth, testFlag("both")))
			n.accept(t, sign(t, n.auth2, testFlag("eth-only", notify.Subject{Chain: "eth", Address: "0x00000000219ab540356cbb839cbe05303d7705fa"})))
			short := testFlag("short")
			short.ExpiresAt = notifyAt.Add(90 * time.Minute)
			n.accept(t, sign(t, n.auth, short))
			if got := activeIDs(t, n, "btc"); got != "both1,short1" {
				t.Fatalf("Active(btc) = %s", got)
			}
			if got := activeIDs(t, n, "eth"); got != "both1,eth-only1,short1" {
				t.Fatalf("Active(eth) = %s", got)
			}
			fs, err := n.svc.Active(ctx(t), "", notifyAt.Add(2*time.Hour))
			must(t, "Active later", err)
			if len(fs) != 2 {
				t.Fatalf("expired flag still active: %+v", fs)
			}
			must(t, "RemoveMember", n.st.RemoveMember(ctx(t), "fbi-us"))
			if got := activeIDs(t, n, "eth"); got != "both1,short1" {
				t.Fatalf("Active(eth) after removing the issuer = %s", got)
			}
			vs, err := n.svc.List(ctx(t))
			must(t, "List", err)
			for _, v := range vs {
				if v.Verified == (v.ID == "eth-only") {
					t.Errorf("%s verified = %v", v.ID, v.Verified)
				}
			}
		}},
		{"the same record accepted by many writers at once is stored once", func(t *testing.T, n *net) {
			env := sign(t, n.auth, testFlag("f1"))
			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				outs = map[notify.Outcome]int{}
			)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					out, _, err := n.svc.Accept(ctx(t), env, notify.SourceAPI)
					if err != nil {
						t.Errorf("Accept: %v", err)
					}
					mu.Lock()
					outs[out]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			if outs[notify.Accepted] != 1 || outs[notify.Duplicate] != 7 {
				t.Fatalf("outcomes %v", outs)
			}
			h, err := n.st.FlagHistory(ctx(t), "f1")
			must(t, "FlagHistory", err)
			if len(h) != 1 {
				t.Fatalf("%d records", len(h))
			}
		}},
	}
}
