package github

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/inspect"
)

var readAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestCollect(t *testing.T) {
	for _, tc := range []struct {
		name, file           string
		twoFA, prot, noAdmin bool
		findings             []string
		failed               []string
	}{
		{"a hardened organisation passes (archived repositories are not counted)", "org-hardened.json", true, true, true, nil, nil},
		{"a weak organisation fails source-control with a finding per problem", "org-weak.json", false, false, false, []string{
			"acme-custody/infra: default branch main is protected without a required approving review",
			"acme-custody/signer-ui: default branch main is not protected",
			"acme-custody/wallet-service: default branch main allows force pushes",
			"acme-custody/wallet-service: outside collaborator contractor-x has admin",
			"member dev-one has two-factor authentication disabled",
			"organisation acme-custody: two_factor_requirement_enabled is false",
		}, []string{"source-control"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Collect(b, "file://"+tc.file, readAt)
			if err != nil {
				t.Fatal(err)
			}
			f := r.Facts.Code
			if *f.TwoFactorRequired != tc.twoFA || *f.BranchProtection != tc.prot || *f.NoOutsideAdmins != tc.noAdmin {
				t.Fatalf("facts %+v", f)
			}
			if !slices.Equal(r.Findings, tc.findings) {
				t.Errorf("findings:\n%s", strings.Join(r.Findings, "\n"))
			}
			if len(r.Read) != 1 || !strings.Contains(r.Read[0], "sha256 ") || !r.ReadAt.Equal(readAt) {
				t.Errorf("read %v", r.Read)
			}
			var cfg inspect.Config
			if err := r.Apply(&cfg); err != nil {
				t.Fatal(err)
			}
			c, err := inspect.Load()
			if err != nil {
				t.Fatal(err)
			}
			ev, err := c.Evaluate(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.FailedChecks(); !slices.Equal(got, tc.failed) {
				t.Errorf("failed checks %v, want %v", got, tc.failed)
			}
		})
	}
}

func TestBadExportsAreRefused(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.bad.json"))
	if len(files) < 4 {
		t.Fatalf("bad exports %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Collect(b, f, readAt); !errors.Is(err, ErrExport) {
				t.Fatalf("err = %v, want ErrExport", err)
			}
		})
	}
}

func FuzzCollect(f *testing.F) {
	for _, name := range []string{"org-hardened.json", "org-weak.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Collect(b, "fuzz", readAt)
		if err == nil && (r.Facts.Code.TwoFactorRequired == nil || r.Facts.Code.BranchProtection == nil) {
			t.Fatal("a decoded export decides every fact")
		}
	})
}
