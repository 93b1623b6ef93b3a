package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// The shipped files are what the generator derives from ../shared/data today.
func TestShippedFilesAreDerivedFromSharedData(t *testing.T) {
	data := sharedtest.Path(t)
	out := t.TempDir()
	if err := run(data, out); err != nil {
		t.Fatalf("run: %v", err)
	}
	shipped := filepath.Join("..", "..", "internal", "action", "inspect", "data")
	for _, name := range []string{"seal-sfc.json", "ccss-2021.json", "attack-mitigations.json", "seal-sfc.LICENSE", "ccss-2021.LICENSE.md", "attack-mitigations.LICENSE.txt"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(shipped, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from a fresh derivation: run go generate ./internal/action/inspect", name)
		}
	}
}

func TestMissingSourceIsAnError(t *testing.T) {
	if err := run(t.TempDir(), t.TempDir()); err == nil {
		t.Fatal("run on an empty folder succeeded")
	}
}
