package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeSignsInspectionReports gets a report from a running `interdict
// serve` through GET /v1/inspections/{id}/report: 503 while the instance has
// no identity; after `keys init` (serve still running) the report is signed
// with the identity's key, and `interdict inspect verify` accepts it against
// the public key `keys show` prints and rejects it once tampered.
func TestServeSignsInspectionReports(t *testing.T) {
	dir := t.TempDir()
	c := cli{t: t, args: []string{"--data-dir", dir, "--log-level", "warn"}}
	var key struct {
		Secret string `json:"secret"`
	}
	c.json(&key, "keys", "create", "--name", "auditor", "--member", "acme", "--role", "analyst")
	srv, _ := startServer(t, c.args, "serve")

	for _, req := range [][2]string{
		{"/v1/inspections", `{"id":"q1","title":"2026 Q4"}`},
		{"/v1/inspections/q1/answers", `{"control":"fsa-2024-09-26:fsa-3","status":"not_implemented"}`},
		{"/v1/inspections/q1/answers", `{"control":"seal-sfc:ms-4.1.1","status":"partial"}`},
	} {
		if code, b := srv.do(t, "POST", req[0], key.Secret, req[1]); code != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", req[0], code, b)
		}
	}
	if code, b := srv.do(t, "GET", "/v1/inspections/q1/report", key.Secret, ""); code != http.StatusServiceUnavailable ||
		!strings.Contains(string(b), "not_ready") {
		t.Fatalf("without an identity: %d %s; want 503 not_ready", code, b)
	}

	var id identityOut
	c.json(&id, "keys", "init", "--member", "acme", "--org", "Acme Exchange KK", "--role", "exchange")
	code, report := srv.do(t, "GET", "/v1/inspections/q1/report", key.Secret, "")
	if code != http.StatusOK {
		t.Fatalf("report: %d %s", code, report)
	}
	path := filepath.Join(dir, "q1.json")
	if err := os.WriteFile(path, report, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := c.ok("inspect", "verify", path, "--public-key", id.PublicKey); !strings.Contains(got, "verified") || !strings.Contains(got, "q1") {
		t.Fatalf("verify: %s", got)
	}

	// Another key, and a tampered report, fail with 65.
	other := filepath.Join(dir, "other.pem")
	otherPub := strings.TrimSpace(c.ok("inspect", "keygen", other))
	if _, errOut, code := c.run("inspect", "verify", path, "--public-key", otherPub); code != 65 {
		t.Fatalf("verify against another key: exit %d (%s), want 65", code, errOut)
	}
	bad := filepath.Join(dir, "tampered.json")
	if err := os.WriteFile(bad, bytes.Replace(report, []byte(`"partial"`), []byte(`"implemented"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := c.run("inspect", "verify", bad, "--public-key", id.PublicKey); code != 65 {
		t.Fatalf("verify a tampered report: exit %d (%s), want 65", code, errOut)
	}
}
