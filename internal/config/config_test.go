package config

import (
	"path/filepath"
	"testing"
	"time"
)

func TestLoadWithoutAFileGivesTheDefaults(t *testing.T) {
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Serve.Listen != "127.0.0.1:8080" || cfg.API.MaxBodyBytes == 0 || cfg.Fetch.OFACURL == "" {
		t.Fatalf("defaults not filled: %+v", cfg)
	}
}

func TestAFileOverridesOnlyTheFieldsItNames(t *testing.T) {
	cfg, err := Load(filepath.Join("testdata", "serve.json"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Serve.Listen != "127.0.0.1:9090" || time.Duration(cfg.Serve.Refresh) != time.Minute || cfg.API.MaxBodyBytes != 2048 {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
	if cfg.Fetch.OFACURL != DefaultConfig().Fetch.OFACURL {
		t.Fatal("a field the file does not name lost its default")
	}
}

func TestBadFilesAreRefused(t *testing.T) {
	for _, name := range []string{"typo.bad.json", "duration.bad.json", "missing.json"} {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(filepath.Join("testdata", name)); err == nil {
				t.Fatal("no error")
			}
		})
	}
}
