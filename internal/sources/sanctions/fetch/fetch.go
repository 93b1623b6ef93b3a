// Package fetch downloads the published sanctions lists (OFAC's SDN advanced XML
// and the UN consolidated XML) to local files, and opens list files whether they
// are plain, gzip or bzip2.
//
// A download is a conditional GET (If-None-Match / If-Modified-Since from the
// previous download's ETag and Last-Modified; 304 means "not modified"). The body
// is streamed to a temporary file in the destination directory while its SHA-256
// is computed, checked against an optional expected digest (OFAC publishes one
// per file) and a size limit, then renamed into place, so a reader never sees a
// partial list. Network errors, 5xx and 429 answers are retried with exponential
// back-off; cancelling ctx stops a download or a back-off at once.
package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// Where the lists are published.
const (
	DefaultOFACURL = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML"
	DefaultUNURL   = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
)

// Config configures downloads.
type Config struct {
	OFACURL   string `json:"ofac_url"`
	UNURL     string `json:"un_url"`
	UserAgent string `json:"user_agent"`
	// Timeout bounds one attempt, from the request to the last byte of the body.
	Timeout time.Duration `json:"timeout"`
	// MaxBytes bounds the size of a downloaded list (the SDN list is ~120 MB).
	MaxBytes int64 `json:"max_bytes"`
	// Retries is how many times a failed attempt is retried (0: try once).
	Retries int `json:"retries"`
	// RetryBackoff is the wait before the first retry; it doubles for each
	// further retry, up to MaxBackoff. A Retry-After header may ask for longer,
	// within MaxBackoff.
	RetryBackoff time.Duration `json:"retry_backoff"`
	MaxBackoff   time.Duration `json:"max_backoff"`
}

// DefaultConfig returns the settings for the public list URLs.
func DefaultConfig() Config {
	return Config{
		OFACURL:      DefaultOFACURL,
		UNURL:        DefaultUNURL,
		UserAgent:    "interdict-list-fetcher/1 (+https://github.com/interdict/interdict)",
		Timeout:      10 * time.Minute,
		MaxBytes:     1 << 30,
		Retries:      3,
		RetryBackoff: 2 * time.Second,
		MaxBackoff:   time.Minute,
	}
}

// URL returns the configured download URL of a list source.
func (c Config) URL(src sanctions.Source) (string, error) {
	switch src {
	case sanctions.SourceOFAC:
		return c.OFACURL, nil
	case sanctions.SourceUN:
		return c.UNURL, nil
	}
	return "", fmt.Errorf("fetch: %w: %q", sanctions.ErrUnknownSource, src)
}

// Errors a caller can branch on.
var (
	// ErrChecksum means the body's SHA-256 is not the expected one.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrTooLarge means the body exceeds Config.MaxBytes.
	ErrTooLarge = errors.New("download exceeds the size limit")
	// ErrStatus is wrapped by every *StatusError.
	ErrStatus = errors.New("unexpected HTTP status")
)

// StatusError is an HTTP answer other than 200 or 304.
type StatusError struct {
	URL    string
	Code   int
	Status string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("fetch %s: %s", e.URL, e.Status)
}

// Unwrap lets errors.Is(err, ErrStatus) match.
func (e *StatusError) Unwrap() error { return ErrStatus }

// Doer sends HTTP requests; *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Fetcher downloads lists.
type Fetcher struct {
	cfg    Config
	client Doer
	log    *slog.Logger
}

