// Command inspectgen derives the self-inspection control catalogue's data
// files from the third-party sources in ../shared/data, one file per framework
// so each keeps its own licence and notice:
//
//	seal-sfc.json            SEAL Frameworks certifications (CC BY-SA 4.0)
//	ccss-2021.json           CryptoCurrency Security Standard 2021 (C4 notice)
//	attack-mitigations.json  ATT&CK mitigations of the DPRK techniques (MITRE licence)
//
// The texts are copied unchanged; only the layout changes (YAML front matter
// and STIX bundles become one JSON document per framework). The FSA items and
// the crosswalk (checks.json) are written by hand and are not touched here.
//
//	go generate ./internal/action/inspect   # runs: go run ../../../cmd/inspectgen -data ../../../../shared/data -out data
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/interdict/interdict/internal/sources/intel"
)

// framework is the layout of every derived file; package inspect reads it.
type framework struct {
	Framework   string    `json:"framework"`
	Name        string    `json:"name"`
	Source      string    `json:"source"`
	License     string    `json:"license"`
	Attribution string    `json:"attribution"`
	Derivation  string    `json:"derivation"`
	Groups      []group   `json:"groups"`
	Controls    []control `json:"controls"`
	Techniques  []tech    `json:"techniques,omitempty"`
}

type group struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Category string `json:"category,omitempty"`
	Version  string `json:"version,omitempty"`
	Revised  string `json:"revised,omitempty"`
}

type control struct {
	ID           string            `json:"id"`
	Group        string            `json:"group"`
	Section      string            `json:"section,omitempty"`
	SectionTitle string            `json:"section_title,omitempty"`
	Title        string            `json:"title"`
	Text         string            `json:"text,omitempty"`
	Baselines    []string          `json:"baselines,omitempty"`
	Uncertified  string            `json:"uncertified,omitempty"`
	Levels       map[string]string `json:"levels,omitempty"`
	MinLevel     int               `json:"min_level,omitempty"`
	URL          string            `json:"url,omitempty"`
	Techniques   []string          `json:"techniques,omitempty"`
}

type tech struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func main() {
	data := flag.String("data", "../shared/data", "the shared data folder")
	out := flag.String("out", "internal/action/inspect/data", "output folder")
	flag.Parse()
	if err := run(*data, *out); err != nil {
		fmt.Fprintln(os.Stderr, "inspectgen:", err)
		os.Exit(1)
	}
}

