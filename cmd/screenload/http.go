package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// screenRequest and screenResponse are the parts of the POST /v1/screen
// contract the load tool uses.
type screenRequest struct {
	Names []nameRequest `json:"names"`
}

type nameRequest struct {
	Name string `json:"name"`
}

type screenResponse struct {
	Results []struct {
		Hit bool `json:"hit"`
	} `json:"results"`
}

// runHTTP sends the queries to a running server, c.batch names per request,
// one request at a time, and times each round trip.
func runHTTP(ctx context.Context, c config, warm, measured []query, out io.Writer) (report, error) {
	client := &http.Client{Timeout: c.timeout}
	endpoint := strings.TrimSuffix(c.url, "/") + "/v1/screen"
	fmt.Fprintf(out, "screening over HTTP: POST %s, %d name(s) per request\n", endpoint, c.batch)
	for i := 0; i < len(warm); i += c.batch {
		if _, err := post(ctx, client, endpoint, c.key, warm[i:min(i+c.batch, len(warm))]); err != nil {
			return report{}, err
		}
	}
	rep := newReport(fmt.Sprintf("HTTP %s, one client", endpoint), len(measured)/c.batch+1, c.slow)
	begin := time.Now()
	for i := 0; i < len(measured); i += c.batch {
		qs := measured[i:min(i+c.batch, len(measured))]
		t := time.Now()
		hits, err := post(ctx, client, endpoint, c.key, qs)
		if err != nil {
			return report{}, err
		}
		kind := qs[0].kind
		if c.batch > 1 {
			kind = "batch"
		}
		rep.addBatch(kind, qs[0].name, time.Since(t), len(qs), hits)
	}
	rep.wall = time.Since(begin)
	return rep, nil
}

// post screens qs in one request and returns how many hit.
func post(ctx context.Context, client *http.Client, endpoint, key string, qs []query) (int, error) {
	body := screenRequest{Names: make([]nameRequest, len(qs))}
	for i, q := range qs {
		body.Names[i].Name = q.name
	}
	buf, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(buf))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("POST /v1/screen: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("POST /v1/screen: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("POST /v1/screen: %s: %s", resp.Status, bytes.TrimSpace(data))
	}
	var sr screenResponse
	if err := json.Unmarshal(data, &sr); err != nil {
		return 0, fmt.Errorf("POST /v1/screen: decode answer: %w", err)
	}
	if len(sr.Results) != len(qs) {
		return 0, fmt.Errorf("POST /v1/screen: %d results for %d names", len(sr.Results), len(qs))
	}
	hits := 0
	for _, r := range sr.Results {
		if r.Hit {
			hits++
		}
	}
	return hits, nil
}
