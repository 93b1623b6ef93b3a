package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// profileDoc is intel show actor's JSON.
type profileDoc struct {
	Query  string `json:"query"`
	Actors []struct {
		Name, Source, Country string
	} `json:"actors"`
	Aliases []string `json:"aliases"`
	Related []struct {
		Name, Kind string
	} `json:"related"`
	Software []struct {
		Name, Kind, Source, Via string
	} `json:"software"`
	Techniques []struct {
		ID, Name, Via string
	} `json:"techniques"`
	TagActor  string `json:"tag_actor"`
	Addresses []struct {
		Address, Network string
	} `json:"addresses"`
}

func TestIntelShowActorTraderTraitor(t *testing.T) {
	c := cli{t: t, args: []string{"--data-dir", t.TempDir()}}
	_, _, code := c.run("intel", "show", "actor", "TraderTraitor")
	if code != exitUsage {
		t.Errorf("show before any import: exit %d, want %d", code, exitUsage)
	}
	c.ok("intel", "import",
		sharedtest.Path(t, "stix", "mitre_attack_dprk_subset_with_techniques.stix21.json.gz"),
		sharedtest.Path(t, "stix", "misp_galaxy_threat_actor_dprk.json"),
		sharedtest.Path(t, "stix", "misp_galaxy_malpedia_dprk.json.gz"))

	var list struct {
		Actors []struct{ Name, Source string } `json:"actors"`
	}
	c.json(&list, "intel", "show", "actors")
	if len(list.Actors) != 37 {
		t.Errorf("%d actors, want 8 ATT&CK intrusion sets and 29 MISP threat actors", len(list.Actors))
	}

	var p profileDoc
	c.json(&p, "intel", "show", "actor", "TraderTraitor")
	if len(p.Actors) != 1 || p.Actors[0].Source != "MISP threat-actor galaxy" || p.Actors[0].Country != "KP" {
		t.Errorf("actors %+v", p.Actors)
	}
	if strings.Join(p.Aliases, ",") != "Jade Sleet,Pukchong,UNC4899" {
		t.Errorf("aliases %v", p.Aliases)
	}
	if len(p.Related) != 1 || p.Related[0].Name != "Lazarus Group" {
		t.Errorf("related %+v", p.Related)
	}
	var malware []string
	for _, s := range p.Software {
		malware = append(malware, s.Name)
	}
	if !strings.Contains(strings.Join(malware, ","), "AppleJeus") || len(p.Techniques) == 0 {
		t.Errorf("software %v, %d techniques", malware, len(p.Techniques))
	}
	if p.TagActor != "tradertraitor" {
		t.Errorf("tag store actor %q, want the curated tradertraitor", p.TagActor)
	}
	t.Logf("TraderTraitor: %d aliases, %d software, %d techniques, %d addresses", len(p.Aliases), len(p.Software), len(p.Techniques), len(p.Addresses))

	table := c.ok("intel", "show", "actor", "Jade Sleet")
	for _, want := range []string{"TraderTraitor", "UNC4899", "via Lazarus Group (similar)", "ADDRESSES"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}

	// Known addresses come from the tag store, found through its own alias
	// resolution (HIDDEN COBRA is Lazarus Group there too).
	c.ok("tags", "import", sharedtest.Path(t, "tags", "graphsense-tagpacks", "packs", "lazarus.yaml"))
	var laz profileDoc
	c.json(&laz, "intel", "show", "actor", "HIDDEN COBRA")
	if laz.TagActor != "lazarusgroup" || len(laz.Addresses) != 21 {
		t.Errorf("HIDDEN COBRA: tag actor %q with %d addresses, want lazarusgroup with the 21 of lazarus.yaml", laz.TagActor, len(laz.Addresses))
	}

	if _, _, code := c.run("intel", "show", "actor", "Nobody Sleet"); code != exitNotFound {
		t.Errorf("unknown actor: exit %d, want %d", code, exitNotFound)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"type":"bundle","objects":[{"type":"malware"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := c.run("intel", "import", bad); code != exitMalformed || !strings.Contains(stderr, "bad.json") {
		t.Errorf("malformed file: exit %d (%s), want %d naming the file", code, stderr, exitMalformed)
	}
}
