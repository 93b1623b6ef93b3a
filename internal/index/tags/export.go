package tags

import (
	"fmt"
	"io"

	"gopkg.in/yaml.v3"

	"github.com/interdict/interdict/internal/chain"
)

type exportTag struct {
	Address          string   `yaml:"address"`
	Currency         string   `yaml:"currency,omitempty"`
	Network          string   `yaml:"network,omitempty"`
	Label            string   `yaml:"label"`
	Source           string   `yaml:"source"`
	Confidence       string   `yaml:"confidence"`
	Category         string   `yaml:"category,omitempty"`
	Abuse            string   `yaml:"abuse,omitempty"`
	Concepts         []string `yaml:"concepts,omitempty"`
	Actor            string   `yaml:"actor,omitempty"`
	LastMod          string   `yaml:"lastmod,omitempty"`
	Context          string   `yaml:"context,omitempty"`
	TagType          string   `yaml:"tag_type,omitempty"`
	IsClusterDefiner bool     `yaml:"is_cluster_definer,omitempty"`
}

type exportPack struct {
	Title       string      `yaml:"title"`
	Creator     string      `yaml:"creator"`
	Description string      `yaml:"description,omitempty"`
	IsPublic    bool        `yaml:"is_public"`
	Tags        []exportTag `yaml:"tags"`
}

// ExportPack writes tags as one TagPack. Every tag carries all its fields
// (nothing relies on header inheritance), addresses in the chain's display
// form (EIP-55 for EVM), so importing the pack gives the same tags back; the
// header's is_public is true only if every tag is public.
func ExportPack(w io.Writer, title, creator, description string, ts []Tag) error {
	p := exportPack{Title: title, Creator: creator, Description: description, IsPublic: len(ts) > 0, Tags: make([]exportTag, 0, len(ts))}
	for _, t := range ts {
		p.IsPublic = p.IsPublic && t.IsPublic
		p.Tags = append(p.Tags, exportTag{
			Address: chain.ParseAddress(t.Address).Display, Currency: t.Currency, Network: t.Network, Label: t.Label,
			Source: t.Source, Confidence: t.Confidence, Category: t.Category, Abuse: t.Abuse, Concepts: t.Concepts,
			Actor: t.Actor, LastMod: t.Date, Context: t.Context, TagType: t.TagType, IsClusterDefiner: t.ClusterDefiner,
		})
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("export tagpack: %w", err)
	}
	return enc.Close()
}
