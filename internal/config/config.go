// Package config is Interdict's root configuration: each component's own
// Config with its DefaultConfig, composed in one place, and an optional JSON
// file that overrides the defaults field by field.
package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/interdict/interdict/internal/serve/api"
	"github.com/interdict/interdict/internal/sources/sanctions/fetch"
)

// Config is the whole configuration.
type Config struct {
	API   api.Config   `json:"api"`
	Fetch fetch.Config `json:"fetch"`
	Serve Serve        `json:"serve"`
}

// Serve configures the server process.
type Serve struct {
	Listen string `json:"listen"`
	// Refresh is how often the server looks for list versions loaded by
	// another process or API node; 0 disables it.
	Refresh Duration `json:"refresh"`
}

// Duration is a time.Duration written as "5s" in JSON.
type Duration time.Duration

// MarshalJSON writes d as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string ("5s", "1m").
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string like \"5s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// DefaultConfig returns every component's defaults.
func DefaultConfig() Config {
	return Config{
		API:   api.DefaultConfig(),
		Fetch: fetch.DefaultConfig(),
		Serve: Serve{Listen: "127.0.0.1:8080", Refresh: Duration(5 * time.Second)},
	}
}

// Load reads a JSON file over the defaults; fields the file leaves out keep
// their default. Unknown fields are an error, so a typo does not pass silently.
func Load(path string) (Config, error) {
	cfg := DefaultConfig()
	if path == "" {
		return cfg, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("read config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}
