package lists

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions/ofac"
)

// readOFAC reads the uncompressed 2025-11-19 SDN XML (121 MB) into memory, so
// the benchmarks measure parsing, not decompression.
func readOFAC(b *testing.B) []byte {
	b.Helper()
	return sharedtest.ReadAll(b, "ofac", "sdn_advanced_2025-11-19.xml.bz2")
}

// BenchmarkLoadOFAC measures the CPU side of Service.Load on the full SDN
// list: hashing and parsing the XML, then encoding the entity blob. MB/s is of
// uncompressed XML.
func BenchmarkLoadOFAC(b *testing.B) {
	xml := readOFAC(b)
	ctx := context.Background()
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(xml)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ofac.Parse(ctx, bytes.NewReader(xml)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hash+parse+encode", func(b *testing.B) {
		b.SetBytes(int64(len(xml)))
		b.ReportAllocs()
		for b.Loop() {
			h := sha256.New()
			l, err := ofac.Parse(ctx, io.TeeReader(bytes.NewReader(xml), h))
			if err != nil {
				b.Fatal(err)
			}
			h.Sum(nil)
			if _, err := encodeEntities(l.Entities); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeEntities measures decoding the full SDN list's blob, the
// store-side half of start-up.
func BenchmarkDecodeEntities(b *testing.B) {
	l, err := ofac.Parse(context.Background(), bytes.NewReader(readOFAC(b)))
	if err != nil {
		b.Fatal(err)
	}
	blob, err := encodeEntities(l.Entities)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeEntities(blob); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(blob)), "blob-bytes")
}
