// Command snapshot derives the small list snapshots bundled with Interdict for
// the offline demo (internal/sources/sanctions/snapshot). From a full OFAC SDN
// advanced XML it keeps, byte for byte, the header, every reference value set and
// only the parties in a DPRK or CYBER program or with a digital-currency address,
// together with the locations, documents, relationships and sanctions entries
// they reference. The output is still a valid SDN advanced XML file, so the demo
// loads it through the real parser.
//
//	go run ./cmd/snapshot -in sdn_advanced.xml.bz2 -out subset.xml.gz
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/interdict/interdict/internal/sources/sanctions/fetch"
)

func main() {
	in := flag.String("in", "", "full OFAC SDN advanced XML (plain, .gz or .bz2)")
	out := flag.String("out", "", "output .xml.gz")
	programs := flag.String("programs", `^(DPRK|CYBER)`, "regexp of programs whose parties are kept")
	flag.Parse()
	if err := run(*in, *out, *programs); err != nil {
		fmt.Fprintln(os.Stderr, "snapshot:", err)
		os.Exit(1)
	}
}

func run(in, out, programs string) error {
	if in == "" || out == "" {
		return errors.New("-in and -out are required")
	}
	re, err := regexp.Compile(programs)
	if err != nil {
		return err
	}
	rc, err := fetch.OpenFile(in)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return err
	}
	sel, err := selectParties(data, re)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := filter(data, sel, &buf); err != nil {
		return err
	}
	f, err := os.Create(out + ".tmp")
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "kept %d parties, %d locations, %d identities; %d bytes of XML\n",
		len(sel.profiles), len(sel.locations), len(sel.identities), buf.Len())
	return os.Rename(out+".tmp", out)
}

type selection struct {
	profiles, locations, identities map[string]bool
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// selectParties makes the first pass: which profiles to keep and what they reference.
func selectParties(data []byte, re *regexp.Regexp) (*selection, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dcaTypes := map[string]bool{}
	kept := map[string]bool{}
	type party struct {
		locs, idents []string
		dca          bool
	}
	parties := map[string]*party{}
	var cur *party
	var curType, curEntry string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			text.Reset()
			switch t.Name.Local {
			case "FeatureType":
				curType = attr(t, "ID")
			case "DistinctParty":
				cur = &party{}
				parties[attr(t, "FixedRef")] = cur
			case "Feature":
				if cur != nil && dcaTypes[attr(t, "FeatureTypeID")] {
					cur.dca = true
				}
			case "VersionLocation":
				if cur != nil {
					cur.locs = append(cur.locs, attr(t, "LocationID"))
				}
			case "Identity":
				if cur != nil {
					cur.idents = append(cur.idents, attr(t, "ID"))
				}
			case "SanctionsEntry":
				curEntry = attr(t, "ProfileID")
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			switch t.Name.Local {
			case "FeatureType":
				if strings.Contains(text.String(), "Digital Currency Address") {
					dcaTypes[curType] = true
				}
			case "DistinctParty":
				cur = nil
			case "Comment":
				if curEntry != "" && re.MatchString(strings.TrimSpace(text.String())) {
					kept[curEntry] = true
				}
			case "SanctionsEntry":
				curEntry = ""
			}
		}
	}
	sel := &selection{profiles: map[string]bool{}, locations: map[string]bool{}, identities: map[string]bool{}}
	for id, p := range parties {
		if p.dca || kept[id] {
			sel.profiles[id] = true
			for _, l := range p.locs {
				sel.locations[l] = true
			}
			for _, i := range p.idents {
				sel.identities[i] = true
			}
		}
	}
	return sel, nil
}

// filter makes the second pass, copying the input bytes but for the section
// children that the selection drops.
func filter(data []byte, sel *selection, w *bytes.Buffer) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var cursor, before int64
	depth := 0
	for {
		before = dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth != 3 || keep(t, sel) {
				continue
			}
			if err := dec.Skip(); err != nil {
				return err
			}
			depth--
			w.Write(data[cursor:before])
			cursor = dec.InputOffset()
		case xml.EndElement:
			depth--
		}
	}
	w.Write(data[cursor:])
	return nil
}

func keep(se xml.StartElement, sel *selection) bool {
	switch se.Name.Local {
	case "Location":
		return sel.locations[attr(se, "ID")]
	case "IDRegDocument":
		return sel.identities[attr(se, "IdentityID")]
	case "DistinctParty":
		return sel.profiles[attr(se, "FixedRef")]
	case "ProfileRelationship":
		return sel.profiles[attr(se, "From-ProfileID")] && sel.profiles[attr(se, "To-ProfileID")]
	case "SanctionsEntry":
		return sel.profiles[attr(se, "ProfileID")]
	}
	return true
}
