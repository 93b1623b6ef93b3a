package taxii

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrProtocol marks an answer that does not follow TAXII 2.1: a wrong media
// type, a body that is not the resource the endpoint returns, a missing
// required field. Retrying will not help.
var ErrProtocol = errors.New("taxii: server deviates from TAXII 2.1")

// ErrHTTP marks an error status answered by the server; the message has
// the status and the server's error resource title and description.
var ErrHTTP = errors.New("taxii: server refused the request")

// Client talks to one TAXII 2.1 server. The key is sent as the password of
// HTTP Basic auth when User is set and as a Bearer token otherwise; it never
// appears in logs or errors.
type Client struct {
	HTTP *http.Client
	User string
	Key  string
	// Retries is how many times a request is retried after a transport
	// error or a 429/5xx answer, waiting Backoff, then twice as long each
	// time (capped at 30s). Zero values mean 4 and 500ms; Retries < 0
	// disables retrying.
	Retries int
	Backoff time.Duration
	// PageSize is the limit asked of the server (0: 1000).
	PageSize int
	Log      *slog.Logger
}

func (c *Client) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return &http.Client{Timeout: 2 * time.Minute}
	}
	return c.HTTP
}

// do sends one request with retries and returns a 2xx response's headers
// and body, or an error. want is the status expected.
func (c *Client) do(ctx context.Context, method, u string, body []byte, want int) (http.Header, []byte, error) {
	retries, wait := c.Retries, c.Backoff
	if retries == 0 {
		retries = 4
	}
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	for attempt := 0; ; attempt++ {
		h, b, err, transient := c.once(ctx, method, u, body, want)
		if err == nil || !transient || attempt >= retries {
			return h, b, err
		}
		c.log().LogAttrs(ctx, slog.LevelWarn, "taxii request failed; retrying",
			slog.String("method", method), slog.String("url", u), slog.Int("attempt", attempt+1), slog.Duration("wait", wait), slog.Any("error", err))
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func (c *Client) once(ctx context.Context, method, u string, body []byte, want int) (http.Header, []byte, error, bool) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("taxii: %s %s: %w", method, u, err), false
	}
	req.Header.Set("Accept", MediaType)
	if body != nil {
		req.Header.Set("Content-Type", MediaType)
	}
	switch {
	case c.Key != "" && c.User != "":
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.User+":"+c.Key)))
	case c.Key != "":
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err(), false
		}
		return nil, nil, fmt.Errorf("taxii: %s %s: %w", method, u, redact(err, c.Key)), true
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("taxii: %s %s: read answer: %w", method, u, err), true
	}
	if resp.StatusCode != want {
		transient := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
		return nil, nil, fmt.Errorf("%w: %s %s: HTTP %d%s", ErrHTTP, method, u, resp.StatusCode, describe(b)), transient
	}
	if len(b) > 0 || method != http.MethodDelete {
		mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if err != nil || mt != "application/taxii+json" || params["version"] != "2.1" {
			return nil, nil, fmt.Errorf("%w: %s %s: Content-Type %q, want %s", ErrProtocol, method, u, resp.Header.Get("Content-Type"), MediaType), false
		}
	}
	return resp.Header, b, nil, false
}

// describe renders a TAXII error resource for a message.
func describe(b []byte) string {
	var e ErrorResource
	if json.Unmarshal(b, &e) != nil || e.Title == "" {
		return ""
	}
	if e.Description != "" {
		return ": " + e.Title + ": " + e.Description
	}
	return ": " + e.Title
}

// redact keeps the key out of an error text (a URL error could echo it).
func redact(err error, key string) error {
	if key == "" || !strings.Contains(err.Error(), key) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), key, "REDACTED"))
}

// decode reads a JSON object strictly enough to catch a wrong resource.
func decode(u string, b []byte, v any) error {
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return fmt.Errorf("%w: %s: answer is not a JSON object", ErrProtocol, u)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %s: %s", ErrProtocol, u, jsonMessage(err))
	}
	return nil
}

