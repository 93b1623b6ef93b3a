package hubfilter

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// addrs returns n distinct synthetic EVM addresses starting at seed.
func addrs(seed, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("0x%040x", seed+i)
	}
	return out
}

func TestFilter(t *testing.T) {
	for _, bits := range []int{8, 16} {
		t.Run(fmt.Sprintf("%d-bit: no false negative among 10k, false positives near 2^-bits", bits), func(t *testing.T) {
			in := addrs(1, 10_000)
			f, err := Build("eth", 21_000_000, in, bits)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range in {
				if !f.Contains(a) {
					t.Fatalf("false negative: %s", a)
				}
			}
			// Upper case is the same EVM address.
			if !f.Contains(strings.ToUpper(in[0][2:])) && !f.Contains("0x"+strings.ToUpper(in[0][2:])) {
				t.Errorf("the upper-case form of a member was not found")
			}
			const probes = 1_000_000
			fp := len(f.Check(addrs(1_000_000_000, probes)))
			rate := float64(fp) / probes
			if want := f.FPRate(); rate > 2*want+1e-5 {
				t.Errorf("false-positive rate %.6f, expected about %.6f", rate, want)
			}
			t.Logf("bits=%d: %d bytes for %d addresses = %.2f bits/address; measured FP %.6f (%d of %d), expected %.6f",
				bits, f.Size(), f.Count, float64(8*f.Size())/float64(f.Count), rate, fp, probes, f.FPRate())
		})
	}
	t.Run("the filter of another chain does not match the same address", func(t *testing.T) {
		const a = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
		f, _ := Build("btc", 1, []string{a}, 16)
		if Key("btc", a) == Key("eth", a) {
			t.Fatal("keys do not depend on the chain")
		}
		if !f.Contains(strings.ToUpper(a)) {
			t.Error("bech32 in upper case is the same address")
		}
	})
	t.Run("an empty block encodes to a header that matches nothing", func(t *testing.T) {
		f, err := Build("btc", 7, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := f.MarshalBinary()
		g, err := Decode(b)
		if err != nil || g.Count != 0 || g.Contains("bc1q") || g.FPRate() != 0 || g.Bits != DefaultBits || len(b) != f.Size() {
			t.Errorf("empty filter round trip: %+v %v (%d bytes)", g, err, len(b))
		}
	})
	t.Run("a filter survives the wire and duplicates count once", func(t *testing.T) {
		in := append(addrs(5, 300), addrs(5, 10)...)
		for _, bits := range []int{8, 16} {
			f, _ := Build("eth", 9, in, bits)
			b, err := f.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != f.Size() {
				t.Errorf("Size %d, encoded %d", f.Size(), len(b))
			}
			g, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if g.Count != 300 || g.Chain != "eth" || g.Height != 9 || g.Bits != bits || len(g.Check(in)) != len(in) {
				t.Errorf("decoded %+v", g)
			}
			c, _ := g.MarshalBinary()
			if !bytes.Equal(b, c) {
				t.Error("re-encoding differs")
			}
		}
	})
	t.Run("bad requests are refused", func(t *testing.T) {
		for _, c := range []struct {
			chain  string
			height int64
			bits   int
		}{{"", 1, 16}, {"ETH", 1, 16}, {"eth/x", 1, 16}, {"eth", -1, 16}, {"eth", 1, 12}} {
			if _, err := Build(c.chain, c.height, addrs(1, 3), c.bits); !errors.Is(err, ErrInvalid) {
				t.Errorf("Build(%q, %d, bits %d) = %v, want ErrInvalid", c.chain, c.height, c.bits, err)
			}
		}
	})
}

func TestDecodeRefusesMalformed(t *testing.T) {
	f, _ := Build("eth", 9, addrs(1, 100), 16)
	good, _ := f.MarshalBinary()
	mut := func(fn func(b []byte) []byte) []byte { return fn(bytes.Clone(good)) }
	// Offsets: magic 0, version 4, bits 5, reserved 6, height 8, chain
	// length 16, "eth" 17, count 20, seed 24, segment length 32, mask 36,
	// segment count 40, count length 44, fingerprints 48, data 52.
	put32 := func(b []byte, at int, v uint32) []byte { binary.LittleEndian.PutUint32(b[at:], v); return b }
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"nothing", nil, "truncated at magic"},
		{"another magic", mut(func(b []byte) []byte { b[0] = 'X'; return b }), "bad magic"},
		{"a future version", mut(func(b []byte) []byte { b[4] = 2; return b }), "version 2"},
		{"12-bit fingerprints", mut(func(b []byte) []byte { b[5] = 12; return b }), "12-bit"},
		{"reserved bytes set", mut(func(b []byte) []byte { b[7] = 1; return b }), "reserved"},
		{"a negative height", mut(func(b []byte) []byte { b[15] = 0x80; return b }), "negative height"},
		{"an upper-case chain", mut(func(b []byte) []byte { b[17] = 'E'; return b }), "chain"},
		{"a chain longer than the data", mut(func(b []byte) []byte { b[16] = 250; return b[:30] }), "truncated at chain"},
		{"a segment length that is no power of two", mut(func(b []byte) []byte { return put32(b, 32, 3) }), "segment length"},
		{"a mask that does not match", mut(func(b []byte) []byte { return put32(b, 36, 1) }), "segment length"},
		{"segments that do not add up", mut(func(b []byte) []byte { return put32(b, 40, 1_000_000) }), "segments of"},
		{"more fingerprints than segments", mut(func(b []byte) []byte { return put32(b, 48, 1<<31) }), "fingerprints for"},
		{"fingerprints cut short", good[:len(good)-1], "bytes of fingerprints"},
		{"bytes after the fingerprints", append(bytes.Clone(good), 0), "bytes of fingerprints"},
		{"bytes after an empty filter", append(emptyFilter(), 1), "after an empty filter"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.data)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Decode = %v, want ErrMalformed saying %q", err, c.want)
			}
		})
	}
}

