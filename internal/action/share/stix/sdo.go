package stix

// The STIX Domain Objects Interdict models. Properties are those of STIX 2.1
// (section 4); deprecated or custom ones stay in Extra.

// AttackPattern is a TTP, e.g. an ATT&CK technique.
type AttackPattern struct {
	Common
	Name            string           `json:"name"`
	Description     string           `json:"description,omitempty"`
	Aliases         []string         `json:"aliases,omitempty"`
	KillChainPhases []KillChainPhase `json:"kill_chain_phases,omitempty"`
}

// Campaign is a set of adversarial behaviours over time against targets.
type Campaign struct {
	Common
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Aliases     []string  `json:"aliases,omitempty"`
	FirstSeen   Timestamp `json:"first_seen,omitzero"`
	LastSeen    Timestamp `json:"last_seen,omitzero"`
	Objective   string    `json:"objective,omitempty"`
}

// CourseOfAction is a recommendation to prevent or respond to an attack.
type CourseOfAction struct {
	Common
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Identity is an individual, organisation or group (e.g. an ISAC member).
type Identity struct {
	Common
	Name               string   `json:"name"`
	Description        string   `json:"description,omitempty"`
	Roles              []string `json:"roles,omitempty"`
	IdentityClass      string   `json:"identity_class,omitempty"`
	Sectors            []string `json:"sectors,omitempty"`
	ContactInformation string   `json:"contact_information,omitempty"`
}

// Indicator is a pattern that detects suspicious or malicious activity.
type Indicator struct {
	Common
	Name            string           `json:"name,omitempty"`
	Description     string           `json:"description,omitempty"`
	IndicatorTypes  []string         `json:"indicator_types,omitempty"`
	Pattern         string           `json:"pattern"`
	PatternType     string           `json:"pattern_type"`
	PatternVersion  string           `json:"pattern_version,omitempty"`
	ValidFrom       Timestamp        `json:"valid_from,omitzero"`
	ValidUntil      Timestamp        `json:"valid_until,omitzero"`
	KillChainPhases []KillChainPhase `json:"kill_chain_phases,omitempty"`
}

// IntrusionSet is a grouped set of behaviour and resources believed to be
// orchestrated by one organisation (e.g. Lazarus Group).
type IntrusionSet struct {
	Common
	Name                 string    `json:"name"`
	Description          string    `json:"description,omitempty"`
	Aliases              []string  `json:"aliases,omitempty"`
	FirstSeen            Timestamp `json:"first_seen,omitzero"`
	LastSeen             Timestamp `json:"last_seen,omitzero"`
	Goals                []string  `json:"goals,omitempty"`
	ResourceLevel        string    `json:"resource_level,omitempty"`
	PrimaryMotivation    string    `json:"primary_motivation,omitempty"`
	SecondaryMotivations []string  `json:"secondary_motivations,omitempty"`
}

// Location is a geographic location.
type Location struct {
	Common
	Name               string   `json:"name,omitempty"`
	Description        string   `json:"description,omitempty"`
	Latitude           *float64 `json:"latitude,omitempty"`
	Longitude          *float64 `json:"longitude,omitempty"`
	Precision          *float64 `json:"precision,omitempty"`
	Region             string   `json:"region,omitempty"`
	Country            string   `json:"country,omitempty"`
	AdministrativeArea string   `json:"administrative_area,omitempty"`
	City               string   `json:"city,omitempty"`
	StreetAddress      string   `json:"street_address,omitempty"`
	PostalCode         string   `json:"postal_code,omitempty"`
}

// Malware is a malware family or instance (e.g. AppleJeus).
type Malware struct {
	Common
	Name                      string           `json:"name,omitempty"`
	Description               string           `json:"description,omitempty"`
	MalwareTypes              []string         `json:"malware_types,omitempty"`
	IsFamily                  *bool            `json:"is_family,omitempty"`
	Aliases                   []string         `json:"aliases,omitempty"`
	KillChainPhases           []KillChainPhase `json:"kill_chain_phases,omitempty"`
	FirstSeen                 Timestamp        `json:"first_seen,omitzero"`
	LastSeen                  Timestamp        `json:"last_seen,omitzero"`
	OperatingSystemRefs       []string         `json:"operating_system_refs,omitempty"`
	ArchitectureExecutionEnvs []string         `json:"architecture_execution_envs,omitempty"`
	ImplementationLanguages   []string         `json:"implementation_languages,omitempty"`
	Capabilities              []string         `json:"capabilities,omitempty"`
	SampleRefs                []string         `json:"sample_refs,omitempty"`
}

// Note is analyst text attached to objects.
type Note struct {
	Common
	Abstract   string   `json:"abstract,omitempty"`
	Content    string   `json:"content"`
	Authors    []string `json:"authors,omitempty"`
	ObjectRefs []string `json:"object_refs"`
}

// ObservedData is what was seen: SCOs referenced by id, with when and how often.
type ObservedData struct {
	Common
	FirstObserved  Timestamp `json:"first_observed,omitzero"`
	LastObserved   Timestamp `json:"last_observed,omitzero"`
	NumberObserved *int      `json:"number_observed,omitempty"`
	ObjectRefs     []string  `json:"object_refs,omitempty"`
}

// Report is a collection of intelligence on topics.
type Report struct {
	Common
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	ReportTypes []string  `json:"report_types,omitempty"`
	Published   Timestamp `json:"published,omitzero"`
	ObjectRefs  []string  `json:"object_refs"`
}

// ThreatActor is an individual or group acting with malicious intent.
type ThreatActor struct {
	Common
	Name                 string    `json:"name"`
	Description          string    `json:"description,omitempty"`
	ThreatActorTypes     []string  `json:"threat_actor_types,omitempty"`
	Aliases              []string  `json:"aliases,omitempty"`
	FirstSeen            Timestamp `json:"first_seen,omitzero"`
	LastSeen             Timestamp `json:"last_seen,omitzero"`
	Roles                []string  `json:"roles,omitempty"`
	Goals                []string  `json:"goals,omitempty"`
	Sophistication       string    `json:"sophistication,omitempty"`
	ResourceLevel        string    `json:"resource_level,omitempty"`
	PrimaryMotivation    string    `json:"primary_motivation,omitempty"`
	SecondaryMotivations []string  `json:"secondary_motivations,omitempty"`
	PersonalMotivations  []string  `json:"personal_motivations,omitempty"`
}

// Tool is legitimate software an adversary uses.
type Tool struct {
	Common
	Name            string           `json:"name"`
	Description     string           `json:"description,omitempty"`
	ToolTypes       []string         `json:"tool_types,omitempty"`
	Aliases         []string         `json:"aliases,omitempty"`
	KillChainPhases []KillChainPhase `json:"kill_chain_phases,omitempty"`
	ToolVersion     string           `json:"tool_version,omitempty"`
}

// Vulnerability is a flaw in software (e.g. a CVE).
type Vulnerability struct {
	Common
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Relationship (SRO) links two objects, e.g. intrusion-set uses malware.
type Relationship struct {
	Common
	RelationshipType string    `json:"relationship_type"`
	Description      string    `json:"description,omitempty"`
	SourceRef        string    `json:"source_ref"`
	TargetRef        string    `json:"target_ref"`
	StartTime        Timestamp `json:"start_time,omitzero"`
	StopTime         Timestamp `json:"stop_time,omitzero"`
}

// Sighting (SRO) says something was seen: an indicator, malware, ...
type Sighting struct {
	Common
	Description      string    `json:"description,omitempty"`
	FirstSeen        Timestamp `json:"first_seen,omitzero"`
	LastSeen         Timestamp `json:"last_seen,omitzero"`
	Count            *int      `json:"count,omitempty"`
	SightingOfRef    string    `json:"sighting_of_ref"`
	ObservedDataRefs []string  `json:"observed_data_refs,omitempty"`
	WhereSightedRefs []string  `json:"where_sighted_refs,omitempty"`
	Summary          *bool     `json:"summary,omitempty"`
}

// ExtensionDefinition (SMO) defines a STIX extension.
type ExtensionDefinition struct {
	Common
	Name                string   `json:"name"`
	Description         string   `json:"description,omitempty"`
	Schema              string   `json:"schema"`
	Version             string   `json:"version"`
	ExtensionTypes      []string `json:"extension_types"`
	ExtensionProperties []string `json:"extension_properties,omitempty"`
}

// The JSON methods below make each struct keep and write back the
// properties it does not name (see decode and encode).

func (o *AttackPattern) UnmarshalJSON(b []byte) error {
	type plain AttackPattern
	return decode(b, (*plain)(o), &o.Common)
}
func (o AttackPattern) MarshalJSON() ([]byte, error) {
	type plain AttackPattern
	return encode(plain(o), "attack-pattern", o.Common)
}
func (o *Campaign) UnmarshalJSON(b []byte) error {
	type plain Campaign
	return decode(b, (*plain)(o), &o.Common)
}
func (o Campaign) MarshalJSON() ([]byte, error) {
	type plain Campaign
	return encode(plain(o), "campaign", o.Common)
}
func (o *CourseOfAction) UnmarshalJSON(b []byte) error {
	type plain CourseOfAction
	return decode(b, (*plain)(o), &o.Common)
}
func (o CourseOfAction) MarshalJSON() ([]byte, error) {
	type plain CourseOfAction
	return encode(plain(o), "course-of-action", o.Common)
}
func (o *Identity) UnmarshalJSON(b []byte) error {
	type plain Identity
	return decode(b, (*plain)(o), &o.Common)
}
func (o Identity) MarshalJSON() ([]byte, error) {
	type plain Identity
	return encode(plain(o), "identity", o.Common)
}
func (o *Indicator) UnmarshalJSON(b []byte) error {
	type plain Indicator
	return decode(b, (*plain)(o), &o.Common)
}
func (o Indicator) MarshalJSON() ([]byte, error) {
	type plain Indicator
	return encode(plain(o), "indicator", o.Common)
}
func (o *IntrusionSet) UnmarshalJSON(b []byte) error {
	type plain IntrusionSet
	return decode(b, (*plain)(o), &o.Common)
}
func (o IntrusionSet) MarshalJSON() ([]byte, error) {
	type plain IntrusionSet
	return encode(plain(o), "intrusion-set", o.Common)
}
func (o *Location) UnmarshalJSON(b []byte) error {
	type plain Location
	return decode(b, (*plain)(o), &o.Common)
}
func (o Location) MarshalJSON() ([]byte, error) {
	type plain Location
	return encode(plain(o), "location", o.Common)
}
func (o *Malware) UnmarshalJSON(b []byte) error {
	type plain Malware
	return decode(b, (*plain)(o), &o.Common)
}
func (o Malware) MarshalJSON() ([]byte, error) {
	type plain Malware
	return encode(plain(o), "malware", o.Common)
}
func (o *Note) UnmarshalJSON(b []byte) error {
	type plain Note
	return decode(b, (*plain)(o), &o.Common)
}
func (o Note) MarshalJSON() ([]byte, error) {
	type plain Note
	return encode(plain(o), "note", o.Common)
}
func (o *ObservedData) UnmarshalJSON(b []byte) error {
	type plain ObservedData
	return decode(b, (*plain)(o), &o.Common)
}
func (o ObservedData) MarshalJSON() ([]byte, error) {
	type plain ObservedData
	return encode(plain(o), "observed-data", o.Common)
}
func (o *Report) UnmarshalJSON(b []byte) error {
	type plain Report
	return decode(b, (*plain)(o), &o.Common)
}
func (o Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return encode(plain(o), "report", o.Common)
}
func (o *ThreatActor) UnmarshalJSON(b []byte) error {
	type plain ThreatActor
	return decode(b, (*plain)(o), &o.Common)
}
func (o ThreatActor) MarshalJSON() ([]byte, error) {
	type plain ThreatActor
	return encode(plain(o), "threat-actor", o.Common)
}
func (o *Tool) UnmarshalJSON(b []byte) error {
	type plain Tool
	return decode(b, (*plain)(o), &o.Common)
}
func (o Tool) MarshalJSON() ([]byte, error) {
	type plain Tool
	return encode(plain(o), "tool", o.Common)
}
func (o *Vulnerability) UnmarshalJSON(b []byte) error {
	type plain Vulnerability
	return decode(b, (*plain)(o), &o.Common)
}
func (o Vulnerability) MarshalJSON() ([]byte, error) {
	type plain Vulnerability
	return encode(plain(o), "vulnerability", o.Common)
}
func (o *Relationship) UnmarshalJSON(b []byte) error {
	type plain Relationship
	return decode(b, (*plain)(o), &o.Common)
}
func (o Relationship) MarshalJSON() ([]byte, error) {
	type plain Relationship
	return encode(plain(o), "relationship", o.Common)
}
func (o *Sighting) UnmarshalJSON(b []byte) error {
	type plain Sighting
	return decode(b, (*plain)(o), &o.Common)
}
func (o Sighting) MarshalJSON() ([]byte, error) {
	type plain Sighting
	return encode(plain(o), "sighting", o.Common)
}
func (o *ExtensionDefinition) UnmarshalJSON(b []byte) error {
	type plain ExtensionDefinition
	return decode(b, (*plain)(o), &o.Common)
}
func (o ExtensionDefinition) MarshalJSON() ([]byte, error) {
	type plain ExtensionDefinition
	return encode(plain(o), "extension-definition", o.Common)
}

func init() {
	register("attack-pattern", func() Object { return &AttackPattern{} })
	register("campaign", func() Object { return &Campaign{} })
	register("course-of-action", func() Object { return &CourseOfAction{} })
	register("identity", func() Object { return &Identity{} })
	register("indicator", func() Object { return &Indicator{} })
	register("intrusion-set", func() Object { return &IntrusionSet{} })
	register("location", func() Object { return &Location{} })
	register("malware", func() Object { return &Malware{} })
	register("note", func() Object { return &Note{} })
	register("observed-data", func() Object { return &ObservedData{} })
	register("report", func() Object { return &Report{} })
	register("threat-actor", func() Object { return &ThreatActor{} })
	register("tool", func() Object { return &Tool{} })
	register("vulnerability", func() Object { return &Vulnerability{} })
	register("relationship", func() Object { return &Relationship{} })
	register("sighting", func() Object { return &Sighting{} })
	register("extension-definition", func() Object { return &ExtensionDefinition{} })
}