// RootInfo is an API root as a client sees it.
type RootInfo struct {
	URL              string
	Title            string   `json:"title"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

// Root reads the API root at u. A discovery URL is followed to its default
// root (or its only one).
func (c *Client) Root(ctx context.Context, u string) (RootInfo, error) {
	u = withSlash(u)
	_, b, err := c.do(ctx, http.MethodGet, u, nil, http.StatusOK)
	if err != nil {
		return RootInfo{}, err
	}
	var probe struct {
		APIRoots []string `json:"api_roots"`
		Default  string   `json:"default"`
		Title    *string  `json:"title"`
	}
	if err := decode(u, b, &probe); err != nil {
		return RootInfo{}, err
	}
	if probe.Title == nil {
		return RootInfo{}, fmt.Errorf("%w: %s: the resource has no title", ErrProtocol, u)
	}
	if probe.APIRoots != nil || probe.Default != "" {
		next := probe.Default
		if next == "" && len(probe.APIRoots) == 1 {
			next = probe.APIRoots[0]
		}
		if next == "" {
			return RootInfo{}, fmt.Errorf("taxii: %s is a discovery resource with %d API roots and no default: give an API root URL", u, len(probe.APIRoots))
		}
		ref, err := url.Parse(u)
		if err != nil {
			return RootInfo{}, err
		}
		nu, err := ref.Parse(next)
		if err != nil {
			return RootInfo{}, fmt.Errorf("%w: %s: default %q is not a URL", ErrProtocol, u, next)
		}
		return c.Root(ctx, nu.String())
	}
	var r RootInfo
	if err := decode(u, b, &r); err != nil {
		return RootInfo{}, err
	}
	if len(r.Versions) == 0 {
		return RootInfo{}, fmt.Errorf("%w: %s: API root has no versions", ErrProtocol, u)
	}
	r.URL = u
	return r, nil
}

func withSlash(u string) string {
	if strings.HasSuffix(u, "/") {
		return u
	}
	return u + "/"
}

// CollectionURL is the URL of collection id under an API root.
func CollectionURL(root RootInfo, id string) string {
	return root.URL + "collections/" + url.PathEscape(id) + "/"
}

// Page is one page of objects with its date_added bounds.
type Page struct {
	Envelope
	First, Last time.Time
}

// Objects reads one page of every version of a collection's objects added
// after after (zero: from the start), following next when given.
func (c *Client) Objects(ctx context.Context, collURL string, after time.Time, next string) (Page, error) {
	limit := c.PageSize
	if limit <= 0 {
		limit = 1000
	}
	q := url.Values{}
	q.Set("limit", strconv.Itoa(limit))
	q.Set("match[version]", "all")
	q.Set("match[spec_version]", "2.0,2.1")
	if !after.IsZero() {
		q.Set("added_after", FormatTimestamp(after))
	}
	if next != "" {
		q.Set("next", next)
	}
	u := collURL + "objects/?" + q.Encode()
	h, b, err := c.do(ctx, http.MethodGet, u, nil, http.StatusOK)
	if err != nil {
		return Page{}, err
	}
	env, err := DecodeEnvelope(b)
	if err != nil {
		return Page{}, fmt.Errorf("%w: %s: %w", ErrProtocol, u, err)
	}
	for i, raw := range env.Objects {
		if _, err := ParseObject(raw); err != nil {
			return Page{}, fmt.Errorf("%w: %s: objects[%d]: %w", ErrProtocol, u, i, err)
		}
	}
	p := Page{Envelope: env}
	if len(env.Objects) > 0 {
		for _, f := range []struct {
			name string
			dst  *time.Time
		}{{"X-TAXII-Date-Added-First", &p.First}, {"X-TAXII-Date-Added-Last", &p.Last}} {
			v := h.Get(f.name)
			if v == "" {
				return Page{}, fmt.Errorf("%w: %s: no %s header on a page of objects", ErrProtocol, u, f.name)
			}
			t, err := ParseTimestamp(v)
			if err != nil {
				return Page{}, fmt.Errorf("%w: %s: %s: %w", ErrProtocol, u, f.name, err)
			}
			*f.dst = t
		}
	}
	return p, nil
}

// PushStatus sums the status resources of a push.
type PushStatus struct {
	Total, Successes, Failures, Pendings int
	// FailureMessages has the server's message for each failed object.
	FailureMessages []StatusDetail
}

// Push posts objects to a collection in envelopes of at most batch objects
// and maxBytes bytes (0: 500 objects, 1 MiB), and sums the status answers.
func (c *Client) Push(ctx context.Context, collURL string, objs []json.RawMessage, batch int, maxBytes int64) (PushStatus, error) {
	if batch <= 0 {
		batch = 500
	}
	if maxBytes <= 0 {
		maxBytes = 1 << 20
	}
	var sum PushStatus
	for len(objs) > 0 {
		n, size := 0, int64(len(`{"objects":[]}`))
		for n < len(objs) && n < batch && (n == 0 || size+int64(len(objs[n]))+1 <= maxBytes) {
			size += int64(len(objs[n])) + 1
			n++
		}
		body, err := json.Marshal(Envelope{Objects: objs[:n]})
		if err != nil {
			return sum, err
		}
		u := collURL + "objects/"
		_, b, err := c.do(ctx, http.MethodPost, u, body, http.StatusAccepted)
		if err != nil {
			return sum, err
		}
		var st struct {
			ID           string         `json:"id"`
			Status       string         `json:"status"`
			TotalCount   *int           `json:"total_count"`
			SuccessCount int            `json:"success_count"`
			FailureCount int            `json:"failure_count"`
			PendingCount int            `json:"pending_count"`
			Failures     []StatusDetail `json:"failures"`
		}
		if err := decode(u, b, &st); err != nil {
			return sum, err
		}
		if st.ID == "" || st.Status == "" || st.TotalCount == nil {
			return sum, fmt.Errorf("%w: %s: status resource lacks id, status or total_count", ErrProtocol, u)
		}
		sum.Total += *st.TotalCount
		sum.Successes += st.SuccessCount
		sum.Failures += st.FailureCount
		sum.Pendings += st.PendingCount
		sum.FailureMessages = append(sum.FailureMessages, st.Failures...)
		objs = objs[n:]
	}
	return sum, nil
}
