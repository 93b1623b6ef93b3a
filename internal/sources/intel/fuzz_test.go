package intel

import (
	"bytes"
	"testing"
)

func FuzzDecodeATTACK(f *testing.F) {
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"intrusion-set","id":"intrusion-set--1","name":"L","aliases":["L","Z"],"external_references":[{"source_name":"mitre-attack","external_id":"G0032"}]},{"type":"malware","id":"malware--1","name":"M","x_mitre_aliases":["M"]},{"type":"relationship","id":"relationship--1","relationship_type":"uses","source_ref":"intrusion-set--1","target_ref":"malware--1"}]}`))
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"campaign","id":"campaign--1","name":"C"},{"type":"relationship","id":"r","relationship_type":"attributed-to","source_ref":"campaign--1","target_ref":"campaign--1"}]}`))
	f.Add([]byte(`{"type":"bundle","objects":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := DecodeATTACK(bytes.NewReader(data))
		if err != nil {
			return
		}
		c := NewCatalog()
		c.AddATTACK(a)
		for _, act := range c.actors {
			c.Profile(act.Name)
		}
	})
}

func FuzzDecodeGalaxy(f *testing.F) {
	f.Add([]byte(`{"type":"threat-actor","values":[{"value":"T","uuid":"u1","meta":{"synonyms":["J"],"country":"KP"},"related":[{"dest-uuid":"u2","type":"similar","tags":["estimative-language:likelihood-probability=\"likely\""]}]},{"value":"L","uuid":"u2","related":[{"dest-uuid":"u1","type":"similar"}]}]}`))
	f.Add([]byte(`{"type":"malpedia","values":[{"value":"AppleJeus","uuid":"m1","meta":{"refs":["https://example/TraderTraitor.pdf"]}}]}`))
	f.Add([]byte(`{"type":"x","values":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := DecodeGalaxy(bytes.NewReader(data))
		if err != nil {
			return
		}
		c := NewCatalog()
		c.AddGalaxy(g)
		c.AddGalaxy(g)
		for _, act := range c.actors {
			c.Profile(act.Name)
		}
	})
}
