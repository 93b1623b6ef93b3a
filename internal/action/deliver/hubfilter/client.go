package hubfilter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxFilterBytes bounds a downloaded filter: 64 MiB holds about 28 million
// addresses at 16 bits, far beyond any block.
const maxFilterBytes = 64 << 20

// Client downloads filters from a hub. Only chain and height go to the hub;
// the addresses tested never leave the member.
type Client struct {
	// Base is the hub's URL, e.g. https://hub.example.org.
	Base string
	// Key is the member's API key at the hub.
	Key  string
	HTTP *http.Client
}

// Fetch downloads and decodes the filter of one block. A block the hub has
// no filter for (404) is ErrNotFound.
func (c *Client) Fetch(ctx context.Context, chainName string, height int64) (*Filter, error) {
	if err := CheckChain(chainName); err != nil {
		return nil, err
	}
	u, err := url.JoinPath(strings.TrimRight(c.Base, "/"), "v1", "filters", chainName, strconv.FormatInt(height, 10))
	if err != nil {
		return nil, fmt.Errorf("hub URL %q: %w", c.Base, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("hub URL %q: %w", c.Base, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	req.Header.Set("Accept", MediaType)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch hub filter %s/%d: %w", chainName, height, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFilterBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read hub filter %s/%d: %w", chainName, height, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("hub filter %s/%d: %w", chainName, height, ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("hub answered %s for %s/%d: %s", resp.Status, chainName, height, apiMessage(body))
	case len(body) > maxFilterBytes:
		return nil, fmt.Errorf("%w: hub filter %s/%d is larger than %d bytes", ErrMalformed, chainName, height, maxFilterBytes)
	}
	if v := resp.Header.Get(HeaderVersion); v != strconv.Itoa(Version) {
		return nil, fmt.Errorf("%w: hub sent filter version %q, this build reads %d", ErrMalformed, v, Version)
	}
	f, err := Decode(body)
	if err != nil {
		return nil, fmt.Errorf("hub filter %s/%d: %w", chainName, height, err)
	}
	if f.Chain != chainName || f.Height != height {
		return nil, fmt.Errorf("%w: asked for %s/%d, got %s/%d", ErrMalformed, chainName, height, f.Chain, f.Height)
	}
	return f, nil
}

// apiMessage is the message of an API error body, or the start of the body.
func apiMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		return e.Error.Message
	}
	return fmt.Sprintf("%.200q", body)
}

// Candidate is a watched address a block's filter may hold.
type Candidate struct {
	Chain   string `json:"chain"`
	Height  int64  `json:"height"`
	Address string `json:"address"`
}

// Report is the outcome of checking a range of blocks.
type Report struct {
	Chain      string      `json:"chain"`
	From       int64       `json:"from"`
	To         int64       `json:"to"`
	Checked    int         `json:"blocks_checked"`
	Missing    []int64     `json:"blocks_missing,omitempty"` // the hub has no filter yet
	Watched    int         `json:"watched"`
	Candidates []Candidate `json:"candidates"`
	// ExpectedFalse is how many candidates chance alone would give.
	ExpectedFalse float64 `json:"expected_false_candidates"`
}

// Check tests watched against the filters of blocks from..to.
func (c *Client) Check(ctx context.Context, chainName string, from, to int64, watched []string) (Report, error) {
	rep := Report{Chain: chainName, From: from, To: to, Watched: len(watched), Candidates: []Candidate{}}
	if from < 0 || to < from {
		return rep, fmt.Errorf("%w: blocks %d to %d", ErrInvalid, from, to)
	}
	for h := from; h <= to; h++ {
		f, err := c.Fetch(ctx, chainName, h)
		if errors.Is(err, ErrNotFound) {
			rep.Missing = append(rep.Missing, h)
			continue
		}
		if err != nil {
			return rep, err
		}
		rep.Checked++
		rep.ExpectedFalse += f.FPRate() * float64(len(watched))
		for _, a := range f.Check(watched) {
			rep.Candidates = append(rep.Candidates, Candidate{Chain: chainName, Height: h, Address: a})
		}
	}
	return rep, nil
}
