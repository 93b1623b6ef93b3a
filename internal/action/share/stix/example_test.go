package stix_test

import (
	"fmt"
	"time"

	"github.com/interdict/interdict/internal/action/share/stix"
)

// An indicator for a flagged address, its effective TLP, and a match against
// what an exchange saw.
func ExampleNewIndicator() {
	addr := "0x098b716b8aaf21512996dc57eb0615e2383e2f96"
	ind, err := stix.NewIndicator("Lazarus Group", "[cryptocurrency-wallet:address = '"+addr+"']",
		time.Date(2022, 4, 14, 0, 0, 0, 0, time.UTC), stix.TLPAmber)
	if err != nil {
		panic(err)
	}
	p, _ := ind.CompiledPattern()
	seen := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	obs, _ := stix.Observation(seen, seen, stix.NewCryptocurrencyWallet(addr))
	fmt.Println(stix.Marking(ind), p.Match(obs))
	// Output: TLP:AMBER true
}

// Parsing keeps what the model does not name: a custom property comes back
// out unchanged.
func ExampleParse() {
	o, err := stix.Parse([]byte(`{"type":"malware","spec_version":"2.1","id":"malware--e2d34c63-6f5a-41f5-86a2-e2380f27f858","created":"2021-03-01T20:17:11.064Z","modified":"2021-03-01T20:17:11.064Z","name":"AppleJeus","is_family":true,"x_mitre_version":"1.2"}`))
	if err != nil {
		panic(err)
	}
	m := o.(*stix.Malware)
	out, _ := stix.Marshal(m)
	fmt.Println(m.Name, *m.IsFamily)
	fmt.Println(string(out))
	// Output:
	// AppleJeus true
	// {"type":"malware","spec_version":"2.1","id":"malware--e2d34c63-6f5a-41f5-86a2-e2380f27f858","created":"2021-03-01T20:17:11.064Z","modified":"2021-03-01T20:17:11.064Z","name":"AppleJeus","is_family":true,"x_mitre_version":"1.2"}
}

// Deterministic ids: the same address always gives the same SCO id.
func ExampleSCOID() {
	w := stix.NewCryptocurrencyWallet("bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6")
	fmt.Println(w.ID)
	// Output: cryptocurrency-wallet--35d412d1-4f25-5267-b422-73beba257a87
}
