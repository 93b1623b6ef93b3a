package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// server is an interdict process serving HTTP on a loopback port.
type server struct {
	url string
	cmd *exec.Cmd
}

// startServer runs `interdict <global...> <args...>` with --listen
// 127.0.0.1:0 and waits for the line that gives its URL (on stdout for demo,
// stderr for serve). The process is stopped with SIGINT at cleanup.
func startServer(t *testing.T, global []string, args ...string) (*server, *lockedBuffer) {
	t.Helper()
	all := append(append(append([]string{}, global...), args...), "--listen", "127.0.0.1:0")
	cmd := exec.Command(binPath, all...)
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	banner := &lockedBuffer{}
	urls := make(chan string, 2)
	re := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	scan := func(r io.Reader, keep bool) {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := sc.Text()
			if keep {
				banner.WriteString(line + "\n")
			}
			if m := re.FindString(line); m != "" && (strings.Contains(line, "URL:") || strings.Contains(line, "serving on")) {
				urls <- m
			}
		}
	}
	go scan(stdout, true)
	go scan(stderr, false)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server did not shut down cleanly: %v", err)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("server did not shut down within 10s of SIGINT")
		}
	})
	select {
	case u := <-urls:
		return &server{url: u, cmd: cmd}, banner
	case <-time.After(60 * time.Second):
		t.Fatal("server did not print its URL within 60s")
	}
	return nil, nil
}

// lockedBuffer collects a server's stdout while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) WriteString(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor polls the buffer until re matches, for at most 10s.
func (l *lockedBuffer) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(l.String()); m != nil {
			return m
		}
	}
	t.Fatalf("%v never appeared in:\n%s", re, l.String())
	return nil
}

func (s *server) do(t *testing.T, method, path, key, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func hitsLazarus(t *testing.T, s *server, key string) (bool, int) {
	t.Helper()
	code, body := s.do(t, "POST", "/v1/screen", key,
		`{"addresses":["0x098B716B8Aaf21512996dC57EB0615e2383E2f96","0x0000000000000000000000000000000000000001"]}`)
	if code != http.StatusOK {
		return false, code
	}
	var doc screenDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("screen answer: %v\n%s", err, body)
	}
	if len(doc.Results) != 2 || doc.Results[1].Hit {
		t.Fatalf("screen answer %s", body)
	}
	return doc.Results[0].Hit && doc.Results[0].Matches[0].EntityID == "27307", code
}

func TestDemoServesBundledListsWithThePrintedKey(t *testing.T) {
	s, banner := startServer(t, []string{"--data-dir", t.TempDir()}, "demo")
	m := banner.waitFor(t, regexp.MustCompile(`API key:\s+(\S+)`))
	hit, code := hitsLazarus(t, s, m[1])
	if !hit {
		t.Fatalf("the Lazarus Group address is not a hit (HTTP %d)", code)
	}
	if code, _ := s.do(t, "POST", "/v1/screen", "", `{"addresses":["x"]}`); code != http.StatusUnauthorized {
		t.Fatalf("no key: HTTP %d, want 401", code)
	}
	if code, _ := s.do(t, "GET", "/readyz", "", ""); code != http.StatusOK {
		t.Fatalf("/readyz: HTTP %d", code)
	}
}

// TestTwoAPINodesShareOnePostgres runs two API processes on one PostgreSQL
// database: a key minted by the CLI works on both, a list loaded by the CLI
// reaches both indexes, and a key revoked through one node is refused by the other.
func TestTwoAPINodesShareOnePostgres(t *testing.T) {
	db := freshPostgresSchema(t)
	global := []string{"--data-dir", t.TempDir(), "--db", db}
	c := cli{t: t, args: global}
	var created struct {
		ID     string `json:"id"`
		Secret string `json:"key"`
	}
	c.json(&created, "keys", "create", "--name", "ops", "--role", "admin")

	a, _ := startServer(t, global, "serve", "--refresh", "200ms")
	b, _ := startServer(t, global, "serve", "--refresh", "200ms")
	for _, s := range []*server{a, b} {
		if hit, code := hitsLazarus(t, s, created.Secret); hit || code != http.StatusOK {
			t.Fatalf("%s before any list: hit=%v HTTP %d, want a clean 200", s.url, hit, code)
		}
	}

	sample, _ := filepath.Abs("../../internal/sources/sanctions/ofac/testdata/sdn_advanced_sample.xml")
	c.ok("lists", "load", "--source", "ofac", sample)
	for _, s := range []*server{a, b} {
		deadline := time.Now().Add(15 * time.Second)
		for {
			if hit, _ := hitsLazarus(t, s, created.Secret); hit {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not pick up the list loaded on the shared database", s.url)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	if code, body := a.do(t, "DELETE", "/v1/keys/"+created.ID, created.Secret, ""); code/100 != 2 {
		t.Fatalf("revoke through node A: HTTP %d %s", code, body)
	}
	if _, code := hitsLazarus(t, b, created.Secret); code != http.StatusUnauthorized {
		t.Fatalf("node B accepted a key revoked through node A: HTTP %d", code)
	}
}

// freshPostgresSchema returns a URL of the test PostgreSQL server whose
// search_path is a new empty schema, dropped at cleanup.
func freshPostgresSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("INTERDICT_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("INTERDICT_TEST_POSTGRES_URL is not set and CI is: run the suite with `make test`")
		}
		t.Skip("INTERDICT_TEST_POSTGRES_URL is not set; `make test` starts PostgreSQL")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("cli_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
