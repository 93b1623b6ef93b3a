package stix

import (
	"errors"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/share/stix/pattern"
)

func TestIndicatorMatchesAWalletObservation(t *testing.T) {
	v := sharedValidator(t)
	addr := "0x098b716b8aaf21512996dc57eb0615e2383e2f96"
	ind, err := NewIndicator("Lazarus Group (OFAC SDN)", "[cryptocurrency-wallet:address = '"+addr+"']", time.Date(2022, 4, 14, 0, 0, 0, 0, time.UTC), TLPGreen)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Validate(ind); err != nil {
		t.Fatal(err)
	}
	if Marking(ind) != TLPGreen {
		t.Errorf("marking %v", Marking(ind))
	}
	p, err := ind.CompiledPattern()
	if err != nil {
		t.Fatal(err)
	}
	seen := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	hit, _ := Observation(seen, seen, NewCryptocurrencyWallet(addr))
	miss, _ := Observation(seen, seen, NewCryptocurrencyWallet("0x0000000000000000000000000000000000000000"))
	if !p.Match(hit) || p.Match(miss) {
		t.Errorf("match: hit %v, miss %v", p.Match(hit), p.Match(miss))
	}

	if _, err := NewIndicator("bad", "[cryptocurrency-wallet:address = ]", seen, TLPNone); !errors.Is(err, pattern.ErrSyntax) {
		t.Errorf("bad pattern: %v", err)
	}
	ind.PatternType = "sigma"
	if _, err := ind.CompiledPattern(); !errors.Is(err, ErrInvalid) {
		t.Errorf("sigma pattern: %v", err)
	}
}

func TestObservedDataFromABundle(t *testing.T) {
	data := []byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
	{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4","value":"198.51.100.3"},
	{"type":"network-traffic","spec_version":"2.1","id":"network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d","dst_ref":"ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4","dst_port":443,"protocols":["tcp"]},
	{"type":"observed-data","spec_version":"2.1","id":"observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf","created":"2016-04-06T19:58:16.000Z","modified":"2016-04-06T19:58:16.000Z","first_observed":"2015-12-21T19:00:00Z","last_observed":"2015-12-21T19:00:00Z","number_observed":1,"object_refs":["ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4","network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d"]}]}`)
	b, err := ParseBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Object{}
	for _, o := range b.Objects {
		byID[o.Core().ID] = o
	}
	obs, err := ObservedDataObservation(b.Objects[2].(*ObservedData), byID)
	if err != nil {
		t.Fatal(err)
	}
	p := pattern.MustParse("[network-traffic:dst_ref.value = '198.51.100.3' AND network-traffic:dst_port = 443] START t'2015-12-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z'")
	if !p.Match(obs) {
		t.Error("the observed traffic does not match")
	}
	delete(byID, "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4")
	if _, err := ObservedDataObservation(b.Objects[2].(*ObservedData), byID); !errors.Is(err, ErrInvalid) {
		t.Errorf("missing ref: %v", err)
	}
}