// New returns a Fetcher. A nil client means a plain *http.Client (timeouts come
// from Config and ctx); a nil log discards log records.
func New(cfg Config, client Doer, log *slog.Logger) *Fetcher {
	if client == nil {
		client = &http.Client{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Fetcher{cfg: cfg, client: client, log: log}
}

// Request says what to download and where to.
type Request struct {
	URL string
	// Dir is the destination directory (created if missing); Name the file name.
	Dir, Name string
	// ETag and LastModified come from the previous download's Result; when set
	// the request is conditional.
	ETag, LastModified string
	// SHA256 is the expected hex digest of the body; empty means not checked.
	SHA256 string
}

// Result describes a finished download.
type Result struct {
	// NotModified is true when the server answered 304: nothing was written and
	// Path, Size and SHA256 are empty.
	NotModified bool
	Path        string
	Size        int64
	SHA256      string // lower-case hex
	// ETag and LastModified are the server's validators, to pass to the next
	// Request (on 304 they are the request's own when the server sent none).
	ETag, LastModified string
	Attempts           int
}

// Fetch downloads req.URL to req.Dir/req.Name.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (*Result, error) {
	if req.URL == "" || req.Name == "" || req.Dir == "" {
		return nil, errors.New("fetch: request needs URL, Dir and Name")
	}
	want := strings.ToLower(strings.TrimSpace(req.SHA256))
	if want != "" && !isHexDigest(want) {
		return nil, fmt.Errorf("fetch: expected SHA-256 %q is not 64 hex digits", req.SHA256)
	}
	if err := os.MkdirAll(req.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	for attempt := 1; ; attempt++ {
		res, wait, err := f.attempt(ctx, req, want)
		if err == nil {
			res.Attempts = attempt
			return res, nil
		}
		if wait < 0 || attempt > f.cfg.Retries || ctx.Err() != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("fetch %s: %w", req.URL, ctx.Err())
			}
			return nil, err
		}
		d := f.backoff(attempt, wait)
		f.log.Warn("list download failed, retrying", "url", req.URL, "attempt", attempt, "wait", d, "err", err)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("fetch %s: %w (last error: %v)", req.URL, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// backoff is the wait before retry number attempt: the doubling back-off or the
// server's Retry-After when longer, capped at MaxBackoff.
func (f *Fetcher) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := f.cfg.RetryBackoff
	for i := 1; i < attempt && d < f.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = max(d, retryAfter)
	if f.cfg.MaxBackoff > 0 {
		d = min(d, f.cfg.MaxBackoff)
	}
	return d
}

// attempt makes one request. On error, wait < 0 means "do not retry"; wait > 0
// is the server's Retry-After.
func (f *Fetcher) attempt(ctx context.Context, req Request, want string) (_ *Result, wait time.Duration, _ error) {
	if f.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.cfg.Timeout)
		defer cancel()
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return nil, -1, fmt.Errorf("fetch: %w", err)
	}
	if f.cfg.UserAgent != "" {
		hreq.Header.Set("User-Agent", f.cfg.UserAgent)
	}
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}
	resp, err := f.client.Do(hreq)
	if err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	defer resp.Body.Close()
	res := &Result{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		res.NotModified = true
		if res.ETag == "" {
			res.ETag = req.ETag
		}
		if res.LastModified == "" {
			res.LastModified = req.LastModified
		}
		return res, 0, nil
	case resp.StatusCode != http.StatusOK:
		serr := &StatusError{URL: req.URL, Code: resp.StatusCode, Status: resp.Status}
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return nil, retryAfter(resp.Header.Get("Retry-After")), serr
		}
		return nil, -1, serr
	}
	if f.cfg.MaxBytes > 0 && resp.ContentLength > f.cfg.MaxBytes {
		return nil, -1, fmt.Errorf("fetch %s: %w: %d bytes announced, limit %d", req.URL, ErrTooLarge, resp.ContentLength, f.cfg.MaxBytes)
	}
	path, size, sum, err := f.save(resp.Body, req, want)
	if err != nil {
		if errors.Is(err, ErrChecksum) || errors.Is(err, ErrTooLarge) || errors.Is(err, errLocal) {
			return nil, -1, err
		}
		return nil, 0, err // the body broke off: worth another try
	}
	res.Path, res.Size, res.SHA256 = path, size, sum
	return res, 0, nil
}

// errLocal marks failures of the local file system, which a retry won't fix.
var errLocal = errors.New("local file")

// save streams body into a temporary file next to the destination, hashing it,
// and renames it into place once size and checksum are right.
func (f *Fetcher) save(body io.Reader, req Request, want string) (path string, size int64, sum string, err error) {
	tmp, err := os.CreateTemp(req.Dir, "."+req.Name+".*.part")
	if err != nil {
		return "", 0, "", fmt.Errorf("fetch: %w: %w", errLocal, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	limit := f.cfg.MaxBytes
	if limit <= 0 {
		limit = 1<<63 - 2
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(body, limit+1))
	if err != nil {
		return "", 0, "", fmt.Errorf("fetch %s: body after %d bytes: %w", req.URL, n, err)
	}
	if n > limit {
		return "", 0, "", fmt.Errorf("fetch %s: %w of %d bytes", req.URL, ErrTooLarge, limit)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if want != "" && sum != want {
		return "", 0, "", fmt.Errorf("fetch %s: %w: got sha256 %s, want %s", req.URL, ErrChecksum, sum, want)
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, "", fmt.Errorf("fetch: %w: %w", errLocal, err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, "", fmt.Errorf("fetch: %w: %w", errLocal, err)
	}
	path = filepath.Join(req.Dir, req.Name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", 0, "", fmt.Errorf("fetch: %w: %w", errLocal, err)
	}
	return path, n, sum, nil
}

// retryAfter reads a Retry-After header given in seconds (the HTTP-date form is
// ignored: the back-off applies).
func retryAfter(v string) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || s <= 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}

func isHexDigest(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
