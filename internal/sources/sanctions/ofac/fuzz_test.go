package ofac

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// FuzzParseOFAC checks that no input makes Parse panic, that every failure on
// an in-memory input is ErrMalformed, and that a success yields parties with IDs.
// Seeds: the bad inputs in testdata/bad, a small hand-made document and the
// corpus in testdata/fuzz/FuzzParseOFAC.
func FuzzParseOFAC(f *testing.F) {
	files, _ := filepath.Glob("testdata/bad/*.xml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(minimal(`<DistinctParty FixedRef="1"><Profile ID="1" PartySubTypeID="4"><Identity ID="2">
<Alias AliasTypeID="1403" Primary="true"><DocumentedName><DocumentedNamePart><NamePartValue ScriptID="215">Kim</NamePartValue></DocumentedNamePart></DocumentedName></Alias></Identity>
<Feature FeatureTypeID="345"><FeatureVersion><VersionDetail>0xabc</VersionDetail></FeatureVersion></Feature>
<Feature FeatureTypeID="8"><FeatureVersion><DatePeriod><Start><From><Year>1970</Year></From></Start></DatePeriod></FeatureVersion></Feature>
</Profile></DistinctParty>`, `<SanctionsEntry ProfileID="1" ListID="1550"><EntryEvent><Date><Year>2020</Year><Month>1</Month><Day>2</Day></Date></EntryEvent>
<SanctionsMeasure SanctionsTypeID="1"><Comment>DPRK3</Comment></SanctionsMeasure></SanctionsEntry>`)))
	f.Add([]byte("\x00\x01garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(context.Background(), bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, sanctions.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		for _, e := range l.Entities {
			if e.ID == "" || e.Type == "" {
				t.Fatalf("party without ID or type: %+v", e)
			}
		}
	})
}
