package inspect

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeScenario: scenario and config decoding never panics, and a
// decoded scenario replays without panicking.
func FuzzDecodeScenario(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "scenarios", "*.json"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"heist":"upbit-2019","config":{"multisig":{"signers":1,"threshold":0}}}`))
	c, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, cfg, err := DecodeScenario(b)
		if err != nil {
			return
		}
		_, _ = c.Replay(s, cfg)
	})
}

// FuzzDecodeFramework: a catalogue file never panics the decoder.
func FuzzDecodeFramework(f *testing.F) {
	for _, n := range []string{"fsa-2024-09-26.json", "ccss-2021.json"} {
		if b, err := dataFS.ReadFile("data/" + n); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"framework":"x","source":"s","license":"l","groups":[{"id":"g"}],"controls":[null]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeFramework(b)
	})
}
