package tags

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/chain"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

//go:embed data/dprk-actors.yaml
var curatedActors []byte

// CuratedDataset is the dataset id of the embedded DPRK actor file.
const CuratedDataset = "actorpack:interdict/dprk-actors.yaml"

// EnsureCurated imports the embedded DPRK actor file (Lazarus Group and the
// clusters attributed to it, with cited sources) unless it is stored as is.
func (im *Importer) EnsureCurated(ctx context.Context) (Result, error) {
	return im.ImportFile(ctx, "interdict/dprk-actors.yaml", bytes.NewReader(curatedActors), Options{Dataset: CuratedDataset})
}

// SanctionsConfidence is the confidence of tags from a sanctions list.
const SanctionsConfidence = "authority_data"

// ImportSanctions stores the digital-currency addresses of one stored list
// version as tags of dataset "sanctions:<source>" (a newer version replaces
// the older one, so delisted addresses drop out): source the list, category
// sanction, confidence authority_data, label the entity's primary name, and
// the actor that one of the entity's names resolves to ("Lazarus Group" →
// lazarusgroup).
func (im *Importer) ImportSanctions(ctx context.Context, source sanctions.Source, versionID string, published time.Time, entities []sanctions.Entity) (Result, error) {
	sum := sha256.Sum256([]byte(versionID))
	d := Dataset{ID: "sanctions:" + string(source), Kind: "sanctions", Title: strings.ToUpper(string(source)) + " " + versionID,
		File: versionID, SHA256: hex.EncodeToString(sum[:]), ImportedAt: im.now()}
	if unchanged, res, err := im.unchanged(ctx, d, versionID); err != nil || unchanged {
		return res, err
	}
	reg, err := im.Registry(ctx)
	if err != nil {
		return Result{}, err
	}
	level, _ := im.tax.ConfidenceLevel(SanctionsConfidence)
	var ts []Tag
	for i := range entities {
		e := &entities[i]
		if len(e.Addresses) == 0 {
			continue
		}
		actor := ""
		for _, n := range e.Names {
			if id, ok := reg.Resolve(n.Full); ok {
				actor = id
				break
			}
		}
		ctxJSON, _ := json.Marshal(map[string]any{"entity_id": e.ID, "programs": e.Programs, "list_version": versionID})
		date := e.ListedOn
		if date == "" {
			date = published.UTC().Format(time.DateOnly)
		}
		for _, a := range e.Addresses {
			addr := strings.TrimSpace(a.Address)
			if addr == "" {
				continue
			}
			ts = append(ts, Tag{
				Address: Address(addr), Network: sanctionsNetwork(a.Currency, addr), Currency: a.Currency,
				Label: e.PrimaryName(), Source: fmt.Sprintf("%s %s", strings.ToUpper(string(source)), versionID),
				Confidence: SanctionsConfidence, Level: level, Category: "sanction", Actor: actor, Date: date,
				Context: string(ctxJSON), IsPublic: true, TLP: tlp(true), Dataset: d.ID, File: versionID, PackTitle: d.Title,
			})
		}
	}
	rows := len(ts)
	ts, dups := dedup(ts)
	d.Tags = len(ts)
	if err := im.store.ReplaceTags(ctx, d, ts); err != nil {
		return Result{}, fmt.Errorf("sanctions %s: store: %w", versionID, err)
	}
	im.log.Info("sanctions addresses imported as tags", "version", versionID, "tags", len(ts))
	return Result{File: versionID, Dataset: d.ID, Kind: d.Kind, Title: d.Title, Rows: rows, Tags: len(ts), Duplicates: dups,
		Confidence: countConfidence(ts)}, nil
}

// sanctionsNetwork maps a list's currency label to a network. Token labels
// (USDT, USDC) say nothing about the chain; the address format does.
func sanctionsNetwork(currency, addr string) string {
	c := strings.ToUpper(strings.TrimSpace(currency))
	switch c {
	case "XBT":
		return "btc"
	case "USDT", "USDC":
		switch chain.ParseAddress(addr).Format {
		case chain.FormatEVM:
			return "eth"
		case chain.FormatTron:
			return "trx"
		default:
			return "btc"
		}
	}
	return strings.ToLower(c)
}
