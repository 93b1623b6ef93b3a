package inspect

import (
	"testing"
	"time"
)

func TestReadingAppliesOnlyItsFacts(t *testing.T) {
	cfg := hardened(t)
	var r Reading
	r.Collector, r.ReadAt = "github", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	r.Facts.Code.TwoFactorRequired = Bool(false)
	if err := r.Apply(&cfg); err != nil {
		t.Fatal(err)
	}
	if *cfg.Code.TwoFactorRequired || !*cfg.Code.BranchProtection || !*cfg.Signing.ClearSigning || *cfg.Multisig.Threshold != 3 {
		t.Fatalf("applied %+v", cfg)
	}
	c := loadCatalogue(t)
	ev, err := c.Evaluate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.FailedChecks(); len(got) != 1 || got[0] != "source-control" {
		t.Fatalf("failed %v", got)
	}
	if h, err := r.SHA256(); err != nil || len(h) != 64 {
		t.Fatalf("sha256 %q %v", h, err)
	}
}
