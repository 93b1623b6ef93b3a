package labels

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// concept maps a label-set category to GraphSense concepts: the entity type
// (category) and the behaviour (abuse). Unmapped labels get neither.
func concept(label string) (category, abuse string) {
	l := strings.ToLower(strings.TrimSpace(label))
	switch l {
	case "exchange", "binance", "bitfinex", "bithumb", "bitstamp", "coinbase", "crypto-com", "gate-io", "gemini",
		"huobi", "kraken", "kucoin", "okx", "upbit", "ftx", "poloniex", "bittrex", "hitbtc", "okex":
		return "exchange", ""
	case "tornado-cash", "ethereum-mixer", "mixer":
		return "mixing_service", ""
	case "ofac-sanctions-lists", "ofac-sanctions-list", "blocked":
		return "", "sanction"
	case "phish-hack", "phishing", "fake_phishing", "etherscan-phish-hack-list":
		return "", "phishing"
	case "heist", "hack", "hacked":
		return "", "service_hack"
	case "exploit":
		return "", "exploit"
	case "scamming", "scam":
		return "", "scam"
	case "malware":
		return "", "malware"
	case "gambling":
		return "gambling", ""
	case "bridge":
		return "defi_bridge", ""
	case "fiat-gateway":
		return "payment_processor", ""
	}
	return "", ""
}

func labelled(l Label, categoryText string) Label {
	l.Category, l.Abuse = concept(categoryText)
	return l
}

// parseEtherscanCombined reads {address: {name, labels[]}}, keeping keys'
// order and lines. The label is the name tag, or the first label when the
// name is empty.
func parseEtherscanCombined(s *Set, data []byte) error {
	network := "eth"
	if strings.Contains(strings.ToLower(path.Base(s.File)), "bscscan") {
		network = "bsc"
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errorf(s.File, 1, "not a JSON object")
	}
	lines := &lineCounter{data: data}
	for dec.More() {
		line := lines.at(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return errorf(s.File, line, "bad JSON: %v", err)
		}
		addr, _ := tok.(string)
		var v struct {
			Name   string   `json:"name"`
			Labels []string `json:"labels"`
		}
		if err := dec.Decode(&v); err != nil {
			return errorf(s.File, lines.at(dec.InputOffset()), "bad JSON for %q: %v", addr, err)
		}
		first := ""
		if len(v.Labels) > 0 {
			first = v.Labels[0]
		}
		name := v.Name
		if name == "" {
			name = first
		}
		l := Label{Address: addr, Network: network, Label: name, Source: "etherscan", Line: line}
		// The first label that maps to a concept sets it.
		for _, lb := range v.Labels {
			if c, a := concept(lb); c != "" || a != "" {
				l.Category, l.Abuse = c, a
				break
			}
		}
		s.add(l)
	}
	if _, err := dec.Token(); err != nil {
		return errorf(s.File, lineAt(data, dec.InputOffset()), "bad JSON: %v", err)
	}
	return nil
}

// parseEtherscanAccounts reads one etherscan_accounts/<label>.csv: the label
// is the file name; the name tag, when set, is kept as the label text.
func parseEtherscanAccounts(s *Set, data []byte) error {
	group := strings.TrimSuffix(strings.TrimSuffix(path.Base(s.File), ".gz"), ".csv")
	return readCSV(s, data, func(line int, rec map[string]string) {
		text := rec["Name Tag"]
		if text == "" {
			text = group
		}
		s.add(labelled(Label{Address: rec["Address"], Network: "eth", Label: text, Source: "etherscan:" + group, Line: line}, group))
	}, "Address")
}

