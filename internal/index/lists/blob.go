package lists

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"fmt"
	"io"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// Entity blob format: one version byte, then a gzip stream of the gob encoding
// of []sanctions.Entity. Measured on the full 2025-11-19 SDN list (18367
// entities): gob+gzip is 1.15 MB and decodes in ~50 ms; plain gob is 4.3 MB
// and ~32 ms; JSON is 8 MB and ~120 ms (docs/benchmarks.md, "List load and
// start-up"). Start-up decodes every latest version, so decoding speed and
// store size matter more than encoding speed. Gob drops fields it does not
// know and zeroes missing ones, so adding a field to sanctions.Entity needs
// no new format version; renaming or retyping one does.
const blobFormatGobGzip byte = 1

// maxBlobInflated bounds the decompressed size of a blob (the full SDN list is
// 4.3 MB), so a corrupt row cannot exhaust memory.
const maxBlobInflated = 1 << 30

func encodeEntities(entities []sanctions.Entity) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte(blobFormatGobGzip)
	z := gzip.NewWriter(&buf)
	if err := gob.NewEncoder(z).Encode(entities); err != nil {
		return nil, fmt.Errorf("encode entities: %w", err)
	}
	if err := z.Close(); err != nil {
		return nil, fmt.Errorf("encode entities: %w", err)
	}
	return buf.Bytes(), nil
}

func decodeEntities(blob []byte) ([]sanctions.Entity, error) {
	if len(blob) == 0 {
		return nil, fmt.Errorf("decode entities: empty blob: %w", ErrCorrupt)
	}
	if blob[0] != blobFormatGobGzip {
		return nil, fmt.Errorf("decode entities: unknown blob format %d: %w", blob[0], ErrCorrupt)
	}
	z, err := gzip.NewReader(bytes.NewReader(blob[1:]))
	if err != nil {
		return nil, fmt.Errorf("decode entities: %v: %w", err, ErrCorrupt)
	}
	lr := &io.LimitedReader{R: z, N: maxBlobInflated}
	var entities []sanctions.Entity
	if err := gob.NewDecoder(lr).Decode(&entities); err != nil {
		return nil, fmt.Errorf("decode entities: %v: %w", err, ErrCorrupt)
	}
	// Read to the end so gzip verifies its checksum.
	if n, err := io.Copy(io.Discard, lr); err != nil || n != 0 {
		return nil, fmt.Errorf("decode entities: trailing data or bad checksum (%v): %w", err, ErrCorrupt)
	}
	return entities, nil
}
