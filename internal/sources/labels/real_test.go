package labels

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// TestRealLabelSets parses every label set of the shared data and checks the
// counts against the data README: rows, labels kept and rows skipped (with
// why).
func TestRealLabelSets(t *testing.T) {
	cases := []struct {
		path            []string
		format          Format
		labels, skipped int
	}{
		{[]string{"etherscan-labels-brianleect", "etherscan_combinedAllLabels.json.gz"}, FormatEtherscanCombined, 29945, 0},
		{[]string{"etherscan-labels-brianleect", "bscscan_combinedAllLabels.json.gz"}, FormatEtherscanCombined, 6723, 3},
		{[]string{"etherscan-labels-brianleect", "etherscan_accounts", "ofac-sanctions-lists.csv"}, FormatEtherscanAccounts, 72, 0},
		{[]string{"etherscan-labels-brianleect", "etherscan_accounts", "tornado-cash.csv"}, FormatEtherscanAccounts, 63, 0},
		// Of the README's three malformed addresses, two only have a trailing
		// space and are kept trimmed; the one too short is skipped.
		{[]string{"mew-ethereum-lists", "addresses-darklist.json"}, FormatMEW, 692, 1},
		{[]string{"mew-ethereum-lists", "addresses-lightlist.json"}, FormatMEW, 2, 0},
		{[]string{"forta-labelled-datasets", "labels", "1", "etherscan_malicious_labels.csv.gz"}, FormatFortaLabels, 7780, 0},
		{[]string{"forta-labelled-datasets", "labels", "1", "malicious_smart_contracts.csv.gz"}, FormatFortaContracts, 753, 0},
		{[]string{"forta-labelled-datasets", "labels", "1", "phishing_scams.csv.gz"}, FormatFortaPhishing, 6726, 0},
		{[]string{"forta-labelled-datasets", "labels", "10", "malicious_smart_contracts.csv"}, FormatFortaContracts, 1, 0},
		{[]string{"cryptoscamdb-blacklist", "urls.yaml.gz"}, FormatCryptoScamDB, 5841 - 24, 24},
	}
	for _, c := range cases {
		name := c.path[len(c.path)-1]
		t.Run(name, func(t *testing.T) {
			elem := append([]string{"tags"}, c.path...)
			data := sharedtest.ReadAll(t, elem...)
			s, err := ParseFile(bytes.NewReader(data), joinPath(c.path))
			if err != nil {
				t.Fatal(err)
			}
			if s.Format != c.format || len(s.Labels) != c.labels || len(s.Skipped) != c.skipped {
				t.Errorf("format %s, %d labels, %d skipped; want %s, %d, %d (first skips %v)", s.Format, len(s.Labels), len(s.Skipped), c.format, c.labels, c.skipped, head(s.Skipped))
			}
			for _, l := range s.Labels {
				if l.Line < 1 || l.Address == "" || l.Network == "" {
					t.Fatalf("label without line, address or network: %+v", l)
				}
			}
		})
	}
}

func TestRealLabelDetails(t *testing.T) {
	t.Run("MEW darklist skips the short address by line and reads three date forms", func(t *testing.T) {
		s, err := ParseFile(bytes.NewReader(sharedtest.ReadAll(t, "tags", "mew-ethereum-lists", "addresses-darklist.json")), "addresses-darklist.json")
		if err != nil {
			t.Fatal(err)
		}
		dated := 0
		for _, l := range s.Labels {
			if l.Date != "" {
				dated++
			}
			if l.Abuse != "scam" {
				t.Fatalf("darklist label without scam abuse: %+v", l)
			}
		}
		// 654 ISO and 16 M/D/YY dates, 23 empty; one dated row is skipped.
		if dated != 669 {
			t.Errorf("%d labels with a date", dated)
		}
		for _, sk := range s.Skipped {
			if sk.Line < 2 || sk.Reason == "" {
				t.Errorf("skip %+v", sk)
			}
		}
	})
	t.Run("Forta labels: phishing, exploits (the Ronin Bridge exploiters among them) and heists", func(t *testing.T) {
		s, err := ParseFile(bytes.NewReader(sharedtest.ReadAll(t, "tags", "forta-labelled-datasets", "labels", "1", "etherscan_malicious_labels.csv.gz")), "labels/1/etherscan_malicious_labels.csv.gz")
		if err != nil {
			t.Fatal(err)
		}
		abuse := map[string]int{}
		ronin := 0
		for _, l := range s.Labels {
			abuse[l.Abuse]++
			if strings.HasPrefix(l.Label, "Ronin Bridge Exploiter") && l.Abuse == "exploit" {
				ronin++
			}
		}
		if abuse["phishing"] != 7570 || abuse["exploit"] != 139 || abuse["service_hack"] != 71 || ronin != 7 {
			t.Errorf("abuse counts %v, Ronin tags %d", abuse, ronin)
		}
	})
	// PyYAML points at line 35 (the mis-indented item); yaml.v3 at line 25,
	// the end of the block mapping that item breaks.
	t.Run("CryptoScamDB uris.yaml is not valid YAML and is refused with a line", func(t *testing.T) {
		_, err := ParseFile(bytes.NewReader(sharedtest.ReadAll(t, "tags", "cryptoscamdb-blacklist", "uris.yaml")), "uris.yaml")
		if !errors.Is(err, ErrMalformed) || err == nil || !bytes.Contains([]byte(err.Error()), []byte("uris.yaml:25: bad YAML: did not find expected key")) {
			t.Fatalf("error %v, want uris.yaml:25: bad YAML", err)
		}
	})
}

func joinPath(p []string) string {
	out := p[0]
	for _, e := range p[1:] {
		out += "/" + e
	}
	return out
}

func head(s []Skip) []Skip {
	if len(s) > 3 {
		return s[:3]
	}
	return s
}
