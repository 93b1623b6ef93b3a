package ofac

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

var update = flag.Bool("update", false, "rewrite testdata/sdn_advanced_sample.xml from the shared 2025-11-19 file")

const samplePath = "testdata/sdn_advanced_sample.xml"

// sampleParties are the FixedRefs kept in the sample: the DPRK parties with
// addresses the tests name, and one party of each shape the parser handles.
var sampleParties = []string{
	"27307", // Lazarus Group: 8 ETH addresses, DPRK3
	"22985", // CHEIL CREDIT BANK: 53 USDT addresses
	"44437", // Sinbad: 2 XBT addresses
	"42496", // Wu Huihui: individual with 17 XBT addresses
	"54762", // Myong Chol Min: individual, Hangul name, passport, nationality
	"20125", // Kim Kyong Ok: birth date published as a range of years
	"22603", // Dandong Zhicheng Metallic Material: Chinese names
	"9345",  // KOREA MINING DEVELOPMENT TRADING CORPORATION: two programs
	"17069", // Chong Chon Gang: vessel
	"15432", // EP-GOL: aircraft
}

func loadSample(t testing.TB) *sanctions.List {
	t.Helper()
	f, err := os.Open(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := Parse(context.Background(), f)
	if err != nil {
		t.Fatalf("parse %s: %v", samplePath, err)
	}
	return l
}

// TestSampleMatchesTheFullList checks that every party of the committed sample
// parses exactly as it does in the full 2025-11-19 list it was cut from, so unit
// tests on the sample say something about the real file. With -update it first
// rewrites the sample.
func TestSampleMatchesTheFullList(t *testing.T) {
	if *update {
		src := sharedtest.Decompressed(t, "ofac", "sdn_advanced_2025-11-19.xml.bz2")
		if err := writeSample(src, samplePath, sampleParties); err != nil {
			t.Fatal(err)
		}
	}
	full := realList(t, "2025-11-19")
	sample := loadSample(t)
	if len(sample.Entities) != len(sampleParties) {
		t.Fatalf("sample has %d parties, want %d", len(sample.Entities), len(sampleParties))
	}
	for _, want := range sampleParties {
		got := findEntity(sample, want)
		ref := findEntity(full, want)
		if got == nil || ref == nil {
			t.Fatalf("party %s missing (sample %v, full %v)", want, got != nil, ref != nil)
		}
		if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", *ref) {
			t.Errorf("party %s differs:\nsample %+v\nfull   %+v", want, *got, *ref)
		}
	}
	if !sample.Published.Equal(full.Published) {
		t.Errorf("sample published %v, full %v", sample.Published, full.Published)
	}
}

var (
	reLocationRef = regexp.MustCompile(`<VersionLocation LocationID="(\d+)"`)
	reIdentity    = regexp.MustCompile(`<Identity ID="(\d+)"`)
	reBlockID     = regexp.MustCompile(`^\s*<(DistinctParty FixedRef|Location ID|IDRegDocument ID="\d+" IDRegDocTypeID="\d+" IdentityID|SanctionsEntry ID="\d+" ProfileID)="(\d+)"`)
)

// writeSample cuts the sample out of the pretty-printed full list with two line
// passes: the first finds the chosen parties' locations and identities, the
// second copies the header, the reference values (less the long legal-basis,
// program, area-code and detail tables the parser does not read) and the blocks that belong to the chosen parties.
func writeSample(src, dst string, parties []string) error {
	want := map[string]bool{}
	for _, p := range parties {
		want[p] = true
	}
	locs, idents := map[string]bool{}, map[string]bool{}
	err := eachLine(src, func(line string, inParty string) {
		if !want[inParty] {
			return
		}
		if m := reLocationRef.FindStringSubmatch(line); m != nil {
			locs[m[1]] = true
		}
		if m := reIdentity.FindStringSubmatch(line); m != nil {
			idents[m[1]] = true
		}
	})
	if err != nil {
		return err
	}
	var out strings.Builder
	keep, inBlock, section := false, false, ""
	err = eachLine(src, func(line string, _ string) {
		trim := strings.TrimSpace(line)
		indent := len(line) - len(strings.TrimLeft(line, " "))
		if m := reBlockID.FindStringSubmatch(line); m != nil {
			switch {
			case strings.HasPrefix(m[1], "DistinctParty"), strings.HasPrefix(m[1], "SanctionsEntry"):
				keep = want[m[2]]
			case strings.HasPrefix(m[1], "Location"):
				keep = locs[m[2]]
			default:
				keep = idents[m[2]]
			}
			inBlock = !strings.HasSuffix(trim, "/>")
		}
		switch {
		case inBlock || keep:
			if keep {
				out.WriteString(line + "\n")
			}
			if !inBlock || indent == 4 && strings.HasPrefix(trim, "</") {
				inBlock, keep = false, false
			}
		case indent <= 2:
			if indent == 2 && !strings.HasPrefix(trim, "</") {
				section = strings.Fields(strings.Trim(trim, "<>/"))[0]
			}
			out.WriteString(line + "\n")
		case section == "DateOfIssue" || section == "ReferenceValueSets":
			if !strings.HasPrefix(trim, "<LegalBasis ") && !strings.HasPrefix(trim, "<SanctionsProgram ") &&
				!strings.HasPrefix(trim, "<AreaCode ") && !strings.HasPrefix(trim, "<DetailReference ") {
				out.WriteString(line + "\n")
			}
		}
	})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Clean(dst), []byte(out.String()), 0o644)
}

// eachLine streams the uncompressed list's lines, telling fn which party each
// is in.
func eachLine(path string, fn func(line, party string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	party := ""
	for sc.Scan() {
		line := sc.Text()
		if m := reBlockID.FindStringSubmatch(line); m != nil && strings.HasPrefix(m[1], "DistinctParty") {
			party = m[2]
		}
		fn(line, party)
		if strings.Contains(line, "</DistinctParty>") {
			party = ""
		}
	}
	return sc.Err()
}

func findEntity(l *sanctions.List, id string) *sanctions.Entity {
	i := slices.IndexFunc(l.Entities, func(e sanctions.Entity) bool { return e.ID == id })
	if i < 0 {
		return nil
	}
	return &l.Entities[i]
}