func run(data, out string) error {
	seal, err := deriveSEAL(filepath.Join(data, "controls", "seal-frameworks"))
	if err != nil {
		return err
	}
	ccss, err := deriveCCSS(filepath.Join(data, "controls", "ccss-2021"))
	if err != nil {
		return err
	}
	attack, err := deriveATTACK(filepath.Join(data, "stix"))
	if err != nil {
		return err
	}
	for name, f := range map[string]*framework{"seal-sfc.json": seal, "ccss-2021.json": ccss, "attack-mitigations.json": attack} {
		b, err := json.MarshalIndent(f, "", " ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, name), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	// The licence texts travel with the files derived under them.
	for src, dst := range map[string]string{
		filepath.Join(data, "controls", "seal-frameworks", "LICENSE"): "seal-sfc.LICENSE",
		filepath.Join(data, "controls", "ccss-2021", "LICENSE.md"):    "ccss-2021.LICENSE.md",
		filepath.Join(data, "stix", "MITRE_ATTACK_LICENSE.txt"):       "attack-mitigations.LICENSE.txt",
	} {
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, dst), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func firstLine(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]), nil
}

// frontMatter returns the YAML between the leading "---" lines of an MDX page.
func frontMatter(b []byte) ([]byte, error) {
	parts := bytes.SplitN(b, []byte("\n---"), 2)
	if !bytes.HasPrefix(b, []byte("---\n")) || len(parts) != 2 {
		return nil, errors.New("no YAML front matter")
	}
	return parts[0][4:], nil
}

func deriveSEAL(dir string) (*framework, error) {
	src, err := firstLine(filepath.Join(dir, "SOURCE.txt"))
	if err != nil {
		return nil, err
	}
	lic, err := os.ReadFile(filepath.Join(dir, "LICENSE"))
	if err != nil {
		return nil, err
	}
	f := &framework{Framework: "seal-sfc", Name: "SEAL Frameworks certifications (SFC)", Source: src,
		License: "CC BY-SA 4.0", Attribution: strings.TrimSpace(string(lic)),
		Derivation: "YAML front matter of certs/sfc-*.mdx (cert: sections, controls, baselines) rewritten as JSON by cmd/inspectgen; texts unchanged. This file is licensed under CC BY-SA 4.0 as its source."}
	files, err := filepath.Glob(filepath.Join(dir, "certs", "sfc-*.mdx"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		fm, err := frontMatter(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var doc struct {
			Title   string `yaml:"title"`
			Version string `yaml:"version"`
			Revised string `yaml:"revised"`
			Cert    []struct {
				ID       string `yaml:"id"`
				Title    string `yaml:"title"`
				Controls []struct {
					ID          string   `yaml:"id"`
					Title       string   `yaml:"title"`
					Description string   `yaml:"description"`
					Baselines   []string `yaml:"baselines"`
				} `yaml:"controls"`
			} `yaml:"cert"`
		}
		if err := yaml.Unmarshal(fm, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		id := strings.TrimSuffix(filepath.Base(path), ".mdx")
		title := strings.TrimSpace(strings.SplitN(doc.Title, "|", 2)[0])
		f.Groups = append(f.Groups, group{ID: id, Title: title, Version: doc.Version, Revised: doc.Revised})
		for _, s := range doc.Cert {
			for _, c := range s.Controls {
				f.Controls = append(f.Controls, control{ID: c.ID, Group: id, Section: s.ID, SectionTitle: s.Title,
					Title: c.Title, Text: c.Description, Baselines: c.Baselines})
			}
		}
	}
	return f, nil
}

func deriveCCSS(dir string) (*framework, error) {
	src, err := firstLine(filepath.Join(dir, "SOURCE.txt"))
	if err != nil {
		return nil, err
	}
	f := &framework{Framework: "ccss-2021", Name: "CryptoCurrency Security Standard (CCSS) 2021", Source: src,
		License:     "C4 permissive notice (ccss-2021.LICENSE.md)",
		Attribution: "Copyright (c) 2020, CryptoCurrency Certification Consortium (C4); see ccss-2021.LICENSE.md, which must accompany all copies.",
		Derivation:  "aspects/*.yml components (title_short, uncertified, level_one..level_three) rewritten as JSON by cmd/inspectgen; texts unchanged; min_level is the lowest level whose text is not empty."}
	files, err := filepath.Glob(filepath.Join(dir, "aspects", "*.yml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var doc struct {
			ID         string `yaml:"id"`
			Title      string `yaml:"title"`
			Category   string `yaml:"category"`
			Components []struct {
				ID          string `yaml:"id"`
				Title       string `yaml:"title_short"`
				Uncertified string `yaml:"uncertified"`
				L1          string `yaml:"level_one"`
				L2          string `yaml:"level_two"`
				L3          string `yaml:"level_three"`
			} `yaml:"components"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		f.Groups = append(f.Groups, group{ID: doc.ID, Title: doc.Title, Category: doc.Category})
		for _, c := range doc.Components {
			ctl := control{ID: c.ID, Group: doc.ID, Title: c.Title, Uncertified: strings.TrimSpace(c.Uncertified), Levels: map[string]string{}}
			for i, t := range []string{c.L1, c.L2, c.L3} {
				if t = strings.TrimSpace(t); t != "" {
					ctl.Levels[fmt.Sprint(i+1)] = t
					if ctl.MinLevel == 0 {
						ctl.MinLevel = i + 1
					}
				}
			}
			f.Controls = append(f.Controls, ctl)
		}
	}
	return f, nil
}

func decodeBundle(path string) (*intel.ATTACK, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var r io.Reader = fh
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(fh)
		if err != nil {
			return nil, err
		}
		r = zr
	}
	a, err := intel.DecodeATTACK(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func deriveATTACK(dir string) (*framework, error) {
	mit, err := decodeBundle(filepath.Join(dir, "mitre_attack_dprk_mitigations.stix21.json"))
	if err != nil {
		return nil, err
	}
	techs, err := decodeBundle(filepath.Join(dir, "mitre_attack_dprk_subset_with_techniques.stix21.json.gz"))
	if err != nil {
		return nil, err
	}
	f := &framework{Framework: "attack-mitigations", Name: "MITRE ATT&CK mitigations for the techniques of the DPRK groups",
		Source:      "mitre/cti ATT&CK v18.1 via ../shared/data/stix/mitre_attack_dprk_mitigations.stix21.json and mitre_attack_dprk_subset_with_techniques.stix21.json.gz",
		License:     "MITRE ATT&CK licence (attack-mitigations.LICENSE.txt)",
		Attribution: "© 2025 The MITRE Corporation. This work is reproduced and distributed with the permission of The MITRE Corporation.",
		Derivation:  "course-of-action objects (ATT&CK id, name, description, URL) and their mitigates relationships resolved to technique ids by cmd/inspectgen; texts unchanged.",
		Groups:      []group{{ID: "mitigations", Title: "ATT&CK Mitigations (Enterprise)"}}}
	links := map[string][]string{}
	for _, r := range mit.Relationships {
		if r.Type != "mitigates" {
			continue
		}
		t := techs.Objects[r.Target]
		if t == nil || t.ExternalID == "" {
			return nil, fmt.Errorf("mitigates %s: technique %s not in the techniques subset", r.ID, r.Target)
		}
		links[r.Source] = append(links[r.Source], t.ExternalID)
	}
	for _, id := range mit.Order {
		o := mit.Objects[id]
		if o.Type != "course-of-action" || o.Revoked || o.Deprecated {
			continue
		}
		ts := links[id]
		sort.Strings(ts)
		f.Controls = append(f.Controls, control{ID: o.ExternalID, Group: "mitigations", Title: o.Name, Text: o.Description, URL: o.URL, Techniques: ts})
	}
	sort.Slice(f.Controls, func(i, j int) bool { return f.Controls[i].ID < f.Controls[j].ID })
	// Every technique of the DPRK subset is listed, mitigated or not, so
	// the crosswalk can name techniques no mitigation covers.
	for _, id := range techs.Order {
		if o := techs.Objects[id]; o.Type == "attack-pattern" && !o.Revoked && !o.Deprecated {
			f.Techniques = append(f.Techniques, tech{ID: o.ExternalID, Name: o.Name})
		}
	}
	sort.Slice(f.Techniques, func(i, j int) bool { return f.Techniques[i].ID < f.Techniques[j].ID })
	return f, nil
}