func emptyFilter() []byte {
	f, _ := Build("btc", 1, nil, 8)
	b, _ := f.MarshalBinary()
	return b
}

func FuzzDecode(f *testing.F) {
	for _, bits := range []int{8, 16} {
		g, _ := Build("btc", 840_000, addrs(1, 20), bits)
		b, _ := g.MarshalBinary()
		f.Add(b)
	}
	f.Add(emptyFilter())
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := Decode(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		_ = g.Check(addrs(1, 50)) // must not panic whatever the parameters
		b, err := g.MarshalBinary()
		if err != nil || !bytes.Equal(b, data) {
			t.Fatalf("a decoded filter does not re-encode to its bytes: %v", err)
		}
	})
}

// blocks is a TaintedSource over a map, processed up to its highest key.
type blocks map[int64][]string

func (b blocks) ProcessedHeight(context.Context, string) (int64, error) {
	top := int64(-1)
	for h := range b {
		top = max(top, h)
	}
	return top, nil
}

func (b blocks) TaintedAddresses(_ context.Context, chainName string, h int64) ([]string, error) {
	a, ok := b[h]
	if !ok || chainName != "eth" {
		return nil, ErrNotFound
	}
	return a, nil
}

func TestClientCheck(t *testing.T) {
	src := blocks{10: addrs(100, 50), 11: nil, 12: addrs(900, 5), 19: nil}
	hub := NewHub(src, 16, 2)
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		if r.Header.Get("Authorization") != "Bearer k1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		parts := strings.Split(r.URL.Path, "/") // "", v1, filters, chain, height
		h, _ := strconv.ParseInt(parts[4], 10, 64)
		e, err := hub.Filter(r.Context(), parts[3], h)
		if err != nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set(HeaderVersion, strconv.Itoa(Version))
		_, _ = w.Write(e.Bytes)
	}))
	defer srv.Close()
	c := &Client{Base: srv.URL + "/", Key: "k1"}
	watched := append(addrs(5_000_000, 1000), addrs(120, 1)[0], addrs(902, 1)[0])
	rep, err := c.Check(t.Context(), "eth", 10, 20, watched)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 4 || len(rep.Missing) != 7 || rep.Missing[0] != 13 || rep.Missing[6] != 20 {
		t.Errorf("report %+v: want blocks 10-12 and 19 checked, 13-18 and 20 missing", rep)
	}
	hit := map[string]int64{}
	for _, c := range rep.Candidates {
		hit[c.Address] = c.Height
	}
	if hit[addrs(120, 1)[0]] != 10 || hit[addrs(902, 1)[0]] != 12 {
		t.Errorf("candidates %+v miss a tainted watched address", rep.Candidates)
	}
	for _, p := range paths {
		if strings.Contains(p, "0x") {
			t.Errorf("a watched address went to the hub: %s", p)
		}
	}
	if _, err := (&Client{Base: srv.URL, Key: "wrong"}).Fetch(t.Context(), "eth", 10); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("a refused key gave %v", err)
	}
	// Processed up to 19: blocks 10-13 are deep enough to cache; the cache
	// holds two.
	if len(hub.cache) != 2 || hub.cache[hubKey{"eth", 12}] == nil {
		t.Errorf("cache %v, want blocks 11 and 12", hub.order)
	}
	if _, ok := hub.cache[hubKey{"eth", 19}]; ok {
		t.Error("a block within CacheDepth of the tip was cached")
	}
	hub.Forget("eth", 11)
	if len(hub.cache) != 0 {
		t.Errorf("%d cached after Forget from 11", len(hub.cache))
	}
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{100, 10_000, 100_000} {
		for _, bits := range []int{8, 16} {
			in := addrs(1, n)
			b.Run(fmt.Sprintf("addresses=%d/bits=%d", n, bits), func(b *testing.B) {
				b.ReportAllocs()
				var f *Filter
				for b.Loop() {
					var err error
					if f, err = Build("eth", 1, in, bits); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(8*f.Size())/float64(n), "bits/address")
				b.ReportMetric(float64(f.Size()), "bytes")
			})
		}
	}
}

func BenchmarkCheck10kWatched(b *testing.B) {
	f, _ := Build("eth", 1, addrs(1, 10_000), 16)
	watched := addrs(1_000_000, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		_ = f.Check(watched)
	}
}
