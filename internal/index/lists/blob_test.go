package lists

import (
	"errors"
	"reflect"
	"testing"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// fullEntity sets every field, so a field the blob loses fails the round trip.
func fullEntity() sanctions.Entity {
	return sanctions.Entity{
		ID: "27307", Reference: "KPe.001", Type: sanctions.TypeOrganization,
		Names: []sanctions.Name{
			{Full: "LAZARUS GROUP", Script: "Latin", Primary: true, Kind: "name"},
			{Full: "HIDDEN COBRA", Script: "Latin", LowQuality: true, Kind: "a.k.a."},
		},
		Programs:      []string{"DPRK3"},
		Identifiers:   []sanctions.Identifier{{Type: "Registration Number", Number: "1", Country: "Korea, North"}},
		BirthDates:    []string{"1980-01"},
		BirthPlaces:   []string{"Pyongyang"},
		Nationalities: []string{"Korea, North"},
		Addresses:     []sanctions.DigitalAddress{{Currency: "ETH", Address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"}},
		Emails:        []string{"info@example-front.com"},
		ListedOn:      "2019-09-13",
		Remarks:       "a remark",
	}
}

func TestEntityBlobRoundTrip(t *testing.T) {
	e := fullEntity()
	v := reflect.ValueOf(e)
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).IsZero() {
			t.Fatalf("fullEntity leaves %s unset", v.Type().Field(i).Name)
		}
	}
	for _, tc := range []struct {
		name string
		in   []sanctions.Entity
	}{
		{"an entity with every field set survives", []sanctions.Entity{e, {ID: "2", Names: []sanctions.Name{{Full: "X"}}}}},
		{"an empty list survives as empty", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blob, err := encodeEntities(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeEntities(blob)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.in) || (len(got) > 0 && !reflect.DeepEqual(got, tc.in)) {
				t.Fatalf("round trip gave %+v\nwant %+v", got, tc.in)
			}
		})
	}
}

func TestDecodeEntitiesRejectsCorruptBlobs(t *testing.T) {
	good, err := encodeEntities([]sanctions.Entity{fullEntity()})
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)-6] ^= 0xff // inside the gzip CRC32
	for _, tc := range []struct {
		name string
		blob []byte
	}{
		{"an empty blob", nil},
		{"an unknown format version", append([]byte{99}, good[1:]...)},
		{"a truncated blob", good[:len(good)/2]},
		{"a blob with a bad checksum", flipped},
		{"gzip of something that is not gob", []byte{1, 0x1f, 0x8b}},
	} {
		t.Run(tc.name+" is corrupt", func(t *testing.T) {
			if _, err := decodeEntities(tc.blob); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
		})
	}
}

func FuzzDecodeEntities(f *testing.F) {
	good, err := encodeEntities([]sanctions.Entity{fullEntity()})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{1})
	f.Add([]byte{1, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, blob []byte) {
		e, err := decodeEntities(blob)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		again, err := encodeEntities(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeEntities(again); err != nil {
			t.Fatalf("re-encoded blob does not decode: %v", err)
		}
	})
}