// parseMEW reads a MEW list: [{address, comment, date}]. Dates are ISO, empty
// or M/D/YY; the darklist's entries are scams or phishing.
func parseMEW(s *Set, data []byte) error {
	dark := strings.Contains(strings.ToLower(path.Base(s.File)), "dark")
	return readJSONArray(s, data, func(line int, raw json.RawMessage) error {
		var e struct {
			Address string `json:"address"`
			Comment string `json:"comment"`
			Date    string `json:"date"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return errorf(s.File, line, "bad entry: %v", err)
		}
		l := Label{Address: e.Address, Network: "eth", Label: e.Comment, Source: "myetherwallet", Date: date(e.Date), Line: line}
		if l.Label == "" {
			l.Label = "MEW darklist"
		}
		if dark {
			l.Abuse = "scam"
		}
		s.add(l)
		return nil
	})
}

var fortaChain = regexp.MustCompile(`(?:^|/)labels/(\d+)/`)

// parseForta reads the three Forta CSVs; the chain id comes from the
// labels/<id>/ folder (1 Ethereum unless the path says otherwise).
func parseForta(s *Set, data []byte) error {
	network := "eth"
	if m := fortaChain.FindStringSubmatch(strings.ReplaceAll(s.File, "\\", "/")); m != nil {
		network = map[string]string{"1": "eth", "10": "optimism", "56": "bsc", "137": "polygon", "42161": "arbitrum", "250": "ftm", "43114": "avax"}[m[1]]
		if network == "" {
			network = "evm:" + m[1]
		}
	}
	switch s.Format {
	case FormatFortaLabels:
		return readCSV(s, data, func(line int, r map[string]string) {
			src := strings.TrimSuffix(r["data_source"], "-list")
			src = strings.TrimPrefix(src, "etherscan-")
			s.add(labelled(Label{Address: r["banned_address"], Network: network, Label: r["wallet_tag"], Source: "forta:" + r["data_source"], Line: line}, src))
		}, "banned_address", "wallet_tag", "data_source")
	case FormatFortaContracts:
		return readCSV(s, data, func(line int, r map[string]string) {
			text := r["contract_tag"]
			if text == "" {
				text = r["contract_creator_tag"]
			}
			if text == "" {
				text = "malicious contract"
			}
			l := labelled(Label{Address: r["contract_address"], Network: network, Label: text, Source: "forta:malicious_smart_contracts", Line: line}, r["contract_creator_etherscan_label"])
			if l.Abuse == "" && l.Category == "" {
				l.Abuse = "exploit"
			}
			s.add(l)
		}, "contract_address", "contract_tag", "contract_creator")
	default:
		return readCSV(s, data, func(line int, r map[string]string) {
			s.add(labelled(Label{Address: r["address"], Network: network, Label: r["etherscan_tag"], Source: "forta:phishing_scams", Line: line}, r["etherscan_labels"]))
		}, "address", "etherscan_tag", "etherscan_labels")
	}
}

// parseCryptoScamDB reads urls.yaml: each entry's addresses by coin.
func parseCryptoScamDB(s *Set, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlLine(err)
		return errorf(s.File, line, "bad YAML: %s", msg)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.SequenceNode {
		return errorf(s.File, 1, "not a YAML list of entries")
	}
	for _, n := range doc.Content[0].Content {
		var e struct {
			Name        string              `yaml:"name"`
			URL         string              `yaml:"url"`
			Category    string              `yaml:"category"`
			Subcategory string              `yaml:"subcategory"`
			Addresses   map[string][]string `yaml:"addresses"`
		}
		if err := n.Decode(&e); err != nil {
			return errorf(s.File, n.Line, "bad entry: %v", err)
		}
		text := e.Name
		if e.Subcategory != "" {
			text += " (" + e.Category + ": " + e.Subcategory + ")"
		}
		coins := make([]string, 0, len(e.Addresses))
		for c := range e.Addresses {
			coins = append(coins, c)
		}
		sort.Strings(coins)
		for _, coin := range coins {
			for _, a := range e.Addresses[coin] {
				l := labelled(Label{Address: a, Network: strings.ToLower(coin), Currency: coin, Label: text, Source: "cryptoscamdb:" + e.URL, Line: n.Line}, e.Category)
				s.add(l)
			}
		}
	}
	return nil
}

// parseCSV reads a plain CSV with a header naming address and label columns
// (currency/network, category, abuse, source, date optional).
func parseCSV(s *Set, data []byte) error {
	return readCSV(s, data, func(line int, r map[string]string) {
		network := strings.ToLower(first(r, "network", "chain", "currency"))
		l := Label{Address: r["address"], Network: network, Currency: first(r, "currency"), Label: r["label"],
			Category: r["category"], Abuse: r["abuse"], Source: r["source"], Date: date(r["date"]), Line: line}
		s.add(l)
	}, "address", "label")
}

// parseJSON reads a JSON array of objects with address and label.
func parseJSON(s *Set, data []byte) error {
	return readJSONArray(s, data, func(line int, raw json.RawMessage) error {
		var e map[string]any
		if err := json.Unmarshal(raw, &e); err != nil {
			return errorf(s.File, line, "entry is not an object: %v", err)
		}
		str := func(k string) string { v, _ := e[k].(string); return v }
		if _, ok := e["address"]; !ok {
			return errorf(s.File, line, "entry has no address")
		}
		if _, ok := e["label"]; !ok {
			return errorf(s.File, line, "entry has no label")
		}
		network := strings.ToLower(str("network"))
		if network == "" {
			network = strings.ToLower(str("currency"))
		}
		s.add(Label{Address: str("address"), Network: network, Currency: str("currency"), Label: str("label"),
			Category: str("category"), Abuse: str("abuse"), Source: str("source"), Date: date(str("date")), Line: line})
		return nil
	})
}

func first(r map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := r[k]; v != "" {
			return v
		}
	}
	return ""
}

// readCSV calls row for each record as a header → value map; the header
// must hold every required column.
func readCSV(s *Set, data []byte, row func(line int, r map[string]string), required ...string) error {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return errorf(s.File, 1, "read CSV header: %v", err)
	}
	for i := range head {
		head[i] = strings.TrimSpace(head[i])
	}
	for _, want := range required {
		found := false
		for _, h := range head {
			found = found || h == want
		}
		if !found {
			return errorf(s.File, 1, "CSV header %q has no %q column", strings.Join(head, ","), want)
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return errorf(s.File, csvErrLine(err), "bad CSV: %v", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(head) {
			return errorf(s.File, line, "row has %d fields, header %d", len(rec), len(head))
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			m[h] = strings.TrimSpace(rec[i])
		}
		row(line, m)
	}
}

// csvErrLine is the line of a csv.ParseError (FieldPos is not defined
// after an error).
func csvErrLine(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return 0
}

// readJSONArray calls entry for each element of a top-level JSON array.
func readJSONArray(s *Set, data []byte, entry func(line int, raw json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return errorf(s.File, 1, "not a JSON array")
	}
	lines := &lineCounter{data: data}
	for dec.More() {
		off := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return errorf(s.File, lineAt(data, dec.InputOffset()), "bad JSON: %v", err)
		}
		// The offset is before the separator and white space; the entry
		// starts at its first non-blank byte.
		rest := data[off:]
		skip := len(rest) - len(bytes.TrimLeft(rest, ", \t\r\n"))
		if err := entry(lines.at(off+int64(skip)), raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return errorf(s.File, lineAt(data, dec.InputOffset()), "bad JSON: %v", err)
	}
	return nil
}

// date normalises the date forms of label sets to YYYY-MM-DD ("" if none or
// unreadable: a label's date is informative, not worth failing a file).
func date(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, time.RFC3339, "2006-01-02 15:04:05", "1/2/06", "1/2/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	return ""
}

// yamlLine splits a yaml.v3 error "yaml: line N: msg" into N and msg.
func yamlLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	rest, ok := strings.CutPrefix(msg, "line ")
	if !ok {
		return 0, msg
	}
	n, after, ok := strings.Cut(rest, ":")
	line, convErr := strconv.Atoi(n)
	if !ok || convErr != nil {
		return 0, msg
	}
	return line, strings.TrimSpace(after)
}
