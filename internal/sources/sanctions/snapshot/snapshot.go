// Package snapshot bundles small list snapshots in the binary so the demo runs
// offline: a derived subset of the OFAC SDN advanced XML (DPRK and CYBER
// programs and every party with a digital-currency address) and the UN
// consolidated list. data/NOTE.md names their sources; cmd/snapshot re-derives
// the OFAC subset.
package snapshot

import (
	"embed"
	"io"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

//go:embed data/*.xml.gz
var files embed.FS

// File is one bundled list file (gzip-compressed XML).
type File struct {
	Source sanctions.Source
	Name   string
}

// Files lists the bundled snapshots, OFAC first.
func Files() []File {
	return []File{
		{Source: sanctions.SourceOFAC, Name: "ofac_sdn_advanced_2025-11-19_dprk-cyber-dca.xml.gz"},
		{Source: sanctions.SourceUN, Name: "un_consolidated_2026-02-27.xml.gz"},
	}
}

// Open returns the compressed bytes of f; decompress with fetch.Decompress.
func Open(f File) (io.ReadCloser, error) {
	return files.Open("data/" + f.Name)
}
